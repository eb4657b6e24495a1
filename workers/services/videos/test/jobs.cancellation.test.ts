/**
 * A runner's success racing the job's cancellation (a new master, or the video deleted): the
 * success must lose, the job must stay cancelled, and only the cancelled job's own outputs may be
 * purged, never the renditions and poster the video currently shows.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../src/config.ts';
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
import { call, deliverEvents, ORIGIN, testEnv, uploadMaster, waitFor } from './support/service.ts';

beforeEach(clearJobQueue);

/** The bucket, except that `beforePosterCopy` runs (once) as the job's poster is being published. */
function bucketCancellingMidPublish(beforePosterCopy: () => Promise<unknown>): R2Bucket {
  let fired = false;
  return new Proxy(testEnv.MEDIA, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === 'put')
        return async (key: string, ...rest: unknown[]) => {
          if (!fired && key.startsWith('public/posters/')) {
            fired = true;
            await beforePosterCopy();
          }
          return (value as (...a: unknown[]) => unknown).call(target, key, ...rest);
        };
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function keysUnder(prefix: string): Promise<string[]> {
  return (await testEnv.MEDIA.list({ prefix })).objects.map((o) => o.key);
}

/** A ready video (job 1's outputs current) whose second master's job is claimed, outputs stored. */
async function readyVideoTranscodingAgain() {
  const { videoId, jobId: firstJob } = await videoWithJob('Ready, then re-cut');
  const first = (await claim()).body.job;
  await storeOutputs(videoId, firstJob);
  expect((await report('complete', firstJob, completeBody(first.leaseToken))).status).toBe(204);
  await uploadMaster(videoId, 'second cut');
  await deliverEvents('VideoUploaded', videoId);
  const second = (await claim()).body.job;
  expect(second.jobId).not.toBe(firstJob);
  await storeOutputs(videoId, second.jobId);
  return { videoId, firstJob, second };
}

async function settle(pending: Promise<unknown>[]) {
  await Promise.allSettled(pending);
}

describe('a success that arrives after the job was cancelled', () => {
  it('by a new master: 409, the job stays cancelled, the current renditions and poster survive', async () => {
    const { videoId, firstJob, second } = await readyVideoTranscodingAgain();
    const deferred: Promise<unknown>[] = [];
    const env: Env = {
      ...testEnv,
      MEDIA: bucketCancellingMidPublish(() => uploadMaster(videoId, 'third cut')),
    };

    const outcome = completeJob(
      env,
      { runner: await runnerRef(), jobId: second.jobId, leaseToken: second.leaseToken },
      completeBody(second.leaseToken) as never,
      ORIGIN,
      (p) => deferred.push(p),
    );
    await expect(outcome).rejects.toMatchObject({ status: 409 });
    await settle(deferred);

    expect(await jobRow(second.jobId)).toMatchObject({ state: 'cancelled' });
    const video = await call('videos.get', { params: { id: videoId } });
    expect(video.body.thumbnailUrl).toBe(`${ORIGIN}/storage/public/posters/${videoId}/${firstJob}.jpg`);
    expect(await testEnv.MEDIA.head(`public/posters/${videoId}/${firstJob}.jpg`)).not.toBeNull();
    expect(await testEnv.MEDIA.head(`renditions/${videoId}/${firstJob}/master.m3u8`)).not.toBeNull();
    expect(await keysUnder(`renditions/${videoId}/${firstJob}/`)).toHaveLength(10);
    // The cancelled job's own outputs, and only those, are gone.
    expect(await keysUnder(`renditions/${videoId}/${second.jobId}/`)).toEqual([]);
    expect(await testEnv.MEDIA.head(`public/posters/${videoId}/${second.jobId}.jpg`)).toBeNull();
  });

  it('by deleting the video: 409, the job stays cancelled, and its outputs are purged', async () => {
    const { videoId, jobId } = await videoWithJob('Deleted mid-publish');
    const { job } = (await claim()).body;
    await storeOutputs(videoId, jobId);
    const deferred: Promise<unknown>[] = [];
    const env: Env = {
      ...testEnv,
      MEDIA: bucketCancellingMidPublish(() => call('videos.delete', { params: { id: videoId } })),
    };

    const outcome = completeJob(
      env,
      { runner: await runnerRef(), jobId, leaseToken: job.leaseToken },
      completeBody(job.leaseToken) as never,
      ORIGIN,
      (p) => deferred.push(p),
    );
    await expect(outcome).rejects.toMatchObject({ status: 409 });
    await settle(deferred);

    expect(await jobRow(jobId)).toMatchObject({ state: 'cancelled' });
    expect(await keysUnder(`renditions/${videoId}/${jobId}/`)).toEqual([]);
    expect(await testEnv.MEDIA.head(`public/posters/${videoId}/${jobId}.jpg`)).toBeNull();
  });

  it('through the route once cancelled: 409 and the video keeps what it shows', async () => {
    const { videoId, firstJob, second } = await readyVideoTranscodingAgain();
    await uploadMaster(videoId, 'third cut');
    const late = await report('complete', second.jobId, completeBody(second.leaseToken));
    expect(late.status).toBe(409);
    expect(late.problem?.code).toBe('conflict');
    expect(await jobRow(second.jobId)).toMatchObject({ state: 'cancelled' });
    await waitFor(async () => (await keysUnder(`renditions/${videoId}/${second.jobId}/`)).length === 0);
    expect(await keysUnder(`renditions/${videoId}/${firstJob}/`)).toHaveLength(10);
    expect(await testEnv.MEDIA.head(`public/posters/${videoId}/${firstJob}.jpg`)).not.toBeNull();
  });
});
