import { randomBytes } from 'node:crypto';

// One random stem per process and a counter: unique, id-shaped, and no crypto call per request.
const stem = randomBytes(8).toString('hex');
let counter = 0;

/** A unique id with a provider prefix (`chatcmpl-`, `resp_`, `msg_01`, `toolu_01`, `req_`…). */
export function newId(prefix: string): string {
  return `${prefix}${stem}${(++counter).toString(36).padStart(8, '0')}`;
}

/** Seconds since the epoch, as OpenAI's `created` fields. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
