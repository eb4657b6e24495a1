import { describe, expect, it } from 'vitest';
import { deliver, event, seedVideos, testEnv } from './support/service.ts';

const db = () => testEnv.DB;

async function row(userId: string, videoId: string) {
  return db()
    .prepare(
      'SELECT weight, finished, rating, watchlisted, removed FROM interactions WHERE user_id = ? AND video_id = ?',
    )
    .bind(userId, videoId)
    .first<{
      weight: number;
      finished: number;
      rating: number | null;
      watchlisted: number;
      removed: number;
    }>();
}

async function version(userId: string) {
  return (
    await db()
      .prepare('SELECT version FROM user_versions WHERE user_id = ?')
      .bind(userId)
      .first<{ version: number }>()
  )?.version;
}

describe('interactions from events', () => {
  it('weighs finished > rated high > watchlisted > started, and low ratings count against', async () => {
    const u = 'usr_weights';
    await deliver([
      event('PlaybackStarted', { userId: u, videoId: 'v_started', sessionId: 's1' }),
      event('WatchlistUpdated', { userId: u, videoId: 'v_listed', action: 'added' }),
      event('VideoRated', { userId: u, videoId: 'v_rated', rating: 4 }),
      event('VideoWatched', { userId: u, videoId: 'v_done', progress: 100, completed: true }),
      event('VideoWatched', { userId: u, videoId: 'v_hated', progress: 100, completed: true }),
      event('VideoRated', { userId: u, videoId: 'v_hated', rating: 1 }),
      event('HistoryUpdated', {
        userId: u,
        videoId: 'v_resumed',
        progress: 30,
        watchedAt: new Date().toISOString(),
      }),
    ]);
    const w = async (v: string) => (await row(u, v))!.weight;
    expect(await w('v_done')).toBeGreaterThan(await w('v_rated'));
    expect(await w('v_rated')).toBeGreaterThan(await w('v_listed'));
    expect(await w('v_listed')).toBeGreaterThan(await w('v_started'));
    expect(await w('v_started')).toBeGreaterThan(0);
    expect(await w('v_resumed')).toBe(await w('v_started'));
    expect(await w('v_hated')).toBeLessThan(0);
  });

  it('is idempotent per event id: a redelivered event changes nothing', async () => {
    const u = 'usr_replay';
    const e = event('VideoRated', { userId: u, videoId: 'v1', rating: 5 });
    await deliver([e]);
    const first = await row(u, 'v1');
    const v1 = await version(u);
    await deliver([e, e]);
    expect(await row(u, 'v1')).toEqual(first);
    expect(await version(u)).toBe(v1);
    const { results } = await db()
      .prepare('SELECT count(*) AS n FROM _events_processed WHERE event_id = ?')
      .bind(e.id)
      .all<{ n: number }>();
    expect(results[0]!.n).toBe(1);
  });

  it('removing from the watchlist is remembered (and filtered later)', async () => {
    const u = 'usr_unlist';
    await deliver([
      event('WatchlistUpdated', { userId: u, videoId: 'v1', action: 'added' }),
      event('WatchlistUpdated', { userId: u, videoId: 'v1', action: 'removed' }),
    ]);
    expect(await row(u, 'v1')).toMatchObject({ watchlisted: 0, removed: 1, weight: 0 });
  });

  it('VideoDeleted removes the item from the catalogue and the training data; later events cannot revive it', async () => {
    const [vid] = await seedVideos('del', 1, 'Drama');
    await deliver([
      event('VideoWatched', { userId: 'usr_del', videoId: vid!, progress: 5, completed: true }),
    ]);
    await deliver([event('VideoDeleted', { videoId: vid! })]);
    expect(await row('usr_del', vid!)).toBeNull();
    await deliver([event('VideoTranscoded', { videoId: vid!, jobId: 'j', durationSec: 1, renditions: [] })]);
    const v = await db().prepare('SELECT status, deleted FROM videos WHERE video_id = ?').bind(vid).first();
    expect(v).toEqual({ status: 'deleted', deleted: 1 });
  });

  it('a late VideoCreated (pending) does not hide a video VideoTranscoded made ready', async () => {
    const t = Date.now();
    await deliver([
      event('VideoTranscoded', { videoId: 'late_1', jobId: 'j', durationSec: 1, renditions: [] }, t + 10),
      event(
        'VideoCreated',
        {
          videoId: 'late_1',
          title: 'Late',
          description: '',
          tags: ['x'],
          genres: ['Drama'],
          status: 'pending',
        },
        t,
      ),
    ]);
    const v = await db()
      .prepare('SELECT title, status, genres FROM videos WHERE video_id = ?')
      .bind('late_1')
      .first();
    expect(v).toEqual({ title: 'Late', status: 'ready', genres: '["Drama"]' });
  });

  it('UserDeleted forgets the user', async () => {
    const u = 'usr_gone';
    await deliver([event('VideoWatched', { userId: u, videoId: 'v1', progress: 1, completed: false })]);
    await deliver([event('UserDeleted', { userId: u })]);
    expect(await row(u, 'v1')).toBeNull();
    expect(await version(u)).toBeUndefined();
  });

  it('a malformed event is dead-lettered, not retried forever', async () => {
    const bad = { ...event('VideoRated', { userId: 'u', videoId: 'v', rating: 3 }), data: { rating: 9 } };
    await deliver([bad]);
    const { results } = await db()
      .prepare("SELECT reason FROM _dead_letters WHERE queue = 'recs-events'")
      .all();
    expect(results.length).toBeGreaterThan(0);
  });
});
