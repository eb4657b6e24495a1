/**
 * Gateway overhead on workerd directly (no wrangler proxy): requests/s and p50/p99 of
 *   (a) a bare Worker answering with one RPC hop to a service,
 *   (b) the same request through the real gateway bundle with token verification + rate limiting,
 *   (c) the same gateway route without a token (the cost of verifying one),
 * measured side by side, interleaved, in one run. Target: (b) ≥ 60 % of (a), p99 + < 2 ms.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { DEFAULT_POLICIES } from '../workers/gateway/src/ratelimit/policies.ts';
import { type Latency, sequentialLatency } from './lib/latency.ts';
import { appendResults } from './lib/results.ts';
import { bundleFile, bundleWithWrangler, OUT, ROOT, startWorkerd } from './lib/workerd.ts';
import { type LoadResult, median, wrk } from './lib/wrk.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PORT = Number(process.env.BENCH_PORT ?? 9311);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 3000);
const ROUTE = process.env.BENCH_ROUTE ?? '/videos/vid_bench';

const dir = path.join(OUT, 'gateway');
bundleWithWrangler(path.join(ROOT, 'wrangler.jsonc'), path.join(dir, 'gateway'));
await bundleFile(path.join(ROOT, 'bench/workers/service.ts'), path.join(dir, 'service.js'));
await bundleFile(path.join(ROOT, 'bench/workers/bare.ts'), path.join(dir, 'bare.js'));
await bundleFile(path.join(ROOT, 'bench/workers/kv.ts'), path.join(dir, 'kv.js'));

const { publicKey, privateKey } = await generateKeyPair('RS256');
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'RS256', use: 'sig' }] };
const token = await new SignJWT({ roles: ['viewer'] })
  .setProtectedHeader({ alg: 'RS256', kid: 'bench-1' })
  .setSubject('usr_bench')
  .setIssuer('edge-video-auth')
  .setAudience('edge-video-api')
  .setIssuedAt()
  .setExpirationTime('15m')
  .sign(privateKey);
// Kept beside the config so the same workerd setup can be probed by hand.
writeFileSync(path.join(dir, 'token.txt'), token);

// The production policy itself (mode, dimensions, windows) with limits the load cannot reach.
const rateLimits = JSON.stringify({
  default: {
    ...DEFAULT_POLICIES.default,
    limits: DEFAULT_POLICIES.default.limits.map((l) => ({ ...l, limit: 1e9 })),
  },
});
const text = (name: string, value: string) =>
  `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(value)})`;
const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "gateway", worker = .gateway),
    (name = "bare", worker = .bare),
    (name = "svc", worker = .svc),
    (name = "kv", worker = .kv),
  ],
  sockets = [
    (name = "gateway", address = "127.0.0.1:${PORT}", http = (), service = "gateway"),
    (name = "bare", address = "127.0.0.1:${PORT + 1}", http = (), service = "bare"),
  ],
);
const gateway :Workerd.Worker = (
  modules = [(name = "index.js", esModule = embed "gateway/index.js")],
  compatibilityDate = "2026-11-01",
  compatibilityFlags = ["nodejs_compat"],
  bindings = [
    (name = "AUTH", service = "svc"),
    (name = "VIDEOS", service = "svc"),
    (name = "CACHE", kvNamespace = "kv"),
    (name = "RATE_LIMITER", durableObjectNamespace = "RateLimiter"),
    ${text('ENVIRONMENT', 'development')},
    ${text('JWT_ISSUER', 'edge-video-auth')},
    ${text('JWT_AUDIENCE', 'edge-video-api')},
    ${text('RATE_LIMITS', rateLimits)},
    ${text('STORAGE_SIGNING_KEY', 'bench-signing-key')},
  ],
  durableObjectNamespaces = [(className = "RateLimiter", uniqueKey = "bench-rate-limiter", enableSql = true)],
  durableObjectStorage = (inMemory = void),
);
const bare :Workerd.Worker = (
  modules = [(name = "bare.js", esModule = embed "bare.js")],
  compatibilityDate = "2026-11-01",
  bindings = [(name = "SVC", service = "svc")],
);
const svc :Workerd.Worker = (
  modules = [(name = "service.js", esModule = embed "service.js")],
  compatibilityDate = "2026-11-01",
  bindings = [${text('JWKS', JSON.stringify(jwks))}],
);
const kv :Workerd.Worker = (
  modules = [(name = "kv.js", esModule = embed "kv.js")],
  compatibilityDate = "2026-11-01",
);
`;

const base = `http://127.0.0.1:${PORT}`;
const bareBase = `http://127.0.0.1:${PORT + 1}`;
const workerd = await startWorkerd(config, dir, `${base}/healthz`);
try {
  const check = await fetch(`${base}${ROUTE}`, { headers: { authorization: `Bearer ${token}` } });
  const checkBody = await check.text();
  if (check.status !== 200) throw new Error(`gateway route answered ${check.status}: ${checkBody}`);
  if (!check.headers.get('ratelimit-limit')) throw new Error('the route is not rate limited');

  const runs: Record<'a' | 'b' | 'c', LoadResult[]> = { a: [], b: [], c: [] };
  const opts = { seconds: SECONDS, connections: CONNECTIONS, serverPid: workerd.pid! };
  // Warm-up, then interleave so drift on this noisy machine hits every variant alike.
  wrk(`${bareBase}${ROUTE}`, { ...opts, seconds: 2 });
  wrk(`${base}${ROUTE}`, { ...opts, seconds: 2, headers: { authorization: `Bearer ${token}` } });
  for (let i = 0; i < ROUNDS; i++) {
    runs.a.push(wrk(`${bareBase}${ROUTE}`, opts));
    runs.b.push(
      wrk(`${base}${ROUTE}`, {
        ...opts,
        headers: { authorization: `Bearer ${token}`, 'cf-connecting-ip': '198.51.100.1' },
      }),
    );
    runs.c.push(wrk(`${base}${ROUTE}`, { ...opts, headers: { 'cf-connecting-ip': '198.51.100.2' } }));
  }
  // Latency without queueing: one sequential keep-alive client, interleaved rounds, medians.
  const seqA: Latency[] = [];
  const seqB: Latency[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    seqA.push(await sequentialLatency(`${bareBase}${ROUTE}`, {}, SAMPLES));
    seqB.push(
      await sequentialLatency(
        `${base}${ROUTE}`,
        { authorization: `Bearer ${token}`, 'cf-connecting-ip': '198.51.100.3' },
        SAMPLES,
      ),
    );
  }
  const la = { p50Ms: median(seqA.map((x) => x.p50Ms)), p99Ms: median(seqA.map((x) => x.p99Ms)) };
  const lb = { p50Ms: median(seqB.map((x) => x.p50Ms)), p99Ms: median(seqB.map((x) => x.p99Ms)) };
  const summary = (xs: LoadResult[]) => ({
    rps: median(xs.map((x) => x.rps)),
    p50: median(xs.map((x) => x.p50Ms)),
    p99: median(xs.map((x) => x.p99Ms)),
    non2xx: xs.reduce((n, x) => n + x.non2xx, 0),
    cpu: median(xs.map((x) => x.cpuUsPerRequest ?? Number.NaN)),
  });
  const a = summary(runs.a);
  const b = summary(runs.b);
  const c = summary(runs.c);
  const row = (name: string, s: ReturnType<typeof summary>) =>
    `| ${name} | ${s.rps.toFixed(0)} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.cpu.toFixed(0)} | ${s.non2xx} |`;
  const body = [
    `wrk, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SECONDS} s each (medians), route \`GET ${ROUTE}\`, workerd ${path.basename(dir)} config in bench/out/gateway/config.capnp.`,
    '',
    '| variant | requests/s | p50 ms | p99 ms | workerd CPU µs/request | non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('(a) bare Worker → 1 RPC hop', a),
    row('(b) gateway, token + rate limit → 1 RPC hop', b),
    row('(c) gateway, no token, rate limit → 1 RPC hop', c),
    '',
    `(b)/(a) throughput: **${((b.rps / a.rps) * 100).toFixed(1)} %** (target ≥ 60 %); p99 added under saturation: ${(b.p99 - a.p99).toFixed(2)} ms.`,
    `One sequential client (no queueing; ${ROUNDS} rounds × ${SAMPLES} requests, medians): (a) p50 ${la.p50Ms.toFixed(2)} ms / p99 ${la.p99Ms.toFixed(2)} ms; (b) p50 ${lb.p50Ms.toFixed(2)} ms / p99 ${lb.p99Ms.toFixed(2)} ms → **p99 added ${(lb.p99Ms - la.p99Ms).toFixed(2)} ms** (target < 2 ms).`,
    `CPU per request, (b)/(a): ${(b.cpu / a.cpu).toFixed(2)}× — the figure least disturbed by other load on this 2-core machine (wrk shares the cores).`,
    `Token verification cost, (b) vs (c): ${((b.rps / c.rps) * 100).toFixed(1)} % of the throughput without a token; p50 +${(b.p50 - c.p50).toFixed(2)} ms.`,
  ].join('\n');
  appendResults('Gateway overhead (workerd direct)', 'npm run bench -- gateway', body);
} finally {
  workerd.kill('SIGTERM');
}
