/**
 * Broad queries: at most MAX_HITS results are reachable, counted and faceted (exact below, MAX_HITS
 * above), and a query matching more than MAX_HITS documents ranks the title matches when they fill
 * the page. The index holds 1,150 ready videos that all say "common" in their description; 40 of
 * them also in their title.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyMetadata, RANK, versionOf } from '../src/search/indexer.ts';
import { MAX_HITS } from '../src/search/search.ts';
import { search } from './support/service.ts';

const TOTAL = 1150;
const TITLED = 40;
const id = (i: number) => `vid_broad${String(i).padStart(4, '0')}`;
const titled = (i: number) => i % 10 === 0 && i < TITLED * 10;

beforeAll(async () => {
  const docs = Array.from({ length: TOTAL }, (_, i) => ({
    videoId: id(i),
    // Every tenth video holds "common" in a title; the rest only in the description.
    title: titled(i) ? `Common ground ${i}` : `Plain story ${i}`,
    description: `A common tale, number ${i}.`,
    tags: titled(i) ? ['gold'] : [],
    genres: [i % 2 ? 'Drama' : 'Comedy'],
    releaseYear: 1950 + (i % 70),
    status: 'ready',
  }));
  const version = versionOf('2026-01-01T00:00:00.000Z', RANK.created);
  for (let i = 0; i < docs.length; i += 200)
    await applyMetadata(
      env.DB,
      docs.slice(i, i + 200).map((doc) => ({ doc, version })),
    );
}, 120_000);

describe('broad queries', () => {
  it('X-Total-Count is exact up to MAX_HITS and says MAX_HITS above', async () => {
    expect(MAX_HITS).toBe(1000);
    expect((await search({ q: 'common ' })).total).toBe(MAX_HITS);
    expect((await search({ q: 'common', genre: 'Drama' })).total).toBe(TOTAL / 2);
    expect((await search({ q: 'common', genre: 'Comedy', year: '1950..1959' })).total).toBe(
      Array.from({ length: TOTAL }, (_, i) => i).filter((i) => i % 2 === 0 && i % 70 < 10).length,
    );
    expect((await search({ q: '' })).total).toBe(MAX_HITS);
    expect((await search({ genre: 'Drama' })).total).toBe(TOTAL / 2);
  });

  it('pages end at MAX_HITS results, without repeats', async () => {
    const last = await search({ q: 'common ', limit: 100, page: MAX_HITS / 100 });
    expect(last.body).toHaveLength(100);
    expect((await search({ q: 'common ', limit: 100, page: MAX_HITS / 100 + 1 })).body).toEqual([]);
    const listing = await search({ q: '', limit: 100, page: MAX_HITS / 100 + 1 });
    expect(listing.body).toEqual([]);
    const seen = new Set<string>();
    for (let page = 1; page <= MAX_HITS / 100; page++)
      for (const h of (await search({ q: 'common ', limit: 100, page })).body) seen.add(h.videoId);
    expect(seen.size).toBe(MAX_HITS);
  });

  it('a query matching more than MAX_HITS ranks the title matches first', async () => {
    const r = await search({ q: 'common ', limit: 20 });
    expect(r.body).toHaveLength(20);
    expect(r.body.every((h) => h.title.startsWith('Common ground'))).toBe(true);
    // Typing a prefix: the same.
    const typing = await search({ q: 'comm', limit: 20 });
    expect(typing.body.every((h) => h.title.startsWith('Common ground'))).toBe(true);
    // Past the title matches, the page comes from every match ranked by BM25: titles still first.
    const wide = await search({ q: 'common ', limit: 50 });
    expect(wide.body.slice(0, TITLED).every((h) => h.title.startsWith('Common ground'))).toBe(true);
    expect(wide.body.slice(TITLED).every((h) => h.title.startsWith('Plain story'))).toBe(true);
  });

  it('an exclusion holds over every column, broad or not', async () => {
    // A page the 40 title matches would fill.
    const r = await search({ q: 'common -gold', limit: 20 });
    expect(TOTAL - TITLED).toBeGreaterThan(MAX_HITS);
    expect(r.total).toBe(MAX_HITS);
    expect(r.body.some((h) => h.title.startsWith('Common ground'))).toBe(false);
  });

  it('facets count the same (at most MAX_HITS) matches', async () => {
    const r = await search({ q: 'common ', facets: 'genre,decade' });
    const facets = JSON.parse(r.headers!['X-Facets']!) as Record<string, { count: number }[]>;
    const sum = (xs: { count: number }[]) => xs.reduce((a, x) => a + x.count, 0);
    expect(sum(facets.genre!)).toBe(MAX_HITS);
    expect(sum(facets.decade!)).toBe(MAX_HITS);
    const drama = await search({ q: 'common', genre: 'Drama', facets: 'genre' });
    expect(JSON.parse(drama.headers!['X-Facets']!).genre).toEqual([{ value: 'Drama', count: TOTAL / 2 }]);
  });
});
