import { beforeEach, describe, expect, it } from 'vitest';
import { claimJob } from '../src/jobs.ts';
import { claim, claimsOf, clearJobQueue, jobRow, report, runnerRef, videoWithJob } from './support/runner.ts';
import { call, outbox, testEnv, uploadMaster } from './support/service.ts';

/** JOB_RETRY_BASE_SECONDS is 10 in vitest.config.ts: retries wait 10 s, then 20 s, … */
const later = (s: number) => new Date(Date.now() + s * 1000);

async function claimAt(at: Date, name = 'runner-a') {
  const c = await claimJob(testEnv, await runnerRef(name), at);
  if (c.kind !== 'job') throw new Error(`expected a job, got ${c.kind}`);
  return c;
}

async function failAt(at: Date, retryable = true, reason = 'ffmpeg crashed (signal 9)') {
  const c = await claimAt(at);
  const res = await report('fail', c.job.id, { leaseToken: c.leaseToken, reason, retryable });
  expect(res.status).toBe(204);
  return c.job.id;
}

beforeEach(clearJobQueue);

describe('a retryable error', () => {
  it('puts the job back with back-off: not claimable before notBefore, claimable after', async () => {
    const { videoId, jobId } = await videoWithJob();
    const { job } = (await claim()).body;
    const res = await report('fail', jobId, {
      leaseToken: job.leaseToken,
      reason: 'network blip',
      retryable: true,
    });
    expect(res.status).toBe(204);
    const row = await jobRow(jobId);
    expect(row).toMatchObject({ state: 'pending', failures: 1, last_error: 'network blip' });
    expect(row!.not_before - Date.now()).toBeGreaterThan(8_000);
    expect((await claim()).status).toBe(204);
    const retried = await claimAt(later(11));
    expect(retried.job.id).toBe(jobId);
    const video = await call('videos.get', { params: { id: videoId } });
    expect(video.body.status).toBe('processing');
    expect(video.body.transcode.attempt).toBe(2);
  });

  it('dead-letters the job after the last attempt: video failed with the reason, VideoTranscodeFailed', async () => {
    const { videoId, jobId } = await videoWithJob();
    await failAt(later(0));
    await failAt(later(11));
    expect((await jobRow(jobId))!.state).toBe('pending');
    await failAt(later(11 + 21), true, 'ffmpeg crashed again');
    const row = await jobRow(jobId);
    expect(row).toMatchObject({ state: 'failed', failures: 3, last_error: 'ffmpeg crashed again' });
    expect((await claimJob(testEnv, await runnerRef(), later(3600))).kind).toBe('none');

    const video = await call('videos.get', { params: { id: videoId } });
    expect(video.body).toMatchObject({ status: 'failed', failureReason: 'ffmpeg crashed again' });
    expect(video.body.transcode).toMatchObject({ state: 'failed', attempt: 3, maxAttempts: 3 });
    const [event] = await outbox('VideoTranscodeFailed', videoId);
    expect(event!.envelope.data).toEqual({ videoId, jobId, reason: 'ffmpeg crashed again', attempts: 3 });
    expect((await claimsOf(jobId)).map((c) => c.outcome)).toEqual(['failed', 'failed', 'failed']);

    const failed = await call('videos.list', { query: { page: 1, limit: 100, filter: 'status:failed' } });
    expect(failed.body.map((v: { videoId: string }) => v.videoId)).toContain(videoId);
  });
});

describe('a final error', () => {
  it('fails the job at once, whatever attempts are left', async () => {
    const { videoId, jobId } = await videoWithJob();
    await failAt(later(0), false, 'The input has no video stream.');
    expect(await jobRow(jobId)).toMatchObject({ state: 'failed', failures: 1 });
    const video = await call('videos.get', { params: { id: videoId } });
    expect(video.body).toMatchObject({ status: 'failed', failureReason: 'The input has no video stream.' });
    expect((await outbox('VideoTranscodeFailed', videoId)).length).toBe(1);
  });
});

describe('lost leases', () => {
  it('count as failed attempts, so a job that kills every runner ends dead-lettered', async () => {
    const { videoId, jobId } = await videoWithJob();
    await claimAt(later(0), 'r1');
    await claimAt(later(61), 'r2');
    await claimAt(later(122), 'r3');
    expect((await claimJob(testEnv, await runnerRef('r4'), later(183))).kind).toBe('none');
    expect(await jobRow(jobId)).toMatchObject({ state: 'failed', failures: 3 });
    expect((await claimsOf(jobId)).map((c) => c.outcome)).toEqual([
      'lease_expired',
      'lease_expired',
      'lease_expired',
    ]);
    const video = await call('videos.get', { params: { id: videoId } });
    expect(video.body.status).toBe('failed');
    expect(video.body.failureReason).toMatch(/lease expired/);
  });
});

describe('an admin retry', () => {
  it('queues a dead-lettered job again with fresh attempts (202)', async () => {
    const { videoId, jobId } = await videoWithJob();
    await failAt(later(0), false, 'broken');
    const res = await call('videos.transcode', { params: { id: videoId } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ jobId, state: 'pending', attempt: 1, lastError: null });
    const video = await call('videos.get', { params: { id: videoId } });
    expect(video.body).toMatchObject({ status: 'uploaded', failureReason: null });
    expect((await claim()).body.job).toMatchObject({ jobId, attempt: 1 });
    const retry = (await call('videos.audit', { params: { id: videoId }, query: {} })).body[0];
    expect(retry).toMatchObject({ action: 'video.transcode_retry', before: { status: 'failed' } });
  });

  it('is refused while a job runs, before any master, and after success', async () => {
    const { videoId } = await videoWithJob();
    expect((await call('videos.transcode', { params: { id: videoId } })).status).toBe(409);
    const bare = await call('videos.create', { body: { title: 'No master' } });
    const noMaster = await call('videos.transcode', { params: { id: bare.body.videoId } });
    expect(noMaster.status).toBe(409);
    expect(noMaster.problem?.detail).toMatch(/no master/);
    expect((await call('videos.transcode', { params: { id: 'vid_missing' } })).status).toBe(404);
  });
});

describe('a new master', () => {
  it('cancels the job of the old one: its runner gets 409 and a new job is queued', async () => {
    const { videoId, jobId } = await videoWithJob();
    const { job } = (await claim()).body;
    const second = await uploadMaster(videoId, 'the better cut');
    expect(second.result.outcome).toBe('accepted');
    expect(await jobRow(jobId)).toMatchObject({ state: 'cancelled' });
    expect((await report('heartbeat', jobId, { leaseToken: job.leaseToken, progress: 50 })).status).toBe(409);
    expect((await claimsOf(jobId)).map((c) => c.outcome)).toEqual(['cancelled']);
  });
});
