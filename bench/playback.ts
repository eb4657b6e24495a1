/**
 * Playback on workerd, as `npm start` runs it but without wrangler's proxy: Miniflare (wrangler's
 * own) runs the deployed playback bundle, the gateway app and the benchmark Workers in one workerd
 * with its local D1, R2, Cache API and Durable Objects — raw workerd has no R2 or cache storage of
 * its own, and the stream endpoint needs both. videos and billing are stand-ins with their RPC
 * shape (billing's own cost: `npm run bench -- billing`).
 *   - latency p50/p99 from Node, one request at a time, beside the same request making no call:
 *     manifest issuance (session opened, token signed, PlaybackStarted staged), the content key
 *     through the stream endpoint, ClearKey licenses (first per viewer, and cached) and Widevine
 *     licenses proxied to a license server Worker (new challenge, and the same challenge again);
 *   - segment throughput (MB/s) of one segment-sized object through the stream endpoint (edge
 *     cache hit, and R2 with the cache bypassed) against a bare Worker reading it from R2, as ratios
 *     from the same run, rounds interleaved.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Latency, sequentialLatency } from './lib/latency.ts';
import { appendResults } from './lib/results.ts';
import { bundleFile, bundleWithWrangler, OUT, ROOT } from './lib/workerd.ts';
import { median } from './lib/wrk.ts';

const { Miniflare, convertV4MiniflareOptions } = (await import(
  path.join(ROOT, 'node_modules/wrangler/node_modules/miniflare/dist/src/index.js')
)) as typeof import('../node_modules/wrangler/node_modules/miniflare/dist/src/index.js');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 400);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const SEGMENT_BYTES = Number(process.env.BENCH_SEGMENT_BYTES ?? 1_500_000);
const PORT = Number(process.env.BENCH_PORT ?? 9341);

const dir = path.join(OUT, 'playback');
const conditions = ['workerd', 'worker', 'browser'];
const playbackJs = bundleWithWrangler(
  path.join(ROOT, 'workers/services/playback/wrangler.jsonc'),
  path.join(dir, 'playback'),
);
const gatewayJs = await bundleFile(
  path.join(ROOT, 'bench/workers/playback-gateway.js'),
  path.join(dir, 'gateway.js'),
  conditions,
);
const bareJs = await bundleFile(path.join(ROOT, 'bench/workers/playback-bare.ts'), path.join(dir, 'bare.js'));
const driverJs = await bundleFile(
  path.join(ROOT, 'bench/workers/playback-driver.ts'),
  path.join(dir, 'driver.js'),
);

const STREAM_SIGNING_KEY = 'bench-stream-signing-key';
const DRM_PROXY_SECRET = 'bench-drm-proxy-secret-0123456789';
const compat = { compatibilityDate: '2026-11-01', compatibilityFlags: ['nodejs_compat'] };
const billing = `import { WorkerEntrypoint } from 'cloudflare:workers';
export default class extends WorkerEntrypoint {
  async fetch() { return new Response(null, { status: 404 }); }
  async getEntitlement() {
    return { active: true, planId: 'premium', maxResolution: 2160, maxStreams: 1000000,
      until: new Date(Date.now() + 30 * 86400000).toISOString(), reason: 'active' };
  }
}`;
const videos = `import { WorkerEntrypoint } from 'cloudflare:workers';
export default class extends WorkerEntrypoint {
  async fetch() { return new Response(null, { status: 404 }); }
  async playbackInfo(videoId) {
    return { videoId, status: 'ready', outputPrefix: 'renditions/' + videoId + '/job_1/', masterPlaylist: 'master.m3u8',
      renditions: [{ name: '1080p', height: 1080, width: 1920, playlist: '1080p/index.m3u8' }], storyboard: null };
  }
}`;

const mf = new Miniflare(
  convertV4MiniflareOptions({
    host: '127.0.0.1',
    port: PORT,
    // The Workers' access logs would drown the figures; warnings and errors still show.
    handleStructuredLogs: (entry) => {
      if (entry.level === 'warn' || entry.level === 'error') console.error(entry.message);
    },
    workers: [
      {
        name: 'driver',
        modules: true,
        scriptPath: driverJs,
        ...compat,
        r2Buckets: { MEDIA: 'media' },
        serviceBindings: { PLAYBACK: 'playback', GATEWAY: 'gateway', BARE: 'bare' },
        bindings: { SEGMENT_BYTES: String(SEGMENT_BYTES) },
      },
      {
        name: 'playback',
        modules: true,
        scriptPath: playbackJs,
        ...compat,
        d1Databases: { DB: 'playback-db' },
        durableObjects: { STREAM_SESSIONS: 'StreamSessions' },
        queueProducers: { Q_ANALYTICS_EVENTS: 'analytics-events', Q_RECS_EVENTS: 'recs-events' },
        serviceBindings: { VIDEOS: 'videos', BILLING: 'billing' },
        outboundService: 'license-server',
        bindings: {
          ENVIRONMENT: 'production',
          STREAM_SIGNING_KEY,
          CONTENT_KEY_MASTER: `1:${Buffer.alloc(32, 9).toString('base64')}`,
          WIDEVINE_LICENSE_URL: 'https://license.bench/widevine',
          DRM_PROXY_SECRET,
        },
      },
      {
        name: 'gateway',
        modules: true,
        scriptPath: gatewayJs,
        ...compat,
        r2Buckets: { MEDIA: 'media' },
        serviceBindings: { PLAYBACK: 'playback' },
        bindings: {
          ENVIRONMENT: 'production',
          JWT_ISSUER: 'edge-video-auth',
          JWT_AUDIENCE: 'edge-video-api',
          STREAM_SIGNING_KEY,
        },
      },
      { name: 'bare', modules: true, scriptPath: bareJs, ...compat, r2Buckets: { MEDIA: 'media' } },
      { name: 'billing', modules: true, script: billing, ...compat },
      { name: 'videos', modules: true, script: videos, ...compat },
      {
        name: 'license-server',
        modules: true,
        scriptPath: path.join(ROOT, 'workers/services/playback/test/support/fake-license-server.js'),
        ...compat,
        bindings: { DRM_PROXY_SECRET },
      },
    ],
  }),
);

const base = `http://127.0.0.1:${PORT}`;
async function get<T>(p: string): Promise<T> {
  const res = await fetch(`${base}${p}`);
  const body = await res.text();
  if (!res.ok) throw new Error(`${p}: ${res.status} ${body}`);
  return JSON.parse(body) as T;
}

interface Fetch {
  path: string;
  headers?: Record<string, string>;
}

/**
 * MB/s of each of `fetches`, taken in turn request by request by CONCURRENCY clients for SECONDS:
 * whatever else the shared machine does then slows every path alike. A path's rate is its bytes
 * over its requests' time, as if it had the clients to itself.
 */
