/**
 * The recommendation trainer at scale: 100K users × 10K videos × 5M interactions (the 3,201
 * vega-datasets movies plus synthetic titles), generated with planted clusters, then implicit ALS
 * trained by the Node batch job exactly as `npm run recs:train` runs it, including the export of
 * neighbour lists and top-50 lists for 50K active users. Records wall time, CPU time and peak RSS.
 * Heavy (minutes, ~1 GB): not part of the default `npm run bench`; run `npm run bench -- recs-scale`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendResults } from './lib/results.ts';
import { OUT, ROOT } from './lib/workerd.ts';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 10_000);
const INTERACTIONS = Number(process.env.BENCH_INTERACTIONS ?? 5_000_000);
const dir = path.join(OUT, 'recs-scale');
mkdirSync(dir, { recursive: true });
const csv = path.join(dir, 'interactions.csv');
const model = path.join(dir, 'als.json');

function run(script: string, args: string[]) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`${script} failed (${r.status})`);
  return { seconds: (Date.now() - started) / 1000, stdout: r.stdout.trim() };
}

const load = os.loadavg()[0]!.toFixed(2);
const gen = run('scripts/recs-generate.ts', [
  '--out',
  csv,
  '--users',
  String(USERS),
  '--items',
  String(ITEMS),
  '--interactions',
  String(INTERACTIONS),
  '--clusters',
  '20',
]);
const train = run('scripts/recs-train.ts', [
  '--input',
  csv,
  '--items',
  `${csv}.items.json`,
  '--model',
  'als',
  '--out',
  model,
]);
const stats = JSON.parse(train.stdout.split('\n').at(-1)!) as {
  users: number;
  items: number;
  interactions: number;
  fitSeconds: number;
  totalSeconds: number;
  precomputedUsers: number;
  peakRssMb: number;
};
appendResults(
  'Recommendations: ALS training at scale (Node batch job)',
  'npm run bench -- recs-scale',
  [
    `${gen.stdout}`,
    `Load average when it started: ${load} (2 cores shared with other jobs).`,
    '',
    '| step | wall s | peak RSS MB |',
    '| --- | ---: | ---: |',
    `| generate the CSV (${(statSync(csv).size / 1e6).toFixed(0)} MB) | ${gen.seconds.toFixed(1)} | – |`,
    `| ALS fit alone (32 factors, 12 sweeps, 3 CG steps each) | ${stats.fitSeconds.toFixed(1)} | – |`,
    `| whole \`recs:train\`: read, index, fit, item neighbours, top-50 for ${stats.precomputedUsers} users, write ${(statSync(model).size / 1e6).toFixed(0)} MB | ${stats.totalSeconds.toFixed(1)} | ${stats.peakRssMb} |`,
    '',
    `${stats.users} users × ${stats.items} items; ${stats.interactions} positive interactions (ratings of 1–2 are kept apart as dislikes).`,
  ].join('\n'),
);
