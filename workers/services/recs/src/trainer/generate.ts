/**
 * Interaction data with planted taste clusters, over the vega-datasets movies catalogue (and
 * synthetic titles beyond its 3,201 movies when more items are asked for).
 *
 * Every item is planted in one of `clusters` hidden taste groups (drawn at random, independent of
 * genre, so only collaborative filtering can recover them) and gets a long-tailed popularity.
 * Every user belongs to one cluster and leans towards a second one; each interaction picks, with
 * probability `affinity`, an item of the user's own group (by popularity within the group), with
 * half the remaining probability one of the second group, otherwise any item by global
 * popularity. In-cluster items get ratings 4–5, the rest 1–4, and times move forward per user
 * over a 180-day window. The right answer is known: a model that finds the clusters recommends a
 * user mostly items of the user's own group, while popularity alone does so at ~1/clusters.
 * The same seed gives the same data, byte for byte.
 */
import type { ItemMeta } from './dataset.ts';
import { seededRandom } from './topk.ts';

export interface Movie {
  Title?: string | number | null;
  'Major Genre'?: string | null;
  'Creative Type'?: string | null;
  'MPAA Rating'?: string | null;
  Source?: string | null;
}

export interface GenerateOptions {
  users: number;
  items: number;
  interactions: number;
  clusters?: number;
  /** Share of a user's interactions inside the user's cluster. */
  affinity?: number;
  seed?: number;
  /** Exponent of the long tail of popularity (weight 1 / (rank + 10)^skew). */
  skew?: number;
  /** The end of the 180-day window, in ms (fixed by default so runs are reproducible). */
  until?: number;
}

export interface GeneratedItem extends ItemMeta {
  itemId: string;
  title: string;
  cluster: number;
}

export interface Generated {
  items: GeneratedItem[];
  /** userId → its planted cluster. */
  userCluster: Map<string, number>;
}

const SYNTHETIC_GENRES = [
  'Drama',
  'Comedy',
  'Action',
  'Adventure',
  'Thriller/Suspense',
  'Horror',
  'Documentary',
];

export function itemsFromMovies(
  movies: Movie[],
  count: number,
  clusters: number,
  seed: number,
): GeneratedItem[] {
  const rand = seededRandom(seed ^ 0x9e3779b9);
  const items: GeneratedItem[] = [];
  for (let n = 0; n < count; n++) {
    const m = movies[n];
    const genre = m?.['Major Genre'] ?? SYNTHETIC_GENRES[Math.floor(rand() * SYNTHETIC_GENRES.length)]!;
    const tags = [m?.['Creative Type'], m?.['MPAA Rating'], m?.Source]
      .filter((t): t is string => typeof t === 'string' && t.length > 0)
      .map((t) => t.toLowerCase());
    items.push({
      itemId: m ? `mov_${String(n).padStart(5, '0')}` : `syn_${String(n).padStart(5, '0')}`,
      title: m ? String(m.Title ?? `Untitled ${n}`) : `Synthetic feature ${n}`,
      genres: [genre],
      tags,
      cluster: Math.floor(rand() * clusters),
    });
  }
  return items;
}

/** Cumulative weights for sampling by popularity with a binary search. */
function sampler(weights: number[], rand: () => number): () => number {
  const cum = new Float64Array(weights.length);
  let s = 0;
  weights.forEach((w, i) => {
    s += w;
    cum[i] = s;
  });
  return () => {
    const x = rand() * s;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/**
 * Generates the catalogue and streams interaction rows to `emit` (userId, itemId, rating, time ms),
 * so 5M rows never sit in memory at once.
 */
export function generate(
  movies: Movie[],
  opts: GenerateOptions,
  emit: (userId: string, itemId: string, rating: number, time: number) => void,
): Generated {
  const clusters = opts.clusters ?? 8;
  const affinity = opts.affinity ?? 0.8;
  const seed = opts.seed ?? 1;
  const until = opts.until ?? Date.UTC(2026, 0, 1);
  const window = 180 * 86_400_000;
  const rand = seededRandom(seed);
  const items = itemsFromMovies(movies, opts.items, clusters, seed);
  // Long tail: weight 1 / (rank + 10)^skew over a random ranking.
  const skew = opts.skew ?? 0.9;
  const pop = items.map(() => 1 / (Math.floor(rand() * items.length) + 10) ** skew);
  const global = sampler(pop, rand);
  const members: number[][] = Array.from({ length: clusters }, () => []);
  items.forEach((it, i) => {
    members[it.cluster]!.push(i);
  });
  const inCluster = members.map((m) => {
    const pick = sampler(
      m.map((i) => pop[i]!),
      rand,
    );
    return () => m[pick()]!;
  });
  const userCluster = new Map<string, number>();
  // Activity is long-tailed too (exponential), at least 3 and at most half the catalogue per user,
  // scaled so the counts add up to the target.
  const activity = Array.from({ length: opts.users }, () => -Math.log(1 - rand()) + 0.1);
  const scale = opts.interactions / activity.reduce((a, b) => a + b, 0);
  const cap = Math.floor(items.length / 2);
  const counts = activity.map((a) => Math.min(cap, Math.max(3, Math.round(a * scale))));
  let excess = counts.reduce((a, b) => a + b, 0) - opts.interactions;
  for (let u = 0; excess !== 0 && u < counts.length * 4; u++) {
    const k = u % counts.length;
    if (excess > 0 && counts[k]! > 3) {
      counts[k]!--;
      excess--;
    } else if (excess < 0 && counts[k]! < cap) {
      counts[k]!++;
      excess++;
    }
  }
  for (let u = 0; u < opts.users; u++) {
    const userId = `usr_${String(u).padStart(6, '0')}`;
    const c = Math.floor(rand() * clusters);
    const second = (c + 1 + Math.floor(rand() * (clusters - 1))) % clusters;
    userCluster.set(userId, c);
    const n = counts[u]!;
    let t = until - window * rand();
    const step = (until - t) / (n + 1);
    const seen = new Set<number>();
    for (let k = 0; k < n; k++) {
      let i = -1;
      const draw = rand();
      const from = draw < affinity ? c : draw < affinity + (1 - affinity) / 2 ? second : -1;
      for (let tries = 0; tries < 20; tries++) {
        const cand = from >= 0 ? inCluster[from]!() : global();
        if (!seen.has(cand)) {
          i = cand;
          break;
        }
      }
      // A heavy user has exhausted the head of the pool: any unseen item of it, uniformly.
      const pool = from >= 0 ? members[from]! : null;
      for (let tries = 0; i < 0 && tries < 200; tries++) {
        const cand = pool ? pool[Math.floor(rand() * pool.length)]! : Math.floor(rand() * items.length);
        if (!seen.has(cand)) i = cand;
      }
      if (i < 0) continue;
      seen.add(i);
      const liked = items[i]!.cluster === c || items[i]!.cluster === second;
      const rating = liked ? 4 + Math.floor(rand() * 2) : 1 + Math.floor(rand() * 4);
      t += step * (0.5 + rand());
      emit(userId, items[i]!.itemId, rating, Math.min(until, Math.round(t)));
    }
  }
  return { items, userCluster };
}
