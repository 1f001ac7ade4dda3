// CONTRACT: the controlplane work adds its CLI commands here.
import type { Command } from 'commander';
import type { Io } from '../cli/common.js';

export function registerControlPlaneCommands(_program: Command, _io: Io): void {}
