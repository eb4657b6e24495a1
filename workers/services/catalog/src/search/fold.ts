/**
 * Text folding and tokenizing as the index's FTS5 tokenizer does it (`unicode61 remove_diacritics 2`):
 * tokens are runs of letters and digits, lower-cased, with diacritics removed ("Amélie" → "amelie").
 * The query side, the vocabulary and the highlighter all go through here, so they agree with the
 * index on what a word is. Anything else (punctuation, symbols, emoji) separates tokens.
 */

/** Longer tokens are cut: nobody types them, and they would only bloat the vocabulary. */
export const MAX_TOKEN = 48;

const MARKS = /\p{M}+/gu;
const SEPARATORS = /[^\p{L}\p{N}]+/u;

export function fold(text: string): string {
  return text.normalize('NFD').replace(MARKS, '').toLowerCase();
}

export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const t of fold(text).split(SEPARATORS)) if (t) out.push(t.slice(0, MAX_TOKEN));
  return out;
}

/** The distinct tokens of several texts. */
export function distinctTerms(texts: string[], max = 2000): string[] {
  const set = new Set<string>();
  for (const text of texts) {
    for (const t of tokenize(text)) {
      set.add(t);
      if (set.size >= max) return [...set];
    }
  }
  return [...set];
}

/** A genre or tag as a filter key: folded and with its words joined by single spaces. */
export function labelKey(label: string): string {
  return tokenize(label).join(' ');
}
