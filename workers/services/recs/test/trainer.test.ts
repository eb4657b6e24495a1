/**
 * The trainer module on its own (it has no Worker globals; the same code runs under Node for
 * `npm run recs:train` and `recs:eval`).
 */
import { describe, expect, it } from 'vitest';
import movies from '../../../../node_modules/vega-datasets/data/movies.json';
import { buildDataset, type Interaction, parseCsvLine, ratingWeight } from '../src/trainer/dataset.ts';
import { evaluate, metricsTable, splitByTime } from '../src/trainer/evaluate.ts';
import { generate, type Movie } from '../src/trainer/generate.ts';
import { fitModel, trainModel } from '../src/trainer/model.ts';
import { recommend } from '../src/trainer/recommender.ts';
import { topK } from '../src/trainer/topk.ts';

const DAY = 86_400_000;

function planted(seed = 3) {
  const rows: Interaction[] = [];
  const gen = generate(
    movies as Movie[],
    { users: 400, items: 240, interactions: 8000, clusters: 4, affinity: 0.8, seed },
    (userId, itemId, rating, time) =>
      rows.push({ userId, itemId, weight: ratingWeight(rating, false), time }),
  );
  const clusterOf = new Map(gen.items.map((it) => [it.itemId, it.cluster]));
  return { rows, gen, clusterOf };
}

describe('the planted-cluster generator', () => {
  it('is deterministic for a seed and uses the vega-datasets titles', () => {
    const a = planted(5);
    const b = planted(5);
    expect(a.rows).toEqual(b.rows);
    expect(a.gen.items[0]!.title).toBe(String((movies as Movie[])[0]!.Title));
    expect(planted(6).rows).not.toEqual(a.rows);
  });

  it('adds synthetic items beyond the movies catalogue', () => {
    const gen = generate(movies as Movie[], { users: 5, items: 3300, interactions: 20 }, () => {});
    expect(gen.items.at(-1)!.itemId).toBe('syn_03299');
  });
});

describe('the learned models find the planted taste clusters', () => {
  for (const type of ['ease', 'als'] as const) {
    it(`${type}: most of each user's top 10 is from the user's own cluster`, () => {
      const { rows, gen, clusterOf } = planted();
      const d = buildDataset(rows);
      const model = fitModel(type, d, { params: type === 'als' ? { factors: 8, iterations: 10 } : {} });
      let own = 0;
      let total = 0;
      for (const [userId, cluster] of gen.userCluster) {
        const u = d.userIndex.get(userId);
        if (u === undefined) continue;
        for (const r of recommend(d, model, u, 10)) {
          total++;
          if (clusterOf.get(d.items[r.item]!) === cluster) own++;
        }
      }
      // Users' own cluster holds a quarter of the catalogue and, by chance, a quarter of any list.
      expect(own / total).toBeGreaterThan(0.8);
    });
  }

  it('als: items of one cluster are each other’s nearest neighbours', () => {
    const { rows, clusterOf } = planted();
    const d = buildDataset(rows);
    const nb = fitModel('als', d, { params: { factors: 8, iterations: 10 } }).neighbours(10);
    let same = 0;
    let total = 0;
    nb.forEach((list, i) => {
      for (const j of list.items) {
        total++;
        if (clusterOf.get(d.items[i]!) === clusterOf.get(d.items[j]!)) same++;
      }
    });
    expect(same / total).toBeGreaterThan(0.8);
  });
});

