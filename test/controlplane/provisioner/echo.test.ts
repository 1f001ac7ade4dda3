import { describe, expect, it } from 'vitest';
import { DefaultEchoResources, echoBuild, echoImport, parseEchoSpec } from '../../../src/controlplane/provisioner/echo.js';

const spec = (v: unknown) => parseEchoSpec(Buffer.from(JSON.stringify(v)));

describe('echo provisioner', () => {
  it('provisions the default resource and agent for a file that is not a JSON object', () => {
    expect(parseEchoSpec(Buffer.from('ustar tar bytes'))).toEqual({});
    expect(echoImport({}).resources).toEqual(DefaultEchoResources);
  });

  it('turns wrongly shaped fields into a spec whose jobs fail', () => {
    const s = spec({ resources: [{ name: 'x' }] });
    expect(echoImport(s).error).toMatch(/invalid echo template/);
    expect(echoBuild(s, 'start', null, 'l').error).toMatch(/invalid echo template/);
  });

  it('imports parameters with string defaults and the readme', () => {
    const r = echoImport(spec({ parameters: [{ name: 'size', default_value: 3 }], readme: 'hi' }));
    expect(r.parameters).toEqual([{ name: 'size', default_value: '3' }]);
    expect(r.readme).toBe('hi');
  });

  it('starts with agents, stops without them, deletes everything', () => {
    const s = spec({ resources: [{ name: 'vm', type: 'box', agents: [{ name: 'a' }] }] });
    expect(echoBuild(s, 'start', null, 'l').resources).toEqual([{ name: 'vm', type: 'box', agents: [{ name: 'a' }] }]);
    expect(echoBuild(s, 'stop', null, 'l').resources).toEqual([{ name: 'vm', type: 'box' }]);
    expect(echoBuild(s, 'delete', null, 'l').resources).toEqual([]);
  });

  it('keeps the state a build was given, writes a fresh one when there is none, and the spec’s when set', () => {
    const prev = Buffer.from('{"pushed":true}');
    expect(echoBuild({}, 'stop', prev, 'l').state).toBe(prev);
    const fresh = JSON.parse(echoBuild({}, 'start', null, 'lin').state!.toString());
    expect(fresh).toMatchObject({ version: 4, serial: 1, lineage: 'lin', resources: [{ type: 'echo_instance', name: 'dev' }] });
    expect(echoBuild(spec({ state: { a: 1 } }), 'start', prev, 'l').state!.toString()).toBe('{"a":1}');
  });

  it('fails builds of the transitions named in apply_error', () => {
    const s = spec({ apply_error: { stop: 'cannot stop' } });
    expect(echoBuild(s, 'stop', null, 'l').error).toBe('cannot stop');
    expect(echoBuild(s, 'start', null, 'l').error).toBeUndefined();
  });
});
