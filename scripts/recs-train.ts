/**
 * `npm run recs:train -- --input <csv> [--items <items.json>] --model <type> --out <model.json>
 * [--params factors=64,iterations=15] [--users 50000] [--push <origin> --token <admin token>]`:
 * the Node batch trainer for catalogues too large to train inside the Worker. It runs the same
 * trainer module, writes the model the Worker serves (format `recs-model/1`), and with `--push`
 * imports it through the admin API (POST /recs/models, …/parts, …/activate), which switches
 * serving to it atomically once every row has arrived.
 */
import { writeFileSync } from 'node:fs';
import { buildDataset, interactionCount } from '../workers/services/recs/src/trainer/dataset.ts';
import {
  MODEL_TYPES,
  type ModelType,
  type TrainedModel,
  trainModel,
} from '../workers/services/recs/src/trainer/model.ts';
import { args, interactionsOf, parseParams, peakRssMb, readColumns, readItems } from './recs-io.ts';

const a = args(
  {
    input: { type: 'string' },
    items: { type: 'string' },
    model: { type: 'string', default: 'als' },
    out: { type: 'string' },
    params: { type: 'string' },
    users: { type: 'string', default: '50000' },
    push: { type: 'string' },
    token: { type: 'string' },
  },
  'recs:train -- --input <csv> --model <popular|rules|itemknn|ease|als> --out <file> [--items <json>] [--params k=v,…] [--users N] [--push <origin> --token <admin token>]',
);
const type = a.model as ModelType;
if (!a.input || !a.out || !MODEL_TYPES.includes(type)) {
  console.error(`--input and --out are required; --model is one of ${MODEL_TYPES.join(', ')}`);
  process.exit(2);
}
const t0 = Date.now();
const d = buildDataset(interactionsOf(await readColumns(a.input)), readItems(a.items));
const loaded = Date.now();
console.error(
  `read ${interactionCount(d)} interactions of ${d.users.length} users × ${d.items.length} items in ${((loaded - t0) / 1000).toFixed(1)} s`,
);
const model = trainModel(type, d, {
  params: parseParams(a.params),
  maxUsers: Number(a.users),
  onProgress: (m) => console.error(`${m} (${((Date.now() - loaded) / 1000).toFixed(1)} s)`),
});
writeFileSync(a.out, JSON.stringify(model));
const total = (Date.now() - t0) / 1000;
console.log(
  JSON.stringify({
    model: type,
    users: model.stats.users,
    items: model.stats.items,
    interactions: model.stats.interactions,
    fitSeconds: model.stats.trainMs / 1000,
    totalSeconds: total,
    precomputedUsers: model.users.length,
    peakRssMb: peakRssMb(),
    out: a.out,
  }),
);
if (a.push) await push(model, a.push, a.token);

/** Imports the model through the admin API in parts of about 4 MB. */
async function push(m: TrainedModel, origin: string, token: string | undefined) {
  if (!token) throw new Error('--push needs --token (an admin access token)');
  const api = async (path: string, body: unknown) => {
    const r = await fetch(new URL(path, origin), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as { versionId: string };
  };
  const { versionId } = await api('/recs/models', {
    format: m.format,
    modelType: m.modelType,
    trainedAt: m.trainedAt,
    dataUntil: m.dataUntil,
    stats: m.stats,
    counts: { neighbours: m.neighbours.length, users: m.users.length, popular: m.popular.length },
  });
  for (const kind of ['neighbours', 'users', 'popular'] as const) {
    let part: unknown[] = [];
    let size = 0;
    const send = async () => {
      if (part.length) await api(`/recs/models/${versionId}/parts`, { [kind]: part });
      part = [];
      size = 0;
    };
    for (const row of m[kind]) {
      const n = JSON.stringify(row).length;
      if (size + n > 4_000_000 || part.length >= 20_000) await send();
      part.push(row);
      size += n;
    }
    await send();
  }
  await api(`/recs/models/${versionId}/activate`, {});
  console.error(`imported and activated ${versionId} at ${origin}`);
}
