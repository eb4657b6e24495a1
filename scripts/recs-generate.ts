/**
 * `npm run recs:generate -- --out data/recs.csv [--users 6000 --items 1500 --interactions 120000
 * --clusters 10 --affinity 0.5 --skew 1.6 --seed 1]`: interaction data with planted taste clusters over the
 * vega-datasets movies (see workers/services/recs/src/trainer/generate.ts). Writes the CSV, an
 * items file beside it (`<out>.items.json`: genres, tags and each item's planted cluster) and
 * the users' clusters (`<out>.users.json`).
 */
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { generate, type Movie } from '../workers/services/recs/src/trainer/generate.ts';
import { args } from './recs-io.ts';

const a = args(
  {
    out: { type: 'string' },
    users: { type: 'string', default: '6000' },
    items: { type: 'string', default: '1500' },
    interactions: { type: 'string', default: '120000' },
    clusters: { type: 'string', default: '10' },
    affinity: { type: 'string', default: '0.5' },
    seed: { type: 'string', default: '1' },
    skew: { type: 'string', default: '1.6' },
  },
  'recs:generate -- --out <csv> [--users N --items N --interactions N --clusters N --affinity P --skew S --seed N]',
);
if (!a.out) {
  console.error('--out is required');
  process.exit(2);
}
// The package exports only its loader; the data files sit beside it.
const moviesPath = path.resolve(import.meta.dirname, '../node_modules/vega-datasets/data/movies.json');
const movies = JSON.parse(readFileSync(moviesPath, 'utf8')) as Movie[];
const out = openSync(a.out, 'w');
let buf = 'userId,itemId,rating,timestamp\n';
let rows = 0;
const started = Date.now();
const gen = generate(
  movies,
  {
    users: Number(a.users),
    items: Number(a.items),
    interactions: Number(a.interactions),
    clusters: Number(a.clusters),
    affinity: Number(a.affinity),
    seed: Number(a.seed),
    skew: Number(a.skew),
  },
  (u, i, r, t) => {
    buf += `${u},${i},${r},${Math.floor(t / 1000)}\n`;
    rows++;
    if (buf.length > 1 << 20) {
      writeSync(out, buf);
      buf = '';
    }
  },
);
writeSync(out, buf);
closeSync(out);
writeFileSync(`${a.out}.items.json`, JSON.stringify(gen.items));
writeFileSync(`${a.out}.users.json`, JSON.stringify(Object.fromEntries(gen.userCluster)));
console.log(
  `${rows} interactions, ${gen.userCluster.size} users, ${gen.items.length} items → ${a.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
