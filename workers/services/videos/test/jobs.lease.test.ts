import { beforeEach, describe, expect, it } from 'vitest';
import { checkAccess, parseStoragePath, verifyToken } from '../../../lib/storage-grant.ts';
import { claimJob, heartbeatJob } from '../src/jobs.ts';
import {
  claim,
  claimsOf,
  clearJobQueue,
  completeBody,
  jobRow,
  report,
  runner,
  runnerRef,
  videoWithJob,
} from './support/runner.ts';
import { call, ORIGIN, testEnv } from './support/service.ts';

const secondsFromNow = (s: number) => new Date(Date.now() + s * 1000);

beforeEach(clearJobQueue);

describe('claiming a job', () => {
  it('answers 204 when there is nothing to do', async () => {
    const res = await claim();
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
  });

  it('hands out the job with a lease, signed URLs, the ladder and the limits', async () => {
    const { videoId, jobId, master } = await videoWithJob();
    const res = await claim('runner-a');
    expect(res.status).toBe(200);
    const job = res.body.job;
    expect(job).toMatchObject({
      jobId,
      videoId,
      type: 'vod-hls-transcoding',
      attempt: 1,
      heartbeatSeconds: 20,
      segmentSeconds: 2,
      input: { size: 18, contentType: 'video/mp4' },
      limits: { maxInputBytes: 50 * 1024 ** 3, maxWidth: 7680, maxHeight: 4320 },
    });
    expect(job.ladder.map((r: { name: string }) => r.name)).toEqual(['1080p', '720p', '480p', '360p']);
    const lease = Date.parse(job.leaseExpiresAt) - Date.now();
    expect(lease).toBeGreaterThan(55_000);
    expect(lease).toBeLessThanOrEqual(60_000);

    const input = parseStoragePath(new URL(job.input.url).pathname)!;
    expect(job.input.url.startsWith(`${ORIGIN}/storage/`)).toBe(true);
    expect(input.key).toBe(master.key);
    const read = await verifyToken(testEnv.STORAGE_SIGNING_KEY, input.token);
    expect(() => checkAccess(read, 'GET', master.key)).not.toThrow();
    expect(() => checkAccess(read, 'PUT', master.key)).toThrow();

    const prefix = `renditions/${videoId}/${jobId}/`;
    expect(job.output.urlPrefix).toMatch(new RegExp(`/${prefix}$`));
    const out = parseStoragePath(new URL(`${job.output.urlPrefix}720p/seg_00001.m4s`).pathname)!;
    const write = await verifyToken(testEnv.STORAGE_SIGNING_KEY, out.token);
    expect(write).toMatchObject({
      method: 'PUT',
      key: prefix,
      prefix: true,
      maxBytes: job.output.maxFileBytes,
    });
    expect(() => checkAccess(write, 'PUT', `${prefix}720p/seg_00001.m4s`)).not.toThrow();
    expect(() => checkAccess(write, 'PUT', `renditions/${videoId}/other/x`)).toThrow();

    const video = await call('videos.get', { params: { id: videoId } });
    expect(video.body.status).toBe('processing');
    expect(video.body.transcode).toMatchObject({
      state: 'processing',
      runnerId: (await runner('runner-a')).id,
    });
    expect((await claim('runner-b')).status).toBe(204);
  });

  it('hands the oldest claimable job out first', async () => {
    const first = await videoWithJob('first');
    const second = await videoWithJob('second');
    expect((await claim()).body.job.jobId).toBe(first.jobId);
    expect((await claim()).body.job.jobId).toBe(second.jobId);
  });
});

