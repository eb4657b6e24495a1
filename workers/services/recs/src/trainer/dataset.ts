/**
 * The trainer's input: implicit feedback as (user, item, weight, time) rows, indexed both ways.
 * Plain TypeScript over typed arrays, no Worker or Node globals, so the Worker (small catalogs)
 * and the Node batch job (large ones) run the same code.
 */

/** One interaction as the platform's store or a CSV gives it. */
export interface Interaction {
  userId: string;
  itemId: string;
  /** Implicit-feedback weight: positive is interest, zero or below counts against the item. */
  weight: number;
  /** Milliseconds since the epoch. */
  time: number;
}

/** What the trainer knows about an item beyond interactions (the rules model and per-genre popularity). */
export interface ItemMeta {
  genres: string[];
  tags: string[];
  title?: string;
}

/**
 * Explicit ratings of a generic CSV as implicit weights, on the scale the platform uses (see
 * weightOf in ../interactions.ts): 5 → 3.5, 4 → 3 (rated high), 3 → 1.5, 2 → -1, 1 → -2. A CSV
 * of pure implicit feedback (rating 1 everywhere, or 0) is taken as one view each.
 */
export function ratingWeight(rating: number, implicitOnly: boolean): number {
  if (implicitOnly) return 1;
  if (rating >= 5) return 3.5;
  if (rating >= 4) return 3;
  if (rating >= 3) return 1.5;
  if (rating >= 2) return -1;
  return -2;
}

export interface Dataset {
  users: string[];
  items: string[];
  userIndex: Map<string, number>;
  itemIndex: Map<string, number>;
  /** Positive interactions only, in CSR by user: itemsOf(u) = userItems[userPtr[u]..userPtr[u+1]). */
  userPtr: Int32Array;
  userItems: Int32Array;
  userWeights: Float32Array;
  userTimes: Float64Array;
  /** The same, in CSR by item. */
  itemPtr: Int32Array;
  itemUsers: Int32Array;
  itemWeights: Float32Array;
  /** Items each user disliked (weight ≤ 0): never recommended, never trained on as positives. */
  disliked: Map<number, Set<number>>;
  meta: Map<string, ItemMeta>;
  /** The newest interaction time: "now" for time decay, so a replayed dataset trains the same. */
  latest: number;
}

/** Builds the indexes; repeated (user, item) pairs keep the largest weight and the latest time. */
export function buildDataset(rows: Iterable<Interaction>, meta: Map<string, ItemMeta> = new Map()): Dataset {
  const userIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const users: string[] = [];
  const items: string[] = [];
  // Parallel growable columns keep 5M rows in ~100 MB instead of 5M objects.
  let cap = 1 << 16;
  let n = 0;
  let us = new Int32Array(cap);
  let is = new Int32Array(cap);
  let ws = new Float32Array(cap);
  let ts = new Float64Array(cap);
  let latest = 0;
  for (const r of rows) {
    let u = userIndex.get(r.userId);
    if (u === undefined) {
      u = users.length;
      users.push(r.userId);
      userIndex.set(r.userId, u);
    }
    let i = itemIndex.get(r.itemId);
    if (i === undefined) {
      i = items.length;
      items.push(r.itemId);
      itemIndex.set(r.itemId, i);
    }
    if (n === cap) {
      cap *= 2;
      us = grow(us, new Int32Array(cap));
      is = grow(is, new Int32Array(cap));
      ws = grow(ws, new Float32Array(cap));
      ts = grow(ts, new Float64Array(cap));
    }
    us[n] = u;
    is[n] = i;
    ws[n] = r.weight;
    ts[n] = r.time;
    if (r.time > latest) latest = r.time;
    n++;
  }
  for (const id of meta.keys()) {
    if (!itemIndex.has(id)) {
      itemIndex.set(id, items.length);
      items.push(id);
    }
  }
  return indexRows(users, items, userIndex, itemIndex, us, is, ws, ts, n, meta, latest);
}

function grow<T extends Int32Array | Float32Array | Float64Array>(old: T, next: T): T {
  next.set(old);
  return next;
}

