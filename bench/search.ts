/**
 * Search on workerd directly (no wrangler proxy): indexing throughput and search latency at 3K and
 * 100K documents through the real gateway bundle (rate-limit policies with unreachable limits) →
 * RPC → the catalog Worker's code (bench/workers/search.ts: D1 stood in by a Durable Object's SQLite
 * on disk, the Cache API by the in-memory cache of bench/workers/recs-cache.ts), beside the same
 * searches run by the same search code on SQLite FTS5 alone (node:sqlite, in process, on a copy of
 * that Durable Object's database file) as the floor, in the same run.
 *
 *   1. The 3,201 films of vega-datasets' movies.json are indexed one document per call, as the
 *      queue consumer applies one VideoCreated (`applyMetadata`): indexing throughput at 3K; then
 *      search latency at 3K, through the gateway and on the floor.
 *   2. bench/search-data.ts's generator grows the index to 100K documents in batches of 200, as a
 *      rebuild applies a page from the videos service: throughput; then search latency at 100K.
 *
 * Search latency: sequential anonymous GET /search through the gateway from one keep-alive client,
 * over a fixed, seeded mix of distinct queries (words, two-word queries, typing prefixes, typos,
 * phrases, genre and year filters, facets, empty queries listing by popularity), each query once
 * (cache misses), then the same mix again (edge-cache hits). The floor runs each query once. Both
 * after 20 untimed searches for words in no document.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import {
  search as runSearch,
  type SearchOptions,
  type SqlDatabase,
  type SqlStatement,
} from '../workers/services/catalog/src/search/search.ts';
import { appendResults } from './lib/results.ts';
import {
  bundleFile,
  bundleWithWrangler,
  capnpText,
  gatewayWorker,
  OUT,
  ROOT,
  startWorkerd,
  unreachableRateLimits,
} from './lib/workerd.ts';
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
const BATCH = 200;

const films = moviesToVideos(
  JSON.parse(
    readFileSync(path.join(ROOT, 'node_modules/vega-datasets/data/movies.json'), 'utf8'),
  ) as MovieRecord[],
).slice(0, Number(process.env.BENCH_FILMS ?? Number.POSITIVE_INFINITY));

const dir = path.join(OUT, 'search');
const storage = path.join(dir, 'do-storage');
rmSync(storage, { recursive: true, force: true });
mkdirSync(storage, { recursive: true });
bundleWithWrangler(path.join(ROOT, 'wrangler.jsonc'), path.join(dir, 'gateway'));
const conditions = ['workerd', 'worker', 'browser'];
await bundleFile(path.join(ROOT, 'bench/workers/search.ts'), path.join(dir, 'catalog.js'), conditions);
await bundleFile(path.join(ROOT, 'bench/workers/recs-cache.ts'), path.join(dir, 'cache.js'));
await bundleFile(path.join(ROOT, 'bench/workers/service.ts'), path.join(dir, 'auth.js'));
await bundleFile(path.join(ROOT, 'bench/workers/kv.ts'), path.join(dir, 'kv.js'));

const rateLimits = unreachableRateLimits();
const text = capnpText;
const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "gateway", worker = .gateway),
    (name = "catalog", worker = .catalog),
    (name = "cache", worker = .cache),
    (name = "auth", worker = .auth),
    (name = "kv", worker = .kv),
    (name = "do-storage", disk = (path = ${JSON.stringify(storage)}, writable = true)),
  ],
  sockets = [
    (name = "gateway", address = "127.0.0.1:${PORT}", http = (), service = "gateway"),
    (name = "setup", address = "127.0.0.1:${PORT + 1}", http = (), service = "catalog"),
  ],
);
${gatewayWorker({ services: { AUTH: 'auth', CATALOG: 'catalog' }, rateLimits, uniqueKey: 'bench-search-rate-limiter' })}
const catalog :Workerd.Worker = (
  modules = [(name = "catalog.js", esModule = embed "catalog.js")],
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "SQL", durableObjectNamespace = "SqlStore"),
    ${text('ENVIRONMENT', 'production')},
  ],
  durableObjectNamespaces = [(className = "SqlStore", uniqueKey = "bench-search-sql", enableSql = true)],
  durableObjectStorage = (localDisk = "do-storage"),
  cacheApiOutbound = "cache",
);
const cache :Workerd.Worker = (
  modules = [(name = "cache.js", esModule = embed "cache.js")],
  compatibilityDate = "2026-11-01",
);
const auth :Workerd.Worker = (
  modules = [(name = "auth.js", esModule = embed "auth.js")],
  compatibilityDate = "2026-11-01",
  bindings = [${text('JWKS', JSON.stringify({ keys: [] }))}],
);
const kv :Workerd.Worker = (
  modules = [(name = "kv.js", esModule = embed "kv.js")],
  compatibilityDate = "2026-11-01",
);
`;

const base = `http://127.0.0.1:${PORT}`;
const setup = `http://127.0.0.1:${PORT + 1}`;

async function post(p: string, body?: string): Promise<string> {
  const res = await fetch(`${setup}${p}`, { method: 'POST', body });
  const out = await res.text();
  if (!res.ok) throw new Error(`${p}: ${res.status} ${out}`);
  return out;
}

/** Indexes documents `per` to a call; returns documents per second. */
async function index(docs: VideoMetadata[], per: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < docs.length; i += per) await post('/index', JSON.stringify(docs.slice(i, i + per)));
  return docs.length / ((performance.now() - t) / 1000);
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

