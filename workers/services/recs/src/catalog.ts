/**
 * The recs service's own view of the catalogue, kept from video events: only `ready` videos that
 * are not deleted may be recommended. Status changes apply in event-time order, so a late
 * VideoCreated (pending) never hides a video that VideoTranscoded already made ready; a deleted
 * video stays a tombstone that later events cannot revive.
 */
import { bumpVersion, CATALOG_KEY, markProcessed } from './interactions.ts';

export interface VideoFacts {
  videoId: string;
  title: string;
  status: string;
  genres: string[];
  tags: string[];
}

export async function upsertVideo(db: D1Database, eventId: string, v: VideoFacts, at: number): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT INTO videos (video_id, title, status, genres, tags, deleted, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?)
         ON CONFLICT (video_id) DO UPDATE SET title = excluded.title, genres = excluded.genres, tags = excluded.tags,
           status = CASE WHEN excluded.updated_at >= updated_at THEN excluded.status ELSE status END,
           updated_at = max(updated_at, excluded.updated_at)
         WHERE videos.deleted = 0`,
      )
      .bind(v.videoId, v.title, v.status, JSON.stringify(v.genres), JSON.stringify(v.tags), at),
    bumpVersion(db, CATALOG_KEY, Date.now()),
    markProcessed(db, eventId),
  ]);
}

/** VideoTranscoded: ready, even before (or without) the VideoCreated that names it. */
export async function markReady(db: D1Database, eventId: string, videoId: string, at: number): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT INTO videos (video_id, title, status, genres, tags, deleted, updated_at) VALUES (?, '', 'ready', '[]', '[]', 0, ?)
         ON CONFLICT (video_id) DO UPDATE SET
           status = CASE WHEN excluded.updated_at >= updated_at THEN 'ready' ELSE status END,
           updated_at = max(updated_at, excluded.updated_at)
         WHERE videos.deleted = 0`,
      )
      .bind(videoId, at),
    bumpVersion(db, CATALOG_KEY, Date.now()),
    markProcessed(db, eventId),
  ]);
}

/** VideoDeleted: the video leaves the catalogue and the training data for good. */
export async function removeVideo(
  db: D1Database,
  eventId: string,
  videoId: string,
  at: number,
): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT INTO videos (video_id, title, status, genres, tags, deleted, updated_at) VALUES (?, '', 'deleted', '[]', '[]', 1, ?)
         ON CONFLICT (video_id) DO UPDATE SET deleted = 1, status = 'deleted', updated_at = max(updated_at, excluded.updated_at)`,
      )
      .bind(videoId, at),
    db.prepare('DELETE FROM interactions WHERE video_id = ?').bind(videoId),
    bumpVersion(db, CATALOG_KEY, Date.now()),
    markProcessed(db, eventId),
  ]);
}

/** Video metadata for training (genres, tags) of every live video. */
export async function loadCatalog(db: D1Database) {
  return db
    .prepare('SELECT video_id, title, genres, tags FROM videos WHERE deleted = 0')
    .raw<[string, string, string, string]>();
}
