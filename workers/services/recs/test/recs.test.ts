import { describe, expect, it } from 'vitest';
import { testCaller } from '../../../lib/testing/rpc-client.ts';
import { getRecs } from '../src/contract.ts';
import {
  admin,
  call,
  deliver,
  event,
  ORIGIN,
  recsOf,
  seedVideos,
  trainAndWait,
  viewer,
  watchAll,
} from './support/service.ts';

/**
 * Two taste clusters: `act_*` videos watched together by action fans, `com_*` by comedy fans,
 * so every model has something to find.
 */
async function seedClusters() {
  const action = await seedVideos('act', 8, 'Action');
  const comedy = await seedVideos('com', 8, 'Comedy');
  const t = Date.now() - 3 * 86_400_000;
  const watched = (userId: string, ids: string[]) =>
    ids.map((videoId, n) => event('VideoWatched', { userId, videoId, progress: 60, completed: true }, t + n));
  await deliver(
    Array.from({ length: 6 }, (_, u) => [
      ...watched(`usr_fan_act${u}`, action.slice(0, 6 + (u % 3))),
      ...watched(`usr_fan_com${u}`, comedy.slice(0, 6 + (u % 3))),
    ]).flat(),
  );
  return { action, comedy };
}

describe('GET /recs/{userId} before any model exists', () => {
  it('a cold user gets ready videos by live popularity, never an empty list', async () => {
    const ids = await seedVideos('cold', 3, 'Drama');
    await seedVideos('coldpending', 2, 'Drama', 'pending');
    for (let u = 0; u < 3; u++) await watchAll(`usr_coldfan${u}`, [ids[1]!]);
    const { list, headers } = await recsOf('usr_newcomer', { limit: 100 });
    expect(headers['X-Recs-Model']).toBe('none');
    expect(list.length).toBeGreaterThan(0);
    expect(list[0]!.videoId).toBe(ids[1]);
    expect(list[0]!.reason).toBe('Popular right now');
    expect(list.some((r) => r.videoId.startsWith('coldpending'))).toBe(false);
  });
});

describe('access', () => {
  it('answers the user themselves and admins; another viewer gets 403', async () => {
    expect((await call('recs.get', { params: { userId: 'usr_viewer' } }, viewer)).status).toBe(200);
    expect((await call('recs.get', { params: { userId: 'usr_viewer' } }, admin)).status).toBe(200);
    const other = await call('recs.get', { params: { userId: 'usr_someone' } }, viewer);
    expect(other.status).toBe(403);
    const anon = await call('recs.get', { params: { userId: 'usr_viewer' } }, testCaller(ORIGIN));
    expect(anon.status).toBe(403);
  });

  it('only admins may pick the model, train or import', async () => {
    const pick = await call(
      'recs.get',
      { params: { userId: 'usr_viewer' }, query: { model: 'itemknn' } },
      viewer,
    );
    expect(pick.status).toBe(403);
    expect(getRecs.policy.access).toEqual({ owner: 'userId' });
  });

  it('refuses bad input by schema: limit outside 1–100, unknown model types', () => {
    const query = getRecs.route.request.query;
    expect(query.safeParse({ limit: '0' }).success).toBe(false);
    expect(query.safeParse({ limit: '101' }).success).toBe(false);
    expect(query.safeParse({ model: 'deep' }).success).toBe(false);
    expect(query.safeParse({ limit: '5' }).data).toEqual({ limit: 5 });
  });
});

