/**
 * The `q=` search of `GET /api/v2/aibridge/interceptions`: space-separated `key:value` terms
 * (values may be double-quoted), Coder's keys. Pure: text in, a filter or problems out.
 */

export interface InterceptionFilter {
  /** `me`, a user id, or a username. */
  initiator?: string;
  provider?: string;
  model?: string;
  client?: string;
  sessionId?: string;
  startedAfter?: Date;
  startedBefore?: Date;
}

export interface FilterProblem {
  field: string;
  detail: string;
}

const KEYS = new Set(['initiator', 'provider', 'model', 'client', 'session_id', 'started_after', 'started_before']);

/** Splits on spaces outside double quotes. */
function terms(q: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const c of q) {
    if (c === '"') quoted = !quoted;
    else if (/\s/.test(c) && !quoted) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

function time(v: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function parseInterceptionQuery(q: string): { filter: InterceptionFilter; problems: FilterProblem[] } {
  const filter: InterceptionFilter = {};
  const problems: FilterProblem[] = [];
  for (const term of terms(q)) {
    const i = term.indexOf(':');
    if (i <= 0) {
      problems.push({ field: 'q', detail: `Query element "${term}" is not of the form key:value.` });
      continue;
    }
    const key = term.slice(0, i).toLowerCase();
    const value = term.slice(i + 1);
    if (!KEYS.has(key)) {
      problems.push({ field: key, detail: `"${key}" is not a valid query param (valid: ${[...KEYS].join(', ')}).` });
      continue;
    }
    if (value === '') {
      problems.push({ field: key, detail: `Query param "${key}" has no value.` });
      continue;
    }
    switch (key) {
      case 'initiator':
        filter.initiator = value;
        break;
      case 'provider':
        filter.provider = value;
        break;
      case 'model':
        filter.model = value;
        break;
      case 'client':
        filter.client = value;
        break;
      case 'session_id':
        filter.sessionId = value;
        break;
      case 'started_after':
      case 'started_before': {
        const d = time(value);
        if (!d) problems.push({ field: key, detail: `Query param "${key}" must be an RFC 3339 time such as 2026-04-01T00:00:00Z.` });
        else if (key === 'started_after') filter.startedAfter = d;
        else filter.startedBefore = d;
        break;
      }
    }
  }
  return { filter, problems };
}