describe('models', () => {
  const at = (days: number) => Date.UTC(2026, 0, 1) + days * DAY;

  it('popular decays with time: a recent hit outranks an older, bigger one', () => {
    const rows: Interaction[] = [];
    for (let u = 0; u < 10; u++) rows.push({ userId: `old${u}`, itemId: 'old', weight: 4, time: at(0) });
    for (let u = 0; u < 4; u++) rows.push({ userId: `new${u}`, itemId: 'new', weight: 4, time: at(90) });
    const m = trainModel('popular', buildDataset(rows));
    expect(m.popular[0]![1].map(([id]) => id)).toEqual(['new', 'old']);
  });

  it('popular lists per genre come from the item metadata', () => {
    const rows: Interaction[] = [
      { userId: 'a', itemId: 'x', weight: 4, time: at(0) },
      { userId: 'b', itemId: 'y', weight: 1, time: at(0) },
    ];
    const meta = new Map([
      ['x', { genres: ['Drama'], tags: [] }],
      ['y', { genres: ['Comedy'], tags: [] }],
    ]);
    const m = trainModel('popular', buildDataset(rows, meta));
    expect(Object.fromEntries(m.popular.map(([g, l]) => [g, l.map(([id]) => id)]))).toEqual({
      '': ['x', 'y'],
      Drama: ['x'],
      Comedy: ['y'],
    });
  });

  it('rules: genre affinity and "because you watched" from co-watching', () => {
    const rows: Interaction[] = [];
    // Everyone who watched `heat` also watched `ronin`; `toy` is a comedy few watch.
    for (let u = 0; u < 6; u++) {
      rows.push({ userId: `u${u}`, itemId: 'heat', weight: 4, time: at(u) });
      rows.push({ userId: `u${u}`, itemId: 'ronin', weight: 4, time: at(u) });
    }
    rows.push({ userId: 'me', itemId: 'heat', weight: 4, time: at(10) });
    rows.push({ userId: 'c', itemId: 'toy', weight: 1, time: at(10) });
    const meta = new Map([
      ['heat', { genres: ['Action'], tags: ['crime'] }],
      ['ronin', { genres: ['Action'], tags: ['crime'] }],
      ['toy', { genres: ['Comedy'], tags: [] }],
    ]);
    const d = buildDataset(rows, meta);
    const recs = recommend(d, fitModel('rules', d), d.userIndex.get('me')!, 2);
    expect(recs.map((r) => [d.items[r.item], r.reason])).toEqual([
      ['ronin', 'w:heat'],
      ['toy', 'p'],
    ]);
  });

  it('itemknn: cosine neighbours with shrinkage rank shared audiences first', () => {
    const rows: Interaction[] = [];
    for (let u = 0; u < 20; u++) {
      rows.push({ userId: `u${u}`, itemId: 'a', weight: 4, time: at(u) });
      rows.push({ userId: `u${u}`, itemId: u < 15 ? 'b' : 'c', weight: 4, time: at(u) });
    }
    const d = buildDataset(rows);
    const nb = fitModel('itemknn', d).neighbours(5);
    const a = nb[d.itemIndex.get('a')!]!;
    expect(Array.from(a.items, (i) => d.items[i])).toEqual(['b', 'c']);
    expect(a.sims[0]!).toBeGreaterThan(a.sims[1]!);
    expect(a.sims[0]!).toBeLessThan(15 / Math.sqrt(20 * 15));
  });

  it('never recommends what the user already has or disliked', () => {
    const { rows } = planted();
    rows.push({ userId: 'usr_000001', itemId: 'mov_00001', weight: -2, time: at(400) });
    const d = buildDataset(rows);
    const u = d.userIndex.get('usr_000001')!;
    const own = new Set(Array.from(d.userItems.subarray(d.userPtr[u]!, d.userPtr[u + 1]!)));
    for (const type of ['popular', 'rules', 'itemknn', 'ease', 'als'] as const) {
      const recs = recommend(d, fitModel(type, d, { params: { iterations: 3 } }), u, 50);
      expect(
        recs.some((r) => own.has(r.item)),
        type,
      ).toBe(false);
      expect(
        recs.some((r) => d.items[r.item] === 'mov_00001'),
        type,
      ).toBe(false);
    }
  });

  it('ease refuses catalogues beyond its limit (als scales instead)', () => {
    const { rows } = planted();
    expect(() => fitModel('ease', buildDataset(rows), { params: { maxItems: 100 } })).toThrow(/als/);
  });

  it('exports a model serving can load: neighbours, users with reasons, popular lists', () => {
    const { rows } = planted();
    const m = trainModel('itemknn', buildDataset(rows), { topN: 5, neighbours: 3 });
    expect(m.format).toBe('recs-model/1');
    expect(m.users.length).toBeGreaterThan(0);
    expect(m.users[0]![1]).toHaveLength(5);
    expect(m.users[0]![1][0]![2]).toMatch(/^(w:|f)/);
    expect(m.neighbours[0]![1].length).toBeLessThanOrEqual(3);
    expect(Date.parse(m.dataUntil)).toBe(Math.max(...rows.map((r) => r.time)));
  });
});

