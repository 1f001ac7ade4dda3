// CONTRACT: the bridge work adds its CLI commands here.
import type { Command } from 'commander';
import type { Io } from '../cli/common.js';

export function registerBridgeCommands(_program: Command, _io: Io): void {}