describe('trained models', () => {
  it('train job lifecycle: 202 queued → succeeded with the version it activated; unknown job → 404', async () => {
    await seedClusters();
    const r = await call('recs.train', { body: { modelType: 'itemknn' } });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ status: 'queued', modelType: 'itemknn', trigger: 'api', versionId: null });
    const done = await trainAndWait('ease');
    expect(done.status).toBe('succeeded');
    expect(done.versionId).toMatch(/^mdl_/);
    const model = await call('recs.getModel', { params: { versionId: done.versionId! } });
    expect(model.body).toMatchObject({ modelType: 'ease', status: 'ready', active: true, source: 'worker' });
    expect((await call('recs.trainJob', { params: { jobId: 'trn_nope' } })).status).toBe(404);
  });

  it('serves the user’s precomputed list from the configured model, in the user’s taste', async () => {
    await seedClusters();
    await trainAndWait('ease');
    await watchAll('usr_taste', ['act_0', 'act_1', 'act_2'], Date.now() - 4 * 86_400_000);
    await trainAndWait('ease');
    const { list, headers } = await recsOf('usr_taste', { limit: 5 });
    expect(headers['X-Recs-Model']).toMatch(/^ease\/mdl_/);
    expect(list).toHaveLength(5);
    expect(list.slice(0, 4).every((r) => r.videoId.startsWith('act_'))).toBe(true);
    expect(list[0]!.reason).toMatch(/^Because you watched Title act_[012]$/);
    expect(list.some((r) => ['act_0', 'act_1', 'act_2'].includes(r.videoId))).toBe(false);
  });

  it('model selection: an admin may ask another type; a type never trained falls back to an active one', async () => {
    await seedClusters();
    await trainAndWait('itemknn');
    await trainAndWait('ease');
    const knn = await recsOf('usr_fan_act0', { model: 'itemknn' }, admin);
    expect(knn.headers['X-Recs-Model']).toMatch(/^itemknn\/mdl_/);
    const fallback = await recsOf('usr_fan_act0', { model: 'als' }, admin);
    expect(fallback.headers['X-Recs-Model']).toMatch(/^(itemknn|ease)\/mdl_/);
    expect(fallback.list.length).toBeGreaterThan(0);
  });

  it('filters what the user rated, finished or removed and anything not ready', async () => {
    const { action } = await seedClusters();
    await trainAndWait('ease');
    const u = 'usr_filter';
    await watchAll(u, [action[0]!]);
    await deliver([
      event('VideoRated', { userId: u, videoId: action[1]!, rating: 5 }),
      event('WatchlistUpdated', { userId: u, videoId: action[2]!, action: 'added' }),
      event('WatchlistUpdated', { userId: u, videoId: action[2]!, action: 'removed' }),
      event('VideoUpdated', {
        videoId: action[3]!,
        title: 'Back in processing',
        description: '',
        tags: [],
        genres: ['Action'],
        status: 'processing',
      }),
      event('VideoDeleted', { videoId: action[4]! }),
    ]);
    const { list } = await recsOf(u, { limit: 100 });
    const shown = new Set(list.map((r) => r.videoId));
    for (const gone of action.slice(0, 5)) expect(shown.has(gone), gone).toBe(false);
    expect(list.length).toBeGreaterThan(0);
  });

  it('blends in interactions newer than the model through its neighbour lists', async () => {
    await seedClusters();
    await trainAndWait('itemknn');
    // A user the model has never seen watches one comedy: its neighbours come first at once.
    await watchAll('usr_fresh', ['com_0']);
    const { list } = await recsOf('usr_fresh', { model: 'itemknn', limit: 5 }, admin);
    expect(list[0]!.videoId).toMatch(/^com_/);
    expect(list[0]!.reason).toBe('Because you watched Title com_0');
  });

  it('blends an interaction newer than the model into a user’s precomputed list, and only then', async () => {
    await seedClusters();
    await watchAll('usr_mixed', ['act_0', 'act_1', 'act_2'], Date.now() - 4 * 86_400_000);
    await trainAndWait('ease');
    const blendedFrom = (list: { reason: string }[]) =>
      list.filter((r) => r.reason === 'Because you watched Title com_0').length;
    const before = await recsOf('usr_mixed', { limit: 10 });
    expect(before.list[0]!.videoId).toMatch(/^act_/);
    expect(blendedFrom(before.list)).toBe(0);
    await watchAll('usr_mixed', ['com_0']);
    const after = await recsOf('usr_mixed', { limit: 10 });
    expect(after.headers['X-Recs-Cache']).toBe('miss');
    expect(after.list[0]!.videoId).toMatch(/^act_/);
    expect(blendedFrom(after.list)).toBeGreaterThan(0);
    expect(after.list.some((r) => r.videoId === 'com_0')).toBe(false);
  });

  it('fills from popularity in the genre the user likes most when nothing personal is known', async () => {
    await seedClusters();
    await trainAndWait('ease');
    // A video newer than the model has no neighbour list: only the user's genre speaks.
    const [fresh] = await seedVideos('comnew', 1, 'Comedy');
    await watchAll('usr_genre', [fresh!]);
    const { list } = await recsOf('usr_genre', { limit: 5 });
    expect(list[0]!.videoId).toMatch(/^com_/);
    expect(list[0]!.reason).toBe('Popular in Comedy');
    expect(list.some((r) => r.videoId === fresh)).toBe(false);
  });

  it('cold users of a trained platform get popular lists; the list is never empty', async () => {
    await seedClusters();
    await trainAndWait('ease');
    const { list } = await recsOf('usr_brand_new', { limit: 10 });
    expect(list).toHaveLength(10);
    expect(list[0]!.reason).toBe('Popular right now');
  });

  it('caches per user and drops the cached list on the user’s next interaction', async () => {
    await seedClusters();
    await trainAndWait('ease');
    const u = 'usr_cached';
    await watchAll(u, ['act_0']);
    const first = await recsOf(u, { limit: 5 });
    const again = await recsOf(u, { limit: 5 });
    expect(first.headers['X-Recs-Cache']).toBe('miss');
    expect(again.headers['X-Recs-Cache']).toBe('hit');
    expect(again.list).toEqual(first.list);
    const top = first.list[0]!.videoId;
    await deliver([event('VideoRated', { userId: u, videoId: top, rating: 5 })]);
    const after = await recsOf(u, { limit: 5 });
    expect(after.headers['X-Recs-Cache']).toBe('miss');
    expect(after.list.some((r) => r.videoId === top)).toBe(false);
  });
});
