/**
 * Profiles on workerd directly (no wrangler proxy): the real gateway bundle in front of the profile
 * Worker's code (bench/workers/profile.ts: D1 stood in by a Durable Object's SQLite, KV in memory),
 * with USERS users seeded, each with ITEMS watchlist entries and ITEMS resume points. One keep-alive
 * client from Node sends GET …/watchlist, …/history and …/continue-watching in turn for users drawn
 * from a Zipf distribution (a few hot users, a long tail), with a resume-point write through the
 * gateway every WRITE_EVERY requests (each write moves that user's lists to a new cache version).
 * Figures: p50/p99 per route (all, cache hits, misses) and the cache hit ratio (X-Cache).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
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

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 100);
const VIDEOS = Number(process.env.BENCH_VIDEOS ?? 2_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 6_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3_000);
const ZIPF_S = Number(process.env.BENCH_ZIPF ?? 1.0);
const WRITE_EVERY = Number(process.env.BENCH_WRITE_EVERY ?? 20);
const PORT = Number(process.env.BENCH_PORT ?? 9287);
const ROUTES = ['watchlist', 'history', 'continue-watching'] as const;
type Route = (typeof ROUTES)[number];

const dir = path.join(OUT, 'profile');
const storage = path.join(dir, 'do-storage');
rmSync(storage, { recursive: true, force: true });
mkdirSync(storage, { recursive: true });
bundleWithWrangler(path.join(ROOT, 'wrangler.jsonc'), path.join(dir, 'gateway'));
const conditions = ['workerd', 'worker', 'browser'];
await bundleFile(path.join(ROOT, 'bench/workers/profile.ts'), path.join(dir, 'profile.js'), conditions);
await bundleFile(path.join(ROOT, 'bench/workers/profile-kv.ts'), path.join(dir, 'profile-kv.js'));
await bundleFile(path.join(ROOT, 'bench/workers/service.ts'), path.join(dir, 'auth.js'));
await bundleFile(path.join(ROOT, 'bench/workers/kv.ts'), path.join(dir, 'kv.js'));

const { publicKey, privateKey } = await generateKeyPair('RS256');
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'RS256', use: 'sig' }] };
const tokens = new Map<number, string>();
async function tokenOf(user: number): Promise<string> {
  let token = tokens.get(user);
  if (!token) {
    token = await new SignJWT({ roles: ['viewer'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'bench-1' })
      .setSubject(userId(user))
      .setIssuer('edge-video-auth')
      .setAudience('edge-video-api')
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(privateKey);
    tokens.set(user, token);
  }
  return token;
}
const userId = (i: number) => `usr_b${String(i).padStart(5, '0')}`;

const rateLimits = unreachableRateLimits(['profile']);
const text = capnpText;
const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "gateway", worker = .gateway),
    (name = "profile", worker = .profile),
    (name = "auth", worker = .auth),
    (name = "kv", worker = .kv),
    (name = "profile-kv", worker = .profileKv),
    (name = "do-storage", disk = (path = ${JSON.stringify(storage)}, writable = true)),
  ],
  sockets = [
    (name = "gateway", address = "127.0.0.1:${PORT}", http = (), service = "gateway"),
    (name = "setup", address = "127.0.0.1:${PORT + 1}", http = (), service = "profile"),
  ],
);
${gatewayWorker({ services: { AUTH: 'auth', PROFILE: 'profile' }, rateLimits, uniqueKey: 'bench-profile-rate-limiter' })}
const profile :Workerd.Worker = (
  modules = [(name = "profile.js", esModule = embed "profile.js")],
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "SQL", durableObjectNamespace = "SqlStore"),
    (name = "CACHE", kvNamespace = "profile-kv"),
    ${text('ENVIRONMENT', 'production')},
  ],
  durableObjectNamespaces = [(className = "SqlStore", uniqueKey = "bench-profile-sql", enableSql = true)],
  durableObjectStorage = (localDisk = "do-storage"),
);
const auth :Workerd.Worker = (
  modules = [(name = "auth.js", esModule = embed "auth.js")],
  compatibilityDate = "2026-11-01",
  bindings = [${text('JWKS', JSON.stringify(jwks))}],
);
const kv :Workerd.Worker = (
  modules = [(name = "kv.js", esModule = embed "kv.js")],
  compatibilityDate = "2026-11-01",
);
const profileKv :Workerd.Worker = (
  modules = [(name = "profile-kv.js", esModule = embed "profile-kv.js")],
  compatibilityDate = "2026-11-01",
);
`;

const base = `http://127.0.0.1:${PORT}`;
const setup = `http://127.0.0.1:${PORT + 1}`;
const workerd = await startWorkerd(config, dir, `${setup}/healthz`);

async function post(p: string, body?: string): Promise<string> {
  const res = await fetch(`${setup}${p}`, { method: 'POST', body });
  const out = await res.text();
  if (!res.ok) throw new Error(`${p}: ${res.status} ${out}`);
  return out;
}

/** Zipf(s) over [0, n): the inverse of its cumulative distribution, by binary search. */
function zipf(n: number, s: number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** s;
    cdf[i] = sum;
  }
  return () => {
    const x = Math.random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

interface Sample {
  route: Route;
  ms: number;
  hit: boolean;
}

const quantile = (xs: number[], q: number) => {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))]!;
};