describe('offline evaluation', () => {
  it('holds out the latest 20 % of each user by time', () => {
    const rows: Interaction[] = Array.from({ length: 10 }, (_, n) => ({
      userId: 'u',
      itemId: `i${n}`,
      weight: 1,
      time: 1000 - n,
    }));
    const { train, test } = splitByTime(rows);
    expect(train.map((r) => r.itemId).sort()).toEqual(['i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8', 'i9']);
    expect([...test.get('u')!].sort()).toEqual(['i0', 'i1']);
  });

  it('scores every model beside popular, and the learned ones beat popular on planted data', () => {
    const { rows, gen } = planted();
    const meta = new Map(gen.items.map((it) => [it.itemId, it]));
    const results = evaluate(rows, ['popular', 'itemknn', 'ease'], meta, { clock: () => 0 });
    const by = Object.fromEntries(results.map((r) => [r.model, r]));
    expect(by.ease!.recall).toBeGreaterThan(by.popular!.recall * 1.5);
    expect(by.itemknn!.ndcg).toBeGreaterThan(by.popular!.ndcg);
    for (const r of results) {
      expect(r.recall).toBeGreaterThanOrEqual(0);
      expect(r.recall).toBeLessThanOrEqual(1);
      expect(r.coverage).toBeGreaterThan(0);
    }
    expect(metricsTable(results)).toMatch(
      /^\| model \| Recall@10 \| NDCG@10 \| coverage \| training time \|/,
    );
  });
});

describe('input', () => {
  it('parses CSV rows with seconds, milliseconds or ISO times and skips the header and junk', () => {
    expect(parseCsvLine('userId,itemId,rating,timestamp')).toBeNull();
    expect(parseCsvLine('u1,i1,4,964982703')).toEqual({
      userId: 'u1',
      itemId: 'i1',
      rating: 4,
      time: 964982703000,
    });
    expect(parseCsvLine('u1,i1,1,1767225600000')!.time).toBe(1767225600000);
    expect(parseCsvLine('u1,i1,5,2026-01-01T00:00:00Z')!.time).toBe(Date.UTC(2026, 0, 1));
    expect(parseCsvLine('u1,,5,1')).toBeNull();
    expect(parseCsvLine('u1,i1')).toBeNull();
  });

  it('a repeated (user, item) keeps the latest signal; low ratings become dislikes', () => {
    const d = buildDataset([
      { userId: 'u', itemId: 'a', weight: 1, time: 1 },
      { userId: 'u', itemId: 'a', weight: 4, time: 2 },
      { userId: 'u', itemId: 'b', weight: 3, time: 1 },
      { userId: 'u', itemId: 'b', weight: -2, time: 5 },
    ]);
    expect(Array.from(d.userWeights)).toEqual([4]);
    expect([...d.disliked.get(0)!].map((i) => d.items[i])).toEqual(['b']);
  });

  it('topK returns the best k, best first', () => {
    expect(Array.from(topK(Float32Array.from([0.1, 5, 3, Number.NEGATIVE_INFINITY, 4, 2]), 3))).toEqual([
      1, 4, 2,
    ]);
    expect(Array.from(topK(Float32Array.from([1, 2]), 5))).toEqual([1, 0]);
  });
});
