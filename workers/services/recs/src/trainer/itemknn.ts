/** Item-item collaborative filtering: cosine similarity with shrinkage, top-k neighbours per item. */
import { cooccurrenceNeighbours, neighbourSim, scoreFromNeighbours, truncate } from './cooccurrence.ts';
import type { Dataset } from './dataset.ts';
import { becauseFromNeighbours, type Recommender, watchedReason } from './recommender.ts';

export interface ItemKnnOptions {
  /** Neighbours kept per item. */
  k?: number;
  /** Added to the cosine's denominator: pairs seen together by few users count less. */
  shrink?: number;
}

export function trainItemKnn(d: Dataset, opts: ItemKnnOptions = {}): Recommender {
  const k = opts.k ?? 100;
  const shrink = opts.shrink ?? 10;
  // Binary co-occurrence: the weights tell how much a user liked an item, which the scoring uses.
  const norm = new Float32Array(d.items.length);
  for (let i = 0; i < d.items.length; i++) norm[i] = Math.sqrt(d.itemPtr[i + 1]! - d.itemPtr[i]!);
  const nb = cooccurrenceNeighbours(d, {
    k,
    value: () => 1,
    similarity: (co, i, j) => co / (norm[i]! * norm[j]! + shrink),
  });
  return {
    modelType: 'itemknn',
    scores: (u, out) => scoreFromNeighbours(d, nb, u, out),
    reason: (u, item) =>
      watchedReason(
        d,
        becauseFromNeighbours(d, (a, b) => neighbourSim(nb, a, b), u, item),
        'f',
      ),
    neighbours: (n) => truncate(nb, n),
  };
}
