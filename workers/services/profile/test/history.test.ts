import { describe, expect, it } from 'vitest';
import { HistoryWrite } from '../src/contract/schemas.ts';
import { database } from '../src/db/client.ts';
import { IDEMPOTENCY_TTL_MS, pruneIdempotencyKeys } from '../src/idempotency.ts';
import { admin, call, count, knownVideo, newViewer, outbox, refusedAt, testEnv } from './support/service.ts';

type Viewer = ReturnType<typeof newViewer>;
const record = (who: Viewer, body: Record<string, unknown>, key?: string) =>
  call(
    'profile.history.record',
    { params: { userId: who.userId }, body, headers: key ? { 'idempotency-key': key } : {} },
    who,
  );
const list = (who: Viewer, query: Record<string, unknown> = {}) =>
  call('profile.history.list', { params: { userId: who.userId }, query }, who);
const continueWatching = (who: Viewer, as: Parameters<typeof call>[2] = who) =>
  call('profile.continueWatching', { params: { userId: who.userId } }, as);
const ids = (res: { body: { videoId: string }[] }) => res.body.map((e) => e.videoId);

describe('history: one resume point per (user, video)', () => {
  it('a second POST moves the point and watchedAt; one row; one HistoryUpdated per POST', async () => {
    const ada = newViewer();
    const videoId = await knownVideo({ durationSec: 600 });
    const first = await record(ada, { videoId, progress: 30 });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ videoId, progress: 30, durationSec: 600, finished: false });
    await new Promise((r) => setTimeout(r, 2));
    const second = await record(ada, { videoId, progress: 90.5 });
    expect(second.body.watchedAt > first.body.watchedAt).toBe(true);
    expect(await count('history', 'user_id = ?', ada.userId)).toBe(1);
    const page = await list(ada);
    expect(page.body).toEqual([
      expect.objectContaining({ videoId, progress: 90.5, watchedAt: second.body.watchedAt, finished: false }),
    ]);
    const events = await outbox('HistoryUpdated', ada.userId);
    expect(events.map((e) => e.data.progress)).toEqual([30, 90.5]);
    expect(events[1]!.data).toEqual({
      userId: ada.userId,
      videoId,
      progress: 90.5,
      watchedAt: second.body.watchedAt,
    });
  });

  it('refuses progress past the duration (400, naming progress), below 0 and not a number', async () => {
    const ada = newViewer();
    const videoId = await knownVideo({ durationSec: 120 });
    const past = await record(ada, { videoId, progress: 120.5 });
    expect(past.status).toBe(400);
    expect(past.problem?.errors).toEqual([{ path: 'progress', message: expect.stringContaining('120') }]);
    expect((await record(ada, { videoId, progress: 120 })).status).toBe(201);
    expect(refusedAt(HistoryWrite, { videoId, progress: -1 })).toEqual(['progress']);
    expect(refusedAt(HistoryWrite, { videoId, progress: '10' })).toEqual(['progress']);
    expect(refusedAt(HistoryWrite, { videoId })).toEqual(['progress']);
    expect(refusedAt(HistoryWrite, { progress: 3 })).toEqual(['videoId']);
  });

  it('takes any progress while the duration is unknown, and an unknown video is 404', async () => {
    const ada = newViewer();
    const videoId = await knownVideo({ durationSec: null });
    expect((await record(ada, { videoId, progress: 5000 })).status).toBe(201);
    expect((await record(ada, { videoId: 'vid_unknown', progress: 1 })).status).toBe(404);
    expect(
      (
        await call(
          'profile.history.record',
          { params: { userId: ada.userId }, body: { videoId, progress: 1 } },
          admin,
        )
      ).status,
    ).toBe(403);
  });

  it('lists newest first, paged', async () => {
    const ada = newViewer();
    const [a, b, c] = [await knownVideo(), await knownVideo(), await knownVideo()];
    for (const v of [a, b, c, a]) {
      await record(ada, { videoId: v!, progress: 10 });
      await new Promise((r) => setTimeout(r, 2));
    }
    const page = await list(ada, { limit: 2 });
    expect(ids(page)).toEqual([a, c]);
    expect(page.total).toBe(3);
  });
});

