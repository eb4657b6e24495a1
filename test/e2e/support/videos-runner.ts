/** Transcoder runner processes a test starts (and kills) itself, beside the platform's own. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { ROOT, runnerRegistrationToken } from '../../../scripts/platform.ts';
import { api } from './http.ts';
import { adminToken } from './videos-api.ts';

export interface TestRunner {
  /** The name it registers under; the service assigns its id. */
  name: string;
  process: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/** A runner process that registers itself with a fresh registration token, as `npm start`'s does. */
export async function startRunner(name: string): Promise<TestRunner> {
  const registrationToken = await runnerRegistrationToken(inject('baseUrl'), inject('admin'), name);
  const child = spawn(
    path.join(ROOT, 'node_modules', '.bin', 'node'),
    [path.join(ROOT, 'origin/transcoder/src/main.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        API_URL: inject('baseUrl'),
        RUNNER_TOKEN: '',
        RUNNER_REGISTRATION_TOKEN: registrationToken,
        RUNNER_NAME: name,
        POLL_INTERVAL_MS: '250',
        POLL_MAX_INTERVAL_MS: '2000',
        WORK_DIR: await mkdtemp(path.join(tmpdir(), `${name}-`)),
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
  return { name, process: child, output, exited };
}

/** The id the service gave the runner registered under `name`, once it has registered. */
export async function runnerIdNamed(name: string, timeoutMs = 30_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const fleet = await api('GET', '/runners', { token: await adminToken() });
    const found = (fleet.body as { runnerId: string; name: string }[]).find((r) => r.name === name);
    if (found) return found.runnerId;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no runner named ${name} registered in ${timeoutMs} ms`);
}

export async function stopRunner(runner: TestRunner, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (runner.process.exitCode !== null || runner.process.signalCode !== null) return;
  runner.process.kill(signal);
  await runner.exited;
}
