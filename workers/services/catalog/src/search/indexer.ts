/**
 * Writes to the index. Events arrive at least once and in any order, so every change carries a
 * version (`<event time>|<rank>`, see `versionOf`) and applies only over an older one: metadata and
 * status are versioned separately (VideoTranscoded speaks only of status), a deleted video stays a
 * tombstone that nothing revives, and a redelivered event finds its own version already there.
 * Every change that alters what a search answers bumps the index version (cache keys carry it).
 */
import { distinctTerms, labelKey } from './fold.ts';
import { termVariants } from './typos.ts';

export interface DocInput {
  videoId: string;
  title: string;
  description: string;
  tags: string[];
  genres: string[];
  releaseYear?: number | null;
  status: string;
}

/** Ranks order events stamped with the same millisecond: creation, update, transcode, deletion. */
export const RANK = { created: 0, updated: 1, snapshot: 1, transcoded: 2, deleted: 3 } as const;

export function versionOf(time: string, rank: number): string {
  return `${new Date(time).toISOString()}|${rank}`;
}

export const DELETED = 'deleted';

/** Popularity of the video `?1`: distinct viewers, plus completions, plus ratings above/below 3. */
const POPULARITY = `(SELECT count(*) + coalesce(sum(completed), 0) FROM watches WHERE video_id = ?1)
  + (SELECT coalesce(sum(rating - 3), 0) FROM ratings WHERE video_id = ?1)`;

const BUMP_VERSION = 'UPDATE index_state SET version = version + 1 WHERE id = 1';

/** Large lists go in as JSON, in pieces well under D1's statement limits. */
const CHUNK = 2000;

interface ExistingRow {
  rid: number;
  video_id: string;
  status: string;
  has_meta: number;
  terms: string;
  meta_version: string;
  status_version: string;
}

