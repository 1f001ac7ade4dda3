import { describe, expect, it } from 'vitest';
import { parseInterceptionQuery } from '../../../src/bridge/api/filter.js';
import { queryFromFlags } from '../../../src/bridge/interceptions-cli.js';

describe('parseInterceptionQuery', () => {
  it('reads every key, quoted values included', () => {
    expect(parseInterceptionQuery('initiator:me provider:anthropic model:claude-sonnet-4 client:"Claude Code" session_id:s1 started_after:2026-01-01T00:00:00Z started_before:2026-02-01')).toEqual({
      filter: {
        initiator: 'me',
        provider: 'anthropic',
        model: 'claude-sonnet-4',
        client: 'Claude Code',
        sessionId: 's1',
        startedAfter: new Date('2026-01-01T00:00:00Z'),
        startedBefore: new Date('2026-02-01'),
      },
      problems: [],
    });
  });

  it('accepts an empty query', () => {
    expect(parseInterceptionQuery('  ')).toEqual({ filter: {}, problems: [] });
  });

  it.each([
    ['nonsense', 'q'],
    ['owner:me', 'owner'],
    ['provider:', 'provider'],
    ['started_after:yesterday', 'started_after'],
  ])('reports %s as a problem with %s', (q, field) => {
    const { problems } = parseInterceptionQuery(q);
    expect(problems).toHaveLength(1);
    expect(problems[0].field).toBe(field);
  });

  it('round-trips the CLI flags', () => {
    const q = queryFromFlags({ initiator: 'alice', client: 'Claude Code', startedAfter: '2026-01-01T00:00:00Z' });
    expect(q).toBe('initiator:alice client:"Claude Code" started_after:2026-01-01T00:00:00Z');
    expect(parseInterceptionQuery(q).filter).toEqual({ initiator: 'alice', client: 'Claude Code', startedAfter: new Date('2026-01-01T00:00:00Z') });
  });
});
