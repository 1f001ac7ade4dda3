// CONTRACT: the certs work adds its CLI commands here.
import type { Command } from 'commander';
import type { Io } from '../cli/common.js';

export function registerCertCommands(_program: Command, _io: Io): void {}
