/**
 * Search: indexing throughput and search latency at 3K and 100K documents, through the whole
 * platform (gateway → catalog Worker → D1 with FTS5, as `npm start` runs it), beside the same
 * searches run on SQLite FTS5 alone (node:sqlite, in process, on a copy of the catalog's database)
 * as the floor.
 *
 *   1. The 3,201 films of vega-datasets' movies.json are created with POST /videos (admin); each
 *      VideoCreated goes through the videos outbox and the catalog-events queue to the catalog's
 *      consumer. Figures: creation rate, event-path indexing throughput (first POST → every film
 *      findable) and the lag of single videos (POST answered → findable).
 *   2. The platform stops; the films are marked ready in the videos database (no transcoder runs
 *      here) and the platform restarts; POST /catalog/rebuild re-indexes them from the videos
 *      service (catalogPage RPC): rebuild throughput at 3K, then search latency at 3K.
 *   3. The same again after bench/search-data.ts's generator grew the videos table to 100K rows.
 *
 * Search latency: sequential anonymous GET /search through the gateway, over a fixed, seeded mix of
 * distinct queries (words, two-word queries, typing prefixes, typos, phrases, genre and year
 * filters, facets, empty queries listing by popularity), each query once (cache misses), then the
 * same mix again (edge-cache hits). The floor runs the catalog's own search code (the same SQL) on
 * node:sqlite.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { ROOT, type RunningPlatform, startPlatform } from '../scripts/platform.ts';
import {
  search as runSearch,
  type SearchOptions,
  type SqlDatabase,
  type SqlStatement,
} from '../workers/services/catalog/src/search/search.ts';
import { appendResults } from './lib/results.ts';
import {
  type MovieRecord,
  moviesToVideos,
  prng,
  syntheticVideos,
  type VideoMetadata,
} from './search-data.ts';

const PORT = Number(process.env.BENCH_PORT ?? 9387);
const TOTAL = Number(process.env.BENCH_DOCS ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 400);
const CONCURRENCY = 8;
const ADMIN = { email: 'admin@example.com', password: 'bench-admin-password' };
const stateDir = path.join(ROOT, '.wrangler', `bench-search-${PORT}`);

const films = moviesToVideos(
  JSON.parse(
    readFileSync(path.join(ROOT, 'node_modules/vega-datasets/data/movies.json'), 'utf8'),
  ) as MovieRecord[],
).slice(0, Number(process.env.BENCH_FILMS ?? Number.POSITIVE_INFINITY));
/** One admin creates every film: its per-user limit (1,200/min) is raised; clients spread over addresses. */
const RATE_LIMITS = JSON.stringify({
  default: {
    mode: 'async',
    limits: [
      { dimension: 'ip', limit: 600, windowSec: 60 },
      { dimension: 'user', limit: 1_000_000, windowSec: 60 },
    ],
  },
});

