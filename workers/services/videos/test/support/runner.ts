/** A transcoder runner's side of the protocol, driven by hand: claims, reports, and the outputs it writes. */
import { expect } from 'vitest';
import { call, createVideo, deliverEvents, RUNNER_TOKEN, testEnv, uploadMaster } from './service.ts';

export const runnerAuth = { authorization: `Bearer ${RUNNER_TOKEN}` };

export async function claim(runnerId = 'runner-a') {
  return call('videos.runner.claim', { body: { runnerId, maxJobs: 1 }, headers: runnerAuth });
}

export type JobOperation = 'heartbeat' | 'complete' | 'fail' | 'abort';

export async function report(operation: JobOperation, jobId: string, body: Record<string, unknown>) {
  return call(`videos.runner.${operation}`, { params: { jobId }, body, headers: runnerAuth });
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
      bytes: 123_456,
    })),
    thumbnails: { poster: 'poster.jpg', storyboard: { sprite: 'storyboard.jpg', vtt: 'storyboard.vtt' } },
    source: { width: 1280, height: 720, codec: 'h264', frameRate: 30, hasAudio: true },
    elapsedMs: 4200,
    ...overrides,
  };
}
