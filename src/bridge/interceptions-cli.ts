import type { Command } from 'commander';
import { apiRequest, configFromOptions, withConfigOptions, withDatabase, type Io } from '../cli/common.js';
import { isUuid } from '../db/index.js';
import { UsageError } from '../errors.js';
import { parseInterceptionQuery } from './api/filter.js';
import { listInterceptions, type InterceptionView } from './api/queries.js';

interface ListFlags {
  url?: string;
  initiator?: string;
  provider?: string;
  model?: string;
  client?: string;
  startedAfter?: string;
  startedBefore?: string;
  afterId?: string;
  limit: string;
  output: string;
}

/** The `q=` text for the filter flags (values with spaces quoted). */
export function queryFromFlags(f: Partial<ListFlags>): string {
  const terms: string[] = [];
  const add = (k: string, v: string | undefined) => {
    if (v === undefined || v === '') return;
    terms.push(/[\s"]/.test(v) ? `${k}:"${v.replace(/"/g, '')}"` : `${k}:${v}`);
  };
  add('initiator', f.initiator);
  add('provider', f.provider);
  add('model', f.model);
  add('client', f.client);
  add('started_after', f.startedAfter);
  add('started_before', f.startedBefore);
  return terms.join(' ');
}

interface Usage {
  input_tokens: number;
  output_tokens: number;
}

/** A fixed-width table of interceptions, newest first. */
export function renderInterceptions(rows: InterceptionView[]): string[] {
  const head = ['ID', 'STARTED', 'INITIATOR', 'PROVIDER', 'MODEL', 'CLIENT', 'TOKENS IN/OUT', 'PROMPT'];
  const body = rows.map((r) => {
    const usages = r.token_usages as Usage[];
    const tin = usages.reduce((a, u) => a + Number(u.input_tokens), 0);
    const tout = usages.reduce((a, u) => a + Number(u.output_tokens), 0);
    const prompts = r.user_prompts as { prompt: string }[];
    const prompt = (prompts[prompts.length - 1]?.prompt ?? '').replace(/\s+/g, ' ');
    return [
      r.id,
      new Date(r.started_at).toISOString().replace(/\.\d+Z$/, 'Z'),
      r.initiator.username || r.initiator.id,
      r.provider,
      r.model,
      r.client ?? '',
      `${tin}/${tout}`,
      prompt.length > 40 ? prompt.slice(0, 39) + '…' : prompt,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((cols) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
}

/**
 * `aibridge interceptions list` (Coder: `coder aibridge interceptions list`): ended
 * interceptions, newest first, from the database, or from a running server with --url and
 * CODER_SESSION_TOKEN (where members see their own and owners and auditors everyone's).
 */
export function registerInterceptionsCommands(program: Command, io: Io): void {
  const cmd = program.command('interceptions').description('AI Bridge interceptions (recorded AI requests)');
  withConfigOptions(cmd.command('list').description('List ended interceptions, newest first'))
    .option('--url <url>', 'list through a running server (with CODER_SESSION_TOKEN)')
    .option('--initiator <user>', 'only this initiator: a user id, a username, or "me" (with --url)')
    .option('--provider <name>', 'only this provider (openai, anthropic)')
    .option('--model <model>', 'only this model')
    .option('--client <client>', 'only this client (e.g. "Claude Code", "Codex")')
    .option('--started-after <time>', 'only interceptions started at or after this RFC 3339 time')
    .option('--started-before <time>', 'only interceptions started at or before this RFC 3339 time')
    .option('--after-id <id>', 'the page after this interception id (cursor)')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (opts: ListFlags & Record<string, unknown>) => {
      if (opts.output !== 'table' && opts.output !== 'json') throw new UsageError('--output takes table or json');
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit takes a whole number from 1 to 1000');
      if (opts.afterId !== undefined && !isUuid(opts.afterId)) throw new UsageError('--after-id takes an interception id (a UUID)');
      const q = queryFromFlags(opts);
      const { filter, problems } = parseInterceptionQuery(q);
      if (problems.length) throw new UsageError(problems.map((p) => p.detail).join(' '));
      let out: { count: number; results: InterceptionView[] };
      if (opts.url) {
        const params = new URLSearchParams({ limit: String(limit) });
        if (q) params.set('q', q);
        if (opts.afterId) params.set('after_id', opts.afterId);
        out = await apiRequest(opts.url, io.env.CODER_SESSION_TOKEN, 'GET', `/api/v2/aibridge/interceptions?${params}`);
      } else {
        if (filter.initiator === 'me') throw new UsageError('--initiator me needs --url (a signed-in user); give a username or id instead');
        out = await withDatabase(configFromOptions(opts, io), (db) => listInterceptions(db, { filter, me: '', onlyOwn: false, limit, offset: 0, afterId: opts.afterId }));
      }
      if (opts.output === 'json') {
        io.out(JSON.stringify(out, null, 2));
        return;
      }
      if (!out.results.length) {
        io.out('No interceptions found.');
        return;
      }
      for (const line of renderInterceptions(out.results)) io.out(line);
    });
}
