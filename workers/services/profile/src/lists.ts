/**
 * The pages of a user's lists, newest first, each with the total (X-Total-Count): one D1 round trip
 * per page. Items show their video from the service's projection; deleted videos never appear.
 */

import type { Page } from './cache.ts';
import type { Env } from './config.ts';
import { FINISHED_AT, STARTED_AT } from './videos.ts';

interface Paging {
  page: number;
  limit: number;
}

interface VideoColumns {
  video_id: string;
  title: string;
  duration_sec: number | null;
  thumbnail_url: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();
const video = (r: VideoColumns) => ({
  videoId: r.video_id,
  title: r.title,
  durationSec: r.duration_sec,
  thumbnailUrl: r.thumbnail_url,
});

/** Rows and total of one query shape: `from` is the FROM … WHERE part, bound to the user as ?1. */
async function page<R>(env: Env, columns: string, from: string, order: string, userId: string, p: Paging) {
  const [rows, counted] = await env.DB.batch<R | { n: number }>([
    env.DB.prepare(`SELECT ${columns} ${from} ORDER BY ${order} LIMIT ?2 OFFSET ?3`).bind(
      userId,
      p.limit,
      (p.page - 1) * p.limit,
    ),
    env.DB.prepare(`SELECT count(*) AS n ${from}`).bind(userId),
  ]);
  return { rows: rows!.results as R[], total: (counted!.results[0] as { n: number }).n };
}

const VIDEO = 'v.title, v.duration_sec, v.thumbnail_url';
const LIVE = 'JOIN videos v ON v.id = {t}.video_id AND v.deleted_at IS NULL';

export async function watchlistPage(env: Env, userId: string, p: Paging) {
  const { rows, total } = await page<VideoColumns & { added_at: number }>(
    env,
    `w.video_id, w.added_at, ${VIDEO}`,
    `FROM watchlist w ${LIVE.replace('{t}', 'w')} WHERE w.user_id = ?1`,
    'w.added_at DESC, w.video_id DESC',
    userId,
    p,
  );
  return { items: rows.map((r) => ({ ...video(r), addedAt: iso(r.added_at) })), total };
}

type HistoryColumns = VideoColumns & { progress: number; watched_at: number };

export async function historyPage(env: Env, userId: string, p: Paging) {
  const { rows, total } = await page<HistoryColumns>(
    env,
    `h.video_id, h.progress, h.watched_at, ${VIDEO}`,
    `FROM history h ${LIVE.replace('{t}', 'h')} WHERE h.user_id = ?1`,
    'h.watched_at DESC, h.video_id DESC',
    userId,
    p,
  );
  return {
    items: rows.map((r) => ({
      ...video(r),
      progress: r.progress,
      watchedAt: iso(r.watched_at),
      finished: r.duration_sec !== null && r.duration_sec > 0 && r.progress >= FINISHED_AT * r.duration_sec,
    })),
    total,
  };
}

/** Started (at least 5 %) and not finished (below 95 %) videos of known duration. */
export async function continueWatchingPage(env: Env, userId: string, p: Paging) {
  const { rows, total } = await page<HistoryColumns & { duration_sec: number }>(
    env,
    `h.video_id, h.progress, h.watched_at, ${VIDEO}`,
    `FROM history h ${LIVE.replace('{t}', 'h')} WHERE h.user_id = ?1 AND v.duration_sec > 0
       AND h.progress >= ${STARTED_AT} * v.duration_sec AND h.progress < ${FINISHED_AT} * v.duration_sec`,
    'h.watched_at DESC, h.video_id DESC',
    userId,
    p,
  );
  return {
    items: rows.map((r) => ({
      ...video(r),
      durationSec: r.duration_sec,
      progress: r.progress,
      watchedAt: iso(r.watched_at),
      percent: Math.round((r.progress / r.duration_sec) * 1000) / 10,
    })),
    total,
  } satisfies Page<unknown>;
}

export async function ratingsPage(env: Env, userId: string, p: Paging) {
  const { rows, total } = await page<
    VideoColumns & { rating: number; comment: string | null; rated_at: number }
  >(
    env,
    `r.video_id, r.rating, r.comment, r.rated_at, ${VIDEO}`,
    `FROM ratings r ${LIVE.replace('{t}', 'r')} WHERE r.user_id = ?1`,
    'r.rated_at DESC, r.video_id DESC',
    userId,
    p,
  );
  return {
    items: rows.map((r) => ({
      videoId: r.video_id,
      title: r.title,
      rating: r.rating,
      comment: r.comment,
      ratedAt: iso(r.rated_at),
    })),
    total,
  };
}
