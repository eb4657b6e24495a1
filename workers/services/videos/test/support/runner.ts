/**
 * A transcoder runner's side of the protocol, driven by hand: registration, claims, reports, and
 * the outputs it writes. Runners are registered by name on first use, as a runner does at start-up.
 */
import { expect } from 'vitest';
import type { RunnerRow } from '../../src/runner-access.ts';
import { call, createVideo, deliverEvents, testEnv, uploadMaster } from './service.ts';

export interface TestRunner {
  id: string;
  name: string;
  token: string;
  auth: { authorization: string };
}

/** A registration token, as an admin creates it. */
export async function registrationToken(options: Record<string, unknown> = {}): Promise<string> {
  const res = await call('videos.createRunnerRegistrationToken', { body: options });
  expect(res.status).toBe(201);
  return res.body.registrationToken as string;
}

export async function registerRunner(name: string, token?: string): Promise<TestRunner> {
  const res = await call('videos.runner.register', {
    body: { registrationToken: token ?? (await registrationToken()), name },
  });
  expect(res.status, JSON.stringify(res.problem)).toBe(201);
  const { runnerId, runnerToken } = res.body as { runnerId: string; runnerToken: string };
  return { id: runnerId, name, token: runnerToken, auth: { authorization: `Bearer ${runnerToken}` } };
}

const known = new Map<string, TestRunner>();

/** The runner registered under `name` in this test file, registering it if need be. */
export async function runner(name = 'runner-a'): Promise<TestRunner> {
  const cached = known.get(name);
  if (cached && (await runnerRow(cached.id))) return cached;
  const fresh = await registerRunner(name);
  known.set(name, fresh);
  return fresh;
}

export async function runnerRow(runnerId: string): Promise<RunnerRow | undefined> {
  const row = await testEnv.DB.prepare('SELECT id, drained_at FROM runners WHERE id = ?')
    .bind(runnerId)
    .first<{ id: string; drained_at: number | null }>();
  return row
    ? ({ id: row.id, drainedAt: row.drained_at ? new Date(row.drained_at) : null } as RunnerRow)
    : undefined;
}

/** The runner as the domain functions take it, fresh from the database. */
export async function runnerRef(name = 'runner-a'): Promise<RunnerRow> {
  return (await runnerRow((await runner(name)).id))!;
}

export async function claim(name = 'runner-a') {
  return call('videos.runner.claim', { body: { maxJobs: 1 }, headers: (await runner(name)).auth });
}

export type JobOperation = 'heartbeat' | 'complete' | 'fail' | 'abort';

export async function report(
  operation: JobOperation,
  jobId: string,
  body: Record<string, unknown>,
  name = 'runner-a',
) {
  return call(`videos.runner.${operation}`, { params: { jobId }, body, headers: (await runner(name)).auth });
}

/** Other tests' leftover jobs would be claimed first (the oldest claimable job wins). */
export async function clearJobQueue() {
  await testEnv.DB.prepare(
    "UPDATE jobs SET state = 'cancelled' WHERE state IN ('pending', 'processing')",
  ).run();
}

/** A video with a stored master and its job created (VideoUploaded delivered). */
export async function videoWithJob(title = 'To transcode') {
  const video = await createVideo({ title });
  const master = await uploadMaster(video.videoId);
  await deliverEvents('VideoUploaded', video.videoId);
  const job = await testEnv.DB.prepare('SELECT * FROM jobs WHERE video_id = ?')
    .bind(video.videoId)
    .first<{ id: string; state: string }>();
  expect(job?.state).toBe('pending');
  return { videoId: video.videoId as string, jobId: job!.id, master };
}

export async function jobRow(jobId: string) {
  return testEnv.DB.prepare('SELECT * FROM jobs WHERE id = ?').bind(jobId).first<{
    id: string;
    state: string;
    failures: number;
    not_before: number;
    last_error: string | null;
    runner_id: string | null;
    lease_expires_at: number | null;
  }>();
}

export async function claimsOf(jobId: string) {
  const { results } = await testEnv.DB.prepare(
    'SELECT runner_id, outcome, reason FROM job_claims WHERE job_id = ? ORDER BY claimed_at, rowid',
  )
    .bind(jobId)
    .all<{ runner_id: string; outcome: string; reason: string | null }>();
  return results;
}

const RENDITIONS = [
  { name: '720p', width: 1280, height: 720, bandwidth: 4_000_000, averageBandwidth: 3_100_000 },
  { name: '360p', width: 640, height: 360, bandwidth: 1_100_000, averageBandwidth: 900_000 },
];

/** Writes what a runner uploads for a two-rendition ladder under the job's output prefix. */
export async function storeOutputs(videoId: string, jobId: string) {
  const prefix = `renditions/${videoId}/${jobId}/`;
  const files: Record<string, string> = {
    'master.m3u8': '#EXTM3U\n',
    'poster.jpg': '\xff\xd8\xff poster',
    'storyboard.jpg': 'sprite',
    'storyboard.vtt': 'WEBVTT\n',
  };
  for (const r of RENDITIONS) {
    files[`${r.name}/index.m3u8`] = '#EXTM3U\n';
    files[`${r.name}/init.mp4`] = 'init';
    files[`${r.name}/seg_00001.m4s`] = 'segment';
  }
  for (const [path, body] of Object.entries(files)) {
    await testEnv.MEDIA.put(prefix + path, body, {
      httpMetadata: { contentType: path.endsWith('.jpg') ? 'image/jpeg' : 'application/octet-stream' },
    });
  }
}

export function completeBody(leaseToken: string, overrides: Record<string, unknown> = {}) {
  return {
    leaseToken,
    durationSec: 6.02,
    masterPlaylist: 'master.m3u8',
    renditions: RENDITIONS.map((r) => ({
      ...r,
      codecs: 'avc1.64001f,mp4a.40.2',
      frameRate: 30,
      playlist: `${r.name}/index.m3u8`,
      segments: 3,
      bytes: Math.round((r.averageBandwidth * 6.02) / 8),
    })),
    thumbnails: { poster: 'poster.jpg', storyboard: { sprite: 'storyboard.jpg', vtt: 'storyboard.vtt' } },
    source: { width: 1280, height: 720, codec: 'h264', frameRate: 30, hasAudio: true },
    elapsedMs: 4200,
    ...overrides,
  };
}
