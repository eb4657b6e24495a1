/**
 * Catalog and search through the whole platform: videos' events reach the index over the real
 * queue (the lag is measured), search and related are served through the gateway with the
 * contract's paging headers, and an admin can rebuild the index from the videos service.
 */
import { describe, expect, it } from 'vitest';
import { api } from './support/http.ts';
import { adminToken, createVideo } from './support/videos-api.ts';

async function searchAs(token: string | undefined, query: string) {
  return api('GET', `/search?${query}`, token ? { token } : {});
}

/** Polls until `check` holds; answers how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    if (await check()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`not true within ${ms} ms`);
}

describe('catalog over HTTP', () => {
  it('a created video is findable within 5 s, updates follow, deletion removes it', async () => {
    const admin = await adminToken();
    const word = `quokka${crypto
      .randomUUID()
      .slice(0, 6)
      .replace(/[^a-z]/g, 'x')}`;
    const { videoId } = await createVideo({
      title: `The ${word} expedition`,
      genres: ['Documentary'],
      releaseYear: 1994,
    });
    const lag = await within(5000, async () => {
      const r = await searchAs(admin, `q=${word}&status=any`);
      return r.status === 200 && r.body.some((h: { videoId: string }) => h.videoId === videoId);
    });
    console.info(`indexing lag through the queue (POST /videos answered → findable): ${lag.toFixed(0)} ms`);
    expect(lag).toBeLessThan(5000);

    // Not ready: nobody but an admin asking for every status sees it.
    expect((await searchAs(undefined, `q=${word}`)).body).toEqual([]);
    expect((await searchAs(undefined, `q=${word}&status=any`)).status).toBe(403);

    const renamed = `${word}renamed`;
    const put = await api('PUT', `/videos/${videoId}`, {
      token: admin,
      body: { title: `The ${renamed} voyage` },
    });
    expect(put.status).toBe(200);
    await within(5000, async () => (await searchAs(admin, `q=${renamed}&status=any`)).body.length === 1);

    expect((await api('DELETE', `/videos/${videoId}`, { token: admin })).status).toBe(204);
    await within(5000, async () => (await searchAs(admin, `q=${renamed}&status=any`)).body.length === 0);
  });

  it('pages with X-Total-Count and Link, facets in X-Facets, problems for bad input', async () => {
    const admin = await adminToken();
    const word = `wombat${crypto
      .randomUUID()
      .slice(0, 6)
      .replace(/[^a-z]/g, 'x')}`;
    const ids = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        (await createVideo({ title: `${word} ${i}`, genres: ['Drama'], releaseYear: 1990 + i })).videoId,
      );
    await within(5000, async () => (await searchAs(admin, `q=${word}&status=any`)).body.length === 3);
    const page = await searchAs(
      admin,
      `q=${word}&status=any&limit=2&facets=genre,decade&genre=drama&year=1990..1999`,
    );
    expect(page.status).toBe(200);
    expect(page.body).toHaveLength(2);
    expect(page.body[0]).toEqual({
      videoId: expect.any(String),
      title: expect.stringContaining(word),
      score: expect.any(Number),
      highlight: expect.stringContaining(`<mark>${word}</mark>`),
    });
    expect(page.headers.get('x-total-count')).toBe('3');
    expect(page.headers.get('link')).toContain('rel="next"');
    expect(JSON.parse(page.headers.get('x-facets')!)).toEqual({
      genre: [{ value: 'Drama', count: 3 }],
      decade: [{ value: 1990, count: 3 }],
    });
    const bad = await searchAs(undefined, 'year=nineties');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    for (const id of ids) await api('DELETE', `/videos/${id}`, { token: admin });
  });

  it('GET /videos/{id}/related is answered by the catalog through the gateway', async () => {
    const admin = await adminToken();
    const tag = `tag${crypto.randomUUID().slice(0, 6)}`;
    const a = await createVideo({ title: 'Related source', tags: [tag] });
    const b = await createVideo({ title: 'Related neighbour', tags: [tag] });
    await within(5000, async () => {
      const r = await api('GET', `/videos/${a.videoId}/related?status=any`, { token: admin });
      return r.status === 200 && r.body.length > 0;
    });
    const r = await api('GET', `/videos/${a.videoId}/related?status=any`, { token: admin });
    expect(r.body[0]).toEqual({
      videoId: b.videoId,
      title: 'Related neighbour',
      reason: `Like “Related source”: tagged ${tag}`,
    });
    // Not ready: 404 for everyone else, as the videos service answers for the video itself.
    expect((await api('GET', `/videos/${a.videoId}/related`)).status).toBe(404);
    expect((await api('GET', `/v1/videos/${a.videoId}/related`)).status).toBe(404);
  });

  it('an admin rebuilds the index from the videos service', async () => {
    const admin = await adminToken();
    const { videoId } = await createVideo({ title: 'Rebuilt everywhere' });
    const started = await api('POST', '/catalog/rebuild', { token: admin });
    expect(started.status).toBe(202);
    await within(30_000, async () => {
      const s = await api('GET', '/catalog/rebuild', { token: admin });
      return s.status === 200 && s.body.running === false && s.body.finishedAt !== null;
    });
    const found = await searchAs(admin, 'q=rebuilt%20everywhere&status=any');
    expect(found.body.map((h: { videoId: string }) => h.videoId)).toContain(videoId);
    expect((await api('POST', '/catalog/rebuild')).status).toBe(401);
  });
});
