import { afterAll, describe, expect, it } from 'vitest';
import { api } from './support/http.ts';
import {
  adminToken,
  createVideo,
  jobsOf,
  putFile,
  requestUpload,
  waitForVideo,
} from './support/videos-api.ts';
import { makeClip, workDir } from './support/videos-clips.ts';
import { runnerIdNamed, startRunner, stopRunner, type TestRunner } from './support/videos-runner.ts';

const started: TestRunner[] = [];
const drained: string[] = [];

afterAll(async () => {
  for (const r of started) await stopRunner(r, 'SIGKILL');
  const token = await adminToken();
  for (const id of drained) await api('DELETE', `/runners/${encodeURIComponent(id)}/drain`, { token });
});

/** Only this test's runners may claim: drain every other runner registered so far. */
async function drainOthers() {
  const token = await adminToken();
  const fleet = await api('GET', '/runners', { token });
  expect(fleet.status).toBe(200);
  for (const r of fleet.body as { runnerId: string; drained: boolean; revoked: boolean }[]) {
    if (r.drained || r.revoked) continue;
    expect((await api('PUT', `/runners/${encodeURIComponent(r.runnerId)}/drain`, { token })).status).toBe(
      200,
    );
    drained.push(r.runnerId);
  }
}

describe('a runner killed mid-job', () => {
  it('loses the job when its lease expires; a restarted runner reclaims and finishes it', async () => {
    const suffix = crypto.randomUUID().slice(0, 6);
    const [first, second] = [`crash-a-${suffix}`, `crash-b-${suffix}`];
    await drainOthers();
    const clip = await makeClip(await workDir(), 30, 1280, 720);
    const { videoId } = await createVideo({ title: 'Survives a crash' });

    const doomed = await startRunner(first);
    started.push(doomed);
    const firstId = await runnerIdNamed(first);
    expect((await putFile(await requestUpload(videoId, clip, 'video/mp4'), clip)).status).toBe(200);
    const running = await waitForVideo(
      videoId,
      (v) =>
        v.transcode?.state === 'processing' && v.transcode.runnerId === firstId && v.transcode.progress > 0,
      60_000,
      200,
    );
    const lease = Date.parse(running.transcode.leaseExpiresAt) - Date.now();
    doomed.process.kill('SIGKILL');
    await doomed.exited;

    const successor = await startRunner(second);
    started.push(successor);
    const secondId = await runnerIdNamed(second);
    const video = await waitForVideo(
      videoId,
      (v) => v.status === 'ready' || v.status === 'failed',
      lease + 150_000,
    );
    expect(video.status, video.failureReason).toBe('ready');

    const [job] = await jobsOf(videoId);
    expect(job.state).toBe('completed');
    expect(job.claims).toEqual([
      expect.objectContaining({ runnerId: firstId, outcome: 'lease_expired' }),
      expect.objectContaining({ runnerId: secondId, outcome: 'succeeded' }),
    ]);
    await stopRunner(successor);
  }, 300_000);
});
