import { describe, expect, it } from 'vitest';
import { nameDigitWith, nameWith, truncate, uniqueName, uniqueNameWith } from '../../../src/controlplane/names/index.js';
import { adjectives, surnames } from '../../../src/controlplane/names/words.js';

describe('names generator', () => {
  it('gives 10,000 distinct UniqueName values, each at most 32 characters of adjective_surname + digits', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const n = uniqueName();
      expect(n.length).toBeLessThanOrEqual(32);
      expect(n).toMatch(/^[a-z]+_[a-z]+\d+$/);
      seen.add(n);
    }
    expect(seen.size).toBe(10_000);
  });

  it('keeps the counter suffix when a unique name is cut to 32 characters', () => {
    // The longest adjective and surname force truncation.
    const longest = (l: string[]) => l.reduce((a, b) => (b.length > a.length ? b : a));
    const pickLongest = (n: number) => (n === adjectives.length ? adjectives.indexOf(longest(adjectives)) : surnames.indexOf(longest(surnames)));
    const a = uniqueNameWith('_', pickLongest);
    const b = uniqueNameWith('_', pickLongest);
    const sa = /\d+$/.exec(a)![0];
    const sb = /\d+$/.exec(b)![0];
    expect(Number(sb)).toBe(Number(sa) + 1);
    expect(a.length).toBeLessThanOrEqual(32);
    expect(a).not.toBe(b);
  });

  it('truncates "averyveryverylongadjective_surname123" to exactly 32 characters ending in 123', () => {
    const t = truncate('averyveryverylongadjective_surname123', 32);
    expect(t).toHaveLength(32);
    expect(t.endsWith('123')).toBe(true);
    expect(t).toBe('averyveryverylongadjective_su123');
  });

  it.each([
    ['short_name1', 'short_name1'],
    ['x'.repeat(40), 'x'.repeat(32)],
    ['1'.repeat(40), '32'],
  ])('truncate(%s, 32) is %s', (input, want) => {
    expect(truncate(input, 32)).toBe(want);
  });

  it('joins an adjective and a surname with the delimiter, and adds two digits in NameDigitWith', () => {
    expect(nameWith('-', () => 0)).toBe(`${adjectives[0]}-${surnames[0]}`);
    expect(nameDigitWith('_', (n) => (n === 100 ? 7 : 0))).toBe(`${adjectives[0]}_${surnames[0]}07`);
  });

  it('has word lists of lowercase letters only', () => {
    for (const w of [...adjectives, ...surnames]) expect(w).toMatch(/^[a-z]+$/);
  });
});