async function gatewayLatency(mix: URLSearchParams[]) {
  // Untimed first: the isolates' first requests (compilation, the Durable Object's first statements)
  // are not what a search costs; the words are in no title, so the mix's answers are not cached.
  for (let i = 0; i < 20; i++) await (await fetch(`${base}/search?q=warmup${i}x&genre=Drama`)).arrayBuffer();
  const cold: number[] = [];
  const warm: number[] = [];
  for (const round of [cold, warm]) {
    for (const p of mix) {
      const t = performance.now();
      const r = await fetch(`${base}/search?${p}`);
      const body = await r.text();
      round.push(performance.now() - t);
      if (r.status !== 200) throw new Error(`search ${p} answered ${r.status}: ${body}`);
    }
  }
  // The gateway's own cost per request, for scale: a route it answers without a service.
  const bare: number[] = [];
  for (let i = 0; i < mix.length; i++) {
    const t = performance.now();
    await (await fetch(`${base}/healthz`)).arrayBuffer();
    bare.push(performance.now() - t);
  }
  return { cold: percentiles(cold), warm: percentiles(warm), bare: percentiles(bare) };
}

/** The Durable Object's SQLite file that holds the index. */
function indexFile(): string {
  const files = readdirSync(storage, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.sqlite') && path.basename(f) !== 'metadata.sqlite')
    .map((f) => path.join(storage, f));
  if (files.length !== 1) throw new Error(`expected one SQLite file under ${storage}: ${files.join(', ')}`);
  return files[0]!;
}

/** The catalog's own search code on node:sqlite, through a D1-shaped wrapper: the floor. */
function floorDb(file: string): { db: SqlDatabase; close: () => void } {
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
    db: { prepare: (sql) => statement(sql), batch: async (stmts) => Promise.all(stmts.map((s) => s.all())) },
    close: () => db.close(),
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
  const floor = floorDb(indexFile());
  const xs: number[] = [];
  try {
    for (let i = 0; i < 20; i++)
      await runSearch(floor.db, optionsOf(new URLSearchParams({ q: `warmup${i}x` })));
    for (const p of mix) {
      const t = performance.now();
      await runSearch(floor.db, optionsOf(p));
      xs.push(performance.now() - t);
    }
  } finally {
    floor.close();
  }
  return percentiles(xs);
}

const rows: string[] = [];
const fmt = (n: number) => n.toFixed(1);
const loadBefore = os.loadavg();
const workerd = await startWorkerd(config, dir, `${setup}/healthz`);
try {
  const migrations = path.join(ROOT, 'migrations/catalog');
  for (const f of readdirSync(migrations)
    .filter((f) => f.endsWith('.sql'))
    .sort())
    await post('/migrate', readFileSync(path.join(migrations, f), 'utf8'));

  const steps = [
    { docs: films, per: 1, how: 'one document per call, as the consumer applies one VideoCreated' },
    {
      docs: syntheticVideos(films, Math.max(0, TOTAL - films.length)),
      per: BATCH,
      how: `batches of ${BATCH}, as a rebuild applies one page from the videos service`,
    },
  ];
  const indexed: VideoMetadata[] = [];
  for (const step of steps) {
    const rate = await index(step.docs, step.per);
    indexed.push(...step.docs);
    const count = JSON.parse(await post('/count')) as { docs: number };
    if (count.docs !== indexed.length) throw new Error(`indexed ${count.docs} of ${indexed.length}`);
    const n = count.docs.toLocaleString('en');
    const mix = queryMix(indexed, QUERIES);
    const gw = await gatewayLatency(mix);
    const floor = await floorLatency(mix);
    const dbMb = statSync(indexFile()).size / 1e6;
    console.log(`${n} docs: gateway ${JSON.stringify(gw)}, floor ${JSON.stringify(floor)}`);
    rows.push(
      `| indexing ${step.docs.length.toLocaleString('en')} documents (to ${n}), ${step.how} (applyMetadata) | **${fmt(rate)} docs/s** (index DB ${fmt(dbMb)} MB) |`,
      `| search through the gateway at ${n} docs, ${mix.length} distinct queries, cache misses | p50 **${fmt(gw.cold.p50)} ms** · p99 **${fmt(gw.cold.p99)} ms** |`,
      `| same queries again, edge-cache hits | p50 ${fmt(gw.warm.p50)} ms · p99 ${fmt(gw.warm.p99)} ms |`,
      `| for scale: GET /healthz through the same gateway (no service) | p50 ${fmt(gw.bare.p50)} ms · p99 ${fmt(gw.bare.p99)} ms |`,
      `| floor: the same queries, search code and SQL on node:sqlite FTS5 alone, in process | p50 ${fmt(floor.p50)} ms · p99 ${fmt(floor.p99)} ms (gateway p99 = ${(gw.cold.p99 / floor.p99).toFixed(2)}× floor) |`,
    );
  }
} finally {
  workerd.kill('SIGTERM');
}
const loadAfter = os.loadavg();

appendResults(
  'Search (catalog: D1 + FTS5), workerd direct',
  'npm run bench -- search',
  [
    'workerd direct (config in bench/out/search/config.capnp): the real gateway bundle (rate-limit policies with',
    "unreachable limits) → RPC → the catalog Worker's code; D1 stood in by a Durable Object's SQLite on disk, the",
    'Cache API by an in-memory cache service (production adds a network hop to each). Search requests sequential,',
    'anonymous, from one keep-alive client. Query mix: single words, two words, typing prefixes, one-typo words,',
    'two-word phrases, genre and year filters, facets, genre listings by popularity (bench/search.ts, seeded).',
    '100K documents: the films plus bench/search-data.ts\'s generator (seed 13). Earlier "Search (catalog: D1 +',
    'FTS5)" entries without "workerd direct" went through `wrangler dev` (its local proxy adds ≈12 ms a request),',
    'with the search code of that time.',
    `Load average of this shared 2-core machine (1/5/15 min): ${loadBefore.map((l) => l.toFixed(2)).join(' / ')} at the start, ${loadAfter.map((l) => l.toFixed(2)).join(' / ')} at the end.`,
    '',
    '| what | figure |',
    '| --- | --- |',
    ...rows,
  ].join('\n'),
);
