import { randomInt } from 'node:crypto';
import { adjectives, surnames } from './words.js';

/**
 * Docker-style names `[adjective][delim][surname]`, after coder/coder's
 * `coderd/util/namesgenerator`. Unique names carry a process-wide counter so they never
 * collide within a process, and are cut to 32 characters (Coder's name limit) keeping the
 * counter.
 */

/** Coder's common name-length limit. */
export const MaxNameLength = 32;

let counter = 0;

function pick(list: readonly string[], rand: (n: number) => number): string {
  return list[rand(list.length)];
}

/** A random name; not unique. */
export function nameWith(delim: string, rand: (n: number) => number = randomInt): string {
  return `${pick(adjectives, rand)}${delim}${pick(surnames, rand)}`;
}

/** A random name with two random digits (00–99), cut to 32 characters; not unique. */
export function nameDigitWith(delim: string, rand: (n: number) => number = randomInt): string {
  return truncate(`${nameWith(delim, rand)}${String(rand(100)).padStart(2, '0')}`, MaxNameLength);
}

/** A name unique in this process: a random name plus the next counter value, cut to 32. */
export function uniqueNameWith(delim: string, rand: (n: number) => number = randomInt): string {
  counter += 1;
  return truncate(`${nameWith(delim, rand)}${counter}`, MaxNameLength);
}

/** `UniqueNameWith("_")`. */
export function uniqueName(): string {
  return uniqueNameWith('_');
}

/**
 * Cuts a name to maxLen keeping its trailing run of digits: `base[:maxLen-len(suffix)] + suffix`.
 * When the digits alone fill maxLen, the fallback is the decimal maxLen itself (as Coder does).
 */
export function truncate(name: string, maxLen: number): string {
  if (name.length <= maxLen) return name;
  const m = /\d+$/.exec(name);
  const suffix = m ? m[0] : '';
  if (suffix.length >= maxLen) return String(maxLen);
  return name.slice(0, maxLen - suffix.length) + suffix;
}
