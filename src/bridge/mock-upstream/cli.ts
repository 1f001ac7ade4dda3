import type { Command } from 'commander';
import type { Io } from '../../cli/common.js';
import { createLogger } from '../../log.js';
import { startMockUpstream } from './server.js';

/** `aibridge mock-upstream`: runs the mock provider until SIGINT/SIGTERM, then exits 0. */
export function registerMockUpstreamCommand(program: Command, io: Io): void {
  program
    .command('mock-upstream')
    .description('Run a local fake OpenAI + Anthropic API (chat completions, responses incl. WebSocket, messages) for offline tries, tests and benchmarks')
    .option('--address <host:port>', 'address to listen on', '127.0.0.1:9999')
    .option('--key <key>', 'require this key (OpenAI `Authorization: Bearer`, Anthropic `x-api-key`); others get 401')
    .option('--verbose', 'log one line per request to stderr')
    .action(async (opts: { address: string; key?: string; verbose?: boolean }) => {
      const log = createLogger({ level: opts.verbose ? 'debug' : 'warn' });
      const mock = await startMockUpstream({ address: opts.address, key: opts.key, log });
      io.out(`mock-upstream listening on ${mock.url}`);
      io.out(`OPENAI_BASE_URL=${mock.url}/v1`);
      io.out(`ANTHROPIC_BASE_URL=${mock.url}`);
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', () => resolve());
        process.once('SIGINT', () => resolve());
      });
      await mock.close();
      log.flush();
    });
}
