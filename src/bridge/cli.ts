// CONTRACT: the bridge work adds its CLI commands here.
import type { Command } from 'commander';
import type { Io } from '../cli/common.js';
import { registerInterceptionsCommands } from './interceptions-cli.js';
import { registerMockUpstreamCommand } from './mock-upstream/cli.js';

export function registerBridgeCommands(program: Command, io: Io): void {
  registerMockUpstreamCommand(program, io);
  registerInterceptionsCommands(program, io);
}
