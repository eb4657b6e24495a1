/** Node-side input and output of the recs trainer: the interactions CSV, the items file, arguments. */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  type Interaction,
  type ItemMeta,
  parseCsvLine,
  ratingWeight,
} from '../workers/services/recs/src/trainer/dataset.ts';

/** Interactions read column-wise with interned ids: 5M rows stay ~100 MB instead of 5M objects. */
export interface InteractionColumns {
  users: string[];
  items: string[];
  user: Int32Array;
  item: Int32Array;
  rating: Float32Array;
  time: Float64Array;
  length: number;
  /** Whether ratings are stars (some above 1) rather than implicit views (all 0 or 1). */
  explicit: boolean;
}

export async function readColumns(file: string): Promise<InteractionColumns> {
  const interner = () => {
    const index = new Map<string, number>();
    const ids: string[] = [];
    const idOf = (s: string) => {
      let n = index.get(s);
      if (n === undefined) {
        n = ids.length;
        ids.push(s);
        index.set(s, n);
      }
      return n;
    };
    return { ids, idOf };
  };
  const users = interner();
  const items = interner();
  let cap = 1 << 20;
  let c = {
    user: new Int32Array(cap),
    item: new Int32Array(cap),
    rating: new Float32Array(cap),
    time: new Float64Array(cap),
  };
  let n = 0;
  let explicit = false;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const r = parseCsvLine(line);
    if (!r) continue;
    if (n === cap) {
      cap *= 2;
      const grown = {
        user: new Int32Array(cap),
        item: new Int32Array(cap),
        rating: new Float32Array(cap),
        time: new Float64Array(cap),
      };
      grown.user.set(c.user);
      grown.item.set(c.item);
      grown.rating.set(c.rating);
      grown.time.set(c.time);
      c = grown;
    }
    c.user[n] = users.idOf(r.userId);
    c.item[n] = items.idOf(r.itemId);
    c.rating[n] = r.rating;
    c.time[n] = r.time;
    if (r.rating > 1) explicit = true;
    n++;
  }
  return { users: users.ids, items: items.ids, ...c, length: n, explicit };
}

/** The rows as implicit-feedback interactions, one object at a time. */
export function* interactionsOf(c: InteractionColumns): Generator<Interaction> {
  for (let k = 0; k < c.length; k++)
    yield {
      userId: c.users[c.user[k]!]!,
      itemId: c.items[c.item[k]!]!,
      weight: ratingWeight(c.rating[k]!, !c.explicit),
      time: c.time[k]!,
    };
}

/** All rows as objects (for evaluation, which splits them per user). */
export async function readInteractions(file: string): Promise<Interaction[]> {
  return [...interactionsOf(await readColumns(file))];
}

/** The optional items file: a JSON array of `{ itemId, title?, genres?, tags? }`. */
export function readItems(file: string | undefined): Map<string, ItemMeta> {
  const meta = new Map<string, ItemMeta>();
  if (!file) return meta;
  const list = JSON.parse(readFileSync(file, 'utf8')) as {
    itemId: string;
    title?: string;
    genres?: string[];
    tags?: string[];
  }[];
  for (const it of list)
    meta.set(it.itemId, { title: it.title, genres: it.genres ?? [], tags: it.tags ?? [] });
  return meta;
}

export function args<
  const O extends Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>,
>(options: O, usage: string) {
  try {
    return parseArgs({ options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n\nusage: ${usage}`);
    process.exit(2);
  }
}

/** Numeric `key=value,…` model parameters (`--params factors=64,iterations=15`). */
export function parseParams(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    if (!k || !Number.isFinite(Number(v))) throw new Error(`bad parameter ${part}`);
    out[k] = Number(v);
  }
  return out;
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
