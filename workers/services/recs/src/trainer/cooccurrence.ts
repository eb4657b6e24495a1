/**
 * Sparse item-item co-occurrence, one item at a time: for item i, walk its users and their items
 * into one dense accumulator, then keep the top k. Work is Σ_users |items|², memory one row, so
 * 10K items × 5M interactions fits where a dense item × item matrix would not.
 */
import type { Dataset } from './dataset.ts';
import type { Neighbours } from './recommender.ts';
import { topK } from './topk.ts';

export interface CooccurrenceOptions {
  k: number;
  /** Turns a raw co-occurrence into a similarity, given both items' norms. */
  similarity: (co: number, i: number, j: number) => number;
  /** How one interaction counts: its weight, or 1 for plain co-watch counts. */
  value: (w: number) => number;
  /** Users with more items than this contribute their latest this many only (heavy users dominate otherwise). */
  maxItemsPerUser?: number;
}

export function cooccurrenceNeighbours(d: Dataset, opts: CooccurrenceOptions): Neighbours {
  const ni = d.items.length;
  const cap = opts.maxItemsPerUser ?? 500;
  // Users' capped item ranges: the CSR order is by insertion, so keep the last `cap` entries.
  const from = new Int32Array(d.users.length);
  for (let u = 0; u < d.users.length; u++) from[u] = Math.max(d.userPtr[u]!, d.userPtr[u + 1]! - cap);
  const acc = new Float32Array(ni);
  const touched = new Int32Array(ni);
  const out: Neighbours = new Array(ni);
  for (let i = 0; i < ni; i++) {
    let nt = 0;
    for (let a = d.itemPtr[i]!; a < d.itemPtr[i + 1]!; a++) {
      const u = d.itemUsers[a]!;
      const wi = opts.value(d.itemWeights[a]!);
      for (let b = from[u]!; b < d.userPtr[u + 1]!; b++) {
        const j = d.userItems[b]!;
        if (j === i) continue;
        if (acc[j] === 0) touched[nt++] = j;
        acc[j]! += wi * opts.value(d.userWeights[b]!);
      }
    }
    const cand = new Float32Array(nt);
    for (let t = 0; t < nt; t++) {
      const j = touched[t]!;
      cand[t] = opts.similarity(acc[j]!, i, j);
      acc[j] = 0;
    }
    const best = topK(cand, opts.k, (t) => cand[t]! > 0);
    const items = new Int32Array(best.length);
    const sims = new Float32Array(best.length);
    best.forEach((t, n) => {
      items[n] = touched[t]!;
      sims[n] = cand[t]!;
    });
    out[i] = { items, sims };
  }
  return out;
}

/** Scores every item for user `u` as Σ over the user's items of weight × similarity. */
export function scoreFromNeighbours(d: Dataset, nb: Neighbours, u: number, out: Float32Array): Float32Array {
  out.fill(0);
  for (let k = d.userPtr[u]!; k < d.userPtr[u + 1]!; k++) {
    const list = nb[d.userItems[k]!]!;
    const w = d.userWeights[k]!;
    for (let n = 0; n < list.items.length; n++) out[list.items[n]!]! += w * list.sims[n]!;
  }
  return out;
}

/** Similarity lookup in a neighbour list (0 when `b` is not among `a`'s neighbours). */
export function neighbourSim(nb: Neighbours, a: number, b: number): number {
  const list = nb[a];
  if (!list) return 0;
  for (let n = 0; n < list.items.length; n++) if (list.items[n] === b) return list.sims[n]!;
  return 0;
}

/** The first `k` of each list (lists are best first). */
export function truncate(nb: Neighbours, k: number): Neighbours {
  return nb.map((l) => ({ items: l.items.subarray(0, k), sims: l.sims.subarray(0, k) }));
}
