import { beforeEach, describe, expect, it } from 'vitest';
import { checkAccess, parseStoragePath, verifyToken } from '../../../lib/storage-grant.ts';
import { completeJob } from '../src/jobs.ts';
import {
  claim,
  clearJobQueue,
  completeBody,
  jobRow,
  report,
  runnerRef,
  storeOutputs,
  videoWithJob,
} from './support/runner.ts';
import {
  anonymous,
  call,
  deliverEvents,
  ORIGIN,
  outbox,
  testEnv,
  uploadMaster,
  waitFor,
} from './support/service.ts';

beforeEach(clearJobQueue);

describe('a successful job', () => {
  it('records the renditions and the poster, makes the video ready and emits VideoTranscoded', async () => {
    const { videoId, jobId } = await videoWithJob();
    const { job } = (await claim()).body;
    await storeOutputs(videoId, jobId);
    const res = await report('complete', jobId, completeBody(job.leaseToken));
    expect(res.status).toBe(204);

    const posterUrl = `${ORIGIN}/storage/public/posters/${videoId}/${jobId}.jpg`;
    const video = await call('videos.get', { params: { id: videoId } }, anonymous);
    expect(video.status).toBe(200);
    expect(video.body).toMatchObject({ status: 'ready', durationSec: 6.02, thumbnailUrl: posterUrl });
    expect(video.body.renditions).toEqual([
      expect.objectContaining({
        name: '720p',
        width: 1280,
        height: 720,
        bandwidth: 4_000_000,
        playlist: '720p/index.m3u8',
      }),
      expect.objectContaining({ name: '360p', width: 640, height: 360, codecs: 'avc1.64001f,mp4a.40.2' }),
    ]);
    expect(await (await testEnv.MEDIA.get(`public/posters/${videoId}/${jobId}.jpg`))!.text()).toBe(
      '\xff\xd8\xff poster',
    );
    expect(await jobRow(jobId)).toMatchObject({ state: 'completed' });
    const admin = await call('videos.get', { params: { id: videoId } });
    expect(admin.body.transcode).toMatchObject({ state: 'completed', progress: 100 });

    const [event] = await outbox('VideoTranscoded', videoId);
    expect(event!.envelope.data).toMatchObject({
      videoId,
      jobId,
      durationSec: 6.02,
      thumbnailUrl: posterUrl,
    });
    expect((event!.envelope.data as { renditions: unknown[] }).renditions).toHaveLength(2);
    expect((await report('heartbeat', jobId, { leaseToken: job.leaseToken, progress: 100 })).status).toBe(
      409,
    );
  });

  it('keeps an admin-set thumbnail over the generated poster', async () => {
    const created = await call('videos.create', {
      body: { title: 'Own art', thumbnailUrl: 'https://img.example.com/a.jpg' },
    });
    const videoId = created.body.videoId;
    await uploadMaster(videoId);
    await deliverEvents('VideoUploaded', videoId);
    const { job } = (await claim()).body;
    await storeOutputs(videoId, job.jobId);
    await report('complete', job.jobId, completeBody(job.leaseToken));
    const video = await call('videos.get', { params: { id: videoId } });
    expect(video.body.thumbnailUrl).toBe('https://img.example.com/a.jpg');
  });

  it('gives admins signed GETs of the stored outputs, one token for the whole folder', async () => {
    const { videoId, jobId } = await videoWithJob();
    expect((await call('videos.renditions', { params: { id: videoId } })).status).toBe(404);
    const { job } = (await claim()).body;
    await storeOutputs(videoId, jobId);
    await report('complete', jobId, completeBody(job.leaseToken));
    const res = await call('videos.renditions', { params: { id: videoId } });
    expect(res.status).toBe(200);
    const prefix = `renditions/${videoId}/${jobId}/`;
    const master = parseStoragePath(new URL(res.body.master).pathname)!;
    expect(master.key).toBe(`${prefix}master.m3u8`);
    const grant = await verifyToken(testEnv.STORAGE_SIGNING_KEY, master.token);
    expect(grant).toMatchObject({ method: 'GET', key: prefix, prefix: true });
    expect(() => checkAccess(grant, 'GET', `${prefix}720p/seg_00001.m4s`)).not.toThrow();
    expect(() => checkAccess(grant, 'PUT', `${prefix}720p/seg_00001.m4s`)).toThrow();
    expect(res.body.renditions.map((r: { url: string }) => new URL(r.url).pathname.split(prefix)[1])).toEqual(
      ['720p/index.m3u8', '360p/index.m3u8'],
    );
  });

  it('deletes the outputs of the job it replaces once the new master is transcoded', async () => {
    const { videoId, jobId: oldJob } = await videoWithJob();
    const first = (await claim()).body.job;
    await storeOutputs(videoId, oldJob);
    await report('complete', oldJob, completeBody(first.leaseToken));
    await uploadMaster(videoId, 'second cut');
    await deliverEvents('VideoUploaded', videoId);
    const second = (await claim()).body.job;
    expect(second.jobId).not.toBe(oldJob);
    await storeOutputs(videoId, second.jobId);
    await report('complete', second.jobId, completeBody(second.leaseToken));
    await waitFor(
      async () => (await testEnv.MEDIA.head(`renditions/${videoId}/${oldJob}/master.m3u8`)) === null,
    );
    expect(await testEnv.MEDIA.head(`public/posters/${videoId}/${oldJob}.jpg`)).toBeNull();
    expect(await testEnv.MEDIA.head(`renditions/${videoId}/${second.jobId}/master.m3u8`)).not.toBeNull();
  });
});