describe('keeping the lease', () => {
  it('an update records progress and extends the lease', async () => {
    const { videoId } = await videoWithJob();
    const { job } = (await claim()).body;
    const res = await report('heartbeat', job.jobId, {
      leaseToken: job.leaseToken,
      progress: 42.5,
      speed: 1.8,
      stage: 'transcoding',
    });
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.leaseExpiresAt)).toBeGreaterThanOrEqual(Date.parse(job.leaseExpiresAt));
    const video = await call('videos.get', { params: { id: videoId } });
    expect(video.body.transcode).toMatchObject({ progress: 42.5, speed: 1.8, stage: 'transcoding' });
  });

  it('answers 409 to a lease token that is not the current one, and 404 to an unknown job', async () => {
    await videoWithJob();
    const { job } = (await claim()).body;
    const stale = await report('heartbeat', job.jobId, { leaseToken: 'not-the-token', progress: 1 });
    expect(stale.status).toBe(409);
    expect(stale.problem?.code).toBe('conflict');
    const wrong = 'not-the-token';
    expect((await report('complete', job.jobId, completeBody(wrong))).status).toBe(409);
    expect(
      (await report('fail', job.jobId, { leaseToken: wrong, reason: 'x', retryable: true })).status,
    ).toBe(409);
    expect((await report('abort', job.jobId, { leaseToken: wrong, reason: 'x' })).status).toBe(409);
    expect((await jobRow(job.jobId))!.state).toBe('processing');
    expect((await report('heartbeat', 'job_nope', { leaseToken: job.leaseToken, progress: 1 })).status).toBe(
      404,
    );
  });
});

describe('a runner that stops reporting', () => {
  it('loses the job once its lease expires: another runner reclaims it and the old token gets 409', async () => {
    const { videoId, jobId } = await videoWithJob();
    const first = (await claim('runner-dies')).body.job;
    expect((await claim('runner-b')).status).toBe(204);

    const reclaimed = await claimJob(testEnv, await runnerRef('runner-b'), secondsFromNow(61));
    expect(reclaimed.kind).toBe('job');
    if (reclaimed.kind !== 'job') return;
    expect(reclaimed.job.id).toBe(jobId);
    expect(reclaimed.leaseToken).not.toBe(first.leaseToken);

    const late = await report(
      'heartbeat',
      jobId,
      { leaseToken: first.leaseToken, progress: 90 },
      'runner-dies',
    );
    expect(late.status).toBe(409);
    const [dies, b] = [await runner('runner-dies'), await runner('runner-b')];
    expect(await claimsOf(jobId)).toEqual([
      expect.objectContaining({ runner_id: dies.id, outcome: 'lease_expired' }),
      expect.objectContaining({ runner_id: b.id, outcome: 'running' }),
    ]);
    const video = await call('videos.get', { params: { id: videoId } });
    expect(video.body.transcode).toMatchObject({ state: 'processing', runnerId: b.id, attempt: 2 });
  });

  it('cannot extend a lease that already expired, even before anyone reclaimed it', async () => {
    await videoWithJob();
    const { job } = (await claim()).body;
    await expect(
      heartbeatJob(
        testEnv,
        { runner: await runnerRef(), jobId: job.jobId, leaseToken: job.leaseToken },
        { progress: 5 },
        secondsFromNow(61),
      ),
    ).rejects.toMatchObject({ status: 409 });
  });
});

describe('giving a job back', () => {
  it('abort makes it claimable at once, without spending an attempt', async () => {
    const { jobId } = await videoWithJob();
    const { job } = (await claim('runner-a')).body;
    const res = await report('abort', jobId, { leaseToken: job.leaseToken, reason: 'shutting down' });
    expect(res.status).toBe(204);
    const again = await claim('runner-b');
    expect(again.body.job).toMatchObject({ jobId, attempt: 1 });
    expect((await jobRow(jobId))!.failures).toBe(0);
    expect((await claimsOf(jobId)).map((c) => c.outcome)).toEqual(['aborted', 'running']);
  });
});

describe('draining a runner', () => {
  it('a drained runner claims nothing until it is let back', async () => {
    await videoWithJob();
    const { id: runnerId } = await runner('runner-maint');
    const drained = await call('videos.runnerDrain', { params: { runnerId } });
    expect(drained.status).toBe(200);
    expect(drained.body.drained).toBe(true);
    expect((await claim('runner-maint')).status).toBe(204);
    expect((await call('videos.runnerUndrain', { params: { runnerId } })).status).toBe(200);
    expect((await claim('runner-maint')).status).toBe(200);
    const fleet = await call('videos.runners');
    const entry = fleet.body.find((r: { runnerId: string }) => r.runnerId === runnerId);
    expect(entry).toMatchObject({
      name: 'runner-maint',
      drained: false,
      runningJobs: [expect.stringMatching(/^job_/)],
    });
    expect((await call('videos.runnerDrain', { params: { runnerId: 'rnr_unknown' } })).status).toBe(404);
  });
});