function indexRows(
  users: string[],
  items: string[],
  userIndex: Map<string, number>,
  itemIndex: Map<string, number>,
  us: Int32Array,
  is: Int32Array,
  ws: Float32Array,
  ts: Float64Array,
  n: number,
  meta: Map<string, ItemMeta>,
  latest: number,
): Dataset {
  const nu = users.length;
  const ni = items.length;
  // Order rows by user, then item, then time, to fold duplicates (counting sort by user first).
  const order = new Int32Array(n);
  const userCount = new Int32Array(nu + 1);
  for (let k = 0; k < n; k++) userCount[us[k]! + 1]!++;
  for (let u = 0; u < nu; u++) userCount[u + 1]! += userCount[u]!;
  const fill = userCount.slice();
  for (let k = 0; k < n; k++) order[fill[us[k]!]!++] = k;

  const userPtr = new Int32Array(nu + 1);
  const outItems: number[] = [];
  const outW: number[] = [];
  const outT: number[] = [];
  const disliked = new Map<number, Set<number>>();
  const seen = new Map<number, number>();
  let pos = 0;
  const userItems = new Int32Array(n);
  const userWeights = new Float32Array(n);
  const userTimes = new Float64Array(n);
  for (let u = 0; u < nu; u++) {
    seen.clear();
    outItems.length = 0;
    outW.length = 0;
    outT.length = 0;
    for (let k = userCount[u]!; k < userCount[u + 1]!; k++) {
      const row = order[k]!;
      const i = is[row]!;
      const at = seen.get(i);
      if (at === undefined) {
        seen.set(i, outItems.length);
        outItems.push(i);
        outW.push(ws[row]!);
        outT.push(ts[row]!);
      } else {
        // The latest signal about an item wins (a rating replaced, a title finished after starting).
        if (ts[row]! >= outT[at]!) {
          outW[at] = ws[row]!;
          outT[at] = ts[row]!;
        }
      }
    }
    userPtr[u] = pos;
    for (let k = 0; k < outItems.length; k++) {
      if (outW[k]! <= 0) {
        const set = disliked.get(u) ?? new Set<number>();
        disliked.set(u, set);
        set.add(outItems[k]!);
        continue;
      }
      userItems[pos] = outItems[k]!;
      userWeights[pos] = outW[k]!;
      userTimes[pos] = outT[k]!;
      pos++;
    }
  }
  userPtr[nu] = pos;
  const nnz = pos;
  const itemPtr = new Int32Array(ni + 1);
  for (let k = 0; k < nnz; k++) itemPtr[userItems[k]! + 1]!++;
  for (let i = 0; i < ni; i++) itemPtr[i + 1]! += itemPtr[i]!;
  const ifill = itemPtr.slice();
  const itemUsers = new Int32Array(nnz);
  const itemWeights = new Float32Array(nnz);
  for (let u = 0; u < nu; u++) {
    for (let k = userPtr[u]!; k < userPtr[u + 1]!; k++) {
      const i = userItems[k]!;
      const at = ifill[i]!++;
      itemUsers[at] = u;
      itemWeights[at] = userWeights[k]!;
    }
  }
  return {
    users,
    items,
    userIndex,
    itemIndex,
    userPtr,
    userItems: userItems.slice(0, nnz),
    userWeights: userWeights.slice(0, nnz),
    userTimes: userTimes.slice(0, nnz),
    itemPtr,
    itemUsers,
    itemWeights,
    disliked,
    meta,
    latest,
  };
}

/** The number of positive interactions. */
export function interactionCount(d: Dataset): number {
  return d.userPtr[d.users.length]!;
}

/**
 * Parses one line of `userId,itemId,rating,timestamp` (timestamp in seconds or milliseconds since
 * the epoch, or ISO 8601). Returns null for a header, a blank line or a malformed row.
 */
export function parseCsvLine(
  line: string,
): { userId: string; itemId: string; rating: number; time: number } | null {
  const parts = line.trim().split(',');
  if (parts.length < 4) return null;
  const [userId, itemId, ratingText, timeText] = parts as [string, string, string, string];
  const rating = Number(ratingText);
  if (!userId || !itemId || !Number.isFinite(rating)) return null;
  let time = Number(timeText);
  if (!Number.isFinite(time)) time = Date.parse(timeText);
  if (!Number.isFinite(time)) return null;
  // Seconds (MovieLens style) before 2286 are below 1e10; milliseconds are above.
  if (time < 1e10) time *= 1000;
  return { userId, itemId, rating, time };
}