let sent = 0;
async function call(method: string, url: string, opts: { body?: unknown; token?: string } = {}) {
  // Spread over many client addresses so that per-IP limits never throttle the run.
  const ip = `100.64.${(sent >> 8) & 255}.${sent++ & 255}`;
  const res = await fetch(url, {
    method,
    headers: {
      'cf-connecting-ip': ip,
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

async function start(): Promise<{ platform: RunningPlatform; token: string }> {
  const platform = await startPlatform({
    port: PORT,
    stateDir,
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
    runner: false,
    vars: { RATE_LIMITS },
    output: 'ignore',
    log: () => undefined,
  });
  const login = await call('POST', `${platform.url}/auth/login`, { body: ADMIN });
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status}`);
  return { platform, token: login.json.token };
}

async function indexedCount(base: string, token: string): Promise<number> {
  const r = await call('GET', `${base}/search?status=any&limit=1`, { token });
  return Number(r.headers.get('x-total-count') ?? 0);
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not done within ${ms} ms`);
}

/** The catalog's or the videos' local D1 file: the SQLite file holding `table`. */
function d1File(table: string): string {
  const dir = path.join(stateDir, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite')) {
    const db = new DatabaseSync(path.join(dir, file), { readOnly: true });
    try {
      if (db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(table)) return path.join(dir, file);
    } finally {
      db.close();
    }
  }
  throw new Error(`no D1 database with a ${table} table`);
}

/** Grows the videos table (the platform stopped): the films ready, then generated videos up to `total`. */
function seedVideos(total: number) {
  const db = new DatabaseSync(d1File('videos'));
  db.prepare("UPDATE videos SET status = 'ready', updated_at = ? WHERE status <> 'ready'").run(Date.now());
  const have = Number(
    (db.prepare("SELECT count(*) AS n FROM videos WHERE id LIKE 'vid_synth%'").get() as { n: number }).n,
  );
  const want = Math.max(0, total - films.length);
  const insert = db.prepare(
    `INSERT INTO videos (id, title, description, tags, genres, release_year, status, renditions, created_by, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'ready', '[]', 'bench', ?, ?)`,
  );
  const now = Date.now();
  db.exec('BEGIN');
  for (const v of syntheticVideos(films, want).slice(have))
    insert.run(
      v.videoId,
      v.title,
      v.description,
      JSON.stringify(v.tags),
      JSON.stringify(v.genres),
      v.releaseYear ?? null,
      now,
      now,
    );
  db.exec('COMMIT');
  db.close();
}

async function rebuild(base: string, token: string): Promise<{ docs: number; seconds: number }> {
  const started = performance.now();
  const first = await call('POST', `${base}/catalog/rebuild`, { token });
  if (first.status !== 202) throw new Error(`rebuild refused: ${first.status} ${JSON.stringify(first.json)}`);
  let lastPush = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const s = await call('GET', `${base}/catalog/rebuild`, { token });
    if (!s.json.running) return { docs: s.json.indexed, seconds: (performance.now() - started) / 1000 };
    // Locally no cron runs: push the rebuild on when an invocation's budget has run out.
    if (Date.now() - lastPush > 22_000) {
      await call('POST', `${base}/catalog/rebuild`, { token });
      lastPush = Date.now();
    }
  }
}

/** A seeded mix of distinct queries drawn from the indexed titles. */
function queryMix(docs: VideoMetadata[], n: number): URLSearchParams[] {
  const rnd = prng(2026);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const words = [...new Set(docs.flatMap((d) => d.title.toLowerCase().split(/[^\p{L}\p{N}]+/u)))].filter(
    (w) => w.length >= 3,
  );
  const long = words.filter((w) => w.length >= 6);
  const genres = [...new Set(docs.flatMap((d) => d.genres))];
  const typo = (w: string) => {
    const i = 1 + Math.floor(rnd() * (w.length - 2));
    return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
  };
  const kinds: (() => Record<string, string>)[] = [
    () => ({ q: pick(words) }),
    () => ({ q: `${pick(words)} ${pick(words)}` }),
    () => ({ q: pick(long).slice(0, 3 + Math.floor(rnd() * 3)) }),
    () => ({ q: `${pick(words)} ${pick(long).slice(0, 4)}` }),
    () => ({ q: `${typo(pick(long))} ` }),
    () => {
      const d = pick(docs);
      return { q: `"${d.title.split(/\s+/).slice(0, 2).join(' ')}"` };
    },
    () => ({ q: pick(words), genre: pick(genres) }),
    () => ({
      q: pick(words),
      year: `${1950 + Math.floor(rnd() * 6) * 10}..${1959 + Math.floor(rnd() * 6) * 10}`,
    }),
    () => ({ q: pick(long).slice(0, 4), facets: 'genre,decade' }),
    () => ({ genre: pick(genres), page: String(1 + Math.floor(rnd() * 5)) }),
  ];
  const seen = new Set<string>();
  const out: URLSearchParams[] = [];
  while (out.length < n) {
    const p = new URLSearchParams(kinds[out.length % kinds.length]!());
    if (!seen.has(p.toString())) {
      seen.add(p.toString());
      out.push(p);
    }
  }
  return out;
}

function percentiles(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
  return { p50: at(50), p99: at(99) };
}

async function gatewayLatency(base: string, mix: URLSearchParams[]) {
  const cold: number[] = [];
  const warm: number[] = [];
  for (const round of [cold, warm]) {
    for (const p of mix) {
      const t = performance.now();
      const r = await call('GET', `${base}/search?${p}`);
      round.push(performance.now() - t);
      if (r.status !== 200) throw new Error(`search ${p} answered ${r.status}: ${JSON.stringify(r.json)}`);
    }
  }
  // The platform's own cost per request, for scale: a route the gateway answers without a service.
  const bare: number[] = [];
  for (let i = 0; i < mix.length; i++) {
    const t = performance.now();
    await call('GET', `${base}/healthz`);
    bare.push(performance.now() - t);
  }
  return { cold: percentiles(cold), warm: percentiles(warm), bare: percentiles(bare) };
}

/** The catalog's own search code on node:sqlite, through a D1-shaped wrapper: the floor. */
function floorDb(file: string): SqlDatabase {
  const copy = path.join(os.tmpdir(), `bench-search-floor-${PORT}.sqlite`);
  // The live database's recent pages may sit in its write-ahead log: copy that too.
  for (const suffix of ['', '-wal']) {
    rmSync(copy + suffix, { force: true });
    if (existsSync(file + suffix)) copyFileSync(file + suffix, copy + suffix);
  }
  const db = new DatabaseSync(copy);
  const prepared = new Map<string, StatementSync>();
  const statement = (sql: string, params: SQLInputValue[] = []): SqlStatement => ({
    bind: (...args) => statement(sql, args as SQLInputValue[]),
    all: async <T>() => {
      const s = prepared.get(sql) ?? db.prepare(sql);
      prepared.set(sql, s);
      return { results: s.all(...params) as T[] };
    },
  });
  return {
    prepare: (sql) => statement(sql),
    batch: async (stmts) => Promise.all(stmts.map((s) => s.all())),
  };
}

function optionsOf(p: URLSearchParams): SearchOptions {
  const year = p.get('year')?.split('..').map(Number);
  return {
    q: p.get('q') ?? '',
    genres: p.getAll('genre'),
    ...(year ? { years: { from: year[0]!, to: year[1] ?? year[0]! } } : {}),
    status: 'ready',
    page: Number(p.get('page') ?? 1),
    limit: 20,
    facets: p.has('facets'),
  };
}

async function floorLatency(mix: URLSearchParams[]) {
  const db = floorDb(d1File('docs'));
  const xs: number[] = [];
  for (const p of mix) {
    const t = performance.now();
    await runSearch(db, optionsOf(p));
    xs.push(performance.now() - t);
  }
  return percentiles(xs);
}

const rows: string[] = [];
const fmt = (n: number) => n.toFixed(1);
const load = os.loadavg()[0]!.toFixed(2);
rmSync(stateDir, { recursive: true, force: true });

// 1. The films through the real event path.
let { platform, token } = await start();
try {
  const base = platform.url;
  const t0 = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < films.length) {
      const f = films[next++]!;
      const r = await call('POST', `${base}/videos`, {
        token,
        body: {
          title: f.title,
          description: f.description,
          tags: f.tags,
          genres: f.genres,
          ...(f.releaseYear ? { releaseYear: f.releaseYear } : {}),
        },
      });
      if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.json)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const created = (performance.now() - t0) / 1000;
  await waitFor(async () => (await indexedCount(base, token)) >= films.length, 600_000, 'films indexed');
  const indexed = (performance.now() - t0) / 1000;
  const lags: number[] = [];
  for (let i = 0; i < 20; i++) {
    const word = `lagprobe${i}x${Math.floor(Math.random() * 1e6)}`;
    const t = performance.now();
    const r = await call('POST', `${base}/videos`, { token, body: { title: `The ${word}` } });
    if (r.status !== 201) throw new Error('probe create failed');
    await waitFor(
      async () => (await call('GET', `${base}/search?q=${word}&status=any`, { token })).json.length === 1,
      10_000,
      'probe',
    );
    lags.push(performance.now() - t);
  }
  const lag = percentiles(lags);
  rows.push(
    `| event path: ${films.length} films, POST /videos → outbox → catalog-events → consumer (${CONCURRENCY} clients) | ${fmt(films.length / created)} videos/s created; all findable after ${fmt(indexed)} s: **${fmt(films.length / indexed)} docs/s** |`,
    `| indexing lag, one video (POST /videos answered → findable), 20 probes | p50 ${fmt(lag.p50)} ms · max ${fmt(Math.max(...lags))} ms |`,
  );
} finally {
  await platform.stop();
}

