/**
 * Offline evaluation: per user, the latest 20 % of interactions by time are held out; each model
 * trains on the rest and is scored on Recall@10, NDCG@10 and catalogue coverage.
 */
import { buildDataset, type Interaction, type ItemMeta } from './dataset.ts';
import { fitModel, type ModelType } from './model.ts';
import { recommend } from './recommender.ts';
import { seededRandom } from './topk.ts';

export interface Split {
  train: Interaction[];
  /** userId → held-out items the user liked (weight > 0). */
  test: Map<string, Set<string>>;
}

/** Holds out the last `fraction` of each user's interactions (users with at least `minItems`). */
export function splitByTime(rows: Interaction[], fraction = 0.2, minItems = 5): Split {
  const byUser = new Map<string, Interaction[]>();
  for (const r of rows) {
    const l = byUser.get(r.userId) ?? [];
    byUser.set(r.userId, l);
    l.push(r);
  }
  const train: Interaction[] = [];
  const test = new Map<string, Set<string>>();
  for (const [user, list] of byUser) {
    if (list.length < minItems) {
      train.push(...list);
      continue;
    }
    list.sort((a, b) => a.time - b.time);
    const cut = list.length - Math.max(1, Math.round(list.length * fraction));
    for (let k = 0; k < cut; k++) train.push(list[k]!);
    const seen = new Set(list.slice(0, cut).map((r) => r.itemId));
    const held = new Set(
      list
        .slice(cut)
        .filter((r) => r.weight > 0 && !seen.has(r.itemId))
        .map((r) => r.itemId),
    );
    if (held.size) test.set(user, held);
  }
  return { train, test };
}

export interface Metrics {
  model: ModelType;
  recall: number;
  ndcg: number;
  coverage: number;
  trainMs: number;
  users: number;
}

export interface EvaluateOptions {
  k?: number;
  /** Evaluate at most this many test users (a seeded sample), to bound scoring time. */
  maxUsers?: number;
  params?: Partial<Record<ModelType, Record<string, number>>>;
  clock?: () => number;
  onProgress?: (message: string) => void;
}

export function evaluate(
  rows: Interaction[],
  models: readonly ModelType[],
  meta: Map<string, ItemMeta> = new Map(),
  opts: EvaluateOptions = {},
): Metrics[] {
  const k = opts.k ?? 10;
  const clock = opts.clock ?? Date.now;
  const { train, test } = splitByTime(rows);
  const d = buildDataset(train, meta);
  let users = [...test.keys()].filter((u) => d.userIndex.has(u));
  if (opts.maxUsers && users.length > opts.maxUsers) {
    const rand = seededRandom(7);
    users = users
      .map((u) => [u, rand()] as const)
      .sort((a, b) => a[1] - b[1])
      .slice(0, opts.maxUsers)
      .map(([u]) => u);
  }
  const results: Metrics[] = [];
  for (const type of models) {
    opts.onProgress?.(`training ${type}`);
    const started = clock();
    const model = fitModel(type, d, { params: opts.params?.[type] });
    const trainMs = clock() - started;
    let recall = 0;
    let ndcg = 0;
    const shown = new Set<number>();
    const buf = new Float32Array(d.items.length);
    for (const user of users) {
      const held = test.get(user)!;
      const recs = recommend(d, model, d.userIndex.get(user)!, k, buf);
      let hits = 0;
      let dcg = 0;
      recs.forEach((r, rank) => {
        shown.add(r.item);
        if (held.has(d.items[r.item]!)) {
          hits++;
          dcg += 1 / Math.log2(rank + 2);
        }
      });
      let idcg = 0;
      for (let n = 0; n < Math.min(k, held.size); n++) idcg += 1 / Math.log2(n + 2);
      recall += hits / Math.min(k, held.size);
      ndcg += dcg / idcg;
    }
    const n = users.length || 1;
    results.push({
      model: type,
      recall: recall / n,
      ndcg: ndcg / n,
      coverage: shown.size / (d.items.length || 1),
      trainMs,
      users: users.length,
    });
  }
  return results;
}

/** The metrics as a Markdown table, each model beside the popular baseline. */
export function metricsTable(results: Metrics[]): string {
  const base = results.find((r) => r.model === 'popular');
  const rel = (v: number, b: number | undefined) =>
    b ? ` (${v >= b ? '+' : ''}${Math.round(((v - b) / b) * 100)} %)` : '';
  const lines = [
    '| model | Recall@10 | NDCG@10 | coverage | training time |',
    '| --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.model} | ${r.recall.toFixed(4)}${r === base ? '' : rel(r.recall, base?.recall)} | ` +
        `${r.ndcg.toFixed(4)}${r === base ? '' : rel(r.ndcg, base?.ndcg)} | ${(r.coverage * 100).toFixed(1)} % | ` +
        `${(r.trainMs / 1000).toFixed(2)} s |`,
    ),
  ];
  return lines.join('\n');
}
