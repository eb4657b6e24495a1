/**
 * Runs the whole platform on one machine: every Worker in one local workerd (wrangler dev with
 * one config per Worker), D1 migrations applied, local secrets generated once, and a transcoder
 * runner beside it, registered as any runner is: the seeded admin creates a registration token over
 * HTTP and the runner registers with it. Used by `npm start` and by the end-to-end tests.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');

export interface PlatformOptions {
  port: number;
  stateDir: string;
  adminEmail: string;
  adminPassword: string;
  /** Start the transcoder runner (when it exists). */
  runner: boolean;
  /** Extra variables for every Worker (tests use this to shorten timeouts). */
  vars?: Record<string, string>;
  /** Extra variables for the transcoder runner (tests shorten its idle polling). */
  runnerVars?: Record<string, string>;
  log?: (line: string) => void;
  /** Where child output goes; defaults to this process's stdout/stderr. */
  output?: 'inherit' | 'pipe' | 'ignore';
}

export interface RunningPlatform {
  url: string;
  secrets: Record<string, string>;
  stop(): Promise<void>;
  children: ChildProcess[];
}

export function workerConfigs(): string[] {
  const services = path.join(ROOT, 'workers', 'services');
  const found = readdirSync(services)
    .map((name) => path.join(services, name, 'wrangler.jsonc'))
    .filter((p) => existsSync(p))
    .sort();
  return [path.join(ROOT, 'wrangler.jsonc'), ...found];
}

/**
 * The service configs in deployment order: a Worker after the Workers it binds (a service binding
 * must name a deployed Worker). Bindings that form a cycle (videos ⇄ playback) cannot all be
 * honoured; the rest of the order still is, and alphabetical order breaks the tie.
 */
export function deployOrder(configs: string[]): string[] {
  const byName = new Map(configs.map((c) => [readConfig(c).name, c]));
  const needs = new Map(
    configs.map((c) => {
      const cfg = readConfig(c) as { services?: { service: string }[] };
      return [c, (cfg.services ?? []).map((b) => byName.get(b.service)).filter((d): d is string => !!d)];
    }),
  );
  const order: string[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const visit = (c: string) => {
    if (placed.has(c) || visiting.has(c)) return;
    visiting.add(c);
    for (const d of needs.get(c) ?? []) visit(d);
    visiting.delete(c);
    placed.add(c);
    order.push(c);
  };
  for (const c of [...configs].sort()) visit(c);
  return order;
}

/** Reads a wrangler.jsonc (comments are whole-line `//` comments in this repository). */
export function readConfig(file: string): { name: string; d1_databases?: { database_name: string }[] } {
  const text = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !l.trim().startsWith('//'))
    .join('\n');
  return JSON.parse(text);
}

function run(cmd: string, args: string[], log: (s: string) => void) {
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${BIN}:${process.env.PATH}` },
  });
  if (r.status !== 0) {
    log(r.stdout);
    log(r.stderr);
    throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status}`);
  }
}

export function applyMigrations(stateDir: string, log: (s: string) => void) {
  for (const cfg of workerConfigs()) {
    for (const db of readConfig(cfg).d1_databases ?? []) {
      run(
        path.join(BIN, 'wrangler'),
        ['d1', 'migrations', 'apply', db.database_name, '--local', '--persist-to', stateDir, '-c', cfg],
        log,
      );
      log(`migrations applied: ${db.database_name}`);
    }
  }
}

/** Local secrets, generated on first start and kept with the state so tokens survive restarts. */
export function localSecrets(stateDir: string, opts: PlatformOptions): Record<string, string> {
  const file = path.join(stateDir, 'dev-secrets.json');
  let secrets: Record<string, string> = {};
  if (existsSync(file)) secrets = JSON.parse(readFileSync(file, 'utf8'));
  const gen = () => randomBytes(32).toString('base64url');
  secrets.STORAGE_SIGNING_KEY ??= gen();
  secrets.STREAM_SIGNING_KEY ??= gen();
  secrets.KEY_ENCRYPTION_KEY ??= gen();
  // playback: the keyring that wraps content keys (`<version>:<base64 key>`, current first).
  secrets.CONTENT_KEY_MASTER ??= `1:${gen()}`;
  // Runners have their own tokens now; a shared one from an older state directory is dropped.
  delete secrets.RUNNER_TOKEN;
  secrets.METRICS_TOKEN ??= gen();
  // billing: the local payment provider signs its webhooks with it, the webhook route checks it; it
  // needs no Stripe key (BILLING_PROVIDER=stripe with a test key: pass both in `vars`).
  secrets.STRIPE_WEBHOOK_SECRET ??= `whsec_${gen()}`;
  secrets.STRIPE_SECRET_KEY ??= '';
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return { ...secrets, ADMIN_EMAIL: opts.adminEmail, ADMIN_PASSWORD: opts.adminPassword, ...opts.vars };
}

/**
 * wrangler dev hands --env-file and --var to the first config only; a service Worker reads the
 * `.dev.vars` beside its own config. So each service config is copied for this run into the state
 * directory (paths made absolute) with a `.dev.vars` holding this run's secrets and vars.
 */
