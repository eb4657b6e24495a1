/** What every model offers once trained: scores for a user, and the neighbours of an item. */
import type { Dataset } from './dataset.ts';
import { topK } from './topk.ts';

export const MODEL_TYPES = ['popular', 'rules', 'itemknn', 'ease', 'als'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

export interface Recommender {
  modelType: ModelType;
  /** Dense scores over every item for user index `u` (higher is better). */
  scores(u: number, out: Float32Array): Float32Array;
  /** Why `item` suits user `u`, as a reason code (see Reason). */
  reason(u: number, item: number): string;
  /** Top-k most similar items of each item (empty when the model has no notion of similarity). */
  neighbours(k: number): Neighbours;
}

/** Item → its most similar items, best first, with their similarity. */
export type Neighbours = { items: Int32Array; sims: Float32Array }[];

/**
 * Reason codes, turned into words when served: `w:<itemId>` because you watched that item,
 * `g:<genre>` your taste in that genre, `t:<tag>` a tag you like, `p` popular, `f` for you.
 */
export interface Recommendation {
  item: number;
  score: number;
  reason: string;
}

/** The "because you watched" reason code for item index `i`, or the fallback when there is none. */
export function watchedReason(d: Dataset, i: number, fallback: string): string {
  return i >= 0 ? `w:${d.items[i]}` : fallback;
}

/** The top `n` items for user `u`, leaving out what the user already interacted with or disliked. */
export function recommend(d: Dataset, model: Recommender, u: number, n: number, buf?: Float32Array) {
  const scores = model.scores(u, buf ?? new Float32Array(d.items.length));
  for (let k = d.userPtr[u]!; k < d.userPtr[u + 1]!; k++) scores[d.userItems[k]!] = Number.NEGATIVE_INFINITY;
  for (const i of d.disliked.get(u) ?? []) scores[i] = Number.NEGATIVE_INFINITY;
  const best = topK(scores, n);
  const out: Recommendation[] = [];
  for (const i of best) out.push({ item: i, score: scores[i]!, reason: model.reason(u, i) });
  return out;
}

/**
 * Among the user's latest `window` items, the one whose neighbour list scores `item` highest:
 * the "because you watched X" of neighbour-based models.
 */
export function becauseFromNeighbours(
  d: Dataset,
  sim: (a: number, b: number) => number,
  u: number,
  item: number,
  window = 20,
): number {
  const start = d.userPtr[u]!;
  const end = d.userPtr[u + 1]!;
  // The window holds the most recent items: scan the times once rather than sorting.
  const idx: number[] = [];
  for (let k = start; k < end; k++) idx.push(k);
  if (idx.length > window) idx.sort((a, b) => d.userTimes[b]! - d.userTimes[a]!).length = window;
  let best = -1;
  let bestSim = 0;
  for (const k of idx) {
    const s = sim(d.userItems[k]!, item) * d.userWeights[k]!;
    if (s > bestSim) {
      bestSim = s;
      best = d.userItems[k]!;
    }
  }
  return best;
}
