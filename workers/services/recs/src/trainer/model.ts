/**
 * Training entry point and the model format the Worker serves: neighbour lists, precomputed top-N
 * lists for active users, and popularity lists — all plain JSON-able arrays of ids and scores.
 */
import { trainAls } from './als.ts';
import { type Dataset, interactionCount } from './dataset.ts';
import { trainEase } from './ease.ts';
import { trainItemKnn } from './itemknn.ts';
import { popularity, popularLists, trainPopular } from './popular.ts';
import { type ModelType, type Recommender, recommend } from './recommender.ts';
import { trainRules } from './rules.ts';

export { MODEL_TYPES, type ModelType } from './recommender.ts';

export const MODEL_FORMAT = 'recs-model/1';

export interface TrainedModel {
  format: typeof MODEL_FORMAT;
  modelType: ModelType;
  /** When training ran, and the newest interaction it saw (serving blends in what came after). */
  trainedAt: string;
  dataUntil: string;
  params: Record<string, number>;
  stats: { users: number; items: number; interactions: number; trainMs: number };
  /** itemId → [neighbourId, similarity][] best first. */
  neighbours: [string, [string, number][]][];
  /** userId → [itemId, score, reason code][] best first (see Recommendation.reason). */
  users: [string, [string, number, string][]][];
  /** genre ('' for all) → [itemId, score][] best first. */
  popular: [string, [string, number][]][];
}

export interface TrainOptions {
  /** Model-specific parameters (factors, iterations, k, shrink, …). */
  params?: Record<string, number>;
  onProgress?: (message: string) => void;
}

export function fitModel(type: ModelType, d: Dataset, opts: TrainOptions = {}): Recommender {
  const p = opts.params ?? {};
  switch (type) {
    case 'popular':
      return trainPopular(d, { halfLifeDays: p.halfLifeDays });
    case 'rules':
      return trainRules(d, { k: p.k });
    case 'itemknn':
      return trainItemKnn(d, { k: p.k, shrink: p.shrink });
    case 'ease':
      return trainEase(d, { lambda: p.lambda, maxItems: p.maxItems, weighted: p.weighted });
    case 'als':
      return trainAls(d, {
        factors: p.factors,
        iterations: p.iterations,
        lambda: p.lambda,
        alpha: p.alpha,
        seed: p.seed,
        cgSteps: p.cgSteps,
        onIteration: (n) => opts.onProgress?.(`als sweep ${n}`),
      });
  }
}

export interface ExportOptions {
  /** Recommendations precomputed per active user. */
  topN?: number;
  /** Neighbours kept per item (for blending interactions newer than the model). */
  neighbours?: number;
  /** Users active within this many days of the newest interaction get precomputed lists… */
  activeDays?: number;
  /** …at most this many, the most recently active first. */
  maxUsers?: number;
  /** Length of each popularity list. */
  popularN?: number;
}

const round = (x: number) => Math.round(x * 1e5) / 1e5;

/** Everything serving needs from a trained recommender. */
export function exportModel(
  d: Dataset,
  model: Recommender,
  trainMs: number,
  opts: ExportOptions & { params?: Record<string, number>; now?: Date } = {},
): TrainedModel {
  const topN = opts.topN ?? 50;
  const since = d.latest - (opts.activeDays ?? 30) * 86_400_000;
  const lastSeen: [number, number][] = [];
  for (let u = 0; u < d.users.length; u++) {
    let last = 0;
    for (let k = d.userPtr[u]!; k < d.userPtr[u + 1]!; k++) last = Math.max(last, d.userTimes[k]!);
    if (last >= since && d.userPtr[u + 1]! > d.userPtr[u]!) lastSeen.push([u, last]);
  }
  lastSeen.sort((a, b) => b[1] - a[1]);
  const active = lastSeen.slice(0, opts.maxUsers ?? 50_000);
  const buf = new Float32Array(d.items.length);
  const users: TrainedModel['users'] = active.map(([u]) => [
    d.users[u]!,
    recommend(d, model, u, topN, buf).map((r) => [d.items[r.item]!, round(r.score), r.reason]),
  ]);
  const nb = model.neighbours(opts.neighbours ?? 30);
  const neighbours: TrainedModel['neighbours'] = [];
  nb.forEach((l, i) => {
    if (l.items.length)
      neighbours.push([d.items[i]!, Array.from(l.items, (j, n) => [d.items[j]!, round(l.sims[n]!)])]);
  });
  const pop = popularity(d);
  const popular: TrainedModel['popular'] = popularLists(d, pop, opts.popularN ?? 100).map(([g, list]) => [
    g,
    Array.from(list, (i) => [d.items[i]!, round(pop[i]!)] as [string, number]).filter(([, s]) => s > 0),
  ]);
  return {
    format: MODEL_FORMAT,
    modelType: model.modelType,
    trainedAt: (opts.now ?? new Date()).toISOString(),
    dataUntil: new Date(d.latest || 0).toISOString(),
    params: opts.params ?? {},
    stats: { users: d.users.length, items: d.items.length, interactions: interactionCount(d), trainMs },
    neighbours,
    users,
    popular,
  };
}

/** Trains `type` on `d` and exports it, timing the fit. */
export function trainModel(
  type: ModelType,
  d: Dataset,
  opts: TrainOptions & ExportOptions & { clock?: () => number } = {},
): TrainedModel {
  const clock = opts.clock ?? Date.now;
  const started = clock();
  const model = fitModel(type, d, opts);
  const trainMs = clock() - started;
  return exportModel(d, model, trainMs, { ...opts, params: opts.params ?? {} });
}