export function configsForRun(stateDir: string, envText: string): string[] {
  return workerConfigs().map((file, i) => {
    if (i === 0) return file;
    const dir = path.dirname(file);
    const cfg = readConfig(file) as ReturnType<typeof readConfig> & {
      main: string;
      $schema?: string;
      d1_databases?: { database_name: string; migrations_dir?: string }[];
    };
    cfg.main = path.resolve(dir, cfg.main);
    for (const db of cfg.d1_databases ?? []) {
      if (db.migrations_dir) db.migrations_dir = path.resolve(dir, db.migrations_dir);
    }
    delete cfg.$schema;
    const out = path.join(stateDir, 'configs', cfg.name);
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'wrangler.json'), JSON.stringify(cfg, null, 2));
    writeFileSync(path.join(out, '.dev.vars'), envText, { mode: 0o600 });
    return path.join(out, 'wrangler.json');
  });
}

/** dotenv keeps single-quoted values literally; double quotes would leave JSON's escapes in. */
function dotenvValue(v: string): string {
  return v.includes("'") || v.includes('\n') ? JSON.stringify(v) : `'${v}'`;
}

async function waitFor(url: string, timeoutMs: number, ok: (r: Response) => boolean): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (ok(r)) return r;
      last = `${r.status} ${await r.text()}`;
    } catch (err) {
      last = err;
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${String(last)}`);
}

async function post(url: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** A one-use registration token for a runner, created by the seeded admin through the public API. */
export async function runnerRegistrationToken(
  url: string,
  admin: { email: string; password: string },
  description: string,
): Promise<string> {
  const { token } = await post(`${url}/auth/login`, admin);
  const created = await post(
    `${url}/runners/registration-tokens`,
    { description, maxUses: 1, expiresInSeconds: 600 },
    token as string,
  );
  return created.registrationToken as string;
}

function killTree(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

export async function startPlatform(opts: PlatformOptions): Promise<RunningPlatform> {
  const log = opts.log ?? ((s: string) => console.log(s));
  const stateDir = path.resolve(ROOT, opts.stateDir);
  mkdirSync(stateDir, { recursive: true });
  applyMigrations(stateDir, log);
  const secrets = localSecrets(stateDir, opts);
  const url = `http://127.0.0.1:${opts.port}`;
  const envFile = path.join(stateDir, 'dev.env');
  // The gateway's CORS allow-list follows the port it runs on (wrangler.jsonc names only 8787).
  const corsOrigins = `${url},http://localhost:${opts.port}`;
  const envText = Object.entries({ CORS_ORIGINS: corsOrigins, ...secrets, PUBLIC_ORIGIN: url })
    .map(([k, v]) => `${k}=${dotenvValue(v)}`)
    .join('\n');
  writeFileSync(envFile, envText, { mode: 0o600 });
  const stdio = opts.output ?? 'inherit';
  const args = [
    'dev',
    ...configsForRun(stateDir, envText).flatMap((c) => ['-c', c]),
    '--port',
    String(opts.port),
    '--ip',
    '127.0.0.1',
    '--persist-to',
    stateDir,
    '--env-file',
    envFile,
    '--show-interactive-dev-session=false',
    '--inspector-port',
    String(opts.port + 10000),
  ];
  const env = {
    ...process.env,
    PATH: `${BIN}:${process.env.PATH}`,
    WRANGLER_SEND_METRICS: 'false',
    CI: process.env.CI ?? '',
  };
  const children: ChildProcess[] = [];
  const workers = spawn(path.join(BIN, 'wrangler'), args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', stdio, stdio],
    detached: true,
  });
  children.push(workers);

  const stop = async () => {
    for (const c of children.slice().reverse()) killTree(c, 'SIGTERM');
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const t = setTimeout(() => {
              killTree(c, 'SIGKILL');
              resolve();
            }, 8000);
            c.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
          }),
      ),
    );
  };

  try {
    await waitFor(`${url}/healthz`, 90_000, (r) => r.ok);
    // readyz also lets services finish their first-start work (e.g. seeding the admin).
    await waitFor(`${url}/readyz`, 60_000, (r) => r.ok);
  } catch (err) {
    await stop();
    throw err;
  }

  const runnerMain = path.join(ROOT, 'origin', 'transcoder', 'src', 'main.ts');
  if (opts.runner && existsSync(runnerMain)) {
    let registrationToken: string;
    try {
      const admin = { email: opts.adminEmail, password: opts.adminPassword };
      registrationToken = await runnerRegistrationToken(url, admin, 'the local runner of npm start');
    } catch (err) {
      await stop();
      throw err;
    }
    const runner = spawn(path.join(BIN, 'node'), [runnerMain], {
      cwd: ROOT,
      env: {
        ...env,
        API_URL: url,
        RUNNER_TOKEN: '',
        RUNNER_REGISTRATION_TOKEN: registrationToken,
        RUNNER_NAME: `local-${process.pid}`,
        WORK_DIR: path.join(stateDir, 'transcoder'),
        HEALTH_PORT: String(opts.port + 1303),
        ...opts.runnerVars,
      },
      stdio: ['ignore', stdio, stdio],
      detached: true,
    });
    children.push(runner);
    // The runner serves /healthz once it has registered: wait for it, or for it to give up.
    const exited = new Promise<never>((_, reject) =>
      runner.once('exit', (code) => reject(new Error(`the transcoder runner exited (${code}) at start-up`))),
    );
    try {
      await Promise.race([
        waitFor(`http://127.0.0.1:${opts.port + 1303}/healthz`, 60_000, (r) => r.ok),
        exited,
      ]);
    } catch (err) {
      await stop();
      throw err;
    }
    exited.catch(() => undefined);
    log('transcoder runner registered and started');
  }
  return { url, secrets, stop, children };
}