try {
  const migrationsDir = path.join(ROOT, 'migrations/profile');
  for (const f of readdirSync(migrationsDir)
    .filter((f) => f.endsWith('.sql'))
    .sort())
    await post('/migrate', readFileSync(path.join(migrationsDir, f), 'utf8'));
  const seedStarted = performance.now();
  await post(`/seed/videos?count=${VIDEOS}`);
  const CHUNK = 500;
  for (let from = 0; from < USERS; from += CHUNK)
    await post(
      `/seed/users?from=${from}&to=${Math.min(USERS, from + CHUNK)}&items=${ITEMS}&videos=${VIDEOS}`,
    );
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const counts = JSON.parse(await post('/count')) as { watchlist: number; history: number; videos: number };
  console.log(`seeded in ${seedSeconds.toFixed(1)} s: ${JSON.stringify(counts)}`);

  const draw = zipf(USERS, ZIPF_S);
  let writes = 0;
  const writeLatency: number[] = [];
  async function request(i: number): Promise<Sample> {
    const user = draw();
    const token = await tokenOf(user);
    if (WRITE_EVERY && i % WRITE_EVERY === WRITE_EVERY - 1) {
      const video = `vid_b${String((user * 53) % VIDEOS).padStart(5, '0')}`;
      const t = performance.now();
      const res = await fetch(`${base}/profiles/${userId(user)}/history`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ videoId: video, progress: 60 + (i % 100) }),
      });
      await res.arrayBuffer();
      writeLatency.push(performance.now() - t);
      if (res.status !== 201) throw new Error(`write answered ${res.status}`);
      writes++;
    }
    const route = ROUTES[i % ROUTES.length]!;
    const t = performance.now();
    const res = await fetch(`${base}/profiles/${userId(user)}/${route}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = await res.text();
    const ms = performance.now() - t;
    if (res.status !== 200) throw new Error(`${route} answered ${res.status}: ${body}`);
    return { route, ms, hit: res.headers.get('x-cache') === 'hit' };
  }

  // Tokens are signed in Node ahead of the timed requests, for the users the load will draw most.
  for (let u = 0; u < Math.min(USERS, 2000); u++) await tokenOf(u);
  for (let i = 0; i < WARMUP; i++) await request(i);
  writeLatency.length = 0;
  writes = 0;
  const loadBefore = os.loadavg()[0]!;
  const samples: Sample[] = [];
  for (let i = 0; i < SAMPLES; i++) samples.push(await request(i));

  const row = (name: string, xs: Sample[]) => {
    const all = xs.map((s) => s.ms);
    const hits = xs.filter((s) => s.hit).map((s) => s.ms);
    const misses = xs.filter((s) => !s.hit).map((s) => s.ms);
    const f = (v: number) => (Number.isNaN(v) ? '–' : v.toFixed(2));
    return `| ${name} | ${xs.length} | ${f(quantile(all, 0.5))} | **${f(quantile(all, 0.99))}** | ${f(quantile(hits, 0.5))} / ${f(quantile(hits, 0.99))} | ${f(quantile(misses, 0.5))} / ${f(quantile(misses, 0.99))} | ${((hits.length / xs.length) * 100).toFixed(1)} % |`;
  };
  const p99 = quantile(
    samples.map((s) => s.ms),
    0.99,
  );
  const hitRatio = samples.filter((s) => s.hit).length / samples.length;
  const body = [
    `workerd direct (config in bench/out/profile/config.capnp): the real gateway bundle (token verified, rate-limit policy \`profile\` with unreachable limits) → RPC → the profile Worker's code; D1 stood in by a Durable Object's SQLite on disk, KV in memory (production adds a network hop to each).`,
    `Seeded ${USERS.toLocaleString('en')} users × ${ITEMS} watchlist entries and ${ITEMS} resume points (${counts.watchlist.toLocaleString('en')} + ${counts.history.toLocaleString('en')} rows) over ${VIDEOS.toLocaleString('en')} videos with SQL-generated rows in ${seedSeconds.toFixed(1)} s.`,
    `One sequential keep-alive client, ${SAMPLES} timed GETs after ${WARMUP} untimed ones (which fill the cache as a running platform's traffic would), routes in turn, page 1 of 20; users drawn Zipf(s = ${ZIPF_S}) over all ${USERS.toLocaleString('en')}; a resume-point write through the gateway every ${WRITE_EVERY} requests (${writes} writes, each moving its user to a new cache version; write p50 ${quantile(writeLatency, 0.5).toFixed(2)} ms / p99 ${quantile(writeLatency, 0.99).toFixed(2)} ms).`,
    '',
    '| GET /profiles/{userId}/… | requests | p50 ms | p99 ms | cache hit p50 / p99 ms | miss p50 / p99 ms | cache hits |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...ROUTES.map((r) =>
      row(
        r,
        samples.filter((s) => s.route === r),
      ),
    ),
    row('all three', samples),
    '',
    `Cache hit ratio **${(hitRatio * 100).toFixed(1)} %**; p99 over all reads **${p99.toFixed(2)} ms** (target < 10 ms; the spec asks < 50 ms).`,
    `Load average of this shared 2-core machine: ${loadBefore.toFixed(2)} when the timed reads began, ${os.loadavg()[0]!.toFixed(2)} when they ended.`,
  ].join('\n');
  appendResults(
    'Profiles: watchlist, history, continue watching through the gateway (workerd direct)',
    'npm run bench -- profile',
    body,
  );
} finally {
  workerd.kill('SIGTERM');
}