describe('a success repeated after its answer was lost', () => {
  it('is refused with 409 and leaves the published outputs alone', async () => {
    const { videoId, jobId } = await videoWithJob();
    const { job } = (await claim()).body;
    await storeOutputs(videoId, jobId);
    expect((await report('complete', jobId, completeBody(job.leaseToken))).status).toBe(204);
    const deferred: Promise<unknown>[] = [];
    const again = completeJob(
      testEnv,
      { runner: await runnerRef(), jobId, leaseToken: job.leaseToken },
      completeBody(job.leaseToken) as never,
      ORIGIN,
      (p) => deferred.push(p),
    );
    await expect(again).rejects.toMatchObject({ status: 409 });
    await Promise.allSettled(deferred);
    expect(await testEnv.MEDIA.head(`renditions/${videoId}/${jobId}/master.m3u8`)).not.toBeNull();
    expect(await testEnv.MEDIA.head(`public/posters/${videoId}/${jobId}.jpg`)).not.toBeNull();
    expect((await call('videos.get', { params: { id: videoId } })).body.status).toBe('ready');
  });
});

describe('a success that does not hold up', () => {
  it('is refused with 400 when it names outputs that were never stored; the lease stays', async () => {
    const { videoId, jobId } = await videoWithJob();
    const { job } = (await claim()).body;
    const res = await report('complete', jobId, completeBody(job.leaseToken));
    expect(res.status).toBe(400);
    expect(res.problem?.errors?.map((e) => e.path)).toContain('masterPlaylist');
    expect(await jobRow(jobId)).toMatchObject({ state: 'processing' });
    expect((await call('videos.get', { params: { id: videoId } })).body.status).toBe('processing');
  });

  it('is refused with 400 when a path leaves the output prefix', async () => {
    const { videoId, jobId } = await videoWithJob();
    const { job } = (await claim()).body;
    await storeOutputs(videoId, jobId);
    const res = await report(
      'complete',
      jobId,
      completeBody(job.leaseToken, { masterPlaylist: '../../other/master.m3u8' }),
    );
    expect(res.status).toBe(400);
    expect(res.problem?.errors).toEqual([{ path: 'masterPlaylist', message: expect.any(String) }]);
  });
});
