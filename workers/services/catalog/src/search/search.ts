/**
 * Runs a search against the index: BM25 over title (×10), tags (×4) and description (×1); documents
 * matching every word exactly come first, those needing a typo correction after (the score's
 * integer part says which); an empty query lists by popularity. Filters narrow by genre, release
 * year and status; facets count genres and decades over the same results.
 *
 * Broad queries stay cheap (see README "Catalog & search"): like Meilisearch's `maxTotalHits`, at
 * most the best MAX_HITS results are reachable, X-Total-Count counts up to MAX_HITS (exact below,
 * MAX_HITS above) and facets count those same matches. A query without genre or year filters ranks
 * its best MAX_HITS inside FTS5 before reading any document row, and one matching more than
 * MAX_HITS documents ranks only the documents whose title matches it, when they fill the page.
 */
import { fold, labelKey } from './fold.ts';
import { highlight } from './highlight.ts';
import { isEmpty, matchExpression, type ParsedQuery, parseQuery } from './query.ts';
import { allowedTypos, corrections, deletions } from './typos.ts';

export const BM25 = 'bm25(docs_fts, 10.0, 4.0, 1.0)';

/**
 * The part of D1's API a search runs on: D1 itself in the Worker, node:sqlite behind the same shape
 * in the benchmark's floor (bench/search.ts).
 */
export interface SqlStatement {
  bind(...values: unknown[]): SqlStatement;
  all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
}

export interface SqlDatabase {
  prepare(query: string): SqlStatement;
  batch(statements: SqlStatement[]): Promise<{ results: unknown[] }[]>;
}

type Rows = { results: unknown[] } | undefined;

export interface SearchOptions {
  q: string;
  genres: string[];
  years?: { from: number; to: number };
  /** `ready` for everyone; admins may ask for every status. */
  status: 'ready' | 'any';
  page: number;
  limit: number;
  facets: boolean;
}

export interface Hit {
  videoId: string;
  title: string;
  score: number;
  highlight: string;
}

export interface Facets {
  genre: { value: string; count: number }[];
  decade: { value: number; count: number }[];
}

export interface SearchResult {
  hits: Hit[];
  total: number;
  facets?: Facets;
}

interface Row {
  video_id: string;
  title: string;
  description: string;
  tier: number;
  rank: number;
  popularity: number;
}

/**
 * How a tier matched: every word whole as typed, the last one completed from its prefix, or with
 * typo corrections. Tiers rank in this order, BM25 within a tier.
 */
type TierKind = 'exact' | 'prefix' | 'typo';
const TIER_BASE: Record<TierKind, number> = { exact: 2, prefix: 1, typo: 0 };

interface Tier {
  kind: TierKind;
  expression: string;
}

/** Maps BM25 (negative, lower is better) onto 0..1 and adds the tier's base: higher first. */
function score(kind: TierKind, rank: number): number {
  const x = Math.max(0, -rank);
  return Math.round((TIER_BASE[kind] + x / (1 + x)) * 10000) / 10000;
}

/** The FTS5 expressions of the tiers this query has, best first. */
function tierExpressions(q: ParsedQuery, alternatives: Map<string, string[]>): Tier[] {
  const typing = q.words.some((w) => w.prefix);
  const whole: ParsedQuery = { ...q, words: q.words.map((w) => ({ ...w, prefix: false })) };
  const tiers: Tier[] = [{ kind: 'exact', expression: matchExpression(whole) }];
  if (typing) tiers.push({ kind: 'prefix', expression: matchExpression(q) });
  if (alternatives.size) tiers.push({ kind: 'typo', expression: matchExpression(q, alternatives) });
  return tiers;
}

