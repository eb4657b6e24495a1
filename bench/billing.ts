/**
 * Billing on workerd directly (no wrangler proxy): the deployed billing Worker's code behind a
 * service binding, called over RPC by a driver Worker (bench/workers/):
 *   - getEntitlement(userId) answered from the isolate's cache (hit) and from the database (miss:
 *     a user not cached yet; two queries of a Durable Object SQLite standing in for D1). The mean per
 *     call is timed inside workerd over long runs; p50/p99 from Node, one RPC per HTTP request,
 *     beside the same request making no call (the difference is the call);
 *   - incoming webhooks accepted per second: Stripe-Signature checked with Stripe's SDK, the event
 *     recorded once by id and its processing queued, in one batch (16 concurrent deliveries).
 * Each figure is the median of ROUNDS rounds.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { appendResults } from './lib/results.ts';
import { bundleFile, OUT, ROOT, startWorkerd } from './lib/workerd.ts';
import { median } from './lib/wrk.ts';

interface Latency {
  p50: number;
  p99: number;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const HITS = Number(process.env.BENCH_SAMPLES ?? 20000);
const MISSES = Number(process.env.BENCH_MISSES ?? 2000);
const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 2000);
const PORT = Number(process.env.BENCH_PORT ?? 9331);

const dir = path.join(OUT, 'billing');
const storage = path.join(dir, 'do-storage');
rmSync(storage, { recursive: true, force: true });
mkdirSync(storage, { recursive: true });
const workers = ['workerd', 'worker', 'browser'];
await bundleFile(path.join(ROOT, 'bench/workers/billing.ts'), path.join(dir, 'billing.js'), workers);
await bundleFile(path.join(ROOT, 'bench/workers/billing-driver.ts'), path.join(dir, 'driver.js'), workers);

const migrationsDir = path.join(ROOT, 'migrations/billing');
const migrations = readdirSync(migrationsDir)
  .filter((f) => f.endsWith('.sql'))
  .sort()
  .map((f) => readFileSync(path.join(migrationsDir, f), 'utf8'));
const WEBHOOK_SECRET = 'whsec_bench_billing';
const text = (name: string, value: string) =>
  `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(value)})`;
const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "billing", worker = .billing),
    (name = "driver", worker = .driver),
    (name = "do-storage", disk = (path = ${JSON.stringify(storage)}, writable = true)),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${PORT}", http = (), service = "driver")],
);
const billing :Workerd.Worker = (
  modules = [(name = "billing.js", esModule = embed "billing.js")],
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "SQL", durableObjectNamespace = "SqlStore"),
    ${text('ENVIRONMENT', 'production')},
    ${text('BILLING_PROVIDER', 'local')},
    ${text('STRIPE_WEBHOOK_SECRET', WEBHOOK_SECRET)},
  ],
  durableObjectNamespaces = [(className = "SqlStore", uniqueKey = "bench-billing-sql", enableSql = true)],
  # SQLite-backed objects need storage on disk (a fresh folder every run).
  durableObjectStorage = (localDisk = "do-storage"),
);
const driver :Workerd.Worker = (
  modules = [(name = "driver.js", esModule = embed "driver.js")],
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "BILLING", service = "billing"),
    ${text('WEBHOOK_SECRET', WEBHOOK_SECRET)},
    ${text('MIGRATIONS', JSON.stringify(migrations))},
  ],
);
`;

const base = `http://127.0.0.1:${PORT}`;
const workerd = await startWorkerd(config, dir, `${base}/healthz`);
async function get<T>(p: string): Promise<T> {
  const res = await fetch(`${base}${p}`);
  const body = await res.text();
  if (!res.ok) throw new Error(`${p}: ${res.status} ${body}`);
  return JSON.parse(body) as T;
}
interface Mean {
  meanMs: number;
}

/** One sequential keep-alive client from Node: p50/p99 of each request, in ms. */
async function sequential(paths: (i: number) => string, samples: number) {
  const xs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    const r = await fetch(`${base}${paths(i)}`);
    const body = await r.text();
    xs.push(performance.now() - t);
    if (body !== 'active') throw new Error(`${paths(i)}: ${r.status} ${body}`);
  }
  xs.sort((a, b) => a - b);
  const at = (q: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

try {
  await get(`/setup?miss=${MISSES * (2 * ROUNDS + 1)}`);
  // Warm-up: the first calls compile and fill what an isolate keeps.
  await get(`/entitlement/miss?n=${Math.min(200, MISSES)}&offset=${MISSES * 2 * ROUNDS}`);
  await get('/entitlement/hit?n=2000');
  await get('/webhooks?n=200');
  const miss: Mean[] = [];
  const hit: Mean[] = [];
  const hooks: { perSecond: number; accepted: number; events: number }[] = [];
  const one = { none: [] as Latency[], hit: [] as Latency[], miss: [] as Latency[] };
  for (let r = 0; r < ROUNDS; r++) {
    miss.push(await get<Mean>(`/entitlement/miss?n=${MISSES}&offset=${r * MISSES}`));
    hit.push(await get<Mean>(`/entitlement/hit?n=${HITS}`));
    hooks.push(await get(`/webhooks?n=${WEBHOOKS}&concurrency=${CONCURRENCY}`));
    // Interleaved, so that drift on this shared machine hits every variant alike.
    one.none.push(await sequential(() => '/one/none', SEQUENTIAL));
    one.hit.push(await sequential((i) => `/one/hit?i=${i % 100}`, SEQUENTIAL));
    const offset = (ROUNDS + r) * MISSES;
    one.miss.push(await sequential((i) => `/one/miss?i=${offset + i}`, Math.min(SEQUENTIAL, MISSES)));
  }
  const mean = (xs: Mean[]) => median(xs.map((x) => x.meanMs));
  const p = (xs: Latency[], q: 'p50' | 'p99') => median(xs.map((x) => x[q]));
  const row = (name: string, inside: Mean[], outside: Latency[]) =>
    `| ${name} | ${(mean(inside) * 1000).toFixed(0)} | ${p(outside, 'p50').toFixed(3)} (+${(p(outside, 'p50') - p(one.none, 'p50')).toFixed(3)}) | ${p(outside, 'p99').toFixed(3)} (+${(p(outside, 'p99') - p(one.none, 'p99')).toFixed(3)}) |`;
  const rejected = hooks.reduce((n, h) => n + h.events - h.accepted, 0);
  const body = [
    `workerd direct, ${ROUNDS} rounds (medians); config in bench/out/billing/config.capnp. getEntitlement is one RPC from another Worker over a service binding, as playback calls it.`,
    '',
    '| getEntitlement | mean µs per call (inside workerd) | HTTP request with one call: p50 ms (+ over none) | p99 ms (+ over none) |',
    '| --- | ---: | ---: | ---: |',
    row(`cache hit (${HITS} calls over 100 users)`, hit, one.hit),
    row(`cache miss (${MISSES} new users a round; D1 stood in by a Durable Object's SQLite)`, miss, one.miss),
    `| (the same HTTP request making no call) | – | ${p(one.none, 'p50').toFixed(3)} | ${p(one.none, 'p99').toFixed(3)} |`,
    '',
    `Incoming webhooks (signature checked with Stripe's SDK, recorded once, processing queued): **${median(hooks.map((h) => h.perSecond)).toFixed(0)} events/s** with ${CONCURRENCY} concurrent deliveries, ${WEBHOOKS} events a round; ${rejected} refused.`,
  ].join('\n');
  appendResults(
    'Billing: entitlements and incoming webhooks (workerd direct)',
    'npm run bench -- billing',
    body,
  );
} finally {
  workerd.kill('SIGTERM');
}
