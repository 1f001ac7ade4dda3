import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerBridgeCommands } from '../bridge/cli.js';
import { registerCertCommands } from '../certs/cli.js';
import { describeConfig } from '../config/index.js';
import { renderExampleYaml } from '../config/example.js';
import { registerControlPlaneCommands } from '../controlplane/cli.js';
import { lintMigrations, migrateDown, migrateUp, migrationStatus, openDatabase } from '../db/index.js';
import { AibridgeError, ConfigError, DataDirLockedError, UsageError } from '../errors.js';
import { createLogger, setRootLogger } from '../log.js';
import { validateProxyConfig } from '../proxy/index.js';
import { configFromOptions, processIo, withConfigOptions, type Io } from './common.js';
import { startProduct, type Parts } from './run.js';
import { registerUserCommands } from './users.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Builds the command tree. `io` carries output and env so tests can run commands in-process. */
export function buildProgram(io: Io, result: { code: number }): Command {
  const program = new Command('aibridge')
    .description('Forward MITM AI proxy and bridge gateway with a Coder-compatible control plane')
    .version(pkg.version, '-v, --version')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();

  const runParts = (parts: Parts) => async (opts: Record<string, unknown>) => {
    const loaded = configFromOptions(opts, io);
    const log = createLogger({ level: loaded.config.log.level });
    setRootLogger(log);
    const running = await startProduct(loaded, parts, log, io);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log.info({ signal }, 'shutting down');
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await running.close();
    log.info('stopped');
    log.flush();
  };

  withConfigOptions(program.command('serve').description('Run everything in one process: proxy, API server (bridge and control plane) and metrics, on embedded PGlite unless CODER_PG_CONNECTION_URL is set')).action(
    runParts({ api: true, proxy: true }),
  );
  withConfigOptions(program.command('server').description('Run the API server (bridge and control plane) and metrics, for scale-out behind `aibridge proxy`')).action(
    runParts({ api: true, proxy: false }),
  );
  withConfigOptions(program.command('proxy').description('Run the MITM proxy alone, forwarding to the server at --access-url / CODER_ACCESS_URL')).action(
    runParts({ api: false, proxy: true }),
  );

  const migrate = program.command('migrate').description('Database migrations');
  withConfigOptions(migrate.command('up').description('Apply every pending migration')).action(async (opts) => {
    const db = await openDatabase(configFromOptions(opts, io).config);
    try {
      const v = await migrateUp(db);
      io.out(v.length ? `applied ${v.join(', ')}` : 'no pending migrations');
    } finally {
      await db.close();
    }
  });
  withConfigOptions(migrate.command('down').description('Revert migrations (the newest one by default)'))
    .option('--steps <n>', 'how many to revert', '1')
    .option('--all', 'revert every migration')
    .action(async (opts) => {
      const steps = opts.all ? Infinity : Number(opts.steps);
      if (!Number.isInteger(steps) && steps !== Infinity) throw new UsageError('--steps takes a whole number');
      const db = await openDatabase(configFromOptions(opts, io).config);
      try {
        const v = await migrateDown(db, steps);
        io.out(v.length ? `reverted ${v.join(', ')}` : 'nothing to revert');
      } finally {
        await db.close();
      }
    });
  withConfigOptions(migrate.command('status').description('List migrations and whether each is applied')).action(async (opts) => {
    const db = await openDatabase(configFromOptions(opts, io).config);
    try {
      for (const m of await migrationStatus(db)) io.out(`${String(m.version).padStart(6, '0')} ${m.name} ${m.applied ? 'applied' : 'pending'}`);
    } finally {
      await db.close();
    }
  });

  program
    .command('lint-migrations')
    .description('Fail on any hardcoded `public.` schema qualifier in migrations')
    .option('--dir <dir>', 'migrations directory')
    .action((opts) => {
      const problems = lintMigrations(opts.dir);
      for (const p of problems) io.err(`${p.file}:${p.line}: migrations must not hardcode the 'public' schema; use unqualified names: ${p.text}`);
      if (problems.length) result.code = 1;
      else io.out('Migration schema references OK');
    });

  const config = program.command('config').description('Configuration');
  withConfigOptions(config.command('check').description('Validate and print the effective configuration, secrets redacted')).action((opts) => {
    const loaded = configFromOptions(opts, io);
    const problems = validateProxyConfig(loaded.config);
    if (problems.length) throw new ConfigError(problems);
    const rows = describeConfig(loaded);
    const width = Math.max(...rows.map((r) => r.key.length));
    for (const r of rows) io.out(`${r.key.padEnd(width)}  ${JSON.stringify(r.value)}  (${r.source})`);
  });

  config
    .command('example')
    .description('Print a YAML file documenting every setting with its default (config.example.yaml)')
    .action(() => io.out(renderExampleYaml().trimEnd()));

  registerUserCommands(program, io);
  registerCertCommands(program, io);
  registerBridgeCommands(program, io);
  registerControlPlaneCommands(program, io);
  return program;
}

/** Runs the CLI; returns the exit code: 0 success, 2 usage or config error, 1 otherwise. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const result = { code: 0 };
  const program = buildProgram(io, result);
  try {
    await program.parseAsync(argv);
    return result.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof ConfigError || err instanceof UsageError) {
      io.err(`error: ${err.message}`);
      return 2;
    }
    if (err instanceof DataDirLockedError || err instanceof AibridgeError) {
      io.err(`error: ${err.message}`);
      return 1;
    }
    io.err(`error: ${(err as Error)?.message ?? String(err)}`);
    return 1;
  }
}
