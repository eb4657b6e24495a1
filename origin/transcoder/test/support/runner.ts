import { createRunnerApi } from '../../src/api.ts';
import type { RunnerConfig } from '../../src/config.ts';
import { Runner } from '../../src/runner.ts';
import { RUNNER_TOKEN } from './fake-videos-api.ts';
import { type MemoryLogger, memoryLogger } from './logger.ts';
import { tempDir } from './temp.ts';

export function testConfig(apiUrl: string, overrides: Partial<RunnerConfig> = {}): RunnerConfig {
  return {
    apiUrl,
    runnerToken: RUNNER_TOKEN,
    registrationToken: undefined,
    runnerName: 'test-runner',
    concurrency: 1,
    pollIntervalMs: 100,
    pollMaxIntervalMs: 100,
    workDir: tempDir('runner-work'),
    stallTimeoutMs: 30_000,
    x264Preset: 'ultrafast',
    ladderOverride: undefined,
    healthPort: 0,
    shutdownGraceMs: 1_000,
    uploadConcurrency: 6,
    logLevel: 'debug',
    ...overrides,
  };
}

/** A started runner wired to the real API client, logging into memory. */
export function startRunner(
  apiUrl: string,
  overrides: Partial<RunnerConfig> = {},
): { runner: Runner; log: MemoryLogger; config: RunnerConfig } {
  const config = testConfig(apiUrl, overrides);
  const log = memoryLogger();
  const api = createRunnerApi({
    apiUrl,
    token: config.runnerToken!,
    log,
    timeoutMs: 5_000,
  });
  const runner = new Runner({ config, api, log });
  runner.start();
  return { runner, log, config };
}
