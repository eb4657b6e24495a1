/**
 * Related videos: first those the viewers of this video also watched (co-watching, from
 * VideoWatched), then those sharing its tags and genres (a shared tag counts twice a shared genre),
 * each with the reason it was chosen. Never the video itself, never a video that is not ready
 * (unless an admin asks for every status), never a deleted one.
 */
import { Problem } from '../../../../lib/problem.ts';
import { labelKey } from './fold.ts';

export interface Related {
  videoId: string;
  title: string;
  reason: string;
}

/** Viewers of the video whose other watches are counted: the most recent ones. */
const COWATCH_VIEWERS = 500;

interface Source {
  rid: number;
  video_id: string;
  title: string;
  tags: string;
  genres: string;
  status: string;
}

function list(xs: string[]): string {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`;
}

export async function related(
  db: D1Database,
  videoId: string,
  o: { limit: number; status: 'ready' | 'any' },
): Promise<Related[]> {
  const visible = o.status === 'ready' ? "d.status = 'ready'" : "d.status <> 'deleted'";
  const source = await db
    .prepare(
      `SELECT rid, video_id, title, tags, genres, status FROM docs d WHERE video_id = ? AND has_meta = 1 AND ${visible}`,
    )
    .bind(videoId)
    .first<Source>();
  if (!source) throw Problem.notFound(`No video ${videoId}.`);
  const [cowatched, shared] = await db.batch([
    db
      .prepare(
        `WITH viewers AS (SELECT user_id FROM watches WHERE video_id = ?1 ORDER BY at DESC LIMIT ${COWATCH_VIEWERS})
         SELECT d.video_id, d.title, count(*) AS n FROM watches w JOIN viewers v ON v.user_id = w.user_id
           JOIN docs d ON d.video_id = w.video_id
         WHERE w.video_id <> ?1 AND d.has_meta = 1 AND ${visible}
         GROUP BY d.video_id ORDER BY n DESC, d.popularity DESC LIMIT ?2`,
      )
      .bind(videoId, o.limit),
    db
      .prepare(
        `WITH shared AS (
           SELECT rid, 2 AS weight, tag_key AS label, 'tag' AS kind FROM doc_tags
             WHERE tag_key IN (SELECT tag_key FROM doc_tags WHERE rid = ?1) AND rid <> ?1
           UNION ALL
           SELECT rid, 1, genre, 'genre' FROM doc_genres
             WHERE genre_key IN (SELECT genre_key FROM doc_genres WHERE rid = ?1) AND rid <> ?1),
         ranked AS (SELECT rid, sum(weight) AS w FROM shared GROUP BY rid)
         SELECT d.video_id, d.title, r.w,
           (SELECT json_group_array(label) FROM shared s WHERE s.rid = r.rid AND s.kind = 'genre') AS genres,
           (SELECT json_group_array(label) FROM shared s WHERE s.rid = r.rid AND s.kind = 'tag') AS tags
         FROM (SELECT * FROM ranked ORDER BY w DESC LIMIT ?2 * 4) r JOIN docs d ON d.rid = r.rid
         WHERE d.has_meta = 1 AND ${visible}
         ORDER BY r.w DESC, d.popularity DESC, d.rid LIMIT ?2`,
      )
      .bind(source.rid, o.limit),
  ]);
  const out: Related[] = [];
  const seen = new Set<string>([videoId]);
  for (const r of (cowatched?.results ?? []) as { video_id: string; title: string; n: number }[]) {
    if (seen.has(r.video_id)) continue;
    seen.add(r.video_id);
    const who = r.n === 1 ? 'A viewer' : `${r.n} viewers`;
    out.push({
      videoId: r.video_id,
      title: r.title,
      reason: `${who} of “${source.title}” also watched this`,
    });
  }
  const sourceTags = JSON.parse(source.tags) as string[];
  const tagNames = new Map<string, string>(sourceTags.map((t) => [labelKey(t), t] as const));
  const tagOrder = [...tagNames.keys()];
  for (const r of (shared?.results ?? []) as {
    video_id: string;
    title: string;
    genres: string;
    tags: string;
  }[]) {
    if (out.length >= o.limit) break;
    if (seen.has(r.video_id)) continue;
    seen.add(r.video_id);
    const genres = [...new Set(JSON.parse(r.genres) as string[])];
    const tags = [...new Set(JSON.parse(r.tags) as string[])]
      .sort((a, b) => tagOrder.indexOf(a) - tagOrder.indexOf(b))
      .map((t) => tagNames.get(t) ?? t);
    const parts: string[] = [];
    if (tags.length) parts.push(`tagged ${list(tags.slice(0, 3))}`);
    if (genres.length) parts.push(`also ${list(genres.slice(0, 3))}`);
    out.push({ videoId: r.video_id, title: r.title, reason: `Like “${source.title}”: ${parts.join('; ')}` });
  }
  return out.slice(0, o.limit);
}
