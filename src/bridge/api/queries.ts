import { isUuid, type Queryable } from '../../db/index.js';
import type { InterceptionFilter } from './filter.js';

export interface ListOptions {
  filter: InterceptionFilter;
  /** The caller's user id (for `initiator:me`). */
  me: string;
  /** Restrict to the caller's own interceptions (members; owners and auditors see all). */
  onlyOwn: boolean;
  limit: number;
  offset: number;
  afterId?: string;
}

interface Row {
  id: string;
  initiator_id: string;
  api_key_id: string | null;
  provider: string;
  provider_name: string;
  model: string;
  client: string | null;
  user_agent: string;
  client_session_id: string | null;
  credential_kind: string;
  credential_hint: string;
  endpoint: string;
  status_code: number;
  metadata: unknown;
  started_at: Date;
  ended_at: Date | null;
  username: string | null;
  name: string | null;
  avatar_url: string | null;
}

/** Coder's `AIBridgeInterception`, with this bridge's extra columns. */
export interface InterceptionView {
  id: string;
  api_key_id: string | null;
  initiator: { id: string; username: string; name: string; avatar_url: string };
  provider: string;
  provider_name: string;
  model: string;
  client: string | null;
  session_id: string | null;
  credential_kind: string;
  credential_hint: string;
  endpoint: string;
  status_code: number;
  user_agent: string;
  metadata: unknown;
  started_at: Date;
  ended_at: Date | null;
  token_usages: unknown[];
  user_prompts: unknown[];
  tool_usages: unknown[];
}

function where(o: ListOptions, params: unknown[]): string {
  const clauses = ['i.ended_at IS NOT NULL'];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const f = o.filter;
  if (f.initiator !== undefined) {
    if (f.initiator === 'me') clauses.push(`i.initiator_id = ${p(o.me)}::uuid`);
    else if (isUuid(f.initiator)) clauses.push(`i.initiator_id = ${p(f.initiator)}::uuid`);
    else clauses.push(`i.initiator_id IN (SELECT id FROM users WHERE lower(username) = lower(${p(f.initiator)}) AND deleted = false)`);
  }
  if (o.onlyOwn) clauses.push(`i.initiator_id = ${p(o.me)}::uuid`);
  if (f.provider !== undefined) clauses.push(`i.provider = ${p(f.provider)}`);
  if (f.model !== undefined) clauses.push(`i.model = ${p(f.model)}`);
  if (f.client !== undefined) clauses.push(`i.client = ${p(f.client)}`);
  if (f.sessionId !== undefined) clauses.push(`i.client_session_id = ${p(f.sessionId)}`);
  if (f.startedAfter) clauses.push(`i.started_at >= ${p(f.startedAfter)}::timestamptz`);
  if (f.startedBefore) clauses.push(`i.started_at <= ${p(f.startedBefore)}::timestamptz`);
  return clauses.join(' AND ');
}

/**
 * Ended interceptions matching the options, newest first, with their token usages, prompts and
 * tool usages, and the count of all that match (before paging).
 */
export async function listInterceptions(q: Queryable, o: ListOptions): Promise<{ count: number; results: InterceptionView[] }> {
  const params: unknown[] = [];
  const cond = where(o, params);
  const countRows = await q.query<{ n: number }>('CountAIBridgeInterceptions', `SELECT count(*)::int8 AS n FROM aibridge_interceptions i WHERE ${cond}`, params);
  const pageParams = [...params];
  let cursor = '';
  if (o.afterId) {
    pageParams.push(o.afterId);
    const k = `$${pageParams.length}::uuid`;
    cursor = ` AND (i.started_at, i.id) < (SELECT c.started_at, c.id FROM aibridge_interceptions c WHERE c.id = ${k})`;
  }
  pageParams.push(o.limit, o.offset);
  const rows = await q.query<Row>(
    'ListAIBridgeInterceptions',
    `SELECT i.id, i.initiator_id, i.api_key_id, i.provider, i.provider_name, i.model, i.client, i.user_agent,
            i.client_session_id, i.credential_kind, i.credential_hint, i.endpoint, i.status_code, i.metadata,
            i.started_at, i.ended_at, u.username, u.name, u.avatar_url
       FROM aibridge_interceptions i LEFT JOIN users u ON u.id = i.initiator_id
      WHERE ${cond}${cursor}
      ORDER BY i.started_at DESC, i.id DESC
      LIMIT $${pageParams.length - 1} OFFSET $${pageParams.length}`,
    pageParams,
  );
  const ids = rows.map((r) => r.id);
  const [usages, prompts, tools] = ids.length
    ? await Promise.all([
        q.query<{ interception_id: string }>(
          'ListAIBridgeTokenUsagesByInterceptionIDs',
          `SELECT id, interception_id, provider_response_id, input_tokens, output_tokens, metadata, created_at
             FROM aibridge_token_usages WHERE interception_id = ANY($1::uuid[]) ORDER BY created_at, id`,
          [ids],
        ),
        q.query<{ interception_id: string }>(
          'ListAIBridgeUserPromptsByInterceptionIDs',
          `SELECT id, interception_id, provider_response_id, prompt, metadata, created_at
             FROM aibridge_user_prompts WHERE interception_id = ANY($1::uuid[]) ORDER BY created_at, id`,
          [ids],
        ),
        q.query<{ interception_id: string }>(
          'ListAIBridgeToolUsagesByInterceptionIDs',
          `SELECT id, interception_id, provider_response_id, provider_tool_call_id, server_url, tool, input, injected,
                  invocation_error, metadata, created_at
             FROM aibridge_tool_usages WHERE interception_id = ANY($1::uuid[]) ORDER BY created_at, id`,
          [ids],
        ),
      ])
    : [[], [], []];
  const group = (list: { interception_id: string }[]) => {
    const m = new Map<string, unknown[]>();
    for (const r of list) {
      let g = m.get(r.interception_id);
      if (!g) m.set(r.interception_id, (g = []));
      g.push(r);
    }
    return m;
  };
  const u = group(usages);
  const p = group(prompts);
  const t = group(tools);
  return {
    count: countRows[0]?.n ?? 0,
    results: rows.map((r) => ({
      id: r.id,
      api_key_id: r.api_key_id,
      initiator: { id: r.initiator_id, username: r.username ?? '', name: r.name ?? '', avatar_url: r.avatar_url ?? '' },
      provider: r.provider,
      provider_name: r.provider_name,
      model: r.model,
      client: r.client,
      session_id: r.client_session_id,
      credential_kind: r.credential_kind,
      credential_hint: r.credential_hint,
      endpoint: r.endpoint,
      status_code: r.status_code,
      user_agent: r.user_agent,
      metadata: r.metadata,
      started_at: r.started_at,
      ended_at: r.ended_at,
      token_usages: u.get(r.id) ?? [],
      user_prompts: p.get(r.id) ?? [],
      tool_usages: t.get(r.id) ?? [],
    })),
  };
}
