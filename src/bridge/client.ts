import type { IncomingHttpHeaders } from 'node:http';

/**
 * The client application behind a request, from its headers; best effort, since not every
 * client says who it is. Names are Coder's (coder/aibridge: client.go) where Coder has one;
 * the SDKs (recognised by their `x-stainless-*` headers) and curl are added.
 */
export function guessClient(headers: IncomingHttpHeaders): string {
  const ua = (one(headers['user-agent']) ?? '').toLowerCase();
  const originator = one(headers.originator) ?? '';
  if (ua.startsWith('mux/')) return 'Mux';
  if (ua.startsWith('claude')) return 'Claude Code';
  if (ua.startsWith('codex') || originator.startsWith('codex')) return 'Codex';
  if (ua.startsWith('zed/')) return 'Zed';
  if (ua.startsWith('githubcopilotchat/')) return 'GitHub Copilot (VS Code)';
  if (ua.startsWith('copilot/')) return 'GitHub Copilot (CLI)';
  if (ua.startsWith('kilo-code/') || originator === 'kilo-code') return 'Kilo Code';
  if (ua.startsWith('roo-code/') || originator === 'roo-code') return 'Roo Code';
  if (headers['x-cursor-client-version']) return 'Cursor';
  if (ua.startsWith('curl/')) return 'curl';
  const pkg = one(headers['x-stainless-package-version']);
  const lang = one(headers['x-stainless-lang']);
  if (pkg || lang) {
    if (ua.startsWith('anthropic/')) return 'Anthropic SDK';
    if (ua.startsWith('openai/')) return 'OpenAI SDK';
    return 'SDK';
  }
  return 'Unknown';
}

/** The client's session id: Claude Code's `X-Claude-Code-Session-Id`, or `session-id` / `session_id` (Codex). */
export function sessionIdOf(headers: IncomingHttpHeaders): string | undefined {
  return one(headers['x-claude-code-session-id']) || one(headers['session-id']) || one(headers['session_id']) || undefined;
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
