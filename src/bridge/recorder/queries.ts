import type { Queryable } from '../../db/index.js';
import type { AnyRecord, InterceptionRecord, ModelThoughtRecord, PromptUsageRecord, TokenUsageRecord, ToolUsageRecord } from './types.js';

/** Parameters per statement at most (PostgreSQL allows 65535). */
const MAX_PARAMS = 30_000;

interface TableSpec {
  table: string;
  columns: [name: string, cast: string][];
  row(r: never): unknown[];
  conflict: string;
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

const TABLES: Record<AnyRecord['kind'], TableSpec> = {
  interception: {
    table: 'aibridge_interceptions',
    columns: [
      ['id', 'uuid'],
      ['initiator_id', 'uuid'],
      ['api_key_id', 'text'],
      ['provider', 'text'],
      ['provider_name', 'text'],
      ['model', 'text'],
      ['client', 'text'],
      ['user_agent', 'text'],
      ['client_session_id', 'text'],
      ['credential_kind', 'text'],
      ['credential_hint', 'text'],
      ['endpoint', 'text'],
      ['status_code', 'int4'],
      ['metadata', 'jsonb'],
      ['started_at', 'timestamptz'],
      ['ended_at', 'timestamptz'],
    ],
    row: (r: InterceptionRecord) => [
      r.id,
      r.initiatorId,
      r.apiKeyId,
      r.provider,
      r.providerName,
      r.model,
      r.client,
      r.userAgent,
      r.clientSessionId,
      r.credentialKind,
      r.credentialHint,
      r.endpoint,
      r.statusCode,
      json(r.metadata),
      r.startedAt,
      r.endedAt,
    ],
    // The end of an interception supersedes its start, whichever is written first.
    conflict: `ON CONFLICT (id) DO UPDATE SET
        ended_at = COALESCE(EXCLUDED.ended_at, aibridge_interceptions.ended_at),
        status_code = CASE WHEN EXCLUDED.ended_at IS NOT NULL THEN EXCLUDED.status_code ELSE aibridge_interceptions.status_code END,
        model = CASE WHEN EXCLUDED.ended_at IS NOT NULL THEN EXCLUDED.model ELSE aibridge_interceptions.model END,
        metadata = COALESCE(EXCLUDED.metadata, aibridge_interceptions.metadata)`,
  },
  token_usage: {
    table: 'aibridge_token_usages',
    columns: [
      ['id', 'uuid'],
      ['interception_id', 'uuid'],
      ['provider_response_id', 'text'],
      ['input_tokens', 'int8'],
      ['output_tokens', 'int8'],
      ['metadata', 'jsonb'],
      ['created_at', 'timestamptz'],
    ],
    row: (r: TokenUsageRecord) => [r.id, r.interceptionId, r.providerResponseId, r.inputTokens, r.outputTokens, json(r.metadata), r.createdAt],
    conflict: 'ON CONFLICT (id) DO NOTHING',
  },
  user_prompt: {
    table: 'aibridge_user_prompts',
    columns: [
      ['id', 'uuid'],
      ['interception_id', 'uuid'],
      ['provider_response_id', 'text'],
      ['prompt', 'text'],
      ['metadata', 'jsonb'],
      ['created_at', 'timestamptz'],
    ],
    row: (r: PromptUsageRecord) => [r.id, r.interceptionId, r.providerResponseId, r.prompt, json(r.metadata), r.createdAt],
    conflict: 'ON CONFLICT (id) DO NOTHING',
  },
  tool_usage: {
    table: 'aibridge_tool_usages',
    columns: [
      ['id', 'uuid'],
      ['interception_id', 'uuid'],
      ['provider_response_id', 'text'],
      ['provider_tool_call_id', 'text'],
      ['server_url', 'text'],
      ['tool', 'text'],
      ['input', 'text'],
      ['injected', 'bool'],
      ['invocation_error', 'text'],
      ['metadata', 'jsonb'],
      ['created_at', 'timestamptz'],
    ],
    row: (r: ToolUsageRecord) => [
      r.id,
      r.interceptionId,
      r.providerResponseId,
      r.providerToolCallId,
      r.serverUrl,
      r.tool,
      r.input,
      r.injected,
      r.invocationError,
      json(r.metadata),
      r.createdAt,
    ],
    conflict: 'ON CONFLICT (id) DO NOTHING',
  },
  model_thought: {
    table: 'aibridge_model_thoughts',
    columns: [
      ['id', 'uuid'],
      ['interception_id', 'uuid'],
      ['provider_response_id', 'text'],
      ['content', 'text'],
      ['metadata', 'jsonb'],
      ['created_at', 'timestamptz'],
    ],
    row: (r: ModelThoughtRecord) => [r.id, r.interceptionId, r.providerResponseId, r.content, json(r.metadata), r.createdAt],
    conflict: 'ON CONFLICT (id) DO NOTHING',
  },
};

const KINDS = Object.keys(TABLES) as AnyRecord['kind'][];

/**
 * Keeps one record per interception id: the ended one when there is one (an upsert may not
 * touch a row twice in one statement).
 */
function dedupeInterceptions(records: AnyRecord[]): AnyRecord[] {
  const byId = new Map<string, Extract<AnyRecord, { kind: 'interception' }>>();
  const out: AnyRecord[] = [];
  for (const rec of records) {
    if (rec.kind !== 'interception') {
      out.push(rec);
      continue;
    }
    const prev = byId.get(rec.r.id);
    if (!prev) {
      byId.set(rec.r.id, rec);
      out.push(rec);
    } else if (rec.r.endedAt !== null || prev.r.endedAt === null) {
      Object.assign(prev.r, rec.r);
    }
  }
  return out;
}

/**
 * Writes a batch of records in as few round trips as possible: one statement of
 * data-modifying CTEs, one INSERT per table, each idempotent.
 */
export async function writeRecords(q: Queryable, records: AnyRecord[]): Promise<void> {
  const groups = new Map<AnyRecord['kind'], unknown[]>();
  for (const rec of dedupeInterceptions(records)) {
    let g = groups.get(rec.kind);
    if (!g) groups.set(rec.kind, (g = []));
    g.push(rec.r);
  }
  const params: unknown[] = [];
  const ctes: string[] = [];
  const flush = async () => {
    if (!ctes.length) return;
    const sql = `WITH ${ctes.map((c, i) => `w${i} AS (${c})`).join(',\n')} SELECT 1`;
    await q.query('InsertAIBridgeRecords', sql, params.splice(0));
    ctes.length = 0;
  };
  for (const kind of KINDS) {
    const rows = groups.get(kind);
    if (!rows) continue;
    const spec = TABLES[kind];
    const width = spec.columns.length;
    let values: string[] = [];
    const emit = () => {
      if (!values.length) return;
      ctes.push(`INSERT INTO ${spec.table} (${spec.columns.map((c) => c[0]).join(', ')}) VALUES ${values.join(', ')} ${spec.conflict}`);
      values = [];
    };
    for (const r of rows) {
      if (params.length + width > MAX_PARAMS) {
        emit();
        await flush();
      }
      const row = spec.row(r as never);
      const start = params.length;
      params.push(...row);
      values.push(`(${spec.columns.map((c, j) => `$${start + j + 1}::${c[1]}`).join(', ')})`);
    }
    emit();
  }
  await flush();
}
