import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { rpcClient } from '../../../lib/testing/rpc-client.ts';
import { CACHE_TTL_SECONDS } from '../src/cache.ts';
import { contract } from '../src/contract.ts';
import ProfileService from '../src/index.ts';
import { call, deliverAll, event, knownVideo, newViewer, testEnv } from './support/service.ts';

type Viewer = ReturnType<typeof newViewer>;
const LISTS = ['profile.watchlist.list', 'profile.history.list', 'profile.continueWatching'] as const;
const read = async (route: (typeof LISTS)[number], who: Viewer) => {
  const res = await call(route, { params: { userId: who.userId } }, who);
  // Let the cache write that follows a miss land, as it does after a response.
  await new Promise((r) => setTimeout(r, 20));
  return { cache: res.headers?.['X-Cache'], ids: res.body.map((e: { videoId: string }) => e.videoId), res };
};

describe('the KV cache of watchlists, history and continue watching', () => {
  it('serves repeated reads from KV, for five minutes', async () => {
    const ada = newViewer();
    const videoId = await knownVideo({ durationSec: 100 });
    await call('profile.watchlist.add', { params: { userId: ada.userId }, body: { videoId } }, ada);
    await call(
      'profile.history.record',
      { params: { userId: ada.userId }, body: { videoId, progress: 50 } },
      ada,
    );
    for (const route of LISTS) {
      expect((await read(route, ada)).cache).toBe('miss');
      const hit = await read(route, ada);
      expect(hit.cache).toBe('hit');
      expect(hit.ids).toEqual([videoId]);
      expect(hit.res.total).toBe(1);
    }
    const { keys } = await testEnv.CACHE.list({ prefix: 'watchlist:' + ada.userId });
    expect(keys).toHaveLength(1);
    const ttl = (keys[0]!.expiration ?? 0) - Date.now() / 1000;
    expect(ttl).toBeGreaterThan(CACHE_TTL_SECONDS - 30);
    expect(ttl).toBeLessThanOrEqual(CACHE_TTL_SECONDS + 1);
  });

  it('every write is read back at once, never an older cached page', async () => {
    const ada = newViewer();
    const [a, b] = [await knownVideo({ durationSec: 100 }), await knownVideo({ durationSec: 100 })];
    const add = (videoId: string) =>
      call('profile.watchlist.add', { params: { userId: ada.userId }, body: { videoId } }, ada);
    const watch = (videoId: string, progress: number) =>
      call('profile.history.record', { params: { userId: ada.userId }, body: { videoId, progress } }, ada);

    await add(a!);
    await read('profile.watchlist.list', ada);
    expect((await read('profile.watchlist.list', ada)).cache).toBe('hit');
    await add(b!);
    expect((await read('profile.watchlist.list', ada)).ids).toEqual([b, a]);
    await call('profile.watchlist.remove', { params: { userId: ada.userId, videoId: b! } }, ada);
    expect((await read('profile.watchlist.list', ada)).ids).toEqual([a]);

    await watch(a!, 50);
    await read('profile.continueWatching', ada);
    await read('profile.history.list', ada);
    await watch(a!, 99);
    expect((await read('profile.continueWatching', ada)).ids).toEqual([]);
    expect((await read('profile.history.list', ada)).res.body[0]).toMatchObject({
      progress: 99,
      finished: true,
    });
  });

  it("a video event that changes a listed video is seen at once in every holder's cached lists", async () => {
    const [ada, bob] = [newViewer(), newViewer()];
    const videoId = await knownVideo({ title: 'Old title', durationSec: 100 });
    for (const u of [ada, bob]) {
      await call('profile.watchlist.add', { params: { userId: u.userId }, body: { videoId } }, u);
      await read('profile.watchlist.list', u);
      expect((await read('profile.watchlist.list', u)).cache).toBe('hit');
    }
    await deliverAll(
      event('VideoUpdated', videoId, {
        videoId,
        title: 'New title',
        description: '',
        tags: [],
        genres: [],
        status: 'ready',
        durationSec: 100,
      }),
    );
    for (const u of [ada, bob])
      expect((await read('profile.watchlist.list', u)).res.body[0].title).toBe('New title');
    await deliverAll(event('VideoDeleted', videoId, { videoId }));
    for (const u of [ada, bob]) expect((await read('profile.watchlist.list', u)).ids).toEqual([]);
  });

  it('a KV outage costs speed, not answers', async () => {
    const ada = newViewer();
    const videoId = await knownVideo();
    await call('profile.watchlist.add', { params: { userId: ada.userId }, body: { videoId } }, ada);
    const broken = {
      get: async () => {
        throw new Error('KV is down');
      },
      put: async () => {
        throw new Error('KV is down');
      },
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const ctx = createExecutionContext();
    const worker = new ProfileService(ctx, { ...testEnv, CACHE: broken as unknown as KVNamespace });
    const client = rpcClient(contract, () => worker);
    const res = await client.call('profile.watchlist.list', { params: { userId: ada.userId } }, ada);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    expect(res.body.map((e: { videoId: string }) => e.videoId)).toEqual([videoId]);
    expect(warn.mock.calls.map(([line]) => JSON.parse(String(line)).msg)).toEqual([
      'profile cache read failed',
      'profile cache write failed',
    ]);
    warn.mockRestore();
  });
});
