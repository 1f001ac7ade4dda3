/**
 * What the bridge records, one plain type per record kind (Coder: recorder/types.go), and the
 * Recorder that takes them. Every record carries an id made by the bridge, so writing one twice
 * (a batch replayed from the spool) inserts it once. Dates may be ISO strings once a record has
 * been through the spool.
 */

export type CredentialKind = 'centralized' | 'byok';

export interface InterceptionRecord {
  id: string;
  initiatorId: string;
  apiKeyId: string;
  provider: string;
  providerName: string;
  model: string;
  client: string;
  userAgent: string;
  clientSessionId: string | null;
  credentialKind: CredentialKind;
  credentialHint: string;
  endpoint: string;
  /** The status the client got; 0 while in flight or when the client left first. */
  statusCode: number;
  metadata: Record<string, unknown> | null;
  startedAt: Date | string;
  /** Null while in flight. */
  endedAt: Date | string | null;
}

export interface TokenUsageRecord {
  id: string;
  interceptionId: string;
  providerResponseId: string;
  inputTokens: number;
  outputTokens: number;
  metadata: Record<string, unknown> | null;
  createdAt: Date | string;
}

export interface PromptUsageRecord {
  id: string;
  interceptionId: string;
  providerResponseId: string;
  prompt: string;
  metadata: Record<string, unknown> | null;
  createdAt: Date | string;
}

export interface ToolUsageRecord {
  id: string;
  interceptionId: string;
  providerResponseId: string;
  providerToolCallId: string;
  serverUrl: string | null;
  tool: string;
  input: string;
  injected: boolean;
  invocationError: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: Date | string;
}

export interface ModelThoughtRecord {
  id: string;
  interceptionId: string;
  providerResponseId: string;
  content: string;
  metadata: Record<string, unknown> | null;
  createdAt: Date | string;
}

/** A record of any kind, tagged: the unit of the queue, the batches and the spool. */
export type AnyRecord =
  | { kind: 'interception'; r: InterceptionRecord }
  | { kind: 'token_usage'; r: TokenUsageRecord }
  | { kind: 'user_prompt'; r: PromptUsageRecord }
  | { kind: 'tool_usage'; r: ToolUsageRecord }
  | { kind: 'model_thought'; r: ModelThoughtRecord };

/**
 * Takes records without making the caller wait: implementations queue them and write later.
 * An interception is recorded when it starts (endedAt null) and again when it ends (the whole
 * row, endedAt set); the second supersedes the first whatever order they are written in.
 */
export interface Recorder {
  recordInterception(r: InterceptionRecord): void;
  recordInterceptionEnded(r: InterceptionRecord): void;
  recordTokenUsage(r: TokenUsageRecord): void;
  recordPromptUsage(r: PromptUsageRecord): void;
  recordToolUsage(r: ToolUsageRecord): void;
  recordModelThought(r: ModelThoughtRecord): void;
}

/** Drops every record (recording disabled). */
export const noopRecorder: Recorder = {
  recordInterception() {},
  recordInterceptionEnded() {},
  recordTokenUsage() {},
  recordPromptUsage() {},
  recordToolUsage() {},
  recordModelThought() {},
};
