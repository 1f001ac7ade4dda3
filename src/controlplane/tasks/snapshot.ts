import { HttpError } from '../../errors.js';

/** The largest log-snapshot body the agent may send (Coder's MaxBytesReader limit). */
export const MaxSnapshotBytes = 64 * 1024;

export interface AgentApiMessage {
  id: number;
  content: string;
  role: 'user' | 'agent';
  time: string;
}

/** The stored envelope of a snapshot. */
export interface SnapshotEnvelope {
  format: string;
  data: unknown;
}

/** Step 2 of the log-snapshot handler: exactly one query parameter, `format=agentapi`. */
export function checkSnapshotQuery(params: URLSearchParams): void {
  const keys = [...params.keys()];
  if (!params.has('format') || keys.some((k) => k !== 'format') || keys.length !== 1) {
    throw new HttpError(400, 'Invalid query parameters.');
  }
  if (params.get('format') !== 'agentapi') throw new HttpError(400, 'Invalid format parameter.');
}

const decodeError = (detail: string) => new HttpError(400, 'Failed to decode request body.', detail);

/**
 * Step 4: the body must decode as agentapi's GetMessagesResponse. `null` marks a body that was
 * cut at the size limit (Go's MaxBytesReader makes the decoder fail). Returns the payload as sent.
 */
export function parseSnapshotBody(body: Buffer | null): { messages: AgentApiMessage[] } {
  if (body === null) throw decodeError('http: request body too large');
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw decodeError((err as Error).message);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw decodeError('the body is not a JSON object');
  const messages = (v as { messages?: unknown }).messages;
  if (messages === undefined || messages === null) throw new HttpError(400, 'Missing required "messages" field.');
  if (!Array.isArray(messages)) throw decodeError('"messages" is not an array');
  messages.forEach((m, i) => {
    const ok =
      typeof m === 'object' &&
      m !== null &&
      Number.isInteger((m as AgentApiMessage).id) &&
      typeof (m as AgentApiMessage).content === 'string' &&
      ((m as AgentApiMessage).role === 'user' || (m as AgentApiMessage).role === 'agent') &&
      typeof (m as AgentApiMessage).time === 'string' &&
      !Number.isNaN(Date.parse((m as AgentApiMessage).time));
    if (!ok) throw decodeError(`messages[${i}] is not an agentapi message {id, content, role, time}`);
  });
  return v as { messages: AgentApiMessage[] };
}

/** The task-logs view of a stored snapshot (GET /api/v2/tasks/{user}/{task}/logs). */
export function snapshotLogs(envelope: SnapshotEnvelope, at: Date) {
  if (envelope.format !== 'agentapi') throw new HttpError(500, 'Unsupported task snapshot format.', `format "${envelope.format}"`);
  const msgs = ((envelope.data as { messages?: AgentApiMessage[] } | null)?.messages ?? []) as AgentApiMessage[];
  const logs = msgs.map((m) => ({ id: m.id, content: m.content, type: m.role === 'user' ? 'input' : 'output', time: m.time }));
  return { count: logs.length, logs, snapshot: true, snapshot_at: at };
}
