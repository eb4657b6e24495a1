/**
 * The `highlight` of a hit: its title, HTML-escaped, with the words that matched in `<mark>`; when
 * nothing matched in the title, a short excerpt of the description around the first match instead.
 * Matching follows the search: exact words, the prefix being typed, phrase words, corrections.
 */
import { fold } from './fold.ts';
import type { ParsedQuery } from './query.ts';

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const EXCERPT_WORDS = 8;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function matcher(q: ParsedQuery, alternatives: Map<string, string[]>): (token: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const w of q.words) {
    exact.add(w.text);
    if (w.prefix) prefixes.push(w.text);
    for (const a of alternatives.get(w.text) ?? []) exact.add(a);
  }
  for (const p of q.phrases) for (const t of p) exact.add(t);
  return (token) => exact.has(token) || prefixes.some((p) => token.startsWith(p));
}

function marked(text: string, isMatch: (t: string) => boolean): { html: string; first: number } {
  let html = '';
  let last = 0;
  let first = -1;
  for (const m of text.matchAll(WORD)) {
    const hit = isMatch(fold(m[0]));
    html += escapeHtml(text.slice(last, m.index));
    if (hit && first < 0) first = html.length;
    html += hit ? `<mark>${escapeHtml(m[0])}</mark>` : escapeHtml(m[0]);
    last = m.index + m[0].length;
  }
  return { html: html + escapeHtml(text.slice(last)), first };
}

export function highlight(
  title: string,
  description: string,
  q: ParsedQuery,
  alternatives: Map<string, string[]>,
): string {
  if (!q.words.length && !q.phrases.length) return escapeHtml(title);
  const isMatch = matcher(q, alternatives);
  const t = marked(title, isMatch);
  if (t.first >= 0) return t.html;
  const words = [...description.matchAll(WORD)];
  const at = words.findIndex((m) => isMatch(fold(m[0])));
  if (at < 0) return t.html;
  const from = Math.max(0, at - 3);
  const to = Math.min(words.length, from + EXCERPT_WORDS);
  const start = words[from]!.index;
  const end = to < words.length ? words[to - 1]!.index + words[to - 1]![0].length : description.length;
  const excerpt = marked(description.slice(start, end), isMatch).html;
  return `${from > 0 ? '…' : ''}${excerpt}${to < words.length ? '…' : ''}`;
}
