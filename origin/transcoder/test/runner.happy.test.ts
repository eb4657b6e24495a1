import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runner } from '../src/runner.ts';
import { makeClip } from './support/clips.ts';
import { type FakeVideosApi, startFakeVideosApi } from './support/fake-videos-api.ts';
import { startRunner } from './support/runner.ts';

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

describe('runner: claim → heartbeat → upload → complete', () => {
  it('runs a job end to end through the protocol and storage', async () => {
    const job = api.enqueue({
      masterPath: makeClip({ width: 640, height: 360, seconds: 4 }),
      heartbeatSeconds: 1,
    });
    const started = startRunner(api.url);
    runner = started.runner;

    await api.waitFor('success', () => api.callsOf('complete').length === 1);
    const forJob = api.calls.filter((c) => c.jobId === job.jobId);
    // The runner names nothing in the body: the service knows it by its token alone.
    expect(forJob[0]).toMatchObject({ kind: 'claim', body: { maxJobs: 1 }, status: 200 });
    expect(forJob.at(-1)?.kind).toBe('complete');
    expect(api.callsOf('fail')).toEqual([]);
    expect(api.callsOf('abort')).toEqual([]);

    const heartbeats = api.callsOf('heartbeat');
    expect(heartbeats.every((u) => u.status === 200 && u.body.leaseToken === job.leaseToken)).toBe(true);
    const progress = heartbeats.map((u) => u.body.progress as number);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const stages = [...new Set(heartbeats.map((u) => u.body.stage).filter(Boolean))];
    expect(stages).toEqual(['downloading', 'probing', 'transcoding', 'thumbnails', 'uploading']);

    const success = api.callsOf('complete')[0]?.body;
    expect(success).toMatchObject({
      leaseToken: job.leaseToken,
      masterPlaylist: 'master.m3u8',
      thumbnails: { poster: 'poster.jpg', storyboard: { sprite: 'storyboard.jpg', vtt: 'storyboard.vtt' } },
      source: { width: 640, height: 360, codec: 'h264', hasAudio: true },
    });
    expect(success?.durationSec).toBeCloseTo(4, 1);
    const renditions = success?.renditions as {
      name: string;
      playlist: string;
      segments: number;
      bytes: number;
    }[];
    expect(renditions.map((r) => r.name)).toEqual(['360p', '240p']);

    // Everything the success names is in storage, with the right types, and the master went last.
    const stored = (path: string) => api.stored.get(`${job.jobId}/${path}`);
    for (const r of renditions) {
      expect(stored(r.playlist)?.contentType).toBe('application/vnd.apple.mpegurl');
      expect(stored(`${r.name}/init.mp4`)?.contentType).toBe('video/mp4');
      for (let n = 1; n <= r.segments; n++) {
        expect(stored(`${r.name}/seg_${String(n).padStart(5, '0')}.m4s`)?.contentType).toBe(
          'video/iso.segment',
        );
      }
    }
    expect(stored('poster.jpg')?.contentType).toBe('image/jpeg');
    expect(stored('storyboard.jpg')?.contentType).toBe('image/jpeg');
    expect(stored('storyboard.vtt')?.contentType).toBe('text/vtt');
    expect(stored('master.m3u8')?.body.toString()).toContain('360p/index.m3u8');
    expect(stored('master.m3u8')?.order).toBe(api.stored.size - 1);

    await api.waitFor('outcome', () => started.runner.status().outcomes.succeeded === 1);
    expect(readdirSync(started.config.workDir)).toEqual([]);
    const claimed = started.log.lines.find((l) => l.msg === 'job claimed');
    expect(claimed).toMatchObject({ level: 'info', jobId: job.jobId, videoId: job.videoId });
  });

  it('resumes the master download with a Range request after a dropped connection', async () => {
    const job = api.enqueue({ masterPath: makeClip({ width: 640, height: 360, seconds: 4 }) });
    api.knobs.dropMasterAfterBytes = 100_000;
    runner = startRunner(api.url).runner;

    await api.waitFor('success', () => api.callsOf('complete').length === 1);
    expect(api.masterRequests).toHaveLength(2);
    expect(api.masterRequests[0]).toMatchObject({ jobId: job.jobId, range: undefined, status: 200 });
    const resumedAt = Number(api.masterRequests[1]?.range?.match(/^bytes=(\d+)-$/)?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(100_000);
    expect(api.masterRequests[1]?.status).toBe(206);
    expect(api.callsOf('complete')[0]?.body.durationSec).toBeCloseTo(4, 1);
  });

  it('uploads encrypted segments and playlists naming the key, never the key itself', async () => {
    const encryption = {
      method: 'AES-128' as const,
      keyId: 'ck_runner',
      keyHex: '8899aabbccddeeff0011223344556677',
      ivHex: '0123456789abcdef0123456789abcdef',
      keyUri: '../ck_runner.key',
    };
    const job = api.enqueue({ masterPath: makeClip({ width: 640, height: 360, seconds: 4 }), encryption });
    const started = startRunner(api.url);
    runner = started.runner;
    await api.waitFor('success', () => api.callsOf('complete').length === 1);

    const mine = [...api.stored.entries()].filter(([path]) => path.startsWith(`${job.jobId}/`));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.filter(([path]) => path.endsWith('.key'))).toEqual([]);
    const key = Buffer.from(encryption.keyHex, 'hex');
    for (const [path, { body }] of mine) {
      expect(body.includes(key), path).toBe(false);
      expect(body.toString('latin1'), path).not.toContain(encryption.keyHex);
    }
    for (const name of ['360p', '240p']) {
      const playlist = api.stored.get(`${job.jobId}/${name}/index.m3u8`)?.body.toString();
      expect(playlist).toContain(
        '#EXT-X-KEY:METHOD=AES-128,URI="../ck_runner.key",IV=0x0123456789abcdef0123456789abcdef',
      );
      const segment = api.stored.get(`${job.jobId}/${name}/seg_00001.m4s`)?.body;
      expect(segment?.subarray(4, 8).toString('latin1')).not.toMatch(/styp|moof/);
    }
    expect(JSON.stringify(started.log.lines)).not.toContain(encryption.keyHex);
    expect(started.log.lines.find((l) => l.msg === 'transcoding')).toMatchObject({ encrypted: true });
  });

  it('works CONCURRENCY jobs at once', async () => {
    const clip = makeClip({ width: 640, height: 360, seconds: 4 });
    api.enqueue({ masterPath: clip });
    api.enqueue({ masterPath: clip });
    runner = startRunner(api.url, { concurrency: 2 }).runner;

    await api.waitFor('two successes', () => api.callsOf('complete').length === 2);
    const claims = api.callsOf('claim').filter((c) => c.status === 200);
    const firstSuccess = api.callsOf('complete')[0];
    expect(claims).toHaveLength(2);
    expect(claims.every((c) => c.at <= (firstSuccess?.at ?? 0))).toBe(true);
  });
});
