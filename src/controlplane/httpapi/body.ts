import type { IncomingMessage } from 'node:http';
import { readJson } from '../../server/respond.js';
import { isUuid } from '../ids.js';
import { badRequest, validationFailed, type Validation } from './errors.js';

/** Reads a JSON object body; anything else is a 400 in Coder's shape. */
export async function readObject(req: IncomingMessage, limit = 1024 * 1024): Promise<Record<string, unknown>> {
  const v = await readJson(req, limit);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw badRequest('Request body must be a JSON object.');
  return v as Record<string, unknown>;
}

/**
 * Collects field problems of a request body, then throws them all at once as Coder's
 * `{message: "Validation failed.", validations: [{field, detail}]}`.
 */
export class Fields {
  readonly problems: Validation[] = [];
  constructor(private readonly body: Record<string, unknown>) {}

  private fail(field: string, detail: string): undefined {
    this.problems.push({ field, detail });
    return undefined;
  }

  string(field: string, opts: { required?: boolean } = {}): string | undefined {
    const v = this.body[field];
    if (v === undefined || v === null || v === '') {
      if (opts.required) return this.fail(field, 'Validation failed for tag "required" with value: ""');
      return v === '' ? '' : undefined;
    }
    if (typeof v !== 'string') return this.fail(field, 'Must be a string.');
    return v;
  }

  uuid(field: string, opts: { required?: boolean } = {}): string | undefined {
    const v = this.string(field, opts);
    if (v === undefined || v === '') return undefined;
    if (!isUuid(v)) return this.fail(field, 'Must be a valid UUID.');
    return v.toLowerCase();
  }

  number(field: string, opts: { min?: number; integer?: boolean } = {}): number | undefined {
    const v = this.body[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(field, 'Must be a number.');
    if (opts.integer && !Number.isInteger(v)) return this.fail(field, 'Must be an integer.');
    if (opts.min !== undefined && v < opts.min) return this.fail(field, `Must be at least ${opts.min}.`);
    return v;
  }

  boolean(field: string): boolean | undefined {
    const v = this.body[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') return this.fail(field, 'Must be a boolean.');
    return v;
  }

  stringArray(field: string): string[] | undefined {
    const v = this.body[field];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return this.fail(field, 'Must be an array of strings.');
    return v as string[];
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], opts: { required?: boolean } = {}): T | undefined {
    const v = this.string(field, opts);
    if (v === undefined || v === '') return undefined;
    if (!allowed.includes(v as T)) return this.fail(field, `Must be one of: ${allowed.join(', ')}.`);
    return v as T;
  }

  /** A map of string → string (ACL requests). */
  stringMap(field: string): Record<string, string> | undefined {
    const v = this.body[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
      return this.fail(field, 'Must be an object of strings.');
    }
    return v as Record<string, string>;
  }

  check(field: string, ok: boolean, detail: string): void {
    if (!ok) this.fail(field, detail);
  }

  /** Throws the collected problems, if any. */
  done(): void {
    if (this.problems.length) throw validationFailed(this.problems);
  }
}
