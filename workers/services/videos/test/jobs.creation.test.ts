import { describe, expect, it } from 'vitest';
import { envelope } from '../../../../queues/publish.ts';
import {
  call,
  createVideo,
  deliver,
  outbox,
  service,
  testEnv,
  uploadMaster,
  waitFor,
} from './support/service.ts';

async function jobsOf(videoId: string) {
  const { results } = await testEnv.DB.prepare(
    'SELECT id, master_version, state FROM jobs WHERE video_id = ?',
  )
    .bind(videoId)
    .all<{ id: string; master_version: string; state: string }>();
  return results;
}

describe('VideoUploaded becomes a transcode job', () => {
  it('creates one job for the master and points the video at it', async () => {
    const video = await createVideo();
    const { uploadId } = await uploadMaster(video.videoId);
    const [event] = await outbox('VideoUploaded', video.videoId);
    const result = await deliver([event!.envelope]);
    expect(result.explicitAcks).toHaveLength(1);
    const jobs = await jobsOf(video.videoId);
    expect(jobs).toEqual([expect.objectContaining({ master_version: uploadId, state: 'pending' })]);
    const shown = await call('videos.get', { params: { id: video.videoId } });
    expect(shown.body.transcode.jobId).toBe(jobs[0]!.id);
  });

  it('creates nothing more when the same event is delivered again', async () => {
    const video = await createVideo();
    await uploadMaster(video.videoId);
    const [event] = await outbox('VideoUploaded', video.videoId);
    await deliver([event!.envelope]);
    const again = await deliver([event!.envelope, event!.envelope]);
    expect(again.explicitAcks).toHaveLength(2);
    expect(again.retryMessages).toEqual([]);
    expect(await jobsOf(video.videoId)).toHaveLength(1);
  });

  it('creates nothing more for a new event about the same master (the unique constraint holds)', async () => {
    const video = await createVideo();
    await uploadMaster(video.videoId);
    const [event] = await outbox('VideoUploaded', video.videoId);
    await deliver([event!.envelope]);
    // A replay with a fresh id, as a producer retry after a lost acknowledgement would make.
    const replay = envelope('VideoUploaded', video.videoId, event!.envelope.data as never, {
      source: 'videos',
    });
    expect(replay.id).not.toBe(event!.id);
    const result = await deliver([replay]);
    expect(result.retryMessages).toEqual([]);
    expect(await jobsOf(video.videoId)).toHaveLength(1);
  });

  it('ignores the event of a master that a newer one replaced', async () => {
    const video = await createVideo();
    await uploadMaster(video.videoId, 'first');
    const second = await uploadMaster(video.videoId, 'second');
    const events = await outbox('VideoUploaded', video.videoId);
    expect(events).toHaveLength(2);
    await deliver(events.map((e) => e.envelope));
    expect(await jobsOf(video.videoId)).toEqual([
      expect.objectContaining({ master_version: second.uploadId }),
    ]);
  });
});

describe('the master arriving', () => {
  it('moves the video to uploaded and emits VideoUploaded with the master version', async () => {
    const video = await createVideo();
    const { uploadId, key, result } = await uploadMaster(video.videoId, 'abc', 'video/quicktime');
    expect(result).toEqual({ outcome: 'accepted' });
    const shown = await call('videos.get', { params: { id: video.videoId } });
    expect(shown.body).toMatchObject({ status: 'uploaded', master: { version: uploadId, size: 3 } });
    const [event] = await outbox('VideoUploaded', video.videoId);
    expect(event!.envelope.data).toEqual({
      videoId: video.videoId,
      masterKey: key,
      masterVersion: uploadId,
      size: 3,
      contentType: 'video/quicktime',
    });
  });

  it('reported twice, re-sends the same event (same id) instead of a new one', async () => {
    const video = await createVideo();
    const { key } = await uploadMaster(video.videoId);
    const head = await testEnv.MEDIA.head(key);
    const again = await service.masterStored({
      videoId: video.videoId,
      key,
      size: head!.size,
      etag: head!.etag,
    });
    expect(again.outcome).toBe('duplicate');
    expect(await outbox('VideoUploaded', video.videoId)).toHaveLength(1);
  });

  it('replaces the previous master, whose object is deleted', async () => {
    const video = await createVideo();
    const first = await uploadMaster(video.videoId, 'first');
    const second = await uploadMaster(video.videoId, 'second');
    expect(second.result.outcome).toBe('accepted');
    await waitFor(async () => (await testEnv.MEDIA.head(first.key)) === null);
    const shown = await call('videos.get', { params: { id: video.videoId } });
    expect(shown.body.master.version).toBe(second.uploadId);
  });

  it('refuses a master of another size than announced, and one for no known upload', async () => {
    const video = await createVideo();
    const upload = await call('videos.upload', { params: { id: video.videoId }, body: { size: 10 } });
    const key = `masters/${video.videoId}/${upload.body.uploadId}`;
    await testEnv.MEDIA.put(key, 'only nine');
    const rejected = await service.masterStored({ videoId: video.videoId, key, size: 9, etag: 'e' });
    expect(rejected.outcome).toBe('rejected');
    const shown = await call('videos.get', { params: { id: video.videoId } });
    expect(shown.body).toMatchObject({
      status: 'failed',
      failureReason: expect.stringMatching(/not the 10 announced/),
    });
    expect(await outbox('VideoUploaded', video.videoId)).toEqual([]);

    const stray = `masters/${video.videoId}/upl_nobody`;
    await testEnv.MEDIA.put(stray, 'x');
    expect(
      (await service.masterStored({ videoId: video.videoId, key: stray, size: 1, etag: 'e' })).outcome,
    ).toBe('unknown');
  });
});