describe('history writes with an Idempotency-Key', () => {
  it('a repeat answers the first answer again and changes nothing', async () => {
    const ada = newViewer();
    const videoId = await knownVideo();
    const first = await record(ada, { videoId, progress: 42 }, 'key-1');
    await new Promise((r) => setTimeout(r, 2));
    const again = await record(ada, { videoId, progress: 42 }, 'key-1');
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers).toMatchObject({ 'Idempotent-Replayed': 'true', Location: first.headers?.Location });
    expect((await list(ada)).body[0].watchedAt).toBe(first.body.watchedAt);
    expect(await outbox('HistoryUpdated', ada.userId)).toHaveLength(1);
  });

  it('the same key with a different body is 422, and changes nothing', async () => {
    const ada = newViewer();
    const videoId = await knownVideo();
    await record(ada, { videoId, progress: 42 }, 'key-2');
    const other = await record(ada, { videoId, progress: 43 }, 'key-2');
    expect(other.status).toBe(422);
    expect(other.problem?.code).toBe('unprocessable');
    expect((await list(ada)).body[0].progress).toBe(42);
    expect(await outbox('HistoryUpdated', ada.userId)).toHaveLength(1);
  });

  it('keys are per user: another user may use the same key', async () => {
    const [ada, bob] = [newViewer(), newViewer()];
    const videoId = await knownVideo();
    expect((await record(ada, { videoId, progress: 1 }, 'shared')).status).toBe(201);
    const bobs = await record(bob, { videoId, progress: 2 }, 'shared');
    expect(bobs.status).toBe(201);
    expect(bobs.body.progress).toBe(2);
  });

  it('10 identical writes in parallel: one row, one event, the same answer to all', async () => {
    const ada = newViewer();
    const videoId = await knownVideo({ durationSec: 100 });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => record(ada, { videoId, progress: 97 }, 'parallel-key')),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.body.watchedAt)).size).toBe(1);
    expect(await count('history', 'user_id = ?', ada.userId)).toBe(1);
    expect(await outbox('HistoryUpdated', ada.userId)).toHaveLength(1);
    expect(await outbox('VideoWatched', ada.userId)).toHaveLength(1);
    expect(await count('idempotency_keys', 'user_id = ?', ada.userId)).toBe(1);
  });

  it('keys are forgotten after 24 hours: the key then serves a new request', async () => {
    const ada = newViewer();
    const videoId = await knownVideo();
    await record(ada, { videoId, progress: 1 }, 'old-key');
    await testEnv.DB.prepare('UPDATE idempotency_keys SET created_at = ? WHERE user_id = ?')
      .bind(Date.now() - IDEMPOTENCY_TTL_MS - 1000, ada.userId)
      .run();
    const reused = await record(ada, { videoId, progress: 2 }, 'old-key');
    expect(reused.status).toBe(201);
    expect(reused.body.progress).toBe(2);
    await testEnv.DB.prepare('UPDATE idempotency_keys SET created_at = ? WHERE user_id = ?')
      .bind(Date.now() - IDEMPOTENCY_TTL_MS - 1000, ada.userId)
      .run();
    await pruneIdempotencyKeys(database(testEnv.DB));
    expect(await count('idempotency_keys', 'user_id = ?', ada.userId)).toBe(0);
  });

  it('a refused request keeps no answer: the same key succeeds once the request is valid', async () => {
    const ada = newViewer();
    const videoId = await knownVideo({ durationSec: 10 });
    expect((await record(ada, { videoId, progress: 11 }, 'retry-me')).status).toBe(400);
    expect((await record(ada, { videoId, progress: 9 }, 'retry-me')).status).toBe(201);
  });
});

describe('continue watching and finishing', () => {
  it('lists videos between 5 % and 95 % watched, newest first, with resume point and duration', async () => {
    const ada = newViewer();
    const notStarted = await knownVideo({ durationSec: 1000 });
    const started = await knownVideo({ durationSec: 1000, title: 'Half way' });
    const finished = await knownVideo({ durationSec: 1000 });
    const unknownLength = await knownVideo({ durationSec: null });
    const later = await knownVideo({ durationSec: 200 });
    await record(ada, { videoId: notStarted, progress: 49 });
    await record(ada, { videoId: started, progress: 500 });
    await record(ada, { videoId: finished, progress: 950 });
    await record(ada, { videoId: unknownLength, progress: 500 });
    await new Promise((r) => setTimeout(r, 2));
    await record(ada, { videoId: later, progress: 10 });
    const res = await continueWatching(ada);
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([later, started]);
    expect(res.total).toBe(2);
    expect(res.body[1]).toMatchObject({ title: 'Half way', progress: 500, durationSec: 1000, percent: 50 });
    expect((await continueWatching(ada, newViewer())).status).toBe(403);
    expect((await continueWatching(ada, admin)).status).toBe(200);
  });

  it('crossing 95 % emits VideoWatched once; moving within finished does not; re-crossing does', async () => {
    const ada = newViewer();
    const videoId = await knownVideo({ durationSec: 100 });
    await record(ada, { videoId, progress: 50 });
    expect(await outbox('VideoWatched', ada.userId)).toEqual([]);
    await record(ada, { videoId, progress: 95 });
    await record(ada, { videoId, progress: 99 });
    const watched = await outbox('VideoWatched', ada.userId);
    expect(watched.map((e) => e.data)).toEqual([
      { userId: ada.userId, videoId, progress: 95, durationSec: 100, completed: true },
    ]);
    expect((await list(ada)).body[0].finished).toBe(true);
    expect(ids(await continueWatching(ada))).toEqual([]);
    // Watching it again from the start and finishing again is a new crossing.
    await record(ada, { videoId, progress: 10 });
    expect(ids(await continueWatching(ada))).toEqual([videoId]);
    await record(ada, { videoId, progress: 100 });
    expect(await outbox('VideoWatched', ada.userId)).toHaveLength(2);
  });
});