async function throughput(fetches: Fetch[]): Promise<number[]> {
  const bytes = fetches.map(() => 0);
  const busy = fetches.map(() => 0);
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, client) => {
      for (let n = client; performance.now() < end; n++) {
        const i = n % fetches.length;
        const { path: p, headers } = fetches[i]!;
        const t = performance.now();
        const r = await fetch(`${base}${p}`, { headers: headers ?? {} });
        const b = await r.arrayBuffer();
        busy[i]! += performance.now() - t;
        if (r.status !== 200 || b.byteLength !== SEGMENT_BYTES)
          throw new Error(`${p}: ${r.status} ${b.byteLength}`);
        bytes[i]! += b.byteLength;
      }
    }),
  );
  return bytes.map((b, i) => b / 1e6 / (busy[i]! / 1000 / CONCURRENCY));
}

const loadBefore = os.loadavg()[0]!;
try {
  await mf.ready;
  const db = await mf.getD1Database('DB', 'playback');
  const migrations = path.join(ROOT, 'migrations/playback');
  for (const f of readdirSync(migrations)
    .filter((x) => x.endsWith('.sql'))
    .sort()) {
    const statements = readFileSync(path.join(migrations, f), 'utf8')
      .split('\n')
      .filter((l) => !l.trim().startsWith('--'))
      .join('\n')
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean);
    await db.batch(statements.map((s) => db.prepare(s)));
  }
  const { segment, keyId } = await get<{ keyId: string; segment: string }>('/setup');
  const manifest = await get<{ manifestUrl: string; keyIds: string[] }>('/manifest?u=setup');
  const streamBase = new URL(manifest.manifestUrl).pathname.replace(/master\.m3u8$/, '');
  const keyPath = `${streamBase}${keyId}.key`;
  const segmentPath = `${streamBase}1080p/seg_00001.m4s`;
  const kid = manifest.keyIds[0]!;
  const clearKey = (u: string) =>
    `/license?u=${u}&body=${encodeURIComponent(JSON.stringify({ videoId: 'vid_bench', licenseRequest: { kids: [kid] } }))}`;
  const widevine = (u: string, challenge: string) =>
    `/license?u=${u}&body=${encodeURIComponent(JSON.stringify({ videoId: 'vid_bench', system: 'widevine', licenseRequest: challenge }))}`;
  const challenge = () => Buffer.from(crypto.getRandomValues(new Uint8Array(512))).toString('base64');
  const sameChallenge = challenge();

  // Each sample of a varying variant gets its own URL: sequentialLatency takes one, so go by hand.
  async function varying(make: (i: number) => string, samples: number): Promise<Latency> {
    const xs: number[] = [];
    for (let i = 0; i < samples; i++) {
      const url = `${base}${make(i)}`;
      const t = performance.now();
      const r = await fetch(url);
      const body = await r.text();
      xs.push(performance.now() - t);
      if (r.status !== 200) throw new Error(`${url}: ${r.status} ${body}`);
    }
    xs.sort((a, b) => a - b);
    const at = (q: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
    return { p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99) };
  }

  // Warm-up: compile, open the Durable Objects, fill the caches that steady state has.
  for (let i = 0; i < 50; i++) {
    await fetch(`${base}/manifest?u=${i % 10}`).then((r) => r.text());
    await fetch(`${base}${keyPath}`).then((r) => r.arrayBuffer());
    await fetch(`${base}${clearKey('warm')}`).then((r) => r.text());
    await fetch(`${base}${widevine('warm', sameChallenge)}`).then((r) => r.text());
  }
  const segments: Fetch[] = [
    { path: segmentPath },
    // A validator that never matches sends the stream endpoint past its edge cache to R2.
    { path: segmentPath, headers: { 'If-None-Match': '"bench-no-match"' } },
    { path: `/bare/${segment}` },
  ];
  await throughput(segments);

  type Variant =
    | 'none'
    | 'manifest'
    | 'key'
    | 'clearkeyFirst'
    | 'clearkeyCached'
    | 'widevineNew'
    | 'widevineCached';
  const lat: Record<Variant, Latency[]> = {
    none: [],
    manifest: [],
    key: [],
    clearkeyFirst: [],
    clearkeyCached: [],
    widevineNew: [],
    widevineCached: [],
  };
  const mbps = { cached: [] as number[], r2: [] as number[], bare: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    lat.none.push(await sequentialLatency(`${base}/none`, {}, SAMPLES));
    // 200 viewers, each opening a few sessions: a manifest per new playback.
    lat.manifest.push(await varying((i) => `/manifest?u=${i % 200}`, SAMPLES));
    lat.key.push(await sequentialLatency(`${base}${keyPath}`, {}, SAMPLES));
    lat.clearkeyFirst.push(await varying((i) => clearKey(`r${r}n${i}`), SAMPLES));
    lat.clearkeyCached.push(await varying(() => clearKey('warm'), SAMPLES));
    lat.widevineNew.push(await varying(() => widevine('wv', challenge()), SAMPLES));
    lat.widevineCached.push(await varying(() => widevine('warm', sameChallenge), SAMPLES));
    const [cached, r2, bareR2] = await throughput(segments);
    mbps.cached.push(cached!);
    mbps.r2.push(r2!);
    mbps.bare.push(bareR2!);
  }
  const p = (xs: Latency[], q: 'p50Ms' | 'p99Ms') => median(xs.map((x) => x[q]));
  const row = (name: string, v: Variant) =>
    `| ${name} | ${p(lat[v], 'p50Ms').toFixed(2)} (+${(p(lat[v], 'p50Ms') - p(lat.none, 'p50Ms')).toFixed(2)}) | ${p(lat[v], 'p99Ms').toFixed(2)} (+${(p(lat[v], 'p99Ms') - p(lat.none, 'p99Ms')).toFixed(2)}) |`;
  const bare = median(mbps.bare);
  // Ratios within each round (same moment, same load), then their median.
  const ratio = (xs: number[]) => median(xs.map((x, i) => x / mbps.bare[i]!));
  const body = [
    `Miniflare (wrangler’s) on workerd, no wrangler proxy; ${ROUNDS} interleaved rounds (medians), ${SAMPLES} sequential requests per latency figure; bundles in bench/out/playback/. Local D1/R2/Cache API are Miniflare’s (same process, in memory): production adds network round trips to D1 and R2 and has a real edge cache.`,
    '',
    '| request (one at a time, from Node) | p50 ms (+ over none) | p99 ms (+ over none) |',
    '| --- | ---: | ---: |',
    row('GET /playback/{id}/manifest (new session, token, PlaybackStarted)', 'manifest'),
    row('GET /stream/…/<keyId>.key (gateway → playback: entitlement + key store)', 'key'),
    row('POST /drm/license ClearKey, first for the viewer (key store)', 'clearkeyFirst'),
    row('POST /drm/license ClearKey, cached for the viewer', 'clearkeyCached'),
    row('POST /drm/license Widevine, new challenge (proxied to a license server Worker)', 'widevineNew'),
    row('POST /drm/license Widevine, same challenge again (cached)', 'widevineCached'),
    `| (the same request making no call) | ${p(lat.none, 'p50Ms').toFixed(2)} | ${p(lat.none, 'p99Ms').toFixed(2)} |`,
    '',
    `Segment throughput, one ${(SEGMENT_BYTES / 1e6).toFixed(1)} MB object, ${CONCURRENCY} concurrent clients for ${SECONDS} s a round taking the three paths in turn, request by request (ratio: the median of each round's ratio):`,
    '',
    '| path | MB/s | ratio to bare R2 |',
    '| --- | ---: | ---: |',
    `| stream endpoint, edge cache hit (steady state) | ${median(mbps.cached).toFixed(0)} | **${ratio(mbps.cached).toFixed(2)}** |`,
    `| stream endpoint, cache bypassed (token check + R2) | ${median(mbps.r2).toFixed(0)} | **${ratio(mbps.r2).toFixed(2)}** |`,
    `| bare Worker reading the object from R2 | ${bare.toFixed(0)} | 1.00 |`,
    '',
    `Load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after (the machine is shared: rounds vary). Rounds, MB/s (cache hit / cache bypassed / bare): ${mbps.cached.map((c, i) => `${c.toFixed(0)}/${mbps.r2[i]!.toFixed(0)}/${mbps.bare[i]!.toFixed(0)}`).join(', ')}.`,
  ].join('\n');
  appendResults(
    'Playback: manifests, keys, licenses and segment throughput (workerd via Miniflare)',
    'npm run bench -- playback',
    body,
  );
} finally {
  await mf.dispose();
}
