/**
 * EASE (Steck 2019): a shallow autoencoder with a closed-form solution, B = I − P·diag(1/diag P)
 * with P = (XᵀX + λI)⁻¹ and a zero diagonal. One n × n inverse in doubles: the strongest model
 * here while the catalogue has a few thousand items (4,000 items are 128 MB and ~20 s of Node);
 * beyond that, implicit ALS scales instead.
 */
import type { Dataset } from './dataset.ts';
import { becauseFromNeighbours, type Neighbours, type Recommender, watchedReason } from './recommender.ts';
import { topK } from './topk.ts';

export interface EaseOptions {
  lambda?: number;
  /** Refuse catalogues larger than this (the inverse is O(n³) time and O(n²) memory). */
  maxItems?: number;
  /** 1: X holds √weight; 0 (default, best offline here): binary X. */
  weighted?: number;
}

/** In-place Gauss–Jordan inverse of a symmetric positive definite n × n matrix (no pivoting needed). */
function invertSpd(a: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) {
    const kk = k * n;
    const pivot = a[kk + k]!;
    if (!(pivot > 0)) throw new Error('EASE: the Gram matrix is not positive definite');
    a[kk + k] = 1;
    for (let j = 0; j < n; j++) a[kk + j]! /= pivot;
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const ii = i * n;
      const f = a[ii + k]!;
      if (f === 0) continue;
      a[ii + k] = 0;
      for (let j = 0; j < n; j++) a[ii + j]! -= f * a[kk + j]!;
    }
  }
}

export function trainEase(d: Dataset, opts: EaseOptions = {}): Recommender {
  const n = d.items.length;
  const max = opts.maxItems ?? 4000;
  if (n > max) throw new Error(`EASE handles at most ${max} items (this catalogue has ${n}); train als`);
  const lambda = opts.lambda ?? 200;
  // XᵀX over the interaction weights (√w each side), so a 5-star pair counts more than two
  // lukewarm views, with `weighted: 1`; binary co-occurrence (the paper) otherwise.
  const weighted = (opts.weighted ?? 0) !== 0;
  const x = (w: number) => (weighted ? Math.sqrt(w) : 1);
  const g = new Float64Array(n * n);
  for (let u = 0; u < d.users.length; u++) {
    const s = d.userPtr[u]!;
    const e = d.userPtr[u + 1]!;
    for (let a = s; a < e; a++) {
      const row = d.userItems[a]! * n;
      const xa = x(d.userWeights[a]!);
      for (let b = s; b < e; b++) g[row + d.userItems[b]!]! += xa * x(d.userWeights[b]!);
    }
  }
  for (let i = 0; i < n; i++) g[i * n + i]! += lambda;
  invertSpd(g, n);
  // B[i][j] = −P[i][j] / P[j][j]; kept as float32 rows (source item i → target j).
  const b = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) b[i * n + j] = i === j ? 0 : -g[i * n + j]! / g[j * n + j]!;
  const sim = (a: number, c: number) => b[a * n + c]!;
  return {
    modelType: 'ease',
    scores(u, out) {
      out.fill(0);
      for (let k = d.userPtr[u]!; k < d.userPtr[u + 1]!; k++) {
        const row = d.userItems[k]! * n;
        const xk = x(d.userWeights[k]!);
        for (let j = 0; j < n; j++) out[j]! += xk * b[row + j]!;
      }
      return out;
    },
    reason: (u, item) => watchedReason(d, becauseFromNeighbours(d, sim, u, item), 'f'),
    neighbours(k) {
      const out: Neighbours = new Array(n);
      for (let i = 0; i < n; i++) {
        const row = b.subarray(i * n, (i + 1) * n);
        const best = topK(row, k, (j) => row[j]! > 0);
        out[i] = { items: best, sims: Float32Array.from(best, (j) => row[j]!) };
      }
      return out;
    },
  };
}
