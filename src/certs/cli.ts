import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { configFromOptions, withConfigOptions, type Io } from '../cli/common.js';
import { caDir, CA_CERT_FILE, CA_KEY_FILE, generateCa, writeCaFiles } from './ca.js';
import { CertError } from './errors.js';

/** `aibridge ca generate|print`. */
export function registerCertCommands(program: Command, io: Io): void {
  const ca = program.command('ca').description('The MITM certificate authority clients trust');

  withConfigOptions(ca.command('generate').description(`Generate a CA (${CA_CERT_FILE}, ${CA_KEY_FILE} with mode 0600) in <data-dir>/ca or --out DIR`))
    .option('--out <dir>', 'directory to write the CA into (default <data-dir>/ca)')
    .option('--force', 'replace an existing CA (clients must trust the new one)')
    .action(async (opts: Record<string, unknown>) => {
      const { config } = configFromOptions(opts, io);
      const dir = typeof opts.out === 'string' ? opts.out : caDir(config);
      const certPath = join(dir, CA_CERT_FILE);
      const keyPath = join(dir, CA_KEY_FILE);
      if (!opts.force && (existsSync(certPath) || existsSync(keyPath))) {
        throw new CertError('CA_EXISTS', `a CA already exists in ${resolve(dir)}; pass --force to replace it`);
      }
      const pair = await generateCa();
      const written = writeCaFiles(dir, pair, Boolean(opts.force));
      io.out(`CA certificate: ${resolve(written.certPath)}`);
      io.out(`CA key:         ${resolve(written.keyPath)} (mode 0600)`);
      io.out(`Use them with CODER_AIBRIDGE_PROXY_CERT_FILE=${resolve(written.certPath)} CODER_AIBRIDGE_PROXY_KEY_FILE=${resolve(written.keyPath)}, or leave them in <data-dir>/ca.`);
    });

  withConfigOptions(ca.command('print').description('Print the CA certificate (PEM) that clients must trust'))
    .action((opts: Record<string, unknown>) => {
      const { config } = configFromOptions(opts, io);
      const path = config.proxy.certFile || join(caDir(config), CA_CERT_FILE);
      if (!existsSync(path)) {
        throw new CertError('CA_FILE_MISSING', `no CA certificate at ${resolve(path)}; run \`aibridge ca generate\` or start \`aibridge serve\` once`);
      }
      io.out(readFileSync(path, 'utf8').trimEnd());
    });
}
