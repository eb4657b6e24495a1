import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Job } from '../../../lib/runner-protocol.ts';
import type { Env } from '../src/config.ts';
import { clearJobQueue, runner, videoWithJob } from './support/runner.ts';
import { callWith, testEnv } from './support/service.ts';

beforeEach(clearJobQueue);
afterEach(() => vi.restoreAllMocks());

const KEY = {
  keyId: 'ck_testkey1',
  keyHex: '00112233445566778899aabbccddeeff',
  ivHex: 'ffeeddccbbaa99887766554433221100',
};

/** The videos Worker on an env whose PLAYBACK binding is `playback` (or absent). */
async function claimWith(playback: unknown, vars: Record<string, string> = {}) {
  const workerEnv = { ...testEnv, ...vars } as Record<string, unknown>;
  if (playback === undefined) delete workerEnv.PLAYBACK;
  else workerEnv.PLAYBACK = playback;
  return callWith(workerEnv as unknown as Env, 'videos.runner.claim', {
    body: { maxJobs: 1 },
    headers: (await runner()).auth,
  });
}

describe('the job carries the video content key', () => {
  it('asks playback for the key of the claimed video and hands it to the runner', async () => {
    const { videoId } = await videoWithJob();
    const asked: string[] = [];
    const playback = {
      contentKeyForJob: async (id: string) => {
        asked.push(id);
        return KEY;
      },
    };
    const res = await claimWith(playback);
    expect(res.status).toBe(200);
    expect(asked).toEqual([videoId]);
    const job = Job.parse(res.body.job);
    expect(job.encryption).toEqual({ method: 'AES-128', ...KEY, keyUri: '../ck_testkey1.key' });
  });

  it('sends the job unencrypted, with a warning and no key in the log, when playback fails', async () => {
    const { videoId } = await videoWithJob();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const res = await claimWith({
      contentKeyForJob: async () => {
        throw new Error('playback is down');
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.job.videoId).toBe(videoId);
    expect(res.body.job.encryption).toBeUndefined();
    const logged = warn.mock.calls.map((c) => String(c[0])).join('\n');
    expect(logged).toContain('unencrypted');
    expect(logged).toContain(videoId);
  });

  it('sends the job unencrypted when the PLAYBACK binding is absent', async () => {
    await videoWithJob();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const res = await claimWith(undefined);
    expect(res.status).toBe(200);
    expect(res.body.job.encryption).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('no PLAYBACK binding'));
  });

  it('sends jobs in clear without asking playback when CONTENT_ENCRYPTION is off', async () => {
    await videoWithJob();
    const asked: string[] = [];
    const res = await claimWith(
      {
        contentKeyForJob: async (id: string) => {
          asked.push(id);
          return KEY;
        },
      },
      { CONTENT_ENCRYPTION: 'off' },
    );
    expect(res.status).toBe(200);
    expect(res.body.job.encryption).toBeUndefined();
    expect(asked).toEqual([]);
  });
});
