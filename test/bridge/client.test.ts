import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { guessClient, sessionIdOf } from '../../src/bridge/client.js';

describe('guessClient', () => {
  it.each<[IncomingHttpHeaders, string]>([
    [{ 'user-agent': 'claude-cli/2.0.31 (external, cli)' }, 'Claude Code'],
    [{ 'user-agent': 'codex_exec/0.50.0 (Ubuntu 24.04; x86_64)' }, 'Codex'],
    [{ 'user-agent': 'codex_cli_rs/0.38.0 (Ubuntu 24.04.2 LTS; x86_64) WindowsTerminal' }, 'Codex'],
    [{ 'user-agent': 'reqwest/0.12', originator: 'codex_cli_rs' }, 'Codex'],
    [{ 'user-agent': 'Zed/0.200.0' }, 'Zed'],
    [{ 'user-agent': 'GitHubCopilotChat/0.31.0' }, 'GitHub Copilot (VS Code)'],
    [{ 'user-agent': 'copilot/0.0.330' }, 'GitHub Copilot (CLI)'],
    [{ 'user-agent': 'node', originator: 'kilo-code' }, 'Kilo Code'],
    [{ 'user-agent': 'roo-code/3.0' }, 'Roo Code'],
    [{ 'user-agent': 'mux/1.0' }, 'Mux'],
    [{ 'user-agent': 'connect-es/1.6.1', 'x-cursor-client-version': '1.7.0' }, 'Cursor'],
    [{ 'user-agent': 'curl/8.5.0' }, 'curl'],
    [{ 'user-agent': 'OpenAI/JS 6.49.0', 'x-stainless-lang': 'js' }, 'OpenAI SDK'],
    [{ 'user-agent': 'OpenAI/Python 1.99.0', 'x-stainless-package-version': '1.99.0' }, 'OpenAI SDK'],
    [{ 'user-agent': 'Anthropic/JS 1.13.0', 'x-stainless-lang': 'js' }, 'Anthropic SDK'],
    [{ 'user-agent': 'my-app/1.0', 'x-stainless-lang': 'python' }, 'SDK'],
    [{ 'user-agent': 'copilot-something-else' }, 'Unknown'],
    [{}, 'Unknown'],
  ])('%j → %s', (headers, want) => {
    expect(guessClient(headers)).toBe(want);
  });
});

describe('sessionIdOf', () => {
  it.each<[IncomingHttpHeaders, string | undefined]>([
    [{ 'x-claude-code-session-id': 'a', 'session-id': 'b', session_id: 'c' }, 'a'],
    [{ 'session-id': 'b', session_id: 'c' }, 'b'],
    [{ session_id: 'c' }, 'c'],
    [{}, undefined],
  ])('%j → %s', (headers, want) => {
    expect(sessionIdOf(headers)).toBe(want);
  });
});
