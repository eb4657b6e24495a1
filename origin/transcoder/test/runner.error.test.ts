import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LADDER } from '../../../workers/lib/runner-protocol.ts';
import type { Runner } from '../src/runner.ts';
import { makeClip } from './support/clips.ts';
import { type FakeVideosApi, startFakeVideosApi } from './support/fake-videos-api.ts';
import { startRunner } from './support/runner.ts';
import { tempDir } from './support/temp.ts';

let api: FakeVideosApi;
let runner: Runner | undefined;

beforeEach(async () => {
  api = await startFakeVideosApi();
});
afterEach(async () => {
  await runner?.shutdown(0);
  runner = undefined;
  await api.close();
});

/** ffmpeg processes whose parent is this test worker. */
function ffmpegChildren(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const [, comm, rest] = readFileSync(`/proc/${pid}/stat`, 'utf8').match(/^\d+ \((.*)\) (.*)$/) ?? [];
        return comm === 'ffmpeg' && Number(rest?.split(' ')[1]) === process.pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('runner failures', () => {
  it('a 409 on a heartbeat means the lease is lost: ffmpeg is killed and the job dropped without a word', async () => {
    // Full ladder at preset "medium" on 10 s of 720p: many seconds of encoding if left to run.
    const job = api.enqueue({
      masterPath: makeClip({ width: 1280, height: 720, seconds: 10 }),
      ladder: DEFAULT_LADDER,
      heartbeatSeconds: 1,
    });
    let lostAt = 0;
    api.knobs.heartbeatStatus = (body) => {
      // Only once ffmpeg has reported progress, so the lease is lost mid-encode.
      if (body.stage !== 'transcoding' || body.progress <= 5) return 200;
      lostAt ||= Date.now();
      return 409;
    };
    const started = startRunner(api.url, { x264Preset: 'medium' });
    runner = started.runner;

    await api.waitFor('the job to be dropped', () => started.runner.status().outcomes['lease-lost'] === 1);
    expect(Date.now() - lostAt).toBeLessThan(3_000);
    expect(ffmpegChildren()).toEqual([]);
    expect(api.calls.filter((c) => c.jobId === job.jobId).map((c) => c.kind)).not.toContain('complete');
    expect(api.callsOf('fail')).toEqual([]);
    expect(api.callsOf('abort')).toEqual([]);
    expect(api.stored.size).toBe(0);
    expect(readdirSync(started.config.workDir)).toEqual([]);
    expect(started.log.lines.some((l) => l.msg === 'lease lost; dropping job' && l.jobId === job.jobId)).toBe(
      true,
    );
  });

  it('an upload that is not a video fails the job as non-retryable with the reason', async () => {
    const masterPath = join(tempDir('upload'), 'upload');
    writeFileSync(masterPath, 'definitely not a video\n'.repeat(100));
    const job = api.enqueue({ masterPath });
    runner = startRunner(api.url).runner;

    await api.waitFor('error', () => api.callsOf('fail').length === 1);
    expect(api.callsOf('fail')[0]).toMatchObject({
      jobId: job.jobId,
      body: {
        leaseToken: job.leaseToken,
        retryable: false,
        reason: 'The upload is not a video file (ffprobe: Invalid data found when processing input)',
      },
    });
    expect(api.callsOf('complete')).toEqual([]);
    expect(api.stored.size).toBe(0);
  });

  it('a video over the job limits fails non-retryably before any encoding', async () => {
    api.enqueue({
      masterPath: makeClip({ width: 640, height: 360, seconds: 4 }),
      limits: { maxDurationSec: 3 },
    });
    runner = startRunner(api.url).runner;

    await api.waitFor('error', () => api.callsOf('fail').length === 1);
    expect(api.callsOf('fail')[0]?.body).toMatchObject({
      retryable: false,
      reason: 'The video is 4 s long; the limit is 3 s',
    });
    expect(api.callsOf('heartbeat').map((u) => u.body.stage)).not.toContain('transcoding');
  });

  it('retries uploads that storage answers with 503', async () => {
    const job = api.enqueue({ masterPath: makeClip({ width: 640, height: 360, seconds: 4 }) });
    api.knobs.failPuts = 3;
    const started = startRunner(api.url);
    runner = started.runner;

    await api.waitFor('success', () => api.callsOf('complete').length === 1);
    expect(api.knobs.failPuts).toBe(0);
    expect(api.stored.has(`${job.jobId}/master.m3u8`)).toBe(true);
    expect(started.log.lines.filter((l) => l.msg === 'upload failed; retrying')).toHaveLength(3);
  });

  it('a refused runner token is logged as an error and polling backs off', async () => {
    const started = startRunner(api.url, { runnerToken: 'wrong-token' });
    runner = started.runner;

    await api.waitFor(
      'two refusals',
      () => started.log.lines.filter((l) => l.msg === 'runner token refused; backing off').length >= 2,
    );
    expect(started.log.lines.find((l) => l.msg === 'runner token refused; backing off')).toMatchObject({
      level: 'error',
    });
    expect(api.callsOf('claim')).toEqual([]);
  });

  it('backs off while the API is unreachable, then picks work up again', async () => {
    api.knobs.down = true;
    const started = startRunner(api.url, { pollIntervalMs: 100 });
    runner = started.runner;

    await api.waitFor(
      'three failed polls',
      () => started.log.lines.filter((l) => l.msg === 'cannot claim jobs; backing off').length >= 3,
    );
    const backoffs = started.log.lines.filter((l) => l.msg === 'cannot claim jobs; backing off');
    expect(backoffs.map((l) => l.failures)).toEqual([1, 2, 3, ...backoffs.slice(3).map((l) => l.failures)]);
    // Equal jitter: attempt n waits between half and all of 100 ms × 2^(n-1).
    expect(backoffs[2]?.retryInMs).toBeGreaterThanOrEqual(200);
    expect(started.runner.status().apiReachable).toBe(false);

    api.knobs.down = false;
    api.enqueue({ masterPath: makeClip({ width: 640, height: 360, seconds: 4 }) });
    await api.waitFor('success', () => api.callsOf('complete').length === 1);
    expect(started.runner.status().apiReachable).toBe(true);
  });
});
