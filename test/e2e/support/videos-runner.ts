/** Transcoder runner processes a test starts (and kills) itself, beside the platform's own. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { ROOT } from '../../../scripts/platform.ts';

export interface TestRunner {
  id: string;
  process: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

export async function startRunner(id: string): Promise<TestRunner> {
  const child = spawn(
    path.join(ROOT, 'node_modules', '.bin', 'node'),
    [path.join(ROOT, 'origin/transcoder/src/main.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        API_URL: inject('baseUrl'),
        RUNNER_TOKEN: inject('secrets').RUNNER_TOKEN,
        RUNNER_ID: id,
        POLL_INTERVAL_MS: '250',
        WORK_DIR: await mkdtemp(path.join(tmpdir(), `${id}-`)),
        HEALTH_PORT: '0',
        SHUTDOWN_GRACE_MS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  child.stdout.on('data', (d) => output.push(String(d)));
  child.stderr.on('data', (d) => output.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { id, process: child, output, exited };
}

export async function stopRunner(runner: TestRunner, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (runner.process.exitCode !== null || runner.process.signalCode !== null) return;
  runner.process.kill(signal);
  await runner.exited;
}
