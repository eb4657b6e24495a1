/** Video records: how they read, how they are found, and what their events carry. */

import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { EventData } from '../../../../queues/events.ts';
import { newestFirst } from '../../../lib/paging.ts';
import { Problem } from '../../../lib/problem.ts';
import { publicUrl } from '../../../lib/storage-grant.ts';
import type { Db } from './db/client.ts';
import { jobs, VIDEO_STATUSES, type VideoStatus, videos } from './db/schema.ts';

export type VideoRow = typeof videos.$inferSelect;
export type JobRow = typeof jobs.$inferSelect;

export async function findVideo(db: Db, videoId: string): Promise<VideoRow | undefined> {
  return db.query.videos.findFirst({ where: eq(videos.id, videoId) });
}

export async function requireVideo(db: Db, videoId: string): Promise<VideoRow> {
  const row = await findVideo(db, videoId);
  if (!row) throw Problem.notFound(`No video ${videoId}.`);
  return row;
}

/** The transcode job as admins see it on GET /videos/{id}. */
export function jobView(job: JobRow) {
  const running = job.state === 'pending' || job.state === 'processing' || job.state === 'completed';
  return {
    jobId: job.id,
    masterVersion: job.masterVersion,
    state: job.state,
    progress: job.progress,
    stage: job.stage,
    speed: job.speed,
    attempt: running ? job.failures + 1 : job.failures,
    maxAttempts: job.maxAttempts,
    runnerId: job.runnerId,
    leaseExpiresAt: job.state === 'processing' ? (job.leaseExpiresAt?.toISOString() ?? null) : null,
    notBefore: job.state === 'pending' ? job.notBefore.toISOString() : null,
    lastError: job.lastError,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

export interface ViewOptions {
  admin: boolean;
  origin: string;
  job?: JobRow | undefined;
}

/** A video as the API answers it. Admins also see the master, the failure reason and the job. */
export function videoView(row: VideoRow, opts: ViewOptions) {
  const base = {
    videoId: row.id,
    title: row.title,
    description: row.description,
    tags: row.tags,
    genres: row.genres,
    releaseYear: row.releaseYear,
    durationSec: row.durationSec,
    maturityRating: row.maturityRating,
    thumbnailUrl: row.thumbnailUrl ?? (row.posterKey ? publicUrl(opts.origin, row.posterKey) : null),
    status: row.status,
    renditions: row.renditions.map((r) => ({
      name: r.name,
      width: r.width,
      height: r.height,
      bandwidth: r.bandwidth,
      averageBandwidth: r.averageBandwidth,
      codecs: r.codecs,
      frameRate: r.frameRate,
      playlist: r.playlist,
    })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
  if (!opts.admin) return base;
  return {
    ...base,
    failureReason: row.failureReason,
    master: row.masterVersion
      ? {
          version: row.masterVersion,
          size: row.masterSize,
          contentType: row.masterContentType,
          etag: row.masterEtag,
        }
      : null,
    transcode: opts.job ? jobView(opts.job) : null,
    createdBy: row.createdBy,
  };
}

/** The metadata VideoCreated and VideoUpdated carry. */
export function metadataEvent(row: VideoRow): EventData<'VideoCreated'> {
  return {
    videoId: row.id,
    title: row.title,
    description: row.description,
    tags: row.tags,
    genres: row.genres,
    ...(row.releaseYear !== null ? { releaseYear: row.releaseYear } : {}),
    ...(row.durationSec !== null ? { durationSec: row.durationSec } : {}),
    ...(row.maturityRating !== null ? { maturityRating: row.maturityRating } : {}),
    status: row.status,
  };
}

/** The editable fields of a row, as audit entries record them. */
export function auditSnapshot(row: VideoRow) {
  return {
    title: row.title,
    description: row.description,
    tags: row.tags,
    genres: row.genres,
    releaseYear: row.releaseYear,
    durationSec: row.durationSec,
    maturityRating: row.maturityRating,
    thumbnailUrl: row.thumbnailUrl,
    status: row.status,
    masterVersion: row.masterVersion,
  };
}

export interface VideoFilter {
  status: VideoStatus[];
  genre: string[];
  tag: string[];
}

/**
 * `filter` is comma-joined `key:value` terms (`status:ready,genre:drama,tag:space`). Terms with
 * different keys must all hold; repeated keys are alternatives (`status:pending,status:failed`).
 * Genre and tag match case-insensitively.
 */
export function parseFilter(filter: string | undefined): VideoFilter {
  const out: VideoFilter = { status: [], genre: [], tag: [] };
  if (!filter) return out;
  for (const term of filter.split(',')) {
    const t = term.trim();
    if (!t) continue;
    const colon = t.indexOf(':');
    const key = colon > 0 ? t.slice(0, colon).trim().toLowerCase() : '';
    const value = colon > 0 ? t.slice(colon + 1).trim() : '';
    if (!value) throw badFilter(`"${t}" is not a key:value term.`);
    if (key === 'status') {
      if (!(VIDEO_STATUSES as readonly string[]).includes(value))
        throw badFilter(`Unknown status "${value}"; one of ${VIDEO_STATUSES.join(', ')}.`);
      out.status.push(value as VideoStatus);
    } else if (key === 'genre' || key === 'tag') {
      out[key].push(value.toLowerCase());
    } else {
      throw badFilter(`Unknown filter key "${key}"; use status, genre or tag.`);
    }
  }
  return out;
}

function badFilter(message: string) {
  return Problem.badRequest('The filter is invalid.', [{ path: 'query.filter', message }]);
}

function anyOf(column: typeof videos.tags | typeof videos.genres, values: string[]): SQL {
  // Tags and genres are short JSON arrays; json_each keeps them in the row instead of a join table.
  return sql`EXISTS (SELECT 1 FROM json_each(${column}) WHERE lower(json_each.value) IN ${values})`;
}

export interface ListQuery {
  filter: VideoFilter;
  page: number;
  limit: number;
  /** Non-admins only ever see ready videos. */
  admin: boolean;
}

export async function listVideos(db: Db, q: ListQuery): Promise<{ rows: VideoRow[]; total: number }> {
  let statuses = q.filter.status;
  if (!q.admin) {
    statuses = statuses.length === 0 || statuses.includes('ready') ? ['ready'] : [];
    if (statuses.length === 0) return { rows: [], total: 0 };
  }
  const conditions: SQL[] = [];
  if (statuses.length) conditions.push(inArray(videos.status, statuses));
  if (q.filter.genre.length) conditions.push(anyOf(videos.genres, q.filter.genre));
  if (q.filter.tag.length) conditions.push(anyOf(videos.tags, q.filter.tag));
  const where = conditions.length ? and(...conditions) : undefined;
  return newestFirst(db, videos, { time: videos.createdAt, id: videos.id }, { ...q, where });
}

export async function currentJob(db: Db, row: VideoRow): Promise<JobRow | undefined> {
  if (!row.currentJobId) return undefined;
  return db.query.jobs.findFirst({ where: eq(jobs.id, row.currentJobId) });
}
