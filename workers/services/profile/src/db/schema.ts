/** The profile database (migrations/profile/, checked against this schema by test/schema.test.ts). */
import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** The transactional outbox, shared by every publishing service. */
export { outbox } from '../../../../../queues/outbox.ts';

const ms = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const profiles = sqliteTable('profiles', {
  userId: text('user_id').primaryKey(),
  name: text('name').notNull(),
  avatarUrl: text('avatar_url'),
  preferences: text('preferences', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

export const deletedUsers = sqliteTable('deleted_users', {
  userId: text('user_id').primaryKey(),
  deletedAt: ms('deleted_at').notNull(),
});

/** The service's projection of the videos service's videos, built from video events. */
export const videos = sqliteTable('videos', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  status: text('status').notNull(),
  durationSec: real('duration_sec'),
  thumbnailUrl: text('thumbnail_url'),
  /** Event time (ms) of the title held. */
  metaAt: integer('meta_at').notNull(),
  /** Event time (ms) of the status and duration held. */
  stateAt: integer('state_at').notNull(),
  deletedAt: ms('deleted_at'),
});

export const watchlist = sqliteTable(
  'watchlist',
  {
    userId: text('user_id').notNull(),
    videoId: text('video_id').notNull(),
    addedAt: ms('added_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.videoId] }),
    index('watchlist_user_added').on(t.userId, t.addedAt, t.videoId),
    index('watchlist_video').on(t.videoId),
  ],
);

export const history = sqliteTable(
  'history',
  {
    userId: text('user_id').notNull(),
    videoId: text('video_id').notNull(),
    /** The resume point, in seconds. */
    progress: real('progress').notNull(),
    watchedAt: ms('watched_at').notNull(),
    /** Whether the point is past FINISHED_AT of the duration (VideoWatched was emitted on crossing). */
    finished: integer('finished', { mode: 'boolean' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.videoId] }),
    index('history_user_watched').on(t.userId, t.watchedAt, t.videoId),
    index('history_video').on(t.videoId),
  ],
);

export const ratings = sqliteTable(
  'ratings',
  {
    userId: text('user_id').notNull(),
    videoId: text('video_id').notNull(),
    rating: integer('rating').notNull(),
    comment: text('comment'),
    ratedAt: ms('rated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.videoId] }),
    index('ratings_user_rated').on(t.userId, t.ratedAt, t.videoId),
    index('ratings_video_rated').on(t.videoId, t.ratedAt),
  ],
);

export const cacheVersions = sqliteTable('cache_versions', {
  userId: text('user_id').primaryKey(),
  version: integer('version').notNull(),
});

export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    userId: text('user_id').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    /** A random id of the request that won the key; later statements of its batch check it. */
    claim: text('claim').notNull(),
    reply: text('reply', { mode: 'json' })
      .$type<{ status: number; body: unknown; headers?: Record<string, string> }>()
      .notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index('idempotency_keys_created').on(t.createdAt)],
);
