import { describe, expect, it } from 'vitest';
import {
  anonymous,
  call,
  count,
  deliver,
  deliverAll,
  event,
  knownVideo,
  newViewer,
  testEnv,
} from './support/service.ts';

const row = (id: string) =>
  testEnv.DB.prepare('SELECT title, status, duration_sec, thumbnail_url, deleted_at FROM videos WHERE id = ?')
    .bind(id)
    .first<{
      title: string;
      status: string;
      duration_sec: number | null;
      thumbnail_url: string | null;
      deleted_at: number | null;
    }>();

const meta = (videoId: string, title: string, status: string, durationSec?: number) => ({
  videoId,
  title,
  description: '',
  tags: [],
  genres: [],
  status,
  ...(durationSec !== undefined ? { durationSec } : {}),
});
const transcoded = (videoId: string, durationSec: number) => ({
  videoId,
  jobId: 'job_1',
  durationSec,
  renditions: [],
  thumbnailUrl: `https://cdn.example.com/${videoId}/poster.jpg`,
});
const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

describe('the projection of videos from video events', () => {
  it('builds title, status, duration and thumbnail from Created, Transcoded and Updated', async () => {
    const id = `vid_${crypto.randomUUID()}`;
    await deliverAll(
      event('VideoCreated', id, meta(id, 'Draft title', 'pending'), t(1)),
      event('VideoTranscoded', id, transcoded(id, 61.5), t(2)),
      event('VideoUpdated', id, meta(id, 'Final title', 'ready', 61.5), t(3)),
    );
    expect(await row(id)).toEqual({
      title: 'Final title',
      status: 'ready',
      duration_sec: 61.5,
      thumbnail_url: `https://cdn.example.com/${id}/poster.jpg`,
      deleted_at: null,
    });
  });

  it('keeps the newest facts when events arrive out of order', async () => {
    const id = `vid_${crypto.randomUUID()}`;
    await deliverAll(
      event('VideoUpdated', id, meta(id, 'Final title', 'ready', 61.5), t(3)),
      event('VideoTranscoded', id, transcoded(id, 61.5), t(2)),
      event('VideoCreated', id, meta(id, 'Draft title', 'pending'), t(1)),
    );
    expect(await row(id)).toMatchObject({ title: 'Final title', status: 'ready', duration_sec: 61.5 });
    // A transcode reported late still makes a pending video ready.
    const other = `vid_${crypto.randomUUID()}`;
    await deliverAll(
      event('VideoTranscoded', other, transcoded(other, 10), t(5)),
      event('VideoCreated', other, meta(other, 'Late create', 'pending'), t(1)),
    );
    expect(await row(other)).toMatchObject({ title: 'Late create', status: 'ready', duration_sec: 10 });
  });

  it('a deleted video stays deleted, whatever arrives after', async () => {
    const id = `vid_${crypto.randomUUID()}`;
    await deliverAll(
      event('VideoDeleted', id, { videoId: id }, t(9)),
      event('VideoCreated', id, meta(id, 'Zombie', 'ready', 5), t(1)),
      event('VideoTranscoded', id, transcoded(id, 5), t(2)),
    );
    expect((await row(id))?.deleted_at).not.toBeNull();
    const ada = newViewer();
    expect(
      (await call('profile.watchlist.add', { params: { userId: ada.userId }, body: { videoId: id } }, ada))
        .status,
    ).toBe(404);
  });

  it('VideoDeleted takes the video out of every watchlist, history and rating', async () => {
    const videoId = await knownVideo();
    const keep = await knownVideo();
    const users = [newViewer(), newViewer()];
    for (const u of users) {
      for (const v of [videoId, keep]) {
        await call('profile.watchlist.add', { params: { userId: u.userId }, body: { videoId: v } }, u);
        await call(
          'profile.history.record',
          { params: { userId: u.userId }, body: { videoId: v, progress: 100 } },
          u,
        );
        await call(
          'profile.ratings.rate',
          { params: { userId: u.userId }, body: { videoId: v, rating: 3 } },
          u,
        );
      }
    }
    await deliverAll(event('VideoDeleted', videoId, { videoId }));
    for (const table of ['watchlist', 'history', 'ratings']) {
      expect(await count(table, 'video_id = ?', videoId)).toBe(0);
      expect(await count(table, 'video_id = ?', keep)).toBe(2);
    }
    expect((await call('profile.videoRatings', { params: { id: videoId } }, anonymous)).status).toBe(404);
  });

  it('an event delivered twice is applied once (the kit remembers processed ids)', async () => {
    const id = `vid_${crypto.randomUUID()}`;
    const created = event('VideoCreated', id, meta(id, 'Once', 'ready'), t(1));
    await deliverAll(created);
    await deliverAll(event('VideoUpdated', id, meta(id, 'Twice', 'ready'), t(2)));
    const again = await deliver([created]);
    expect(again.explicitAcks).toHaveLength(1);
    expect((await row(id))?.title).toBe('Twice');
  });
});
