import type { Summary } from './stats.js';

export interface BenchOptions {
  quick: boolean;
  /** Measured seconds per loaded row. */
  seconds: number;
  warmup: number;
  concurrency: number;
  /** Sequential rounds (interleaved) and requests per round. */
  rounds: number;
  perRound: number;
}

export function options(quick: boolean): BenchOptions {
  return quick
    ? { quick, seconds: 2, warmup: 0.5, concurrency: 32, rounds: 5, perRound: 20 }
    : { quick, seconds: 6, warmup: 1.5, concurrency: 32, rounds: 9, perRound: 60 };
}

export function ratio(a: number | undefined, b: number | undefined): number {
  return a === undefined || b === undefined || !b ? NaN : a / b;
}

export function fmtRatio(x: number): string {
  return Number.isNaN(x) ? 'n/a' : `${x.toFixed(2)}×`;
}

export type { Summary };
