import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idleDelayMs, type Runner } from '../src/runner.ts';
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

const claimTimes = () => api.callsOf('claim').map((c) => c.at);
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('idle polling', () => {
  it('waits twice as long after each empty claim, up to the ceiling', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => idleDelayMs(n, 1000, 15_000))).toEqual([
      1000, 2000, 4000, 8000, 15_000, 15_000, 15_000,
    ]);
  });

  it('backs off while there is nothing to do, and says it is idle once, not at every poll', async () => {
    const started = startRunner(api.url, { pollIntervalMs: 40, pollMaxIntervalMs: 320 });
    runner = started.runner;
    await api.waitFor('seven empty claims', () => api.callsOf('claim').length >= 7, 10_000);
    const waits = gaps(claimTimes());
    // 40, 80, 160, 320, 320, 320 ms, give or take the machine's load.
    expect(waits[0]).toBeLessThan(160);
    expect(waits[3]).toBeGreaterThanOrEqual(300);
    expect(Math.max(...waits)).toBeLessThan(320 + 250);
    expect(started.log.lines.filter((l) => String(l.msg).startsWith('idle'))).toHaveLength(1);
  });

  it('starts again from the shortest wait once work came, and logs the change', async () => {
    const started = startRunner(api.url, { pollIntervalMs: 40, pollMaxIntervalMs: 320 });
    runner = started.runner;
    await api.waitFor('the ceiling', () => api.callsOf('claim').length >= 6, 10_000);
    const job = api.enqueue({ masterPath: makeClip({ width: 640, height: 360, seconds: 2 }) });
    await api.waitFor('success', () => api.callsOf('complete').length === 1, 60_000);
    const after = api.callsOf('complete')[0]!.at;
    await api.waitFor('two claims after the job', () => claimTimes().filter((t) => t > after).length >= 2);
    const [first, second] = claimTimes().filter((t) => t > after);
    // The freed slot claims at once, and the next empty claim waits the shortest time again.
    expect(first! - after).toBeLessThan(150);
    expect(second! - first!).toBeLessThan(160);
    const states = started.log.lines.filter((l) => String(l.msg).startsWith('idle') || l.msg === 'working');
    expect(states.map((l) => String(l.msg).split(';')[0])).toEqual(['idle', 'working', 'idle']);
    expect(started.log.lines.find((l) => l.msg === 'job claimed')).toMatchObject({ jobId: job.jobId });
  });
});
