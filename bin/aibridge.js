#!/usr/bin/env node
// Runs the TypeScript sources directly: tsx compiles them on load, so `npx aibridge` works
// right after `npm ci` with no build step and no stale output to go out of date.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
