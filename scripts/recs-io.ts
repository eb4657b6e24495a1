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

/**
 * Reads `userId,itemId,rating,timestamp` rows as implicit weights. A file whose ratings are all
 * 0 or 1 is implicit feedback (one view each); otherwise ratings are 1–5 stars.
 */
export async function readInteractions(file: string): Promise<Interaction[]> {
  const raw: { userId: string; itemId: string; rating: number; time: number }[] = [];
  let explicit = false;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const r = parseCsvLine(line);
    if (!r) continue;
    if (r.rating > 1) explicit = true;
    raw.push(r);
  }
  return raw.map((r) => ({
    userId: r.userId,
    itemId: r.itemId,
    time: r.time,
    weight: ratingWeight(r.rating, !explicit),
  }));
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
