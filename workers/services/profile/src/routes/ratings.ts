import { and, sql } from 'drizzle-orm';
import { implement, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { requireOwner, requireReader } from '../access.ts';
import type { Env } from '../config.ts';
import { listRatings, rateVideo, videoRatings } from '../contract/ratings.ts';
import { database } from '../db/client.ts';
import { ratings } from '../db/schema.ts';
import { claimKey, idempotencyOf, oncePerKey } from '../idempotency.ts';
import { ratingsPage } from '../lists.ts';
import { commit, stageEventIf } from '../outbox.ts';
import { userIsLive, videoForRead, videoForWrite, videoIsLive } from '../videos.ts';

export const listRatingsHandler = implement(listRatings, async (input, caller, env: Env) => {
  const { userId } = input.params;
  requireReader(caller, userId);
  const page = await ratingsPage(env, userId, input.query);
  return { status: 200, body: page.items, total: page.total };
});

/** One rating per (user, video): a second replaces the first; each is one VideoRated. */
export const rateVideoHandler = implement(rateVideo, async (input, caller, env: Env, ctx) => {
  const { userId } = input.params;
  requireOwner(caller, userId);
  const db = database(env.DB);
  const idempotency = await idempotencyOf(rateVideo.id, userId, input);
  return oncePerKey(db, idempotency, async () => {
    const { videoId, rating } = input.body;
    const comment = input.body.comment?.trim() ? input.body.comment : null;
    const video = await videoForWrite(db, videoId, userId, caller);
    const now = new Date();
    const reply = json(
      201,
      { videoId, title: video.title, rating, comment, ratedAt: now.toISOString() },
      { Location: `/profiles/${userId}/ratings` },
    );
    const claim = claimKey(db, idempotency, reply, now);
    const applies = and(claim?.won, videoIsLive(videoId), userIsLive(userId))!;
    const { results } = await commit(ctx, env, db, [
      ...(claim ? [claim.insert] : []),
      db
        .insert(ratings)
        .select(sql`SELECT ${userId}, ${videoId}, ${rating}, ${comment}, ${now.getTime()} WHERE ${applies}`)
        .onConflictDoUpdate({
          target: [ratings.userId, ratings.videoId],
          set: {
            rating: sql`excluded.rating`,
            comment: sql`excluded.comment`,
            ratedAt: sql`excluded.rated_at`,
          },
        })
        .returning({ videoId: ratings.videoId }),
      stageEventIf(
        db,
        applies,
        'VideoRated',
        userId,
        { userId, videoId, rating, ...(comment !== null ? { comment } : {}) },
        caller.traceparent,
      ),
    ]);
    const won = !claim || (results[0] as unknown[]).length > 0;
    const rated = (results[claim ? 1 : 0] as unknown[]).length > 0;
    if (won && !rated) throw Problem.notFound(`No video ${videoId}.`);
    return { reply, won };
  });
});

/** Public: the average and count of a published video's ratings, and its newest reviews. */
export const videoRatingsHandler = implement(videoRatings, async (input, caller, env: Env) => {
  const videoId = input.params.id;
  await videoForRead(database(env.DB), videoId, caller);
  const [summary, reviews] = await env.DB.batch<Record<string, unknown>>([
    env.DB.prepare('SELECT count(*) AS n, avg(rating) AS average FROM ratings WHERE video_id = ?').bind(
      videoId,
    ),
    env.DB.prepare(
      `SELECT r.rating, r.comment, r.rated_at, coalesce(p.name, '') AS name FROM ratings r
       LEFT JOIN profiles p ON p.user_id = r.user_id
       WHERE r.video_id = ? AND r.comment IS NOT NULL ORDER BY r.rated_at DESC LIMIT ?`,
    ).bind(videoId, input.query.limit),
  ]);
  const s = summary!.results[0] as { n: number; average: number | null };
  return json(200, {
    videoId,
    average: s.average === null ? null : Math.round(s.average * 100) / 100,
    count: s.n,
    reviews: (reviews!.results as { rating: number; comment: string; rated_at: number; name: string }[]).map(
      (r) => ({
        name: r.name,
        rating: r.rating,
        comment: r.comment,
        ratedAt: new Date(r.rated_at).toISOString(),
      }),
    ),
  });
});
