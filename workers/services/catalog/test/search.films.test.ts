/**
 * Search over the ≈3,200 films of vega-datasets' movies.json, indexed through the consumer from
 * VideoCreated and VideoTranscoded envelopes: ranking on known queries, typos, prefixes, phrases,
 * unicode, filters, facets, paging, popularity and the edge cache.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FILMS, film, loadFilms } from './support/movies.ts';
import { admin, deliver, event, search, titles } from './support/service.ts';

beforeAll(loadFilms, 600_000);

describe('ranking', () => {
  it('a title word ranks the shortest title holding it first (BM25 length normalisation)', async () => {
    expect(await titles('godfather')).toEqual([
      'The Godfather',
      'The Godfather: Part II',
      'The Godfather: Part III',
    ]);
    expect((await titles('matrix'))[0]).toBe('The Matrix');
  });

  it('every word must match; titles rank above descriptions', async () => {
    const hits = await titles('star wars');
    expect(hits).toHaveLength(7);
    expect(hits.every((t) => t.startsWith('Star Wars'))).toBe(true);
    // "Spielberg" is in no title: the films match by their description ("Directed by Steven Spielberg").
    const spielberg = await search({ q: 'spielberg', limit: 100 });
    expect(spielberg.total).toBe(FILMS.filter((f) => f.description.includes('Spielberg')).length);
    expect(spielberg.body[0]!.highlight).toContain('<mark>Spielberg</mark>');
  });

  it('a title match outranks a tag match, which outranks a description match', async () => {
    await deliver([
      event('VideoCreated', { ...base('vid_w_desc'), description: 'A film about a zeppelinx crash.' }),
      event('VideoCreated', { ...base('vid_w_tag'), tags: ['zeppelinx'] }),
      event('VideoCreated', { ...base('vid_w_title'), title: 'Zeppelinx' }),
    ]);
    const r = await search({ q: 'zeppelinx', status: 'any' }, admin);
    expect(r.body.map((h) => h.videoId)).toEqual(['vid_w_title', 'vid_w_tag', 'vid_w_desc']);
  });

  it('scores decrease down the list and across pages', async () => {
    const one = await search({ q: 'the', limit: 50 });
    const two = await search({ q: 'the', limit: 50, page: 2 });
    const scores = [...one.body, ...two.body].map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });
});

describe('typo tolerance', () => {
  it('one typo from 5 letters finds the word, ranked as a correction', async () => {
    const r = await search({ q: 'godfathr ' });
    expect(r.body.map((h) => h.title)).toEqual([
      'The Godfather',
      'The Godfather: Part II',
      'The Godfather: Part III',
    ]);
    expect(r.body.every((h) => h.score < 1)).toBe(true);
    expect(await titles('termintor ')).toContain('The Terminator');
    // A transposition is one typo.
    expect(await titles('matirx ')).toContain('The Matrix');
  });

  it('two typos from 9 letters, not from 8', async () => {
    expect(await titles('terminatro ')).toContain('The Terminator'); // 10 letters, one transposition
    expect(await titles('trminatr ')).toEqual([]); // 8 letters, two typos
    expect(await titles('terestial ')).toContain('ET: The Extra-Terrestrial'); // 9 letters, two missing
  });

  it('no typo under 5 letters', async () => {
    expect(await titles('jaw ')).not.toContain('Jaws');
    expect(await titles('alein ')).toContain('Alien');
  });

  it('exact matches rank above corrected ones', async () => {
    const r = await search({ q: 'amelie ' });
    expect(r.body.map((h) => h.title)).toEqual(["Le Fabuleux destin d'Amélie Poulain", 'Amelia']);
    expect(r.body[0]!.score).toBeGreaterThan(2);
    expect(r.body[1]!.score).toBeLessThan(1);
  });
});

describe('search as you type', () => {
  it('the last word matches as a prefix, whole words first', async () => {
    expect(await titles('toy stor')).toEqual(['Toy Story 3', 'Toy Story', 'Toy Story 2']);
    const alien = await titles('alien', { limit: 50 });
    expect(alien[0]).toBe('Alien');
    expect(alien).toContain('Aliens');
    expect(alien.indexOf('Aliens')).toBeGreaterThan(alien.indexOf('Alien: Resurrection'));
  });

  it('a trailing space ends the word: no prefix, "Aliens" comes only as a correction', async () => {
    const r = await search({ q: 'alien ', limit: 50 });
    const aliens = r.body.find((h) => h.title === 'Aliens')!;
    expect(aliens.score).toBeLessThan(1);
    expect(r.body.filter((h) => h.score > aliens.score).every((h) => /\balien\b/i.test(h.title))).toBe(true);
  });

  it('the prefix shows in the highlight', async () => {
    const r = await search({ q: 'harry pot' });
    expect(r.body[0]!.highlight).toMatch(/^<mark>Harry<\/mark> <mark>Potter<\/mark> and the /);
  });
});

describe('phrases', () => {
  it('words in quotes match as a phrase, in order', async () => {
    expect(await titles('"empire strikes"')).toEqual(['Star Wars Ep. V: The Empire Strikes Back']);
    expect(await titles('"strikes empire"')).toEqual([]);
    expect(await titles('"the lord of the rings" king')).toEqual([
      'The Lord of the Rings: The Return of the King',
    ]);
  });

  it('an unbalanced quote runs to the end of the query', async () => {
    expect(await titles('"empire strikes')).toEqual(['Star Wars Ep. V: The Empire Strikes Back']);
  });

  it('a minus excludes a word', async () => {
    const hits = await titles('star wars -clone ');
    expect(hits).toHaveLength(6);
    expect(hits).not.toContain('Star Wars: The Clone Wars');
    expect(await titles('-clone')).toEqual([]);
  });
});

describe('unicode', () => {
  it('case and diacritics fold both ways', async () => {
    expect(await titles('amélie ')).toEqual(["Le Fabuleux destin d'Amélie Poulain", 'Amelia']);
    expect(await titles('AMELIE ')).toContain("Le Fabuleux destin d'Amélie Poulain");
    expect(await titles('leon ')).toContain('Léon');
    expect(await titles('falscher ')).toContain('Die Fälscher');
    expect((await search({ q: 'amelie ' })).body[0]!.highlight).toBe(
      'Le Fabuleux destin d&#39;<mark>Amélie</mark> Poulain',
    );
  });

  it('any script, emoji and symbols answer without error', async () => {
    for (const q of [
      '🎬',
      '🎬 godfather',
      '東京物語',
      'Москва',
      'שלום',
      '∑∫√',
      '\u200b',
      'z̴̢̛a̷l̶g̵o',
      '\ud83d\ude00'.repeat(100),
    ]) {
      const r = await search({ q });
      expect(r.status, q).toBe(200);
    }
    expect(await titles('🎬 godfather ')).toContain('The Godfather');
    expect(await titles('🎬')).toEqual([]);
  });

  it('non-Latin titles are found by their own words', async () => {
    await deliver([
      event('VideoCreated', { ...base('vid_u_tokyo'), title: '東京物語 Tokyo Story' }),
      event('VideoCreated', { ...base('vid_u_moscow'), title: 'Москва слезам не верит' }),
    ]);
    expect((await search({ q: 'москва', status: 'any' }, admin)).body.map((h) => h.videoId)).toEqual([
      'vid_u_moscow',
    ]);
    expect((await search({ q: '東京物語', status: 'any' }, admin)).body.map((h) => h.videoId)).toEqual([
      'vid_u_tokyo',
    ]);
  });
});

describe('filters and facets', () => {
  it('genre filters, repeatable, case-insensitive', async () => {
    const westerns = FILMS.filter((f) => f.genres.includes('Western')).length;
    const horror = FILMS.filter((f) => f.genres.includes('Horror')).length;
    expect((await search({ genre: ['western'] })).total).toBe(westerns);
    expect((await search({ genre: ['Western', 'Horror'] })).total).toBe(westerns + horror);
    expect((await search({ genre: 'Western,Horror' })).total).toBe(westerns + horror);
  });

  it('year and year ranges', async () => {
    const nineties = FILMS.filter((f) => f.releaseYear! >= 1990 && f.releaseYear! <= 1999).length;
    expect((await search({ year: '1990..1999' })).total).toBe(nineties);
    expect((await search({ year: '1999..1990' })).total).toBe(nineties);
    expect(await titles('godfather', { year: '1972' })).toEqual(['The Godfather']);
    const expected = FILMS.filter(
      (f) => f.title.startsWith('Star Wars') && f.releaseYear! >= 1977 && f.releaseYear! <= 1983,
    ).map((f) => f.title);
    expect(expected).toHaveLength(3);
    expect((await titles('star wars', { year: '1977..1983' })).sort()).toEqual(expected.sort());
  });

  it('facets count genres and decades over the whole result set', async () => {
    const all = await search({ q: 'star', limit: 100, facets: 'genre,decade' });
    expect(all.total).toBeLessThan(100);
    const hits = all.body.map((h) => FILMS.find((f) => f.videoId === h.videoId)!);
    const count = (keys: (string | number)[]) => {
      const m = new Map<string | number, number>();
      for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
      return m;
    };
    const facets = JSON.parse(all.headers!['X-Facets']!);
    const genres = count(hits.flatMap((f) => f.genres));
    expect(new Map(facets.genre.map((g: { value: string; count: number }) => [g.value, g.count]))).toEqual(
      genres,
    );
    const decades = count(hits.filter((f) => f.releaseYear).map((f) => Math.floor(f.releaseYear! / 10) * 10));
    expect(facets.decade).toEqual(
      [...decades].sort((a, b) => Number(a[0]) - Number(b[0])).map(([value, count]) => ({ value, count })),
    );
    // A page of the same search carries the same facets: they cover the results, not the page.
    const page = await search({ q: 'star', limit: 5, facets: 'genre,decade' });
    expect(JSON.parse(page.headers!['X-Facets']!)).toEqual(facets);
    const only = await search({ genre: 'Western', facets: 'decade' });
    expect(Object.keys(JSON.parse(only.headers!['X-Facets']!))).toEqual(['decade']);
    expect((await search({ q: 'star' })).headers!['X-Facets']).toBeUndefined();
  });

  it('an empty query with filters lists by popularity', async () => {
    const [a, b] = [film('Silverado'), film('Tombstone')];
    await deliver([
      ...['u1', 'u2', 'u3'].map((u) =>
        event('VideoWatched', { userId: u, videoId: b.videoId, progress: 10, completed: true }),
      ),
      event('VideoWatched', { userId: 'u1', videoId: a.videoId, progress: 10, completed: false }),
    ]);
    const r = await search({ genre: 'Western', limit: 2 });
    expect(r.body.map((h) => h.title)).toEqual(['Tombstone', 'Silverado']);
    expect(r.body[0]!.score).toBeGreaterThan(r.body[1]!.score);
  });
});

describe('paging', () => {
  it('pages partition the results, with the total', async () => {
    const all = await search({ q: 'the', limit: 100 });
    const pages = await Promise.all([1, 2, 3, 4, 5].map((page) => search({ q: 'the', limit: 20, page })));
    expect(pages.flatMap((p) => p.body.map((h) => h.videoId))).toEqual(all.body.map((h) => h.videoId));
    expect(pages.every((p) => p.total === all.total)).toBe(true);
    expect((await search({ q: 'the', page: 1000 })).body).toEqual([]);
  });
});

describe('status and the edge cache', () => {
  it('only ready videos, unless an admin asks for any status', async () => {
    await deliver([event('VideoCreated', { ...base('vid_s_pending'), title: 'Quuxtastic Voyage' })]);
    expect(await titles('quuxtastic')).toEqual([]);
    expect((await search({ q: 'quuxtastic', status: 'any' }, admin)).body.map((h) => h.videoId)).toEqual([
      'vid_s_pending',
    ]);
    expect((await search({ q: 'quuxtastic', status: 'any' })).status).toBe(403);
  });

  it('a cached answer is replaced as soon as the index changes', async () => {
    const first = await search({ q: 'blorptastic' });
    expect(first.body).toEqual([]);
    expect((await search({ q: 'blorptastic' })).headers!['X-Search-Cache']).toBe('hit');
    await deliver([
      event('VideoCreated', { ...base('vid_c_new'), title: 'Blorptastic' }),
      event('VideoTranscoded', { videoId: 'vid_c_new', jobId: 'job_c', durationSec: 1, renditions: [] }),
    ]);
    const after = await search({ q: 'blorptastic' });
    expect(after.headers!['X-Search-Cache']).toBe('miss');
    expect(after.body.map((h) => h.videoId)).toEqual(['vid_c_new']);
  });
});

function base(videoId: string) {
  return { videoId, title: 'Untitled', description: '', tags: [], genres: [], status: 'pending' };
}
