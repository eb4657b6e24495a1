/**
 * `npm run recs:eval -- --input <csv> [--items <items.json>] [--models popular,rules,itemknn,als]
 * [--users 5000] [--params als:factors=64;itemknn:k=100]`: holds out the latest 20 % of each user's interactions, trains each model on the
 * rest and prints Recall@10, NDCG@10, catalogue coverage and training time beside `popular`.
 */
import { evaluate, metricsTable } from '../workers/services/recs/src/trainer/evaluate.ts';
import { MODEL_TYPES, type ModelType } from '../workers/services/recs/src/trainer/model.ts';
import { args, parseParams, peakRssMb, readInteractions, readItems } from './recs-io.ts';

const a = args(
  {
    input: { type: 'string' },
    items: { type: 'string' },
    models: { type: 'string', default: MODEL_TYPES.join(',') },
    users: { type: 'string', default: '5000' },
    params: { type: 'string' },
  },
  'recs:eval -- --input <csv> [--items <items.json>] [--models popular,rules,itemknn,als] [--users N] [--params als:factors=64,alpha=10;itemknn:k=100]',
);
if (!a.input) {
  console.error('--input is required');
  process.exit(2);
}
const models = String(a.models).split(',') as ModelType[];
for (const m of models)
  if (!MODEL_TYPES.includes(m)) {
    console.error(`unknown model ${m} (known: ${MODEL_TYPES.join(', ')})`);
    process.exit(2);
  }
if (!models.includes('popular')) models.unshift('popular');
const rows = await readInteractions(a.input);
const meta = readItems(a.items ?? (await existingItems(`${a.input}.items.json`)));
const results = evaluate(rows, models, meta, {
  maxUsers: Number(a.users),
  params: Object.fromEntries(
    (a.params ?? '')
      .split(';')
      .filter(Boolean)
      .map((part) => {
        const [model, list] = part.split(':');
        return [model, parseParams(list)];
      }),
  ),
  onProgress: (m) => console.error(m),
});
console.log(
  `${rows.length} interactions, ${results[0]?.users ?? 0} test users, peak RSS ${peakRssMb()} MB\n`,
);
console.log(metricsTable(results));

async function existingItems(file: string): Promise<string | undefined> {
  const { existsSync } = await import('node:fs');
  return existsSync(file) ? file : undefined;
}
