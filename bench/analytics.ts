/**
 * Analytics ingest, sustained, end to end on workerd into ClickHouse (`npm run bench -- analytics`):
 *   Node posts batches of 1,000 player events (BENCH_CONCURRENCY at a time) to a driver Worker that
 *   validates them with the route's schema, as the gateway does, and calls the analytics Worker over
 *   RPC; it queues them (the local Queues of `wrangler dev`, as `npm start` runs); the queue hands
 *   them to the analytics consumer, which inserts into a private ClickHouse server.
 * Reported: events/s accepted (202) and end to end (first send → last event counted in ClickHouse),
 * the loss (sent − counted, must be 0) and the duplicates folded, and where the time goes:
 * validation (the same schema timed in Node), the queue (sent → consumed), the inserts (timed in the
 * consumer), and the CPU each process spent per 1,000 events, which says what one core can carry.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startClickHouse } from '../scripts/clickhouse.ts';
import { readConfig } from '../scripts/platform.ts';
import { ingestEvents } from '../workers/services/analytics/src/contract/events.ts';
import { appendResults } from './lib/results.ts';
import { OUT, ROOT } from './lib/workerd.ts';
import { cpuMicros } from './lib/wrk.ts';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 300);
const BATCH = 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const PORT = Number(process.env.BENCH_PORT ?? 9578);
const DB = 'bench';

const loadAtStart = os.loadavg()[0]!;
const dir = path.join(OUT, 'analytics');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const clickhouse = await startClickHouse({ dir: path.join(dir, 'clickhouse') });

// Configs for this run: the analytics Worker as configured (its queue and consumer settings), with
// ClickHouse set, and the driver bound to it.
const service = readConfig(path.join(ROOT, 'workers/services/analytics/wrangler.jsonc')) as unknown as {
  compatibility_date: string;
  compatibility_flags: string[];
};
const analyticsConfig = {
  ...service,
  $schema: undefined,
  env: undefined,
  main: path.join(ROOT, 'workers/services/analytics/src/index.ts'),
  d1_databases: [{ binding: 'DB', database_name: 'analytics', database_id: 'local-analytics' }],
  triggers: { crons: [] },
  vars: { ENVIRONMENT: 'development', CLICKHOUSE_URL: clickhouse.url, CLICKHOUSE_DATABASE: DB },
};
const driverConfig = {
  name: 'analytics-bench-driver',
  main: path.join(ROOT, 'bench/workers/analytics-driver.ts'),
  compatibility_date: service.compatibility_date,
  compatibility_flags: service.compatibility_flags,
  services: [{ binding: 'ANALYTICS', service: 'analytics' }],
};
writeFileSync(path.join(dir, 'driver.json'), JSON.stringify(driverConfig, null, 2));
writeFileSync(path.join(dir, 'analytics.json'), JSON.stringify(analyticsConfig, null, 2));

const base = `http://127.0.0.1:${PORT}`;
const wrangler: ChildProcess = spawn(
  path.join(ROOT, 'node_modules/.bin/wrangler'),
  [
    'dev',
    '-c',
    path.join(dir, 'driver.json'),
    '-c',
    path.join(dir, 'analytics.json'),
    '--port',
    String(PORT),
    '--ip',
    '127.0.0.1',
    '--persist-to',
    path.join(dir, 'state'),
    '--show-interactive-dev-session=false',
    '--inspector-port',
    String(PORT + 1),
  ],
  {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`,
    },
  },
);

async function waitFor(url: string, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The processes of a tree (wrangler's workerd is a grandchild). */
function descendants(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = execFileSync('pgrep', ['-P', String(pid)])
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {}
  return [pid, ...kids.flatMap(descendants)];
}
const cpuOf = (pids: number[]) =>
  pids.reduce((s, p) => {
    try {
      return s + cpuMicros(p);
    } catch {
      return s;
    }
  }, 0);

async function chQuery(sql: string): Promise<string> {
  const r = await fetch(clickhouse.url, { method: 'POST', body: sql });
  const text = await r.text();
  if (!r.ok) throw new Error(text);
  return text.trim();
}

