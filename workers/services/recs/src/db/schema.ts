/** The recs database (migrations/recs/, checked against this schema by test/schema.test.ts). */
import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** The transactional outbox, shared by every publishing service. */
export { outbox } from '../../../../../queues/outbox.ts';

/** One row per (user, video): the latest state of each signal, so a replayed event changes nothing. */
export const interactions = sqliteTable(
  'interactions',
  {
    userId: text('user_id').notNull(),
    videoId: text('video_id').notNull(),
    weight: real('weight').notNull(),
    progress: real('progress').notNull().default(0),
    finished: integer('finished').notNull().default(0),
    started: integer('started').notNull().default(0),
    rating: integer('rating'),
    watchlisted: integer('watchlisted').notNull().default(0),
    removed: integer('removed').notNull().default(0),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.videoId] }),
    index('interactions_video').on(t.videoId),
    index('interactions_updated').on(t.updatedAt),
  ],
);

export const userVersions = sqliteTable('user_versions', {
  userId: text('user_id').primaryKey(),
  version: integer('version').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const videos = sqliteTable(
  'videos',
  {
    videoId: text('video_id').primaryKey(),
    title: text('title').notNull(),
    status: text('status').notNull(),
    genres: text('genres').notNull(),
    tags: text('tags').notNull(),
    deleted: integer('deleted').notNull().default(0),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('videos_ready').on(t.status, t.deleted)],
);

export const trainJobs = sqliteTable(
  'train_jobs',
  {
    jobId: text('job_id').primaryKey(),
    modelType: text('model_type').notNull(),
    status: text('status').notNull(),
    trigger: text('trigger').notNull(),
    versionId: text('version_id'),
    error: text('error'),
    stats: text('stats'),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('train_jobs_created').on(t.createdAt)],
);

export const modelVersions = sqliteTable(
  'model_versions',
  {
    versionId: text('version_id').primaryKey(),
    modelType: text('model_type').notNull(),
    status: text('status').notNull(),
    source: text('source').notNull(),
    trainedAt: integer('trained_at').notNull(),
    dataUntil: integer('data_until').notNull(),
    stats: text('stats').notNull(),
    expected: text('expected'),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('model_versions_type').on(t.modelType, t.status)],
);

export const modelNeighbours = sqliteTable(
  'model_neighbours',
  {
    versionId: text('version_id').notNull(),
    videoId: text('video_id').notNull(),
    list: text('list').notNull(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.videoId] })],
);

export const modelUserRecs = sqliteTable(
  'model_user_recs',
  {
    versionId: text('version_id').notNull(),
    userId: text('user_id').notNull(),
    list: text('list').notNull(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.userId] })],
);

export const modelPopular = sqliteTable(
  'model_popular',
  {
    versionId: text('version_id').notNull(),
    genre: text('genre').notNull(),
    list: text('list').notNull(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.genre] })],
);

export const activeModels = sqliteTable('active_models', {
  modelType: text('model_type').primaryKey(),
  versionId: text('version_id').notNull(),
  switchedAt: integer('switched_at').notNull(),
});
