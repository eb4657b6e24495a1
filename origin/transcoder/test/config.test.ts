import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({ RUNNER_TOKEN: 'secret' });
    expect(config).toMatchObject({
      apiUrl: 'http://127.0.0.1:8787',
      concurrency: 1,
      pollIntervalMs: 1000,
      pollMaxIntervalMs: 15_000,
      stallTimeoutMs: 60_000,
      x264Preset: 'veryfast',
      ladderOverride: undefined,
      healthPort: 9090,
      shutdownGraceMs: 30_000,
      uploadConcurrency: 6,
    });
  });

  it('reads numbers and a ladder override, and treats empty variables as unset', () => {
    const config = loadConfig({
      RUNNER_TOKEN: 'secret',
      CONCURRENCY: '2',
      X264_PRESET: '',
      LADDER: JSON.stringify([{ name: '720p', height: 720, videoBitrateKbps: 3000, audioBitrateKbps: 128 }]),
    });
    expect(config.concurrency).toBe(2);
    expect(config.x264Preset).toBe('veryfast');
    expect(config.ladderOverride?.map((r) => r.name)).toEqual(['720p']);
  });

  it('refuses a missing token, a bad preset and an invalid ladder, naming each', () => {
    expect(() => loadConfig({ X264_PRESET: 'turbo', LADDER: '[{"name":"720p"}]' })).toThrow(
      /RUNNER_TOKEN or RUNNER_REGISTRATION_TOKEN.*X264_PRESET.*LADDER is not a valid ladder/s,
    );
  });

  it('takes a registration token instead of a runner token, and a name for the runner', () => {
    const config = loadConfig({ RUNNER_REGISTRATION_TOKEN: 'reg', RUNNER_NAME: 'edge-7' });
    expect(config).toMatchObject({ runnerToken: undefined, registrationToken: 'reg', runnerName: 'edge-7' });
    expect(loadConfig({ RUNNER_TOKEN: 'secret' }).runnerName).toMatch(/-\d+$/);
  });
});
