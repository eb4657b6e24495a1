/**
 * Auth latency: login (one argon2id verification at the configured cost, the LoginGuard Durable
 * Objects, D1, RS256 signing) and refresh (one conditional UPDATE plus signing), ~100 sequential
 * samples each, p50/p99 as the client sees them.
 *
 * Runs the real platform as `npm start` does (scripts/platform.ts, its own port and state
 * directory), so every request crosses wrangler dev's local proxy and the gateway with its real
 * policies. The `auth` limit is 100/min per IP, so the samples rotate over four client addresses
 * (CF-Connecting-IP, which the local runtime keeps when a client sends it), 55 requests each.
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, readConfig, startPlatform } from '../scripts/platform.ts';
import { appendResults } from './lib/results.ts';

const PORT = Number(process.env.BENCH_PORT ?? 8891);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100);
const WARMUP = 10;

const vars = readConfig(path.join(ROOT, 'workers/services/auth/wrangler.jsonc')) as unknown as {
  vars: Record<string, string>;
};
const argon2 = `argon2id m=${vars.vars.ARGON2_MEMORY_KIB} KiB, t=${vars.vars.ARGON2_ITERATIONS}, p=${vars.vars.ARGON2_PARALLELISM}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const fmt = (n: number) => n.toFixed(1);
  return { p50: fmt(percentile(s, 50)), p99: fmt(percentile(s, 99)), min: fmt(s[0]!), max: fmt(s.at(-1)!) };
}

const CLIENTS = ['100.64.0.1', '100.64.0.2', '100.64.0.3', '100.64.0.4'];
let sent = 0;

async function post(url: string, body: unknown): Promise<{ status: number; json: any; ms: number }> {
  const ip = CLIENTS[sent++ % CLIENTS.length]!;
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => undefined);
  return { status: res.status, json, ms: performance.now() - started };
}

const load = os.loadavg()[0]!.toFixed(2);
const stateDir = path.join(ROOT, '.wrangler', `bench-auth-${PORT}`);
rmSync(stateDir, { recursive: true, force: true });
const platform = await startPlatform({
  port: PORT,
  stateDir,
  adminEmail: 'admin@example.com',
  adminPassword: 'bench-admin-password',
  runner: false,
  output: 'ignore',
  log: () => undefined,
});

try {
  const base = platform.url;
  const account = { email: `bench-${Date.now()}@example.com`, password: 'bench password 1', name: 'Bench' };
  const signup = await post(`${base}/auth/signup`, account);
  if (signup.status !== 201)
    throw new Error(`signup failed: ${signup.status} ${JSON.stringify(signup.json)}`);

  const login: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const r = await post(`${base}/auth/login`, { email: account.email, password: account.password });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.json)}`);
    if (i >= WARMUP) login.push(r.ms);
  }

  const refresh: number[] = [];
  let refreshToken: string = signup.json.refreshToken;
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const r = await post(`${base}/auth/refresh`, { refreshToken });
    if (r.status !== 200) throw new Error(`refresh failed: ${r.status} ${JSON.stringify(r.json)}`);
    refreshToken = r.json.refreshToken;
    if (i >= WARMUP) refresh.push(r.ms);
  }

  const l = summary(login);
  const f = summary(refresh);
  appendResults(
    'auth: login and refresh latency',
    'node bench/auth.ts',
    [
      `Sequential requests (one at a time, from ${CLIENTS.length} client addresses in turn) through the gateway, on`,
      `\`wrangler dev\` (its local proxy, local D1 and Durable Objects), ${SAMPLES} samples each after ${WARMUP}`,
      `warm-up requests; password hashing ${argon2}. Load average when it started: ${load}.`,
      '',
      '| operation | p50 ms | p99 ms | min ms | max ms |',
      '| --- | ---: | ---: | ---: | ---: |',
      `| POST /auth/login | ${l.p50} | ${l.p99} | ${l.min} | ${l.max} |`,
      `| POST /auth/refresh | ${f.p50} | ${f.p99} | ${f.min} | ${f.max} |`,
    ].join('\n'),
  );
} finally {
  await platform.stop();
}
