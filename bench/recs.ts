/**
 * Recommendations: `GET /recs/{userId}` p50/p99 through the gateway, and the offline metrics table.
 *
 * Serving runs the real platform as `npm start` does (scripts/platform.ts on its own port and
 * state directory: wrangler dev's proxy, the gateway, the recs Worker, D1). The recs database is
 * seeded with the planted-cluster data set (the catalogue as ready videos, the interactions as
 * their rows), the configured model (EASE) is trained inside the Worker through
 * `POST /recs/train`, then each kind of request is timed sequentially from one client:
 * a cached list, a user's first request (precomputed list + blend, cache miss), a user the model
 * has never seen (popular fallback), and a user whose new interaction invalidated the cache.
 *
 * Offline: the same generator's default data set, latest 20 % of each user held out, every model.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyMigrations, ROOT, startPlatform } from '../scripts/platform.ts';
import { DEFAULT_POLICIES } from '../workers/gateway/src/ratelimit/policies.ts';
import { type Interaction, ratingWeight } from '../workers/services/recs/src/trainer/dataset.ts';
import { evaluate, metricsTable } from '../workers/services/recs/src/trainer/evaluate.ts';
import { generate, type Movie } from '../workers/services/recs/src/trainer/generate.ts';
import { MODEL_TYPES } from '../workers/services/recs/src/trainer/model.ts';
import { appendResults } from './lib/results.ts';
import { OUT } from './lib/workerd.ts';

const PORT = Number(process.env.BENCH_PORT ?? 8897);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const USERS = Number(process.env.BENCH_USERS ?? 2000);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 1500);
const INTERACTIONS = Number(process.env.BENCH_INTERACTIONS ?? 40000);
const ADMIN = { email: 'admin@example.com', password: 'bench-admin-password' };

const movies = JSON.parse(
  readFileSync(path.join(ROOT, 'node_modules/vega-datasets/data/movies.json'), 'utf8'),
) as Movie[];
const dir = path.join(OUT, 'recs');
mkdirSync(dir, { recursive: true });

function percentiles(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { p50: at(0.5).toFixed(1), p99: at(0.99).toFixed(1) };
}

/** The offline table on the generator's default data set (`npm run recs:generate` defaults). */
function offline(): string {
  const rows: Interaction[] = [];
  const gen = generate(
    movies,
    { users: 6000, items: 1500, interactions: 120_000, clusters: 10, affinity: 0.5, skew: 1.6 },
    (u, i, r, t) => rows.push({ userId: u, itemId: i, weight: ratingWeight(r, false), time: t }),
  );
  const meta = new Map(gen.items.map((it) => [it.itemId, it]));
  const results = evaluate(rows, MODEL_TYPES, meta, { maxUsers: 5000, onProgress: (m) => console.error(m) });
  return metricsTable(results);
}

/** Seeds the recs database of a fresh state directory with a planted-cluster catalogue and history. */
function seed(stateDir: string): { users: string[] } {
  const sql: string[] = [];
  const users = new Set<string>();
  const now = Date.now();
  const gen = generate(
    movies,
    { users: USERS, items: ITEMS, interactions: INTERACTIONS, clusters: 10 },
    (u, i, r, t) => {
      users.add(u);
      // The generator's window ends on 2026-01-01; shift it to end now, as live data would.
      const at = now - (Date.UTC(2026, 0, 1) - t);
      const w = ratingWeight(r, false);
      sql.push(
        `INSERT INTO interactions (user_id, video_id, weight, finished, rating, updated_at) VALUES ('${u}', '${i}', ${w}, ${w >= 3 ? 1 : 0}, ${r}, ${at});`,
      );
    },
  );
  const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
  for (const it of gen.items)
    sql.push(
      `INSERT INTO videos (video_id, title, status, genres, tags, deleted, updated_at) VALUES (${q(it.itemId)}, ${q(it.title)}, 'ready', ${q(JSON.stringify(it.genres))}, ${q(JSON.stringify(it.tags))}, 0, ${now});`,
    );
  const file = path.join(dir, 'seed.sql');
  writeFileSync(file, sql.join('\n'));
  execFileSync(
    path.join(ROOT, 'node_modules/.bin/wrangler'),
    [
      'd1',
      'execute',
      'recs',
      '--local',
      '--persist-to',
      stateDir,
      '-c',
      'workers/services/recs/wrangler.jsonc',
      '--file',
      file,
    ],
    { cwd: ROOT, stdio: 'ignore' },
  );
  return { users: [...users] };
}

