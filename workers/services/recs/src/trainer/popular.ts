/** Time-decayed popularity ("trending"), overall and per genre: the baseline and the cold-start answer. */
import type { Dataset } from './dataset.ts';
import type { Recommender } from './recommender.ts';
import { topK } from './topk.ts';

export interface PopularOptions {
  /** Days after which an interaction counts half. */
  halfLifeDays?: number;
}

/** Each item's decayed popularity: Σ weight · 2^(−age / half-life), dislikes subtracting. */
export function popularity(d: Dataset, opts: PopularOptions = {}): Float32Array {
  const half = (opts.halfLifeDays ?? 14) * 86_400_000;
  const pop = new Float32Array(d.items.length);
  for (let u = 0; u < d.users.length; u++) {
    for (let k = d.userPtr[u]!; k < d.userPtr[u + 1]!; k++) {
      pop[d.userItems[k]!]! += d.userWeights[k]! * 2 ** (-(d.latest - d.userTimes[k]!) / half);
    }
  }
  // Dislikes count against an item at the weight of a plain view, without a time (not kept).
  for (const set of d.disliked.values()) for (const i of set) pop[i]! -= 1;
  return pop;
}

export function trainPopular(d: Dataset, opts: PopularOptions = {}): Recommender {
  const pop = popularity(d, opts);
  return {
    modelType: 'popular',
    scores: (_u, out) => {
      out.set(pop);
      return out;
    },
    reason: () => 'p',
    neighbours: () => [],
  };
}

/** The `n` most popular items overall (genre '') and within each genre. */
export function popularLists(d: Dataset, pop: Float32Array, n: number): [string, Int32Array][] {
  const lists: [string, Int32Array][] = [['', topK(pop, n)]];
  const byGenre = new Map<string, number[]>();
  d.items.forEach((id, i) => {
    for (const g of d.meta.get(id)?.genres ?? []) {
      const l = byGenre.get(g) ?? [];
      byGenre.set(g, l);
      l.push(i);
    }
  });
  for (const [genre, members] of byGenre) {
    const sub = new Float32Array(members.length);
    members.forEach((i, k) => {
      sub[k] = pop[i]!;
    });
    lists.push([genre, Int32Array.from(topK(sub, n), (k) => members[k]!)]);
  }
  return lists;
}
