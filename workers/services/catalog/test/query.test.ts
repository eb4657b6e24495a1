/** The query grammar and the typo rules, on their own. */
import { describe, expect, it } from 'vitest';
import { matchExpression, parseQuery } from '../src/search/query.ts';
import { allowedTypos, corrections, deletions, editDistance, termVariants } from '../src/search/typos.ts';

describe('query grammar', () => {
  it('words, the typed prefix, phrases and exclusions', () => {
    expect(parseQuery('Star wa')).toEqual({
      words: [
        { text: 'star', prefix: false },
        { text: 'wa', prefix: true },
      ],
      phrases: [],
      excluded: [],
    });
    expect(parseQuery('star wars ').words.at(-1)!.prefix).toBe(false);
    expect(parseQuery('"empire strikes" back -clone')).toEqual({
      words: [{ text: 'back', prefix: false }],
      phrases: [['empire', 'strikes']],
      excluded: ['clone'],
    });
    expect(parseQuery('"unbalanced phrase').phrases).toEqual([['unbalanced', 'phrase']]);
  });

  it('builds an FTS5 expression of quoted words only', () => {
    expect(matchExpression(parseQuery('NEAR(a b) OR title:x*'))).toBe(
      '"near" AND "a" AND "b" AND "or" AND "title" AND "x"',
    );
    expect(matchExpression(parseQuery('star wa'))).toBe('"star" AND "wa"*');
    expect(matchExpression(parseQuery('alien -clone '), new Map([['alien', ['aliens']]]))).toBe(
      '(("alien" OR "aliens")) NOT ("clone")',
    );
  });

  it('caps the number of words', () => {
    expect(parseQuery('a '.repeat(100)).words).toHaveLength(10);
  });
});

describe('typo rules', () => {
  it('one typo from 5 letters, two from 9', () => {
    expect([4, 5, 8, 9].map((n) => allowedTypos('x'.repeat(n)))).toEqual([0, 1, 1, 2]);
  });

  it('counts a transposition as one edit', () => {
    expect(editDistance('matrix', 'matirx')).toBe(1);
    expect(editDistance('godfathr', 'godfather')).toBe(1);
    expect(editDistance('abcdef', 'uvwxyz')).toBe(3);
  });

  it('deletion neighbourhoods meet every correction within reach', () => {
    const vocabulary = ['terminator', 'godfather', 'amelie', 'amelia', 'matrix'];
    const variants = new Map<string, Set<string>>();
    for (const t of vocabulary)
      for (const v of termVariants(t)) variants.set(v, (variants.get(v) ?? new Set()).add(t));
    const lookup = (word: string) => {
      const found = new Map<string, number>();
      for (const v of deletions(word, allowedTypos(word)))
        for (const t of variants.get(v) ?? []) found.set(t, 1);
      return corrections([word], found).get(word) ?? [];
    };
    expect(lookup('termnatr')).toEqual([]); // 8 letters: one typo only
    expect(lookup('terminatr')).toEqual(['terminator']);
    expect(lookup('amelie')).toEqual(['amelia']);
  });
});