/** Player events as a real player sends them: views of a few hundred videos. */
function batch(b: number): unknown[] {
  const now = Date.now();
  const types = [
    'viewStart',
    'playing',
    'heartbeat',
    'heartbeat',
    'rebuffer.start',
    'rebuffer.end',
    'pause',
    'play',
    'viewEnd',
    'heartbeat',
  ];
  return Array.from({ length: BATCH }, (_, i) => {
    const type = types[i % types.length]!;
    const view = `view_${b}_${Math.floor(i / types.length)}`;
    return {
      eventId: `evt_${b}_${i}`,
      userId: `usr_${(b * 31 + i) % 5000}`,
      eventType: type,
      timestamp: new Date(now - (BATCH - i)).toISOString(),
      metadata: {
        viewId: view,
        videoId: `vid_${(b + i) % 300}`,
        ...(type === 'rebuffer.end' ? { durationMs: 350 } : {}),
        ...(type === 'viewEnd' ? { watchTimeMs: 61_250 } : {}),
        playerTime: i * 0.5,
        rendition: '1080p',
      },
    };
  });
}

try {
  await waitFor(`${base}/healthz`, 90_000);
  const workerdPids = descendants(wrangler.pid!);
  const chPid = Number(execFileSync('cat', [path.join(clickhouse.dir, 'pid')]).toString());

  // Validation in Node with the route's own schema: the CPU the gateway spends per batch.
  const schema = ingestEvents.route.request.body.content['application/json'].schema;
  const sample = batch(0);
  for (let i = 0; i < 20; i++) schema.parse(sample);
  let t = performance.now();
  for (let i = 0; i < 50; i++) schema.parse(sample);
  const validateMs = (performance.now() - t) / 50;
  t = performance.now();
  for (let i = 0; i < 50; i++) JSON.parse(JSON.stringify(sample));
  const jsonMs = (performance.now() - t) / 50;
  const bodyBytes = JSON.stringify(sample).length;

  // Warm-up: compiles both Workers and creates the ClickHouse schema; not counted.
  const warm = await fetch(`${base}/events`, {
    method: 'POST',
    body: JSON.stringify(batch(-1)),
    headers: { 'content-type': 'application/json' },
  });
  if (warm.status !== 202) throw new Error(`warm-up: ${warm.status} ${await warm.text()}`);
  for (let i = 0; i < 200; i++) {
    if ((await chQuery(`SELECT count() FROM ${DB}.events`).catch(() => '0')) === String(BATCH)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const before = { workerd: cpuOf(workerdPids), clickhouse: cpuMicros(chPid), node: process.cpuUsage() };

  // The run: BATCHES batches, CONCURRENCY in flight.
  const started = performance.now();
  let next = 0;
  let accepted = 0;
  let refused = 0;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < BATCHES) {
        const b = next++;
        const body = JSON.stringify(batch(b));
        const s = performance.now();
        const r = await fetch(`${base}/events`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        await r.arrayBuffer();
        latencies.push(performance.now() - s);
        if (r.status === 202) accepted += BATCH;
        else refused += BATCH;
      }
    }),
  );
  const sentAt = performance.now();
  let counted = 0;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    counted = Number(
      await chQuery(`SELECT uniqExact(event_id) FROM ${DB}.events WHERE event_id NOT LIKE 'evt_-1_%'`),
    );
    if (counted >= accepted) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const countedAt = performance.now();
  const after = {
    workerd: cpuOf(workerdPids),
    clickhouse: cpuMicros(chPid),
    node: process.cpuUsage(before.node),
  };
  const rows = Number(await chQuery(`SELECT count() FROM ${DB}.events WHERE event_id NOT LIKE 'evt_-1_%'`));
  const timings = (await (await fetch(`${base}/timings`)).json()) as {
    batches: number;
    rows: number;
    insertMs: number;
    failures: number;
  };
  const parts = Number(
    await chQuery(
      `SELECT count() FROM system.parts WHERE database = '${DB}' AND table = 'events' AND active`,
    ),
  );

  const seconds = (countedAt - started) / 1000;
  const sendSeconds = (sentAt - started) / 1000;
  latencies.sort((a, b) => a - b);
  const per1k = (micros: number) => ((micros / 1000 / accepted) * 1000).toFixed(1);
  const workerdCpu = after.workerd - before.workerd;
  const chCpu = after.clickhouse - before.clickhouse;
  const perCore = (micros: number) => Math.round(accepted / (micros / 1e6));
  const cores = (micros: number) => ((100_000 * micros) / 1e6 / accepted).toFixed(1);
  const body = [
    `${BATCHES} batches of ${BATCH} player events (${(bodyBytes / 1024).toFixed(0)} KiB each), ${CONCURRENCY} in flight, through \`wrangler dev\` (workerd + local Queues, as \`npm start\`) into a private clickhouse-server 18.16; configs in bench/out/analytics/.`,
    '',
    '| figure | value |',
    '| --- | ---: |',
    `| accepted (202) | ${accepted.toLocaleString('en')} events in ${sendSeconds.toFixed(1)} s = **${Math.round(accepted / sendSeconds).toLocaleString('en')} events/s** (p50 ${latencies[Math.floor(latencies.length / 2)]!.toFixed(0)} ms, p99 ${latencies[Math.floor(latencies.length * 0.99)]!.toFixed(0)} ms per batch) |`,
    `| end to end (first send → last event counted) | ${seconds.toFixed(1)} s = **${Math.round(counted / seconds).toLocaleString('en')} events/s** |`,
    `| loss (accepted − counted) | **${accepted - counted}** (refused: ${refused}) |`,
    `| rows written / distinct | ${rows.toLocaleString('en')} / ${counted.toLocaleString('en')} (duplicates fold at read) |`,
    `| validation (route schema, Node, per batch) | ${validateMs.toFixed(2)} ms (${((validateMs / BATCH) * 1000).toFixed(2)} µs/event; JSON parse+stringify ${jsonMs.toFixed(2)} ms) |`,
    `| queue: last 202 → last event counted | ${((countedAt - sentAt) / 1000).toFixed(1)} s |`,
    `| inserts (consumer) | ${timings.batches} inserts of ${Math.round(timings.rows / Math.max(1, timings.batches)).toLocaleString('en')} rows avg, ${(timings.insertMs / Math.max(1, timings.batches)).toFixed(0)} ms each (${((timings.insertMs / Math.max(1, timings.rows)) * 1000).toFixed(2)} µs/event); ${timings.failures} failed; ${parts} active parts |`,
    `| CPU per 1,000 events: workerd (driver + analytics + queues) | ${per1k(workerdCpu)} ms → ${perCore(workerdCpu).toLocaleString('en')} events per core-second |`,
    `| CPU per 1,000 events: clickhouse-server | ${per1k(chCpu)} ms → ${perCore(chCpu).toLocaleString('en')} events per core-second |`,
    `| CPU per 1,000 events: Node load generator | ${per1k(after.node.user + after.node.system)} ms |`,
    '',
    `At 100,000 events/s this path needs ${cores(workerdCpu)} cores of workerd (one isolate runs on one thread, so ` +
      `that is ${Math.ceil(Number(cores(workerdCpu)))} isolates), ${cores(chCpu)} of ClickHouse and ${cores(after.node.user + after.node.system)} for the load generator: ` +
      `${cores(workerdCpu + chCpu + after.node.user + after.node.system)} cores in all, on a machine of ${os.cpus().length} cores shared with other work ` +
      `(load average ${loadAtStart.toFixed(1)} when the run began). Validation is ${((validateMs / (workerdCpu / 1000 / (accepted / BATCH))) * 100).toFixed(0)} % of workerd's CPU per batch.`,
  ].join('\n');
  appendResults('Analytics: sustained ingest into ClickHouse', 'npm run bench -- analytics', body);
} finally {
  try {
    process.kill(-wrangler.pid!, 'SIGTERM');
  } catch {}
  await clickhouse.stop();
}
