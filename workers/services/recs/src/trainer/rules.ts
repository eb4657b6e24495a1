/**
 * The rule-based model: genre and tag affinity from the user's history, plus "because you watched
 * X" from co-watching (people who watched X also watched Y), over a small popularity prior.
 */
import { cooccurrenceNeighbours, neighbourSim, truncate } from './cooccurrence.ts';
import type { Dataset } from './dataset.ts';
import { popularity } from './popular.ts';
import { type Recommender, watchedReason } from './recommender.ts';

export interface RulesOptions {
  /** Co-watched neighbours kept per item. */
  k?: number;
  /** How many of the user's latest items the "because you watched" rule looks at. */
  recent?: number;
}

/** Per-item genre and tag ids, so affinity scoring is array lookups. */
function featureIndex(d: Dataset, pick: (id: string) => string[]) {
  const names: string[] = [];
  const ids = new Map<string, number>();
  const ofItem = d.items.map((id) =>
    Int32Array.from(pick(id), (name) => {
      let f = ids.get(name);
      if (f === undefined) {
        f = names.length;
        names.push(name);
        ids.set(name, f);
      }
      return f;
    }),
  );
  return { names, ofItem };
}

export function trainRules(d: Dataset, opts: RulesOptions = {}): Recommender {
  const recent = opts.recent ?? 5;
  const genres = featureIndex(d, (id) => d.meta.get(id)?.genres ?? []);
  const tags = featureIndex(d, (id) => d.meta.get(id)?.tags ?? []);
  const count = new Float32Array(d.items.length);
  for (let i = 0; i < d.items.length; i++) count[i] = d.itemPtr[i + 1]! - d.itemPtr[i]!;
  const cowatch = cooccurrenceNeighbours(d, {
    k: 50,
    value: () => 1,
    // Co-watch counts, damped by the neighbour's own popularity so blockbusters do not follow everything.
    similarity: (co, _i, j) => co / Math.sqrt(count[j]! + 1),
  });
  const pop = popularity(d);
  let maxPop = 0;
  for (const p of pop) maxPop = Math.max(maxPop, p);

  function latest(u: number): number[] {
    const ks: number[] = [];
    for (let k = d.userPtr[u]!; k < d.userPtr[u + 1]!; k++) ks.push(k);
    ks.sort((a, b) => d.userTimes[b]! - d.userTimes[a]!);
    return ks.slice(0, recent);
  }

  /** The user's affinity per genre and per tag, each summing to 1. */
  function affinities(u: number) {
    const g = new Float32Array(genres.names.length);
    const t = new Float32Array(tags.names.length);
    let gs = 0;
    let ts = 0;
    for (let k = d.userPtr[u]!; k < d.userPtr[u + 1]!; k++) {
      const i = d.userItems[k]!;
      const w = d.userWeights[k]!;
      for (const f of genres.ofItem[i]!) {
        g[f]! += w;
        gs += w;
      }
      for (const f of tags.ofItem[i]!) {
        t[f]! += w;
        ts += w;
      }
    }
    if (gs) for (let f = 0; f < g.length; f++) g[f]! /= gs;
    if (ts) for (let f = 0; f < t.length; f++) t[f]! /= ts;
    return { g, t };
  }

  const affinityOf = (a: { g: Float32Array; t: Float32Array }, i: number) => {
    let s = 0;
    const gi = genres.ofItem[i]!;
    for (const f of gi) s += a.g[f]! / gi.length;
    const ti = tags.ofItem[i]!;
    for (const f of ti) s += (0.5 * a.t[f]!) / ti.length;
    return s;
  };

  return {
    modelType: 'rules',
    scores(u, out) {
      const a = affinities(u);
      for (let i = 0; i < out.length; i++) out[i] = affinityOf(a, i) + (0.1 * pop[i]!) / (maxPop || 1);
      // Co-watch: normalised per source item so it weighs like the affinity (both at most ~1).
      for (const k of latest(u)) {
        const list = cowatch[d.userItems[k]!]!;
        const top = list.sims[0] ?? 1;
        for (let n = 0; n < list.items.length; n++) out[list.items[n]!]! += list.sims[n]! / top;
      }
      return out;
    },
    reason(u, item) {
      let best = -1;
      let bestSim = 0;
      for (const k of latest(u)) {
        const s = neighbourSim(cowatch, d.userItems[k]!, item);
        if (s > bestSim) {
          bestSim = s;
          best = d.userItems[k]!;
        }
      }
      if (best >= 0) return watchedReason(d, best, 'p');
      const a = affinities(u);
      let genre = -1;
      for (const f of genres.ofItem[item]!) if (genre < 0 || a.g[f]! > a.g[genre]!) genre = f;
      return genre >= 0 && a.g[genre]! > 0 ? `g:${genres.names[genre]}` : 'p';
    },
    neighbours: (n) => truncate(cowatch, n),
  };
}
