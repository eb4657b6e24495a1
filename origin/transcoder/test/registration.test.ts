import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeVideosApi, REGISTRATION_TOKEN, startFakeVideosApi } from './support/fake-videos-api.ts';
import { tempDir } from './support/temp.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

let api: FakeVideosApi;
let child: ChildProcess | undefined;
beforeEach(async () => {
  api = await startFakeVideosApi();
});
afterEach(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  child = undefined;
  await api.close();
});

function startMain(env: Record<string, string>) {
  const proc = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      API_URL: api.url,
      POLL_INTERVAL_MS: '100',
      WORK_DIR: tempDir('registration-work'),
      HEALTH_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  child = proc;
  return {
    exited,
    lines: () =>
      stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

describe('registration at start-up', () => {
  it('registers with RUNNER_REGISTRATION_TOKEN and claims with the runner token it got back', async () => {
    const { lines } = startMain({ RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN, RUNNER_NAME: 'edge-7' });
    await api.waitFor('a claim', () => api.callsOf('claim').length > 0, 20_000);
    expect(api.callsOf('register')).toEqual([
      expect.objectContaining({
        status: 201,
        body: { registrationToken: REGISTRATION_TOKEN, name: 'edge-7' },
      }),
    ]);
    expect(api.callsOf('claim')[0]).toMatchObject({ token: 'issued-token-1', body: { maxJobs: 1 } });
    expect(lines().find((l) => l.msg === 'runner registered')).toMatchObject({
      runnerId: 'rnr-1',
      runnerName: 'edge-7',
    });
  });

  it('exits 1 when the registration token is refused, without polling', async () => {
    const { exited, lines } = startMain({ RUNNER_REGISTRATION_TOKEN: 'spent-token' });
    expect(await exited).toBe(1);
    expect(lines().find((l) => l.msg === 'could not register the runner')).toMatchObject({ level: 'error' });
    expect(api.callsOf('claim')).toEqual([]);
  });
});