function chunks<T>(xs: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/** The text of the three FTS columns; genres are searchable beside the tags. */
function columns(doc: DocInput) {
  return {
    title: doc.title,
    tags: [...doc.tags, ...doc.genres].join(' · '),
    description: doc.description,
  };
}

function termsOf(doc: DocInput): string[] {
  const c = columns(doc);
  return distinctTerms([c.title, c.tags, c.description]);
}

export interface MetadataChange {
  doc: DocInput;
  version: string;
  /** A rebuild's id: marks the video as present in the source of truth. */
  mark?: string;
}

/** Applies metadata (with the status it carries) for many videos in two round trips. */
export async function applyMetadata(db: D1Database, changes: MetadataChange[]): Promise<number> {
  const latest = new Map<string, MetadataChange>();
  for (const c of changes) {
    const had = latest.get(c.doc.videoId);
    if (!had || c.version > had.version) latest.set(c.doc.videoId, c);
  }
  if (!latest.size) return 0;
  const ids = [...latest.keys()];
  const termsByVideo = new Map([...latest].map(([id, c]) => [id, termsOf(c.doc)]));
  const allTerms = [...new Set([...termsByVideo.values()].flat())];
  // One round trip reads the rows and which of the documents' terms the vocabulary holds already.
  const [existingRes, ...knownRes] = await db.batch([
    db
      .prepare(
        `SELECT rid, video_id, status, has_meta, terms, meta_version, status_version FROM docs
         WHERE video_id IN (SELECT value FROM json_each(?))`,
      )
      .bind(JSON.stringify(ids)),
    ...chunks(allTerms).map((part) =>
      db
        .prepare('SELECT term FROM terms WHERE term IN (SELECT value FROM json_each(?))')
        .bind(JSON.stringify(part)),
    ),
  ]);
  const existing = new Map<string, ExistingRow>();
  for (const r of (existingRes?.results ?? []) as unknown as ExistingRow[]) existing.set(r.video_id, r);
  const known = new Set<string>();
  for (const res of knownRes) for (const r of res.results as { term: string }[]) known.add(r.term);

  const statements: D1PreparedStatement[] = [];
  const termDelta = new Map<string, number>();
  const added = new Set<string>();
  const now = new Date().toISOString();
  let applied = 0;

  for (const change of latest.values()) {
    const { doc, version, mark } = change;
    const row = existing.get(doc.videoId);
    if (row?.status === DELETED) continue;
    const metaNewer = !row || version > row.meta_version;
    const statusNewer = !row || version > row.status_version;
    if (!metaNewer) {
      if (statusNewer && row)
        statements.push(
          db
            .prepare('UPDATE docs SET status = ?, status_version = ?, updated_at = ? WHERE rid = ?')
            .bind(doc.status, version, now, row.rid),
        );
      if (mark && row)
        statements.push(db.prepare('UPDATE docs SET rebuild_mark = ? WHERE rid = ?').bind(mark, row.rid));
      if (statusNewer) applied++;
      continue;
    }
    applied++;
    const newTerms = termsByVideo.get(doc.videoId)!;
    const oldTerms: string[] = row?.has_meta ? JSON.parse(row.terms) : [];
    const oldSet = new Set(oldTerms);
    const newSet = new Set(newTerms);
    for (const t of oldTerms) if (!newSet.has(t)) termDelta.set(t, (termDelta.get(t) ?? 0) - 1);
    for (const t of newTerms) {
      if (oldSet.has(t)) continue;
      termDelta.set(t, (termDelta.get(t) ?? 0) + 1);
      added.add(t);
    }
    const c = columns(doc);
    const genres = [...new Map(doc.genres.map((g) => [labelKey(g), g])).entries()].filter(([k]) => k);
    const tags = [...new Set(doc.tags.map(labelKey))].filter(Boolean);
    const status = statusNewer ? doc.status : row!.status;
    const statusVersion = statusNewer ? version : row!.status_version;
    if (row) {
      statements.push(
        db
          .prepare(
            `UPDATE docs SET title = ?, description = ?, tags = ?, genres = ?, release_year = ?, status = ?,
               has_meta = 1, terms = ?, meta_version = ?, status_version = ?, rebuild_mark = coalesce(?, rebuild_mark),
               updated_at = ? WHERE rid = ?`,
          )
          .bind(
            doc.title,
            doc.description,
            JSON.stringify(doc.tags),
            JSON.stringify(doc.genres),
            doc.releaseYear ?? null,
            status,
            JSON.stringify(newTerms),
            version,
            statusVersion,
            mark ?? null,
            now,
            row.rid,
          ),
      );
      if (row.has_meta) statements.push(db.prepare('DELETE FROM docs_fts WHERE rowid = ?').bind(row.rid));
      statements.push(db.prepare('DELETE FROM doc_genres WHERE rid = ?').bind(row.rid));
      statements.push(db.prepare('DELETE FROM doc_tags WHERE rid = ?').bind(row.rid));
    } else {
      statements.push(
        db
          .prepare(
            `INSERT INTO docs (video_id, title, description, tags, genres, release_year, status, has_meta, terms,
               popularity, meta_version, status_version, rebuild_mark, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ${POPULARITY}, ?9, ?9, ?10, ?11)`,
          )
          .bind(
            doc.videoId,
            doc.title,
            doc.description,
            JSON.stringify(doc.tags),
            JSON.stringify(doc.genres),
            doc.releaseYear ?? null,
            doc.status,
            JSON.stringify(newTerms),
            version,
            mark ?? null,
            now,
          ),
      );
    }
    const rid = '(SELECT rid FROM docs WHERE video_id = ?)';
    statements.push(
      db
        .prepare(`INSERT INTO docs_fts (rowid, title, tags, description) VALUES (${rid}, ?, ?, ?)`)
        .bind(doc.videoId, c.title, c.tags, c.description),
    );
    if (genres.length)
      statements.push(
        db
          .prepare(
            `INSERT OR IGNORE INTO doc_genres (genre_key, rid, genre)
             SELECT json_extract(value, '$[0]'), ${rid}, json_extract(value, '$[1]') FROM json_each(?)`,
          )
          .bind(doc.videoId, JSON.stringify(genres)),
      );
    if (tags.length)
      statements.push(
        db
          .prepare(`INSERT OR IGNORE INTO doc_tags (tag_key, rid) SELECT value, ${rid} FROM json_each(?)`)
          .bind(doc.videoId, JSON.stringify(tags)),
      );
  }
  if (!statements.length) return 0;

  // Variants are filed once per term: only for terms the vocabulary has never held.
  const addedList = [...added];
  const variants: [string, string][] = [];
  for (const t of addedList) if (!known.has(t)) for (const v of termVariants(t)) variants.push([v, t]);
  for (const part of chunks(variants))
    statements.push(
      db
        .prepare(
          `INSERT OR IGNORE INTO term_variants (variant, term)
           SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)`,
        )
        .bind(JSON.stringify(part)),
    );
  const deltas = [...termDelta].filter(([, d]) => d !== 0);
  for (const part of chunks(deltas))
    statements.push(
      db
        .prepare(
          `INSERT INTO terms (term, docs) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]')
           FROM json_each(?) WHERE true ON CONFLICT (term) DO UPDATE SET docs = docs + excluded.docs`,
        )
        .bind(JSON.stringify(part)),
    );
  statements.push(db.prepare(BUMP_VERSION));
  await db.batch(statements);
  return applied;
}

/** A status change alone (VideoTranscoded); a video not heard of yet gets a row without metadata. */
export async function applyStatus(
  db: D1Database,
  videoId: string,
  status: string,
  version: string,
): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT INTO docs (video_id, title, description, tags, genres, status, has_meta, terms, popularity,
           meta_version, status_version, updated_at)
         VALUES (?1, '', '', '[]', '[]', ?2, 0, '[]', ${POPULARITY}, '', ?3, ?4)
         ON CONFLICT (video_id) DO UPDATE SET status = excluded.status, status_version = excluded.status_version,
           updated_at = excluded.updated_at
         WHERE docs.status <> '${DELETED}' AND excluded.status_version > docs.status_version`,
      )
      .bind(videoId, status, version, new Date().toISOString()),
    db.prepare(BUMP_VERSION),
  ]);
}

/** Removes a video from the index for good, leaving a tombstone. */
export async function applyDelete(db: D1Database, videoId: string, version: string): Promise<void> {
  const row = await db
    .prepare('SELECT rid, status, has_meta, terms FROM docs WHERE video_id = ?')
    .bind(videoId)
    .first<{ rid: number; status: string; has_meta: number; terms: string }>();
  const now = new Date().toISOString();
  if (!row) {
    await db
      .prepare(
        `INSERT OR IGNORE INTO docs (video_id, title, description, tags, genres, status, has_meta, terms, popularity,
           meta_version, status_version, updated_at)
         VALUES (?, '', '', '[]', '[]', '${DELETED}', 0, '[]', 0, ?2, ?2, ?3)`,
      )
      .bind(videoId, version, now)
      .run();
    return;
  }
  if (row.status === DELETED) return;
  const terms: string[] = row.has_meta ? JSON.parse(row.terms) : [];
  await db.batch([
    db.prepare('DELETE FROM docs_fts WHERE rowid = ?').bind(row.rid),
    db.prepare('DELETE FROM doc_genres WHERE rid = ?').bind(row.rid),
    db.prepare('DELETE FROM doc_tags WHERE rid = ?').bind(row.rid),
    db
      .prepare('UPDATE terms SET docs = docs - 1 WHERE term IN (SELECT value FROM json_each(?))')
      .bind(JSON.stringify(terms)),
    db
      .prepare(
        `UPDATE docs SET status = '${DELETED}', has_meta = 0, terms = '[]', title = '', description = '',
           tags = '[]', genres = '[]', meta_version = ?, status_version = ?, updated_at = ? WHERE rid = ?`,
      )
      .bind(version, version, now, row.rid),
    db.prepare(BUMP_VERSION),
  ]);
}

/** A viewer's latest watch of a video: feeds co-watching and popularity. */
export async function recordWatch(
  db: D1Database,
  w: { videoId: string; userId: string; completed: boolean; at: string },
): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT INTO watches (video_id, user_id, completed, at) VALUES (?, ?, ?, ?)
         ON CONFLICT (video_id, user_id) DO UPDATE SET completed = max(completed, excluded.completed),
           at = max(at, excluded.at)`,
      )
      .bind(w.videoId, w.userId, w.completed ? 1 : 0, w.at),
    db.prepare(`UPDATE docs SET popularity = ${POPULARITY} WHERE video_id = ?1`).bind(w.videoId),
  ]);
}

/** A user's rating of a video; a newer one replaces the older. */
export async function recordRating(
  db: D1Database,
  r: { videoId: string; userId: string; rating: number; at: string },
): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT INTO ratings (video_id, user_id, rating, at) VALUES (?, ?, ?, ?)
         ON CONFLICT (video_id, user_id) DO UPDATE SET rating = excluded.rating, at = excluded.at
         WHERE excluded.at > ratings.at`,
      )
      .bind(r.videoId, r.userId, r.rating, r.at),
    db.prepare(`UPDATE docs SET popularity = ${POPULARITY} WHERE video_id = ?1`).bind(r.videoId),
  ]);
}
