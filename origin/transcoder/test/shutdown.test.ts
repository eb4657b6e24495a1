import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LADDER } from '../../../workers/lib/runner-protocol.ts';
import { makeClip } from './support/clips.ts';
import { type FakeVideosApi, RUNNER_TOKEN, startFakeVideosApi } from './support/fake-videos-api.ts';
import { startRunner } from './support/runner.ts';
import { tempDir } from './support/temp.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

let api: FakeVideosApi;
beforeEach(async () => {
  api = await startFakeVideosApi();
});
afterEach(async () => {
  await api.close();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Many seconds of encoding, so a job is reliably still running when the test intervenes. */
const longJob = () => ({
  masterPath: makeClip({ width: 1280, height: 720, seconds: 10 }),
  ladder: DEFAULT_LADDER,
  heartbeatSeconds: 1,
});
const encoding = () =>
  api.callsOf('heartbeat').some((u) => u.body.stage === 'transcoding' && (u.body.progress as number) > 5);

describe('shutdown', () => {
  it('on SIGTERM the process stops claiming, releases the running job after the grace period, and exits 0', async () => {
    const job = api.enqueue(longJob());
    const healthPort = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        API_URL: api.url,
        RUNNER_TOKEN,
        RUNNER_NAME: 'sigterm-runner',
        POLL_INTERVAL_MS: '100',
        WORK_DIR: tempDir('sigterm-work'),
        X264_PRESET: 'medium',
        HEALTH_PORT: String(healthPort),
        SHUTDOWN_GRACE_MS: '300',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = exitOf(child);

    await api.waitFor('encoding to start', encoding);
    const health = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      state: 'running',
      runnerName: 'sigterm-runner',
      activeJobs: [{ jobId: job.jobId }],
    });

    const claimsBefore = api.callsOf('claim').length;
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    expect(api.callsOf('abort')).toEqual([
      expect.objectContaining({
        jobId: job.jobId,
        body: { leaseToken: job.leaseToken, reason: 'runner shutting down' },
      }),
    ]);
    expect(api.callsOf('complete')).toEqual([]);
    expect(api.callsOf('fail')).toEqual([]);
    expect(api.callsOf('claim')).toHaveLength(claimsBefore);

    // Every line is one JSON object an operator's log pipeline can index.
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(
      lines.every(
        (l) => typeof l.level === 'string' && typeof l.msg === 'string' && typeof l.time === 'string',
      ),
    ).toBe(true);
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'runner started',
        'stop requested',
        'grace period over; releasing jobs',
        'runner stopped',
      ]),
    );
    expect(lines.find((l) => l.msg === 'job claimed')).toMatchObject({
      jobId: job.jobId,
      videoId: job.videoId,
      runnerName: 'sigterm-runner',
    });
  });

  it('a job that finishes within the grace period completes normally and nothing new is claimed', async () => {
    const job = api.enqueue({
      masterPath: makeClip({ width: 640, height: 360, seconds: 4 }),
      heartbeatSeconds: 1,
    });
    api.enqueue({ masterPath: makeClip({ width: 640, height: 360, seconds: 4 }) });
    const { runner } = startRunner(api.url);

    await api.waitFor('the first job to be claimed', () =>
      api.callsOf('claim').some((c) => c.jobId === job.jobId),
    );
    await runner.shutdown(60_000);

    expect(api.callsOf('complete').map((c) => c.jobId)).toEqual([job.jobId]);
    expect(api.callsOf('abort')).toEqual([]);
    expect(api.callsOf('claim').filter((c) => c.status === 200)).toHaveLength(1);
    expect(runner.status().state).toBe('stopped');
  });
});
