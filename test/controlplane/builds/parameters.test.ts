import { describe, expect, it } from 'vitest';
import { resolveParameters } from '../../../src/controlplane/builds/service.js';
import type { TemplateVersionParameter } from '../../../src/controlplane/templates/types.js';

const p = (name: string, o: Partial<TemplateVersionParameter> = {}): TemplateVersionParameter => ({
  template_version_id: 'v',
  name,
  description: '',
  type: 'string',
  mutable: true,
  default_value: '',
  required: false,
  display_order: 0,
  ...o,
});

describe('resolveParameters', () => {
  it('takes given values, then the previous build’s, then defaults', () => {
    const r = resolveParameters([p('a', { default_value: 'da' }), p('b', { default_value: 'db' }), p('c', { default_value: 'dc' })], [{ name: 'b', value: 'pb' }], [{ name: 'a', value: 'ga' }], false);
    expect(r.problems).toEqual([]);
    expect(r.params).toEqual([
      { name: 'a', value: 'ga' },
      { name: 'b', value: 'pb' },
      { name: 'c', value: 'dc' },
    ]);
  });

  it('refuses unknown names, a changed immutable value and a missing required one', () => {
    const r = resolveParameters([p('region', { mutable: false }), p('size', { required: true })], [{ name: 'region', value: 'eu' }], [{ name: 'region', value: 'us' }, { name: 'nope', value: '1' }], false);
    expect(r.problems.map((x) => x.field).sort()).toEqual(['nope', 'region', 'size']);
  });

  it('lets the first build set an immutable value', () => {
    expect(resolveParameters([p('region', { mutable: false })], [], [{ name: 'region', value: 'us' }], true).problems).toEqual([]);
  });

  it('passes values through while the import has not finished', () => {
    expect(resolveParameters(undefined, [{ name: 'a', value: '1' }], [{ name: 'b', value: '2' }], false).params).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: '2' },
    ]);
  });
});
