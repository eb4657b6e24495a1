/** Entry point: `node src/main.ts`. Wires config, logging, the runner loop, /healthz and signals. */
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRunnerApi } from './api.ts';
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

const log = createLogger({
  level: config.logLevel,
  fields: { service: 'transcoder', runnerId: config.runnerId },
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

const api = createRunnerApi({
  apiUrl: config.apiUrl,
  token: config.runnerToken,
  runnerId: config.runnerId,
  log,
});
const runner = new Runner({ config, api, log });
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
