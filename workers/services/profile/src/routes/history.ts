import { and, sql } from 'drizzle-orm';
import { implement, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { requireOwner, requireReader } from '../access.ts';
import { bumpVersion, cachedListReply } from '../cache.ts';
import type { Env } from '../config.ts';
import { continueWatching, listHistory, recordHistory } from '../contract/history.ts';
import { database } from '../db/client.ts';
import { history } from '../db/schema.ts';
import { claimKey, idempotencyOf, oncePerKey } from '../idempotency.ts';
import { continueWatchingPage, historyPage } from '../lists.ts';
import { commit, stageEventIf } from '../outbox.ts';
import { FINISHED_AT, userIsLive, videoForWrite, videoIsLive } from '../videos.ts';

export const listHistoryHandler = implement(listHistory, async (input, caller, env: Env, ctx) => {
  requireReader(caller, input.params.userId);
  return cachedListReply(env, ctx, 'history', input.params.userId, input.query, historyPage);
});

export const continueWatchingHandler = implement(continueWatching, async (input, caller, env: Env, ctx) => {
  requireReader(caller, input.params.userId);
  return cachedListReply(
    env,
    ctx,
    'continue-watching',
    input.params.userId,
    input.query,
    continueWatchingPage,
  );
});

/**
 * Moves the one resume point of (user, video). With an Idempotency-Key the whole change — point,
 * HistoryUpdated, VideoWatched — applies only if this request wins the key (src/idempotency.ts).
 * VideoWatched marks the crossing of 95 %: written only if the point was not finished before.
 */
export const recordHistoryHandler = implement(recordHistory, async (input, caller, env: Env, ctx) => {
  const { userId } = input.params;
  requireOwner(caller, userId);
  const db = database(env.DB);
  const idempotency = await idempotencyOf(recordHistory.id, userId, input);
  return oncePerKey(db, idempotency, async () => {
    const { videoId, progress } = input.body;
    const video = await videoForWrite(db, videoId, userId, caller);
    const duration = video.durationSec;
    if (duration !== null && progress > duration) {
      throw Problem.badRequest('The request body is invalid.', [
        { path: 'progress', message: `must not be past the end of the video (${duration} s)` },
      ]);
    }
    const now = new Date();
    const finished = duration !== null && duration > 0 && progress >= FINISHED_AT * duration;
    const reply = json(
      201,
      {
        videoId,
        title: video.title,
        durationSec: duration,
        thumbnailUrl: video.thumbnailUrl,
        progress,
        watchedAt: now.toISOString(),
        finished,
      },
      { Location: `/profiles/${userId}/history` },
    );
    const claim = claimKey(db, idempotency, reply, now);
    const applies = and(claim?.won, videoIsLive(videoId), userIsLive(userId))!;
    const wasFinished = sql`EXISTS (SELECT 1 FROM ${history} WHERE ${history.userId} = ${userId}
      AND ${history.videoId} = ${videoId} AND ${history.finished} = 1)`;
    const watched = stageEventIf(
      db,
      and(applies, sql`NOT ${wasFinished}`)!,
      'VideoWatched',
      userId,
      { userId, videoId, progress, durationSec: duration ?? undefined, completed: true },
      caller.traceparent,
    );
    const move = db
      .insert(history)
      .select(
        sql`SELECT ${userId}, ${videoId}, ${progress}, ${now.getTime()}, ${finished ? 1 : 0} WHERE ${applies}`,
      )
      .onConflictDoUpdate({
        target: [history.userId, history.videoId],
        set: {
          progress: sql`excluded.progress`,
          watchedAt: sql`excluded.watched_at`,
          finished: sql`excluded.finished`,
        },
      })
      .returning({ videoId: history.videoId });
    const updated = stageEventIf(
      db,
      applies,
      'HistoryUpdated',
      userId,
      { userId, videoId, progress, watchedAt: now.toISOString() },
      caller.traceparent,
    );
    const { results } = await commit(ctx, env, db, [
      ...(claim ? [claim.insert] : []),
      // Before the point moves, so that its guard sees the point as it was.
      ...(finished ? [watched] : []),
      move,
      updated,
      bumpVersion(db, userId),
    ]);
    const won = !claim || (results[0] as unknown[]).length > 0;
    const moved = (results[results.length - 3] as unknown[]).length > 0;
    if (won && !moved) throw Problem.notFound(`No video ${videoId}.`);
    return { reply, won };
  });
});
