/**
 * Write latency: requests that change state and publish an event through the outbox
 * (POST /auth/signup → UserRegistered, POST /videos → VideoCreated, PUT /videos/{id} → VideoUpdated
 * where it exists), sequential, p50/p99 as the client sees them.
 *
 * Runs the real platform as `npm start` does (scripts/platform.ts, its own port and state
 * directory), so every request crosses wrangler dev's local proxy, the gateway, the service, D1 and
 * the local queues.
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, startPlatform } from '../scripts/platform.ts';
import { appendResults } from './lib/results.ts';

const PORT = Number(process.env.BENCH_PORT ?? 8893);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const WARMUP = 20;
const ADMIN = { email: 'admin@example.com', password: 'bench-admin-password' };

function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
  const fmt = (n: number) => n.toFixed(1);
  return { p50: fmt(at(50)), p99: fmt(at(99)), min: fmt(s[0]!), max: fmt(s.at(-1)!) };
}

let sent = 0;
async function call(
  method: string,
  url: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; json: any; ms: number }> {
  // Spread over many client addresses so that per-IP limits never throttle the run.
  const ip = `100.64.${(sent >> 8) & 255}.${sent++ & 255}`;
  const started = performance.now();
  const res = await fetch(url, {
    method,
    headers: {
      'content-type': 'application/json',
      'cf-connecting-ip': ip,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => undefined);
  return { status: res.status, json, ms: performance.now() - started };
}

async function measure(n: number, op: (i: number) => Promise<{ status: number; json: any; ms: number }>) {
  const xs: number[] = [];
  for (let i = 0; i < WARMUP + n; i++) {
    const r = await op(i);
    if (r.status >= 300) throw new Error(`request failed: ${r.status} ${JSON.stringify(r.json)}`);
    if (i >= WARMUP) xs.push(r.ms);
  }
  return summary(xs);
}

const load = os.loadavg()[0]!.toFixed(2);
const stateDir = path.join(ROOT, '.wrangler', `bench-writes-${PORT}`);
rmSync(stateDir, { recursive: true, force: true });
const platform = await startPlatform({
  port: PORT,
  stateDir,
  adminEmail: ADMIN.email,
  adminPassword: ADMIN.password,
  runner: false,
  output: 'ignore',
  log: () => undefined,
});

try {
  const base = platform.url;
  const login = await call('POST', `${base}/auth/login`, ADMIN);
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status}`);
  const token: string = login.json.token;

  const created: string[] = [];
  const create = await measure(SAMPLES, async (i) => {
    const r = await call('POST', `${base}/videos`, { title: `Bench ${i}`, tags: ['bench'] }, token);
    if (r.status === 201) created.push(r.json.videoId);
    return r;
  });
  const update = await measure(SAMPLES, (i) =>
    call('PUT', `${base}/videos/${created[i % created.length]}`, { description: `revision ${i}` }, token),
  );
  // Signup pays one argon2id hash; fewer samples keep the run short.
  const signupSamples = Math.min(SAMPLES, 60);
  const signup = await measure(signupSamples, (i) =>
    call('POST', `${base}/auth/signup`, {
      email: `bench-${Date.now()}-${i}@example.com`,
      password: 'bench password 1',
      name: 'Bench',
    }),
  );

  const row = (name: string, s: ReturnType<typeof summary>, n: number) =>
    `| ${name} | ${n} | ${s.p50} | ${s.p99} | ${s.min} | ${s.max} |`;
  appendResults(
    'writes: latency of requests that publish an event',
    'node bench/writes.ts',
    [
      `Sequential requests through the gateway on \`wrangler dev\` (local proxy, D1, local queues), after`,
      `${WARMUP} warm-up requests each. Load average when it started: ${load}.`,
      '',
      '| operation (event) | samples | p50 ms | p99 ms | min ms | max ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      row('POST /videos (VideoCreated)', create, SAMPLES),
      row('PUT /videos/{id} (VideoUpdated)', update, SAMPLES),
      row('POST /auth/signup (UserRegistered)', signup, signupSamples),
    ].join('\n'),
  );
} finally {
  await platform.stop();
}