/** The filter SQL over `d` (docs), with its parameters; `matching` when it narrows a text match. */
function filters(o: SearchOptions, matching: boolean): { sql: string; params: unknown[] } {
  const parts = o.status === 'ready' ? ["d.status = 'ready'"] : ["d.status <> 'deleted'"];
  parts.push('d.has_meta = 1');
  const params: unknown[] = [];
  const genreKeys = [...new Set(o.genres.map(labelKey).filter(Boolean))];
  if (genreKeys.length) {
    parts.push(
      matching
        ? // Beside a text match, a lookup per matching row: reading every video of a big genre costs more.
          'EXISTS (SELECT 1 FROM doc_genres g WHERE g.genre_key IN (SELECT value FROM json_each(?)) AND g.rid = d.rid)'
        : 'd.rid IN (SELECT rid FROM doc_genres WHERE genre_key IN (SELECT value FROM json_each(?)))',
    );
    params.push(JSON.stringify(genreKeys));
  }
  if (o.years) {
    parts.push('d.release_year BETWEEN ? AND ?');
    params.push(o.years.from, o.years.to);
  }
  return { sql: parts.join(' AND '), params };
}

/** Looks up typo corrections for the words that allow them, in one query. */
async function findCorrections(db: SqlDatabase, q: ParsedQuery): Promise<Map<string, string[]>> {
  const words = q.words.map((w) => w.text).filter((w) => allowedTypos(w) > 0);
  if (!words.length) return new Map();
  const variants = new Set<string>();
  for (const w of words) for (const v of deletions(w, allowedTypos(w))) variants.add(v);
  const { results } = await db
    .prepare(
      `SELECT DISTINCT t.term, t.docs FROM term_variants v JOIN terms t ON t.term = v.term
       WHERE v.variant IN (SELECT value FROM json_each(?)) AND t.docs > 0`,
    )
    .bind(JSON.stringify([...variants]))
    .all<{ term: string; docs: number }>();
  return corrections(words, new Map(results.map((r) => [r.term, r.docs])));
}

const FACET_LIMIT = 50;

/** Results reachable, counted and faceted per query (Meilisearch's `maxTotalHits` default). */
export const MAX_HITS = 1000;

export async function search(db: SqlDatabase, o: SearchOptions): Promise<SearchResult> {
  const parsed = parseQuery(o.q);
  const f = filters(o, !isEmpty(parsed));
  const offset = (o.page - 1) * o.limit;
  if (isEmpty(parsed)) {
    // Nothing searchable typed (e.g. only punctuation or emoji) is no match, not "everything".
    if (o.q.trim() && fold(o.q).trim())
      return { hits: [], total: 0, ...(o.facets ? { facets: empty() } : {}) };
    const from = `FROM docs d WHERE ${f.sql}`;
    const statements = [
      db
        .prepare(
          `SELECT d.video_id, d.title, d.description, 0 AS tier, 0 AS rank, d.popularity ${from}
           ORDER BY d.popularity DESC, d.rid DESC LIMIT ? OFFSET ?`,
        )
        .bind(...f.params, pageLimit(o), offset),
      db.prepare(`SELECT count(*) AS n FROM (SELECT 1 ${from} LIMIT ${MAX_HITS})`).bind(...f.params),
      ...(o.facets ? facetStatements(db, `(SELECT d.* ${from} LIMIT ${MAX_HITS}) d`, f.params) : []),
    ];
    const [rows, counted, genres, decades] = await db.batch(statements);
    const hits = ((rows?.results ?? []) as unknown as Row[]).map((r) => ({
      videoId: r.video_id,
      title: r.title,
      score: r.popularity,
      highlight: highlight(r.title, r.description, parsed, new Map()),
    }));
    return result(hits, counted, genres, decades, o.facets);
  }

  const alternatives = await findCorrections(db, parsed);
  const tiers = tierExpressions(parsed, alternatives);
  const widest = tiers.at(-1)!.expression;
  // The tiers nest (exact ⊂ prefix ⊂ typo), so the widest one is the result set: ranked once, each
  // hit's tier told by membership of the narrower ones; counted and faceted without ranking.
  const tierOf = tiers
    .slice(0, -1)
    .map((_, i) => `WHEN rowid IN (SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?) THEN ${i}`)
    .join(' ');
  const tierSql = tiers.length > 1 ? `CASE ${tierOf} ELSE ${tiers.length - 1} END` : '0';
  const narrower = tiers.slice(0, -1).map((t) => t.expression);
  const onlyText = !o.genres.length && !o.years;
  let ranked: string;
  let rankedParams: unknown[];
  if (onlyText) {
    // No filter but visibility, which few matches fail: the best MAX_HITS are ranked inside FTS5
    // and only their rows read. A query matching more than MAX_HITS documents (a common word, a
    // short prefix) ranks the documents whose title matches it when they fill the page: BM25 weighs
    // the title highest, and scoring every match of a common word is what makes it slow.
    // An exclusion holds over every column, so a query with one keeps to the full expression.
    const title = parsed.excluded.length ? widest : `{title} : (${widest})`;
    ranked = `SELECT rowid AS rid, ${BM25} AS rank, ${tierSql} AS tier FROM docs_fts WHERE docs_fts MATCH
      (CASE WHEN (SELECT count(*) FROM docs_fts WHERE docs_fts MATCH ?) > ${MAX_HITS}
             AND (SELECT count(*) FROM docs_fts WHERE docs_fts MATCH ?) >= ? THEN ? ELSE ? END)
      ORDER BY tier, rank LIMIT ${MAX_HITS}`;
    rankedParams = [...narrower, widest, title, offset + o.limit, title, widest];
  } else {
    ranked = `SELECT rowid AS rid, ${BM25} AS rank, ${tierSql} AS tier FROM docs_fts WHERE docs_fts MATCH ?`;
    rankedParams = [...narrower, widest];
  }
  const hitsCte = 'WITH hits AS (SELECT rowid AS rid FROM docs_fts WHERE docs_fts MATCH ?)';
  const from = `FROM hits h CROSS JOIN docs d ON d.rid = h.rid WHERE ${f.sql}`;
  const statements = [
    db
      .prepare(
        `WITH hits AS (${ranked})
         SELECT d.video_id, d.title, d.description, h.tier, h.rank, d.popularity ${from}
         ORDER BY h.tier, h.rank, d.popularity DESC, d.rid LIMIT ? OFFSET ?`,
      )
      .bind(...rankedParams, ...f.params, pageLimit(o), offset),
    db
      .prepare(`${hitsCte} SELECT count(*) AS n FROM (SELECT 1 ${from} LIMIT ${MAX_HITS})`)
      .bind(widest, ...f.params),
    ...(o.facets
      ? facetStatements(db, `(SELECT d.* ${from} LIMIT ${MAX_HITS}) d`, [widest, ...f.params], hitsCte)
      : []),
  ];
  const [rows, counted, genres, decades] = await db.batch(statements);
  const hits = ((rows?.results ?? []) as unknown as Row[]).map((r) => ({
    videoId: r.video_id,
    title: r.title,
    score: score(tiers[r.tier]!.kind, r.rank),
    highlight: highlight(r.title, r.description, parsed, alternatives),
  }));
  return result(hits, counted, genres, decades, o.facets);
}

