/**
 * The search box's own small grammar. User input never reaches FTS5 as syntax: it is parsed here
 * into words, phrases and exclusions made only of letters and digits, and the FTS5 expression is
 * built from those, every word in double quotes (so `NEAR`, `OR`, `AND`, `NOT`, `*`, `:` and `^`
 * are plain text, or separators).
 *
 *   word            matches the word (and its typo corrections, see typos.ts)
 *   last word       matches as a prefix too, unless the query ends in a space (search as you type)
 *   "two words"     a phrase; an unbalanced quote runs to the end of the query
 *   -word           excludes documents holding the word (only beside something to include)
 */
import { tokenize } from './fold.ts';

/** Words beyond this many are ignored: they can only narrow, and each one costs a lookup. */
export const MAX_WORDS = 10;

export interface Word {
  text: string;
  prefix: boolean;
}

export interface ParsedQuery {
  words: Word[];
  phrases: string[][];
  excluded: string[];
}

export function isEmpty(q: ParsedQuery): boolean {
  return q.words.length === 0 && q.phrases.length === 0;
}

export function parseQuery(input: string): ParsedQuery {
  const words: Word[] = [];
  const phrases: string[][] = [];
  const excluded: string[] = [];
  let budget = MAX_WORDS;
  let rest = input;
  // Whether the last thing added is a word that ends the input (the word being typed).
  let typing = false;
  while (rest.length && budget > 0) {
    const quote = rest.indexOf('"');
    const plain = quote < 0 ? rest : rest.slice(0, quote);
    const chunks = plain.split(/\s+/);
    chunks.forEach((chunk, i) => {
      const negative = chunk.startsWith('-');
      for (const t of tokenize(chunk)) {
        if (budget-- <= 0) return;
        if (negative) excluded.push(t);
        else words.push({ text: t, prefix: false });
        typing = !negative && quote < 0 && i === chunks.length - 1;
      }
    });
    if (quote < 0) break;
    typing = false;
    const close = rest.indexOf('"', quote + 1);
    const inside = close < 0 ? rest.slice(quote + 1) : rest.slice(quote + 1, close);
    const tokens = tokenize(inside).slice(0, Math.max(0, budget));
    budget -= tokens.length;
    if (tokens.length === 1) words.push({ text: tokens[0]!, prefix: false });
    else if (tokens.length > 1) phrases.push(tokens);
    rest = close < 0 ? '' : rest.slice(close + 1);
  }
  const last = words.at(-1);
  if (last && typing && /[\p{L}\p{N}\p{M}]$/u.test(input)) last.prefix = true;
  return { words, phrases, excluded };
}

/** A word or phrase as an FTS5 string: double-quoted, inner quotes doubled (tokens have none). */
export function quoted(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * The FTS5 expression of a parsed query. `alternatives` gives, per word, the corrections that may
 * stand in for it; without them the expression asks for the exact words.
 */
export function matchExpression(q: ParsedQuery, alternatives?: Map<string, string[]>): string {
  const parts: string[] = [];
  for (const w of q.words) {
    const exact = quoted(w.text) + (w.prefix ? '*' : '');
    const alts = alternatives?.get(w.text) ?? [];
    parts.push(alts.length ? `(${[exact, ...alts.map(quoted)].join(' OR ')})` : exact);
  }
  for (const p of q.phrases) parts.push(quoted(p.join(' ')));
  const include = parts.join(' AND ');
  if (!q.excluded.length) return include;
  return `(${include}) NOT (${q.excluded.map(quoted).join(' OR ')})`;
}
