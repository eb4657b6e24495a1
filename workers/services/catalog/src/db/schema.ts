/** The catalog database (migrations/catalog/, checked against this schema by test/schema.test.ts). */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** The transactional outbox, shared by every publishing service. */
export { outbox } from '../../../../../queues/outbox.ts';

/**
 * One row per video the catalog has heard of. `rid` is the row id of its FTS5 entry (docs_fts, a
 * virtual table the migration creates and Drizzle does not model). A deleted video stays as a
 * tombstone (`status` 'deleted'); `has_meta` is 0 until a metadata event has arrived.
 */
export const docs = sqliteTable(
  'docs',
  {
    rid: integer('rid').primaryKey(),
    videoId: text('video_id').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull(),
    genres: text('genres', { mode: 'json' }).$type<string[]>().notNull(),
    releaseYear: integer('release_year'),
    status: text('status').notNull(),
    hasMeta: integer('has_meta').notNull(),
    /** The distinct folded terms of the indexed text, to keep `terms` counts right on change. */
    terms: text('terms', { mode: 'json' }).$type<string[]>().notNull(),
    popularity: real('popularity').notNull(),
    /** Ordering keys of the last metadata and status applied (`<ISO time>|<event rank>`). */
    metaVersion: text('meta_version').notNull(),
    statusVersion: text('status_version').notNull(),
    rebuildMark: text('rebuild_mark'),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('docs_video_id').on(t.videoId),
    index('docs_status_popularity').on(t.status, t.popularity),
    index('docs_release_year').on(t.releaseYear),
  ],
);

export const docGenres = sqliteTable(
  'doc_genres',
  {
    genreKey: text('genre_key').notNull(),
    rid: integer('rid').notNull(),
    genre: text('genre').notNull(),
  },
  (t) => [primaryKey({ columns: [t.genreKey, t.rid] }), index('doc_genres_rid').on(t.rid)],
);

export const docTags = sqliteTable(
  'doc_tags',
  {
    tagKey: text('tag_key').notNull(),
    rid: integer('rid').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tagKey, t.rid] }), index('doc_tags_rid').on(t.rid)],
);

export const terms = sqliteTable('terms', {
  term: text('term').primaryKey(),
  docs: integer('docs').notNull(),
});

export const termVariants = sqliteTable(
  'term_variants',
  {
    variant: text('variant').notNull(),
    term: text('term').notNull(),
  },
  (t) => [primaryKey({ columns: [t.variant, t.term] })],
);

export const watches = sqliteTable(
  'watches',
  {
    videoId: text('video_id').notNull(),
    userId: text('user_id').notNull(),
    completed: integer('completed').notNull(),
    at: text('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.userId] }), index('watches_user').on(t.userId, t.at)],
);

export const ratings = sqliteTable(
  'ratings',
  {
    videoId: text('video_id').notNull(),
    userId: text('user_id').notNull(),
    rating: integer('rating').notNull(),
    at: text('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.userId] })],
);

export const indexState = sqliteTable('index_state', {
  id: integer('id').primaryKey(),
  version: integer('version').notNull(),
  rebuildId: text('rebuild_id'),
  rebuildCursor: text('rebuild_cursor'),
  rebuildStartedAt: text('rebuild_started_at'),
  rebuildIndexed: integer('rebuild_indexed').notNull(),
  rebuildFinishedAt: text('rebuild_finished_at'),
  /** One invocation works on a rebuild at a time: it holds the lease until then. */
  rebuildLeaseUntil: text('rebuild_lease_until'),
});