function empty(): Facets {
  return { genre: [], decade: [] };
}

/** Genre and decade counts over `source` (a subquery yielding the matching `docs` rows as `d`). */
function facetStatements(db: SqlDatabase, source: string, params: unknown[], cte = ''): SqlStatement[] {
  return [
    db
      .prepare(
        `${cte} SELECT min(g.genre) AS value, count(*) AS n FROM ${source} JOIN doc_genres g ON g.rid = d.rid
         GROUP BY g.genre_key ORDER BY n DESC, value LIMIT ${FACET_LIMIT}`,
      )
      .bind(...params),
    db
      .prepare(
        `${cte} SELECT (d.release_year / 10) * 10 AS value, count(*) AS n FROM ${source}
         WHERE d.release_year IS NOT NULL GROUP BY value ORDER BY value`,
      )
      .bind(...params),
  ];
}

/** The page's row limit: nothing past the MAX_HITS reachable results. */
function pageLimit(o: SearchOptions): number {
  return Math.max(0, Math.min(o.limit, MAX_HITS - (o.page - 1) * o.limit));
}

function result(hits: Hit[], counted: Rows, genres: Rows, decades: Rows, withFacets: boolean): SearchResult {
  const total = Number((counted?.results?.[0] as { n?: number } | undefined)?.n ?? 0);
  if (!withFacets) return { hits, total };
  const list = (r: Rows) => (r?.results ?? []) as { value: string | number; n: number }[];
  return {
    hits,
    total,
    facets: {
      genre: list(genres).map((g) => ({ value: String(g.value), count: g.n })),
      decade: list(decades).map((d) => ({ value: Number(d.value), count: d.n })),
    },
  };
}