// 2. and 3.: rebuild and search at 3K, then at 100K.
for (const size of [films.length, TOTAL]) {
  seedVideos(size);
  ({ platform, token } = await start());
  try {
    const base = platform.url;
    const built = await rebuild(base, token);
    const count = await indexedCount(base, token);
    const docs = size === films.length ? films : [...films, ...syntheticVideos(films, size - films.length)];
    const mix = queryMix(docs, QUERIES);
    const gw = await gatewayLatency(base, mix);
    const floor = await floorLatency(mix);
    const dbMb = statSync(d1File('docs')).size / 1e6;
    rows.push(
      `| rebuild from the videos service at ${count.toLocaleString('en')} docs (catalogPage RPC, pages of 200) | **${fmt(built.docs / built.seconds)} docs/s** (${fmt(built.seconds)} s; index DB ${fmt(dbMb)} MB) |`,
      `| search through the gateway at ${count.toLocaleString('en')} docs, ${mix.length} distinct queries, cache misses | p50 **${fmt(gw.cold.p50)} ms** · p99 **${fmt(gw.cold.p99)} ms** |`,
      `| same queries again, edge-cache hits | p50 ${fmt(gw.warm.p50)} ms · p99 ${fmt(gw.warm.p99)} ms |`,
      `| for scale: GET /healthz through the same local proxy and gateway (no service) | p50 ${fmt(gw.bare.p50)} ms · p99 ${fmt(gw.bare.p99)} ms |`,
      `| floor: the same search code and SQL on node:sqlite FTS5 alone, in process | p50 ${fmt(floor.p50)} ms · p99 ${fmt(floor.p99)} ms (gateway p99 = ${fmt(gw.cold.p99 / floor.p99)}× floor) |`,
    );
  } finally {
    await platform.stop();
  }
}

appendResults(
  'Search (catalog: D1 + FTS5)',
  'npm run bench -- search',
  [
    `One run, load average ${load} at the start. The platform as \`npm start\` runs it (wrangler dev: gateway,`,
    'services, local D1 and queues); search requests sequential, anonymous, from one client. Query mix:',
    'single words, two words, typing prefixes, one-typo words, two-word phrases, genre and year filters,',
    'facets, genre listings by popularity (bench/search.ts, seeded). 100K documents: the films plus',
    "bench/search-data.ts's generator (seed 13).",
    '',
    '| what | figure |',
    '| --- | --- |',
    ...rows,
  ].join('\n'),
);
