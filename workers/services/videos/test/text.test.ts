import { describe, expect, it } from 'vitest';
import { RegisterRequest } from '../../../lib/runner-protocol.ts';
import { plainText, refusedCharacter } from '../../../lib/text.ts';
import { VideoCreate, VideoUpdate } from '../src/contract/schemas.ts';

const hostile: [string, string][] = [
  ['NUL', 'a\u0000b'],
  ['a C0 control (ESC)', 'a\u001b[31mred'],
  ['DEL', 'a\u007fb'],
  ['a C1 control (CSI)', 'a\u009bb'],
  ['a lone high surrogate', 'a\ud800b'],
  ['a lone low surrogate', 'a\udc00b'],
  ['a right-to-left override', 'evil\u202egnp.exe'],
  ['a left-to-right embedding', 'a\u202ab'],
  ['a first-strong isolate', 'a\u2068b'],
  ['a pop directional isolate', 'a\u2069b'],
  ['a carriage return', 'a\rb'],
];

function issuePaths(result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) {
  return result.error?.issues.map((i) => i.path.join('.')) ?? [];
}

describe('plainText', () => {
  it.each(hostile)('refuses %s in single-line and multi-line text', (_, text) => {
    expect(plainText({ max: 100 }).safeParse(text).success).toBe(false);
    expect(plainText({ max: 100, multiline: true }).safeParse(text).success).toBe(false);
  });

  it('keeps tab and newline in multi-line text only', () => {
    expect(plainText({ max: 100, multiline: true }).parse('one\n\ttwo')).toBe('one\n\ttwo');
    expect(plainText({ max: 100 }).safeParse('one\ntwo').success).toBe(false);
    expect(plainText({ max: 100 }).safeParse('one\ttwo').success).toBe(false);
  });

  it('accepts any well-formed text otherwise: accents, right-to-left script, emoji, marks', () => {
    for (const text of ['Amélie', 'שלום עולם', 'مرحبا', '👩🏽‍🚀 space', 'e\u0301', 'Zoë\u200d', '日本語'])
      expect(plainText({ max: 100 }).parse(text)).toBe(text);
  });

  it('names what it refuses', () => {
    expect(refusedCharacter('x\u202ey')).toBe('a bidirectional override (U+202E)');
    expect(refusedCharacter('x\ud800')).toBe('an unpaired surrogate (U+D800)');
    expect(refusedCharacter('x\u0000')).toBe('a control character (U+0000)');
    expect(refusedCharacter('x\ny', true)).toBeUndefined();
  });
});

describe('the contracts refuse hostile text with the field named', () => {
  it('video titles, descriptions, tags, genres and maturity ratings', () => {
    const ok = { title: 'A film', description: 'line one\n\tline two', tags: ['a'], genres: ['b'] };
    expect(VideoCreate.safeParse(ok).success).toBe(true);
    expect(issuePaths(VideoCreate.safeParse({ ...ok, title: 'evil\u202egnp.mp4' }))).toEqual(['title']);
    expect(issuePaths(VideoCreate.safeParse({ ...ok, description: 'a\u0000b' }))).toEqual(['description']);
    expect(issuePaths(VideoCreate.safeParse({ ...ok, tags: ['ok', 'a\u2066b'] }))).toEqual(['tags.1']);
    expect(issuePaths(VideoCreate.safeParse({ ...ok, genres: ['a\nb'] }))).toEqual(['genres.0']);
    expect(issuePaths(VideoCreate.safeParse({ ...ok, maturityRating: 'PG\ud800' }))).toEqual([
      'maturityRating',
    ]);
    expect(issuePaths(VideoUpdate.safeParse({ title: 'a\u009bb' }))).toEqual(['title']);
  });

  it('runner names', () => {
    const parsed = RegisterRequest.safeParse({ registrationToken: 't', name: 'host\u001b]0;pwned\u0007' });
    expect(issuePaths(parsed)).toEqual(['name']);
  });
});
