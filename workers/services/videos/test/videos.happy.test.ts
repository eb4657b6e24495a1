import { describe, expect, it, vi } from 'vitest';
import {
  admin,
  anonymous,
  auditRows,
  call,
  createVideo,
  deliverEvents,
  outbox,
  testEnv,
  uploadMaster,
  viewer,
} from './support/service.ts';

async function markReady(videoId: string) {
  await testEnv.DB.prepare("UPDATE videos SET status = 'ready' WHERE id = ?").bind(videoId).run();
}

describe('creating a video', () => {
  it('answers 201 with the pending video, records the audit row and emits VideoCreated', async () => {
    const res = await call('videos.create', {
      body: {
        title: 'Sintel',
        description: 'A girl and a dragon',
        tags: ['fantasy', 'open-movie'],
        genres: ['animation'],
        releaseYear: 2010,
        maturityRating: 'PG-13',
        thumbnailUrl: 'https://img.example.com/sintel.jpg',
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers?.Location).toBe(`/videos/${res.body.videoId}`);
    expect(res.body).toMatchObject({
      title: 'Sintel',
      status: 'pending',
      tags: ['fantasy', 'open-movie'],
      genres: ['animation'],
      releaseYear: 2010,
      thumbnailUrl: 'https://img.example.com/sintel.jpg',
      renditions: [],
    });
    const [event] = await outbox('VideoCreated', res.body.videoId);
    expect(event!.envelope.data).toMatchObject({
      videoId: res.body.videoId,
      title: 'Sintel',
      status: 'pending',
    });
    expect(event!.envelope.source).toBe('videos');
    // Sent after the response, not before it.
    await vi.waitFor(async () =>
      expect((await outbox('VideoCreated', res.body.videoId))[0]!.sentAt).not.toBeNull(),
    );
    const [row] = await auditRows(res.body.videoId);
    expect(row).toMatchObject({
      action: 'video.create',
      actor_id: 'usr_admin',
      actor_type: 'user',
      before: null,
    });
    expect(row!.after.title).toBe('Sintel');
  });

  it('takes the spec body alone: description and tags default to empty', async () => {
    const res = await call('videos.create', { body: { title: 'Minimal', description: '', tags: [] } });
    expect(res.status).toBe(201);
    expect(res.body.genres).toEqual([]);
  });
});

describe('reading a video', () => {
  it('shows admins every state with the job; hides unpublished videos from everyone else', async () => {
    const video = await createVideo({ title: 'Draft' });
    const forAdmin = await call('videos.get', { params: { id: video.videoId } }, admin);
    expect(forAdmin.status).toBe(200);
    expect(forAdmin.body.status).toBe('pending');
    expect(forAdmin.body.transcode).toBeNull();
    for (const who of [viewer, anonymous]) {
      expect((await call('videos.get', { params: { id: video.videoId } }, who)).status).toBe(404);
    }
    await markReady(video.videoId);
    const forViewer = await call('videos.get', { params: { id: video.videoId } }, viewer);
    expect(forViewer.status).toBe(200);
    expect(forViewer.body).not.toHaveProperty('transcode');
    expect(forViewer.body).not.toHaveProperty('failureReason');
  });

  it('shows the progress of the current transcode job once there is one', async () => {
    const video = await createVideo();
    await uploadMaster(video.videoId);
    await deliverEvents('VideoUploaded', video.videoId);
    const res = await call('videos.get', { params: { id: video.videoId } });
    expect(res.body.status).toBe('uploaded');
    expect(res.body.transcode).toMatchObject({ state: 'pending', progress: 0, attempt: 1, maxAttempts: 3 });
    expect(res.body.master).toMatchObject({ contentType: 'video/mp4' });
  });
});

describe('listing videos', () => {
  it('pages newest first with the total for X-Total-Count', async () => {
    const tag = `paging-${crypto.randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createVideo({ title: `P${i}`, tags: [tag] })).videoId);
    const page1 = await call('videos.list', { query: { page: 1, limit: 2, filter: `tag:${tag}` } });
    const page3 = await call('videos.list', { query: { page: 3, limit: 2, filter: `tag:${tag}` } });
    expect(page1.total).toBe(5);
    expect(page1.body.map((v: any) => v.videoId)).toEqual([ids[4], ids[3]]);
    expect(page3.body.map((v: any) => v.videoId)).toEqual([ids[0]]);
  });

  it('filters on status, genre and tag, case-insensitively; repeated keys are alternatives', async () => {
    const t = crypto.randomUUID().slice(0, 8);
    const drama = await createVideo({ title: 'D', genres: ['Drama'], tags: [`x-${t}`] });
    const comedy = await createVideo({ title: 'C', genres: ['comedy'], tags: [`x-${t}`, `y-${t}`] });
    await createVideo({ title: 'N', genres: ['drama'], tags: [`z-${t}`] });
    await markReady(drama.videoId);
    const ids = async (filter: string) =>
      (await call('videos.list', { query: { page: 1, limit: 100, filter } })).body.map((v: any) => v.videoId);
    expect(await ids(`genre:drama,tag:X-${t}`)).toEqual([drama.videoId]);
    expect(await ids(`tag:x-${t},status:pending`)).toEqual([comedy.videoId]);
    expect(await ids(`tag:y-${t},tag:x-${t}`)).toEqual([comedy.videoId, drama.videoId]);
    expect(await ids(`status:ready,tag:x-${t}`)).toEqual([drama.videoId]);
  });

  it('shows non-admins only ready videos, whatever status they ask for', async () => {
    const t = `pub-${crypto.randomUUID().slice(0, 8)}`;
    const ready = await createVideo({ tags: [t] });
    await createVideo({ tags: [t] });
    await markReady(ready.videoId);
    const all = await call('videos.list', { query: { page: 1, limit: 20, filter: `tag:${t}` } }, anonymous);
    expect(all.body.map((v: any) => v.videoId)).toEqual([ready.videoId]);
    expect(all.total).toBe(1);
    const pending = await call(
      'videos.list',
      { query: { page: 1, limit: 20, filter: `tag:${t},status:pending` } },
      viewer,
    );
    expect(pending.body).toEqual([]);
    expect(pending.total).toBe(0);
  });
});

describe('updating a video', () => {
  it('changes the named fields, clears nulls, audits before/after and emits VideoUpdated', async () => {
    const video = await createVideo({
      title: 'Old',
      releaseYear: 1999,
      thumbnailUrl: 'https://i.example.com/a.jpg',
    });
    const res = await call('videos.update', {
      params: { id: video.videoId },
      body: { title: 'New', thumbnailUrl: null, genres: ['noir'] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: 'New', thumbnailUrl: null, genres: ['noir'], releaseYear: 1999 });
    const [event] = await outbox('VideoUpdated', video.videoId);
    expect(event!.envelope.data).toMatchObject({ title: 'New', genres: ['noir'], releaseYear: 1999 });
    const update = (await auditRows(video.videoId)).find((r) => r.action === 'video.update')!;
    expect(update.before).toMatchObject({ title: 'Old', thumbnailUrl: 'https://i.example.com/a.jpg' });
    expect(update.after).toMatchObject({ title: 'New', thumbnailUrl: null });
  });

  it('emits nothing when nothing changed, but still audits the attempt', async () => {
    const video = await createVideo({ title: 'Same' });
    expect(
      (await call('videos.update', { params: { id: video.videoId }, body: { title: 'Same' } })).status,
    ).toBe(200);
    expect(await outbox('VideoUpdated', video.videoId)).toEqual([]);
    expect((await auditRows(video.videoId)).map((r) => r.action)).toEqual(['video.create', 'video.update']);
  });
});

describe('deleting a video', () => {
  it('answers 204, forgets the video, audits it and emits VideoDeleted', async () => {
    const video = await createVideo({ title: 'Doomed' });
    const res = await call('videos.delete', { params: { id: video.videoId } });
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect((await call('videos.get', { params: { id: video.videoId } })).status).toBe(404);
    expect((await outbox('VideoDeleted', video.videoId)).length).toBe(1);
    const del = (await auditRows(video.videoId)).find((r) => r.action === 'video.delete')!;
    expect(del.before.title).toBe('Doomed');
    expect((await call('videos.delete', { params: { id: video.videoId } })).status).toBe(404);
  });

  it('purges the master, renditions and posters from R2 when VideoDeleted is consumed', async () => {
    const video = await createVideo();
    const { key } = await uploadMaster(video.videoId);
    const others = [
      `renditions/${video.videoId}/job_x/master.m3u8`,
      `renditions/${video.videoId}/job_x/720p/seg_00001.m4s`,
      `public/posters/${video.videoId}/job_x.jpg`,
    ];
    for (const k of others) await testEnv.MEDIA.put(k, 'x');
    await testEnv.MEDIA.put('renditions/someone-else/job/master.m3u8', 'keep');
    await call('videos.delete', { params: { id: video.videoId } });
    expect(await testEnv.MEDIA.head(key)).not.toBeNull();
    const result = await deliverEvents('VideoDeleted', video.videoId);
    expect(result.retryMessages).toEqual([]);
    for (const k of [key, ...others]) expect(await testEnv.MEDIA.head(k), k).toBeNull();
    expect(await testEnv.MEDIA.head('renditions/someone-else/job/master.m3u8')).not.toBeNull();
  });
});

describe('the audit log', () => {
  it('lists a video trail and the whole log to admins, newest first, paged', async () => {
    const video = await createVideo({ title: 'Audited' });
    await call('videos.update', { params: { id: video.videoId }, body: { title: 'Audited 2' } });
    const trail = await call('videos.audit', {
      params: { id: video.videoId },
      query: { page: 1, limit: 20 },
    });
    expect(trail.status).toBe(200);
    expect(trail.total).toBe(2);
    expect(trail.body.map((e: any) => e.action)).toEqual(['video.update', 'video.create']);
    expect(trail.body[0]).toMatchObject({ actor: { id: 'usr_admin', type: 'user' }, videoId: video.videoId });
    expect(trail.body[0].requestId).toMatch(/^req-/);
    const log = await call('videos.auditLog', {
      query: { page: 1, limit: 1, action: 'video.update', videoId: video.videoId },
    });
    expect(log.total).toBe(1);
    expect(log.body[0].after.title).toBe('Audited 2');
  });
});
