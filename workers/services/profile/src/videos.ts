/**
 * The profile service's own view of the videos (id, title, status, duration, thumbnail), built
 * from the videos service's events; it never reads that service's database. Events may come late
 * or out of order: each field group remembers the time of the event it came from and only a newer
 * event replaces it, and a deleted video stays deleted whatever arrives after.
 */
import { and, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { Envelope } from '../../../../queues/events.ts';
import { type Caller, isAdmin } from '../../../lib/api.ts';
import { Problem } from '../../../lib/problem.ts';
import { bumpVersionsOfVideo } from './cache.ts';
import type { Db } from './db/client.ts';
import { deletedUsers, history, ratings, videos, watchlist } from './db/schema.ts';

export type VideoRow = typeof videos.$inferSelect;

/** Progress at or past this share of the duration counts as finished. */
export const FINISHED_AT = 0.95;
/** Progress below this share counts as not started (left out of continue watching). */
export const STARTED_AT = 0.05;

/** The SQL condition "the video exists and is not deleted", for guards inside a write's batch. */
export function videoIsLive(videoId: string): SQL {
  return sql`EXISTS (SELECT 1 FROM ${videos} WHERE ${videos.id} = ${videoId} AND ${videos.deletedAt} IS NULL)`;
}

/** The SQL condition "the account was not deleted", for guards inside a write's batch. */
export function userIsLive(userId: string): SQL {
  return sql`NOT EXISTS (SELECT 1 FROM ${deletedUsers} WHERE ${deletedUsers.userId} = ${userId})`;
}

/**
 * The video a user may put on their lists: published (`ready`) ones for everyone, any state for
 * admins, as the videos service shows them. Also refuses writes for an account deleted meanwhile.
 */
export async function videoForWrite(
  db: Db,
  videoId: string,
  userId: string,
  caller: Caller,
): Promise<VideoRow> {
  const [found, gone] = await db.batch([
    db
      .select()
      .from(videos)
      .where(and(eq(videos.id, videoId), isNull(videos.deletedAt))),
    db.select({ userId: deletedUsers.userId }).from(deletedUsers).where(eq(deletedUsers.userId, userId)),
  ]);
  if (gone.length) throw Problem.notFound('This account was deleted.');
  return visible(found[0], videoId, caller);
}

export async function videoForRead(db: Db, videoId: string, caller: Caller): Promise<VideoRow> {
  const row = await db
    .select()
    .from(videos)
    .where(and(eq(videos.id, videoId), isNull(videos.deletedAt)))
    .get();
  return visible(row, videoId, caller);
}

function visible(row: VideoRow | undefined, videoId: string, caller: Caller): VideoRow {
  if (!row || (row.status !== 'ready' && !isAdmin(caller))) throw Problem.notFound(`No video ${videoId}.`);
  return row;
}

const at = (e: Envelope) => Date.parse(e.time);

/** VideoCreated and VideoUpdated: title, status and (when given) duration, unless newer ones are held. */
export async function applyMetadata(db: Db, event: Envelope<'VideoCreated'> | Envelope<'VideoUpdated'>) {
  const { videoId, title, status, durationSec } = event.data;
  const t = at(event);
  await db.batch([
    db
      .insert(videos)
      .values({ id: videoId, title, status, durationSec: durationSec ?? null, metaAt: t, stateAt: t })
      .onConflictDoUpdate({
        target: videos.id,
        set: {
          title: sql`CASE WHEN excluded.meta_at >= videos.meta_at THEN excluded.title ELSE videos.title END`,
          metaAt: sql`MAX(videos.meta_at, excluded.meta_at)`,
          status: sql`CASE WHEN excluded.state_at >= videos.state_at THEN excluded.status ELSE videos.status END`,
          durationSec: sql`CASE WHEN excluded.state_at >= videos.state_at AND excluded.duration_sec IS NOT NULL
            THEN excluded.duration_sec ELSE videos.duration_sec END`,
          stateAt: sql`MAX(videos.state_at, excluded.state_at)`,
        },
        setWhere: isNull(videos.deletedAt),
      }),
    bumpVersionsOfVideo(db, videoId),
  ]);
}

/** VideoTranscoded: the video is ready, with its measured duration and poster. */
export async function applyTranscoded(db: Db, event: Envelope<'VideoTranscoded'>) {
  const { videoId, durationSec, thumbnailUrl } = event.data;
  const t = at(event);
  await db.batch([
    db
      .insert(videos)
      .values({
        id: videoId,
        title: '',
        status: 'ready',
        durationSec,
        thumbnailUrl: thumbnailUrl ?? null,
        metaAt: 0,
        stateAt: t,
      })
      .onConflictDoUpdate({
        target: videos.id,
        set: {
          status: sql`CASE WHEN excluded.state_at >= videos.state_at THEN 'ready' ELSE videos.status END`,
          durationSec: sql`CASE WHEN excluded.state_at >= videos.state_at
            THEN excluded.duration_sec ELSE videos.duration_sec END`,
          thumbnailUrl: sql`COALESCE(excluded.thumbnail_url, videos.thumbnail_url)`,
          stateAt: sql`MAX(videos.state_at, excluded.state_at)`,
        },
        setWhere: isNull(videos.deletedAt),
      }),
    bumpVersionsOfVideo(db, videoId),
  ]);
}

/** VideoDeleted: gone from every watchlist, history and rating, and kept as a tombstone. */
export async function applyDeleted(db: Db, event: Envelope<'VideoDeleted'>) {
  const { videoId } = event.data;
  const t = at(event);
  await db.batch([
    bumpVersionsOfVideo(db, videoId),
    db.delete(watchlist).where(eq(watchlist.videoId, videoId)),
    db.delete(history).where(eq(history.videoId, videoId)),
    db.delete(ratings).where(eq(ratings.videoId, videoId)),
    db
      .insert(videos)
      .values({ id: videoId, title: '', status: 'deleted', metaAt: 0, stateAt: 0, deletedAt: new Date(t) })
      .onConflictDoUpdate({
        target: videos.id,
        set: { deletedAt: sql`COALESCE(videos.deleted_at, excluded.deleted_at)` },
      }),
  ]);
}
