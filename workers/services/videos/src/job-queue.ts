/**
 * Putting transcode jobs in the queue: one per (video, master version), from VideoUploaded or an
 * admin's retry. The unique index makes creation idempotent whatever redelivers the event.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Caller } from '../../../lib/api.ts';
import { newId } from '../../../lib/ids.ts';
import { Problem } from '../../../lib/problem.ts';
import { actorOf, auditEntry } from './audit.ts';
import type { Env } from './config.ts';
import { type Db, database } from './db/client.ts';
import { jobs, videos } from './db/schema.ts';
import { type JobPolicy, jobPolicy } from './job-policy.ts';
import type { JobRow, VideoRow } from './videos.ts';

type Master = Pick<VideoRow, 'id' | 'masterVersion' | 'masterKey' | 'masterSize' | 'masterContentType'>;

/** A job for the video's current master, unless one exists: (video, master) is unique. */
function insertJob(db: Db, video: Master, policy: JobPolicy, now: Date) {
  return db
    .insert(jobs)
    .values({
      id: newId('job'),
      videoId: video.id,
      masterVersion: video.masterVersion!,
      masterKey: video.masterKey!,
      masterSize: video.masterSize ?? 0,
      masterContentType: video.masterContentType,
      state: 'pending',
      version: 1,
      failures: 0,
      maxAttempts: policy.maxAttempts,
      notBefore: now,
      progress: 0,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: [jobs.videoId, jobs.masterVersion] });
}

function pointVideoAtJob(db: Db, videoId: string, masterVersion: string, now: Date) {
  return db
    .update(videos)
    .set({
      currentJobId: sql`(SELECT ${jobs.id} FROM ${jobs} WHERE ${jobs.videoId} = ${videoId} AND ${jobs.masterVersion} = ${masterVersion})`,
      updatedAt: now,
    })
    .where(and(eq(videos.id, videoId), eq(videos.masterVersion, masterVersion)));
}

export type JobCreation = 'created' | 'exists' | 'stale';

/** VideoUploaded → one job per (video, master version); redelivery and replays create nothing. */
export async function createJobForMaster(
  env: Env,
  data: { videoId: string; masterVersion: string },
  now = new Date(),
): Promise<JobCreation> {
  const db = database(env.DB);
  const video = await db.query.videos.findFirst({ where: eq(videos.id, data.videoId) });
  // Deleted, or a newer master arrived since: that master has its own event.
  if (!video || video.masterVersion !== data.masterVersion) return 'stale';
  const [inserted] = await db.batch([
    insertJob(db, video, jobPolicy(env), now).returning({ id: jobs.id }),
    pointVideoAtJob(db, video.id, data.masterVersion, now),
  ]);
  return inserted.length ? 'created' : 'exists';
}

/**
 * POST /videos/{id}/transcode: a dead-lettered (or never created) job for the current master goes
 * back to pending with its attempts reset.
 */
export async function retryTranscode(
  env: Env,
  videoId: string,
  caller: Caller,
  now = new Date(),
): Promise<JobRow> {
  const db = database(env.DB);
  const video = await db.query.videos.findFirst({ where: eq(videos.id, videoId) });
  if (!video) throw Problem.notFound(`No video ${videoId}.`);
  if (!video.masterVersion) throw Problem.conflict('The video has no master yet; upload one first.');
  const policy = jobPolicy(env);
  const existing = await db.query.jobs.findFirst({
    where: and(eq(jobs.videoId, video.id), eq(jobs.masterVersion, video.masterVersion)),
  });
  if (existing && (existing.state === 'pending' || existing.state === 'processing'))
    throw Problem.conflict('A transcode of this master is already queued or running.');
  if (existing?.state === 'completed') throw Problem.conflict('This master is already transcoded.');
  const reset = existing
    ? db
        .update(jobs)
        .set({
          state: 'pending',
          version: existing.version + 1,
          failures: 0,
          maxAttempts: policy.maxAttempts,
          notBefore: now,
          lastError: null,
          progress: 0,
          finishedAt: null,
          updatedAt: now,
        })
        .where(and(eq(jobs.id, existing.id), eq(jobs.version, existing.version)))
        .returning({ id: jobs.id })
    : insertJob(db, video, policy, now).returning({ id: jobs.id });
  const [applied] = await db.batch([
    reset,
    pointVideoAtJob(db, video.id, video.masterVersion, now),
    db
      .update(videos)
      .set({ status: 'uploaded', failureReason: null, updatedAt: now })
      .where(
        and(
          eq(videos.id, video.id),
          sql`EXISTS (SELECT 1 FROM ${jobs} WHERE ${jobs.videoId} = ${video.id}
                AND ${jobs.masterVersion} = ${video.masterVersion} AND ${jobs.state} = 'pending')`,
        ),
      ),
    auditEntry(db, {
      action: 'video.transcode_retry',
      actor: actorOf(caller),
      videoId: video.id,
      before: { status: video.status, failureReason: video.failureReason, job: existing?.state ?? null },
      after: { status: 'uploaded', masterVersion: video.masterVersion },
      caller,
      at: now,
    }),
  ]);
  if (applied.length === 0) throw Problem.conflict('The job changed meanwhile; try again.');
  const job = await db.query.jobs.findFirst({ where: eq(jobs.id, applied[0]!.id) });
  return job!;
}
