import type { IncomingHttpHeaders } from 'node:http';
import { uuidv7 } from './ids.js';
import type { Admitted } from './admit.js';
import { guessClient, sessionIdOf } from './client.js';
import type { BridgeContext, ResolvedProvider } from './context.js';
import type { Observation } from './intercept/types.js';
import { interceptionMetrics, nonInjectedToolSelections, type InterceptionMetrics } from './metrics.js';
import { toolLabels } from './model-label.js';
import type { Endpoint } from './providers/index.js';
import type { InterceptionRecord } from './recorder/types.js';

export interface InterceptionOutcome {
  /** The status the client got (0: none, the client left first). */
  status: number;
  /** The exchange ran to its end (whatever the status). */
  completed: boolean;
}

/**
 * One intercepted request (or one `response.create` on a WebSocket): its row, recorded when it
 * starts and again when it ends, with the token usage, prompt, tool calls and thinking of its
 * response, and its metrics. Nothing here waits on the database.
 */
export class Interception {
  readonly id = uuidv7();
  private readonly t0 = performance.now();
  private readonly row: InterceptionRecord;
  private readonly metrics: InterceptionMetrics;
  private ended = false;

  constructor(
    private readonly ctx: BridgeContext,
    private readonly provider: ResolvedProvider,
    endpoint: Endpoint,
    route: string,
    private readonly admitted: Admitted,
    headers: IncomingHttpHeaders,
    model: string,
  ) {
    this.row = {
      id: this.id,
      initiatorId: admitted.principal.userId,
      apiKeyId: admitted.principal.apiKeyId,
      provider: provider.name,
      providerName: provider.name,
      model,
      client: guessClient(headers),
      userAgent: String(headers['user-agent'] ?? ''),
      clientSessionId: sessionIdOf(headers) ?? null,
      credentialKind: admitted.credentialKind,
      credentialHint: admitted.credentialHint,
      endpoint,
      statusCode: 0,
      // The proxy's request id, to find this record from the proxy's side.
      metadata: headers['x-coder-ai-governance-request-id'] ? { request_id: String(headers['x-coder-ai-governance-request-id']) } : null,
      startedAt: new Date(),
      endedAt: null,
    };
    if (ctx.recording) ctx.recorder.recordInterception({ ...this.row });
    this.metrics = interceptionMetrics(provider.name, model, route, this.row.initiatorId, this.row.client);
    this.metrics.inflight.inc();
  }

  get model(): string {
    return this.row.model;
  }

  get client(): string {
    return this.row.client;
  }

  /** Records the end, once; `obs` is what the response said, `prompt` the user's last prompt. */
  end(outcome: InterceptionOutcome, obs: Observation | undefined, prompt: string | undefined): void {
    if (this.ended) return;
    this.ended = true;
    const { ctx, provider, row } = this;
    const now = new Date();
    const m = this.metrics;
    m.inflight.dec();
    m.duration.observe((performance.now() - this.t0) / 1000);
    const ok = outcome.completed && outcome.status >= 200 && outcome.status < 400;
    (ok ? m.completed : m.failed).inc();
    const responseId = obs?.responseId ?? '';
    if (prompt !== undefined) m.prompts.inc();
    if (obs?.usage) {
      m.tokens('input').inc(obs.usage.inputTokens);
      m.tokens('output').inc(obs.usage.outputTokens);
      for (const type in obs.usage.metadata) m.tokens(type).inc(obs.usage.metadata[type]);
    }
    for (const tc of obs?.toolCalls ?? []) nonInjectedToolSelections.inc({ provider: provider.name, model: m.model, name: toolLabels.label(provider.name, tc.name) });
    if (ctx.recording) {
      const r = ctx.recorder;
      r.recordInterceptionEnded({ ...row, statusCode: outcome.status, endedAt: now });
      if (prompt !== undefined) {
        r.recordPromptUsage({ id: uuidv7(), interceptionId: row.id, providerResponseId: responseId, prompt, metadata: null, createdAt: now });
      }
      if (obs?.usage) {
        r.recordTokenUsage({
          id: uuidv7(),
          interceptionId: row.id,
          providerResponseId: responseId,
          inputTokens: obs.usage.inputTokens,
          outputTokens: obs.usage.outputTokens,
          metadata: Object.keys(obs.usage.metadata).length ? obs.usage.metadata : null,
          createdAt: now,
        });
      }
      for (const tc of obs?.toolCalls ?? []) {
        r.recordToolUsage({
          id: uuidv7(),
          interceptionId: row.id,
          providerResponseId: responseId,
          providerToolCallId: tc.id,
          serverUrl: null,
          tool: tc.name,
          input: tc.input,
          injected: false,
          invocationError: null,
          metadata: null,
          createdAt: now,
        });
      }
      for (const content of obs?.thoughts ?? []) {
        r.recordModelThought({ id: uuidv7(), interceptionId: row.id, providerResponseId: responseId, content, metadata: null, createdAt: now });
      }
    }
  }

  /** Gives back the request's concurrency slot. */
  release(): void {
    this.admitted.release();
  }
}
