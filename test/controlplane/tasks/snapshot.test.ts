import { describe, expect, it } from 'vitest';
import { taskStatusOf } from '../../../src/controlplane/tasks/queries.js';
import { checkSnapshotQuery, parseSnapshotBody, snapshotLogs } from '../../../src/controlplane/tasks/snapshot.js';

const q = (s: string) => new URLSearchParams(s);

describe('log-snapshot decisions', () => {
  it('accepts exactly format=agentapi and names the failing rule otherwise', () => {
    expect(() => checkSnapshotQuery(q('format=agentapi'))).not.toThrow();
    expect(() => checkSnapshotQuery(q(''))).toThrow('Invalid query parameters.');
    expect(() => checkSnapshotQuery(q('format=agentapi&format=agentapi'))).toThrow('Invalid query parameters.');
    expect(() => checkSnapshotQuery(q('format=agentapi&x=1'))).toThrow('Invalid query parameters.');
    expect(() => checkSnapshotQuery(q('format=AgentAPI'))).toThrow('Invalid format parameter.');
  });

  it('decodes agentapi messages, requires the messages field and refuses a cut body', () => {
    expect(parseSnapshotBody(Buffer.from('{"messages":[]}'))).toEqual({ messages: [] });
    expect(() => parseSnapshotBody(Buffer.from('{"messages":null}'))).toThrow('Missing required "messages" field.');
    expect(() => parseSnapshotBody(Buffer.from('[]'))).toThrow('Failed to decode request body.');
    expect(() => parseSnapshotBody(Buffer.from('{"messages":[{"id":1,"content":"c","role":"user","time":"yesterday"}]}'))).toThrow('Failed to decode');
    expect(() => parseSnapshotBody(null)).toThrow('Failed to decode request body.');
  });

  it('maps user messages to input and agent messages to output, and refuses unknown formats', () => {
    const at = new Date('2026-11-24T00:00:00Z');
    const out = snapshotLogs({ format: 'agentapi', data: { messages: [{ id: 3, content: 'hi', role: 'agent', time: 't' }] } }, at);
    expect(out).toEqual({ count: 1, logs: [{ id: 3, content: 'hi', type: 'output', time: 't' }], snapshot: true, snapshot_at: at });
    expect(() => snapshotLogs({ format: 'other', data: {} }, at)).toThrow('Unsupported task snapshot format.');
  });

  it('computes task status from the build first, then the agent lifecycle', () => {
    expect(taskStatusOf(undefined)).toBe('pending');
    expect(taskStatusOf({ transition: 'stop', job_status: 'succeeded', lifecycle_state: null })).toBe('paused');
    expect(taskStatusOf({ transition: 'stop', job_status: 'failed', lifecycle_state: null })).toBe('error');
    expect(taskStatusOf({ transition: 'start', job_status: 'pending', lifecycle_state: null })).toBe('pending');
    expect(taskStatusOf({ transition: 'start', job_status: 'succeeded', lifecycle_state: 'created' })).toBe('initializing');
    expect(taskStatusOf({ transition: 'start', job_status: 'succeeded', lifecycle_state: 'ready' })).toBe('active');
    expect(taskStatusOf({ transition: 'start', job_status: 'succeeded', lifecycle_state: 'off' })).toBe('unknown');
    expect(taskStatusOf({ transition: 'stop', job_status: 'running', lifecycle_state: null })).toBe('unknown');
  });
});
