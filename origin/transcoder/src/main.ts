/** Entry point: `node src/main.ts`. Wires config, logging, the runner loop, /healthz and signals. */
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRunnerApi, registerRunner } from './api.ts';
import { loadConfig, type RunnerConfig } from './config.ts';
import { startHealthServer } from './health.ts';
import { createLogger } from './log.ts';
import { Runner } from './runner.ts';

let config: RunnerConfig;
try {
  config = loadConfig(process.env);
} catch (err) {
  createLogger().error((err as Error).message);
  process.exit(1);
}

let log = createLogger({
  level: config.logLevel,
  fields: { service: 'transcoder', runnerName: config.runnerName },
});

// Fail at start, not at the first job, when the image lacks the binaries.
for (const tool of ['ffmpeg', 'ffprobe']) {
  const check = spawnSync(tool, ['-version'], { stdio: 'ignore' });
  if (check.status !== 0) {
    log.error(`${tool} is not available`, { error: check.error?.message ?? `exit ${check.status}` });
    process.exit(1);
  }
}
await mkdir(config.workDir, { recursive: true });

// A registration token buys this process its own runner token, kept in memory only: a restarted
// runner registers again (the registration token must allow it) or is given RUNNER_TOKEN.
let runnerToken = config.runnerToken;
let runnerId: string | undefined;
if (!runnerToken) {
  try {
    const registered = await registerRunner({
      apiUrl: config.apiUrl,
      registrationToken: config.registrationToken!,
      name: config.runnerName,
      log,
    });
    ({ runnerId, runnerToken } = registered);
  } catch (err) {
    log.error('could not register the runner', { error: err });
    process.exit(1);
  }
  log = log.child({ runnerId });
  log.info('runner registered', { runnerId });
}

const api = createRunnerApi({ apiUrl: config.apiUrl, token: runnerToken, log });
const runner = new Runner({ config, api, log, runnerId });
const health = await startHealthServer(config.healthPort, () => runner.status());
runner.start();
log.info('runner started', {
  apiUrl: config.apiUrl,
  concurrency: config.concurrency,
  healthPort: config.healthPort,
  x264Preset: config.x264Preset,
  ladderOverride: config.ladderOverride?.map((r) => r.name),
});

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info('stop requested', { signal, graceMs: config.shutdownGraceMs });
  await runner.shutdown(config.shutdownGraceMs);
  health.close();
  log.info('runner stopped', { outcomes: runner.status().outcomes });
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
process.on('unhandledRejection', (err) => {
  log.error('unhandled rejection', { error: err });
  process.exit(1);
});
