import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../lib/api.ts';
import { WatchlistAdd } from '../src/contract/schemas.ts';
import { admin, call, count, knownVideo, newViewer, outbox, refusedAt } from './support/service.ts';

const add = (who: ReturnType<typeof newViewer>, videoId: string) =>
  call('profile.watchlist.add', { params: { userId: who.userId }, body: { videoId } }, who);
const list = (who: ReturnType<typeof newViewer>, query: Record<string, unknown> = {}, as: Caller = who) =>
  call('profile.watchlist.list', { params: { userId: who.userId }, query }, as);
const remove = (who: ReturnType<typeof newViewer>, videoId: string) =>
  call('profile.watchlist.remove', { params: { userId: who.userId, videoId } }, who);

describe('watchlist', () => {
  it('adding answers 201; adding again answers 200 and keeps one entry; one WatchlistUpdated', async () => {
    const ada = newViewer();
    const videoId = await knownVideo({ title: 'Sintel', durationSec: 888 });
    const first = await add(ada, videoId);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      videoId,
      title: 'Sintel',
      durationSec: 888,
      addedAt: expect.any(String),
    });
    const again = await add(ada, videoId);
    expect(again.status).toBe(200);
    expect(again.body.addedAt).toBe(first.body.addedAt);
    expect(await count('watchlist', 'user_id = ?', ada.userId)).toBe(1);
    const events = await outbox('WatchlistUpdated', ada.userId);
    expect(events.map((e) => e.data)).toEqual([{ userId: ada.userId, videoId, action: 'added' }]);
  });

  it('an unknown, deleted or unpublished video is 404 (admins may add unpublished ones)', async () => {
    const ada = newViewer();
    expect((await add(ada, 'vid_nope')).status).toBe(404);
    const pending = await knownVideo({ status: 'pending' });
    expect((await add(ada, pending)).status).toBe(404);
    expect(
      (
        await call(
          'profile.watchlist.add',
          { params: { userId: 'usr_admin' }, body: { videoId: pending } },
          admin,
        )
      ).status,
    ).toBe(201);
    expect(await outbox('WatchlistUpdated', ada.userId)).toEqual([]);
    expect(refusedAt(WatchlistAdd, {})).toEqual(['videoId']);
    expect(refusedAt(WatchlistAdd, { videoId: '' })).toEqual(['videoId']);
    expect(refusedAt(WatchlistAdd, { videoId: 42 })).toEqual(['videoId']);
  });

  it('lists newest first, paged, with the total', async () => {
    const ada = newViewer();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await knownVideo({ title: `Film ${i}` }));
      await add(ada, ids[i]!);
      await new Promise((r) => setTimeout(r, 2));
    }
    const page1 = await list(ada, { limit: 2 });
    expect(page1.status).toBe(200);
    expect(page1.total).toBe(5);
    expect(page1.body.map((e: { videoId: string }) => e.videoId)).toEqual([ids[4], ids[3]]);
    const page3 = await list(ada, { limit: 2, page: 3 });
    expect(page3.body.map((e: { videoId: string }) => e.videoId)).toEqual([ids[0]]);
    expect((await list(ada, { limit: 2, page: 4 })).body).toEqual([]);
  });

  it('removing answers 204, also when absent; one WatchlistUpdated per removal that removed something', async () => {
    const ada = newViewer();
    const videoId = await knownVideo();
    await add(ada, videoId);
    expect((await remove(ada, videoId)).status).toBe(204);
    expect((await remove(ada, videoId)).status).toBe(204);
    expect((await remove(ada, 'vid_never_there')).status).toBe(204);
    expect(await count('watchlist', 'user_id = ?', ada.userId)).toBe(0);
    const events = await outbox('WatchlistUpdated', ada.userId);
    expect(events.map((e) => e.data.action)).toEqual(['added', 'removed']);
  });

  it("is another viewer's to read or change only if it is theirs (403); admins read", async () => {
    const ada = newViewer();
    const eve = newViewer('eve');
    const videoId = await knownVideo();
    await add(ada, videoId);
    expect((await list(ada, {}, eve)).status).toBe(403);
    expect(
      (await call('profile.watchlist.add', { params: { userId: ada.userId }, body: { videoId } }, eve))
        .status,
    ).toBe(403);
    expect(
      (await call('profile.watchlist.remove', { params: { userId: ada.userId, videoId } }, eve)).status,
    ).toBe(403);
    expect(
      (await call('profile.watchlist.remove', { params: { userId: ada.userId, videoId } }, admin)).status,
    ).toBe(403);
    expect((await list(ada, {}, admin)).body).toHaveLength(1);
  });
});
