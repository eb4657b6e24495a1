/**
 * Typo tolerance from the index's own vocabulary, as Meilisearch and Typesense count it: a word of
 * 5+ letters may have one typo, of 9+ two. Corrections are found by deletion neighbourhoods
 * (SymSpell): the index files each term under its variants with one letter (and, for long terms,
 * two letters) deleted; a query word's own variants then meet every term within the allowed edit
 * distance in one indexed lookup, and an exact distance check keeps only true corrections.
 */

export function allowedTypos(word: string): number {
  const n = [...word].length;
  return n >= 9 ? 2 : n >= 5 ? 1 : 0;
}

/** The word and every string made from it by deleting up to `depth` letters. */
export function deletions(word: string, depth: number): string[] {
  const out = new Set<string>([word]);
  let frontier = [word];
  for (let d = 0; d < depth; d++) {
    const next: string[] = [];
    for (const w of frontier) {
      const chars = [...w];
      for (let i = 0; i < chars.length; i++) {
        const v = chars.slice(0, i).join('') + chars.slice(i + 1).join('');
        if (v && !out.has(v)) {
          out.add(v);
          next.push(v);
        }
      }
    }
    frontier = next;
  }
  return [...out];
}

/**
 * The variants a vocabulary term is filed under: one deletion from 4 letters (a 5-letter word with
 * a letter too many reaches it), two from 7 (a 9-letter word with two too many).
 */
export function termVariants(term: string): string[] {
  const n = [...term].length;
  if (n < 4) return [];
  return deletions(term, n >= 7 ? 2 : 1);
}

/** Edit distance with adjacent transpositions (optimal string alignment), capped at `max` + 1. */
export function editDistance(a: string, b: string, max = 2): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= s.length; i++) {
    rows.push(new Array<number>(t.length + 1).fill(0));
    rows[i]![0] = i;
  }
  for (let j = 0; j <= t.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= s.length; i++) {
    let best = Number.POSITIVE_INFINITY;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        v = Math.min(v, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = v;
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
  }
  return rows[s.length]![t.length]!;
}

/** Corrections kept per word: the closest first, then the most common. */
export const MAX_CORRECTIONS = 4;

/**
 * Picks each word's corrections from the vocabulary terms its variants met (`found`: term → number
 * of documents holding it).
 */
export function corrections(words: string[], found: Map<string, number>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const word of words) {
    const max = allowedTypos(word);
    if (!max) continue;
    const scored: { term: string; d: number; docs: number }[] = [];
    for (const [term, docs] of found) {
      if (term === word || docs <= 0) continue;
      const d = editDistance(word, term, max);
      if (d <= max) scored.push({ term, d, docs });
    }
    scored.sort((x, y) => x.d - y.d || y.docs - x.docs || (x.term < y.term ? -1 : 1));
    if (scored.length)
      out.set(
        word,
        scored.slice(0, MAX_CORRECTIONS).map((s) => s.term),
      );
  }
  return out;
}
