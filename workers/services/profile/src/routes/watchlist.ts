import { and, eq, sql } from 'drizzle-orm';
import { implement, json, noContent } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { requireOwner, requireReader } from '../access.ts';
import { bumpVersion, cachedListReply } from '../cache.ts';
import type { Env } from '../config.ts';
import { addToWatchlist, listWatchlist, removeFromWatchlist } from '../contract/watchlist.ts';
import { database } from '../db/client.ts';
import { watchlist } from '../db/schema.ts';
import { watchlistPage } from '../lists.ts';
import { commit, stageEventIf } from '../outbox.ts';
import { userIsLive, videoForWrite, videoIsLive } from '../videos.ts';

export const listWatchlistHandler = implement(listWatchlist, async (input, caller, env: Env, ctx) => {
  requireReader(caller, input.params.userId);
  return cachedListReply(env, ctx, 'watchlist', input.params.userId, input.query, watchlistPage);
});

export const addToWatchlistHandler = implement(addToWatchlist, async (input, caller, env: Env, ctx) => {
  const { userId } = input.params;
  const { videoId } = input.body;
  requireOwner(caller, userId);
  const db = database(env.DB);
  const video = await videoForWrite(db, videoId, userId, caller);
  const now = Date.now();
  const entry = sql`${watchlist} WHERE ${watchlist.userId} = ${userId} AND ${watchlist.videoId} = ${videoId}`;
  const live = and(videoIsLive(videoId), userIsLive(userId))!;
  const { results } = await commit(ctx, env, db, [
    stageEventIf(
      db,
      and(live, sql`NOT EXISTS (SELECT 1 FROM ${entry})`)!,
      'WatchlistUpdated',
      userId,
      {
        userId,
        videoId,
        action: 'added',
      },
      caller.traceparent,
    ),
    db
      .insert(watchlist)
      .select(sql`SELECT ${userId}, ${videoId}, ${now} WHERE ${live}`)
      .onConflictDoNothing()
      .returning({ videoId: watchlist.videoId }),
    db
      .select({ addedAt: watchlist.addedAt })
      .from(watchlist)
      .where(and(eq(watchlist.userId, userId), eq(watchlist.videoId, videoId))),
    bumpVersion(db, userId),
  ]);
  const [, inserted, found] = results as [unknown, unknown[], { addedAt: Date }[]];
  if (!found[0]) throw Problem.notFound(`No video ${videoId}.`);
  const body = {
    videoId,
    title: video.title,
    durationSec: video.durationSec,
    thumbnailUrl: video.thumbnailUrl,
    addedAt: found[0].addedAt.toISOString(),
  };
  return inserted.length ? json(201, body, { Location: `/profiles/${userId}/watchlist` }) : json(200, body);
});

export const removeFromWatchlistHandler = implement(
  removeFromWatchlist,
  async (input, caller, env: Env, ctx) => {
    const { userId, videoId } = input.params;
    requireOwner(caller, userId);
    const db = database(env.DB);
    const where = and(eq(watchlist.userId, userId), eq(watchlist.videoId, videoId));
    await commit(ctx, env, db, [
      stageEventIf(
        db,
        sql`EXISTS (SELECT 1 FROM ${watchlist} WHERE ${where})`,
        'WatchlistUpdated',
        userId,
        { userId, videoId, action: 'removed' },
        caller.traceparent,
      ),
      db.delete(watchlist).where(where),
      bumpVersion(db, userId),
    ]);
    return noContent;
  },
);