const load = os.loadavg()[0]!.toFixed(2);
const table = offline();
const stateDir = path.join(ROOT, '.wrangler', `bench-recs-${PORT}`);
rmSync(stateDir, { recursive: true, force: true });
applyMigrations(stateDir, () => undefined);
const { users } = seed(stateDir);
// The production policies with limits the run cannot reach: this measures serving, not throttling.
const rateLimits = Object.fromEntries(
  Object.entries(DEFAULT_POLICIES).map(([name, p]) => [
    name,
    { ...p, limits: p.limits.map((l) => ({ ...l, limit: 1e9 })) },
  ]),
);
const platform = await startPlatform({
  port: PORT,
  stateDir,
  adminEmail: ADMIN.email,
  adminPassword: ADMIN.password,
  runner: false,
  output: 'ignore',
  vars: { RATE_LIMITS: JSON.stringify(rateLimits) },
  log: () => undefined,
});

try {
  const base = platform.url;
  const json = async (method: string, p: string, body?: unknown, token?: string) => {
    const r = await fetch(`${base}${p}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
    return { body: JSON.parse(text) as any, headers: r.headers };
  };
  const token: string = (await json('POST', '/auth/login', ADMIN)).body.token;
  const started = Date.now();
  const job = (await json('POST', '/recs/train', { modelType: 'ease' }, token)).body;
  let status = job;
  while (status.status === 'queued' || status.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 500));
    status = (await json('GET', `/recs/train/${job.jobId}`, undefined, token)).body;
  }
  if (status.status !== 'succeeded') throw new Error(`training failed: ${status.error}`);
  const trainSeconds = (Date.now() - started) / 1000;

  const time = async (p: string) => {
    const t = performance.now();
    const r = await json('GET', p, undefined, token);
    const ms = performance.now() - t;
    if (!Array.isArray(r.body) || r.body.length === 0) throw new Error(`${p}: empty list`);
    return { ms, cache: r.headers.get('x-recs-cache') };
  };
  const run = async (paths: (i: number) => string, n: number) => {
    for (let i = 0; i < 20; i++) await time(paths(i));
    const xs: number[] = [];
    for (let i = 0; i < n; i++) xs.push((await time(paths(i))).ms);
    return percentiles(xs);
  };
  const known = users.slice(0, SAMPLES + 40);
  const firstRequest = await run(
    (i) => `/recs/${known[20 + i]}?limit=20`,
    Math.min(SAMPLES, known.length - 20),
  );
  const cached = await run((i) => `/recs/${known[20 + (i % 20)]}?limit=20`, SAMPLES);
  const cold = await run((i) => `/recs/usr_cold_${i}?limit=20`, SAMPLES);
  const row = (name: string, s: { p50: string; p99: string }) => `| ${name} | ${s.p50} | ${s.p99} |`;
  appendResults(
    'Recommendations: GET /recs/{userId} through the gateway, and offline metrics',
    'npm run bench -- recs',
    [
      `Serving: the platform as \`npm start\` runs it (wrangler dev proxy → gateway → recs Worker → D1), one`,
      `sequential client, ${SAMPLES} requests per row after 20 warm-up requests, limit=20. The recs database`,
      `holds the planted-cluster data (${USERS} users, ${ITEMS} ready videos, ${INTERACTIONS} interactions);`,
      `EASE trained inside the Worker via POST /recs/train in ${trainSeconds.toFixed(1)} s (job to switch).`,
      `Load average when it started: ${load}.`,
      '',
      '| GET /recs/{userId} | p50 ms | p99 ms |',
      '| --- | ---: | ---: |',
      row('first request of a user (precomputed list + blend; cache miss)', firstRequest),
      row('repeated request (edge cache hit)', cached),
      row('user the model has never seen (popular fallback; cache miss)', cold),
      '',
      'Offline: `npm run recs:generate` defaults (6,000 users × 1,500 vega-datasets movies, 120K',
      'interactions, 10 planted clusters, affinity 0.5, popularity skew 1.6, seed 1), the latest 20 % of each',
      'user held out, 5,000 test users.',
      '',
      table,
    ].join('\n'),
  );
} finally {
  await platform.stop();
}
