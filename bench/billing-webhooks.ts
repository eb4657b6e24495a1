/**
 * Outbound billing webhooks on workerd (wrangler dev, local D1 and Durable Objects): billing
 * events handed over as notifyEndpoints does, delivered signed and in order by each endpoint's
 * WebhookEndpoint Durable Object to a receiver on this machine (a Node HTTP server that answers
 * 204). Reports delivered events/s and the enqueue→delivered lag (p50/p99, from the hand-over
 * request leaving the client to the receiver getting the request), for
 *   (a) one endpoint and a burst of events (one queue: strictly one request at a time),
 *   (b) ten endpoints and a burst (ten queues in parallel),
 *   (c) one endpoint at a steady rate below its capacity (lag without a backlog).
 * Every delivery's webhook-id is checked: each event exactly once per endpoint, in order.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { appendResults } from './lib/results.ts';
import { OUT, ROOT } from './lib/workerd.ts';

const PORT = Number(process.env.BENCH_PORT ?? 9421);
const RECEIVER_PORT = PORT + 1;
const BURST = Number(process.env.BENCH_EVENTS ?? 1000);
const FANOUT_EVENTS = Number(process.env.BENCH_FANOUT_EVENTS ?? 300);
const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const STEADY_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BATCH = 10;
const IN_FLIGHT = 4;
const BIN = path.join(ROOT, 'node_modules', '.bin');

const dir = path.join(OUT, 'billing-webhooks');
const state = path.join(dir, 'state');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const config = path.join(dir, 'wrangler.jsonc');
writeFileSync(
  config,
  JSON.stringify(
    {
      name: 'bench-billing-webhooks',
      main: path.join(ROOT, 'bench/workers/billing-webhooks.ts'),
      compatibility_date: '2026-11-01',
      compatibility_flags: ['nodejs_compat'],
      // Development: the receiver is http://127.0.0.1.
      vars: { ENVIRONMENT: 'development' },
      d1_databases: [
        {
          binding: 'DB',
          database_name: 'bench-billing',
          database_id: 'local-bench-billing',
          migrations_dir: path.join(ROOT, 'migrations/billing'),
        },
      ],
      durable_objects: { bindings: [{ name: 'WEBHOOK_ENDPOINT', class_name: 'WebhookEndpoint' }] },
      migrations: [{ tag: 'v1', new_sqlite_classes: ['WebhookEndpoint'] }],
    },
    null,
    2,
  ),
);
const env = { ...process.env, PATH: `${BIN}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false' };
const migrated = spawnSync(
  path.join(BIN, 'wrangler'),
  ['d1', 'migrations', 'apply', 'bench-billing', '--local', '--persist-to', state, '-c', config],
  { cwd: ROOT, env, encoding: 'utf8' },
);
if (migrated.status !== 0) throw new Error(`migrations failed:\n${migrated.stdout}\n${migrated.stderr}`);

// The receiver: arrival time and order per endpoint.
const arrivals = new Map<string, { id: string; at: number }[]>();
const samples: { headers: Record<string, string>; body: string; endpoint: string }[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = performance.now();
    const endpoint = req.url ?? '';
    const id = String(req.headers['webhook-id']);
    const list = arrivals.get(endpoint) ?? [];
    arrivals.set(endpoint, list);
    list.push({ id, at });
    if (samples.length < 20)
      samples.push({
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks).toString(),
        endpoint,
      });
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(RECEIVER_PORT, '127.0.0.1', resolve));

const worker: ChildProcess = spawn(
  path.join(BIN, 'wrangler'),
  [
    'dev',
    '-c',
    config,
    '--port',
    String(PORT),
    '--ip',
    '127.0.0.1',
    '--persist-to',
    state,
    '--show-interactive-dev-session=false',
    '--inspector-port',
    String(PORT + 10000),
  ],
  { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'], detached: true },
);
const stop = () => {
  try {
    if (worker.pid) process.kill(-worker.pid, 'SIGTERM');
  } catch {}
  receiver.close();
};

const base = `http://127.0.0.1:${PORT}`;
async function post<T>(route: string, body: unknown): Promise<T> {
  const r = await fetch(`${base}${route}`, { method: 'POST', body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${route}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

async function waitReady() {
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      const r = await fetch(`${base}/`);
      await r.arrayBuffer();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error('wrangler dev did not start');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

interface Scenario {
  name: string;
  endpoints: number;
  events: number;
  delivered: number;
  seconds: number;
  p50: number;
  p99: number;
  handoverP50: number;
  ordered: boolean;
}

/** Hands `events` over in batches (at `rate` events/s, or as fast as IN_FLIGHT allows) and waits for delivery. */
async function scenario(
  name: string,
  endpointCount: number,
  events: number,
  rate?: number,
): Promise<Scenario> {
  const created = await post<string[]>('/endpoints', {
    receiver: `http://127.0.0.1:${RECEIVER_PORT}/${name}`,
    count: endpointCount,
  });
  const secrets = new Map(created.map((line, i) => [`/${name}/${i}`, line.split(' ')[1]!]));
  const sentAt = new Map<string, number>();
  const handover: number[] = [];
  const batches: string[][] = [];
  const started = performance.now();
  let next = 0;
  async function sender() {
    while (next < events) {
      const count = Math.min(BATCH, events - next);
      const due = rate ? started + (next / rate) * 1000 : 0;
      next += count;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t = performance.now();
      const { ids } = await post<{ ids: string[] }>('/notify', { count });
      handover.push(performance.now() - t);
      for (const id of ids) sentAt.set(id, t);
      batches.push(ids);
    }
  }
  await Promise.all(Array.from({ length: rate ? 1 : IN_FLIGHT }, sender));
  const expected = events * endpointCount;
  const deadline = Date.now() + 300_000;
  const count = () => [...secrets.keys()].reduce((n, e) => n + (arrivals.get(e)?.length ?? 0), 0);
  while (count() < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const all = [...secrets.keys()].flatMap((e) => arrivals.get(e) ?? []);
  const last = Math.max(...all.map((a) => a.at));
  const lags = all.map((a) => a.at - sentAt.get(a.id)!);
  // Each endpoint got every event once, and every batch in the order it was handed over (batches
  // handed over concurrently may interleave; with one sender the whole sequence is checked).
  const ordered = [...secrets.keys()].every((e) => {
    const got = (arrivals.get(e) ?? []).map((a) => a.id);
    if (new Set(got).size !== got.length || got.length !== events) return false;
    if (rate) return got.join() === batches.flat().join();
    const position = new Map(got.map((id, i) => [id, i]));
    return batches.every((b) => b.every((id, i) => i === 0 || position.get(id)! > position.get(b[i - 1]!)!));
  });
  for (const s of samples.filter((x) => secrets.has(x.endpoint)))
    new Webhook(secrets.get(s.endpoint)!).verify(s.body, s.headers);
  return {
    name,
    endpoints: endpointCount,
    events,
    delivered: all.length,
    seconds: (last - started) / 1000,
    p50: pct(lags, 0.5),
    p99: pct(lags, 0.99),
    handoverP50: pct(handover, 0.5),
    ordered,
  };
}

const load = os.loadavg()[0]!.toFixed(2);
try {
  await waitReady();
  // Warm-up: compile paths, create the first objects.
  await scenario('warmup', 1, 20);
  const results = [
    await scenario('a', 1, BURST),
    await scenario('b', ENDPOINTS, FANOUT_EVENTS),
    await scenario('c', 1, RATE * STEADY_SECONDS, RATE),
  ];
  const labels: Record<string, string> = {
    a: `(a) 1 endpoint, burst of ${BURST}`,
    b: `(b) ${ENDPOINTS} endpoints, burst of ${FANOUT_EVENTS}`,
    c: `(c) 1 endpoint, steady ${RATE} events/s for ${STEADY_SECONDS} s`,
  };
  const rows = results.map(
    (r) =>
      `| ${labels[r.name]} | ${r.delivered}/${r.events * r.endpoints} | ${(r.delivered / r.seconds).toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.handoverP50.toFixed(1)} | ${r.ordered ? 'yes' : '**no**'} |`,
  );
  appendResults(
    'Billing webhooks: outbound delivery (wrangler dev, workerd)',
    'node bench/billing-webhooks.ts',
    [
      `Events handed over in batches of ${BATCH} (${IN_FLIGHT} in flight for bursts) to the real fan-out and WebhookEndpoint Durable Objects, local D1; receiver: a Node HTTP server on 127.0.0.1 answering 204. Lag: hand-over request sent → receiver got the POST. Load average at start: ${load}.`,
      '',
      '| scenario | delivered | delivered/s | lag p50 ms | lag p99 ms | hand-over p50 ms | once each, in order |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
      ...rows,
    ].join('\n'),
  );
} finally {
  stop();
}
