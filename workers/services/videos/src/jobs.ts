/**
 * The transcode job state machine, PeerTube-shaped. This module is the only writer of job rows.
 *
 *   (none)     ──create (VideoUploaded)──▶ pending
 *   pending    ──claim──▶ processing (a runner takes a lease)
 *   processing ──heartbeat──▶ processing (progress recorded, lease extended)
 *   processing ──complete──▶ completed (outputs published, the video ready)
 *   processing ──fail──▶ pending after a back-off, or failed once final or out of attempts
 *   processing ──lease expired (reap)──▶ as a retryable fail, claimable again at once
 *   processing ──abort / runner revoked (reclaim)──▶ pending at once, no attempt spent
 *   failed     ──admin retry──▶ pending with fresh attempts
 *   pending | processing ──new master / video deleted (cancel)──▶ cancelled, for good
 *
 * Every write bumps the job's `version` and applies only to the version it read, in one D1 batch
 * with the video row, the claim record and the outbox event it goes with: two parties racing for
 * the same job (a success and a cancellation, a heartbeat and the reaper) cannot both win.
 */
import { and, asc, eq, inArray, lte, ne, type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Caller } from '../../../lib/api.ts';
import { newId, randomToken, sha256Hex } from '../../../lib/ids.ts';
import { Problem } from '../../../lib/problem.ts';
import type { JobOutputs } from '../../../lib/runner-protocol.ts';
import { actorOf, auditEntry } from './audit.ts';
import { type Env, settings } from './config.ts';
import { type Db, database } from './db/client.ts';
import { type ClaimOutcome, jobClaims, jobs, videos } from './db/schema.ts';
import { type JobPolicy, jobPolicy, leaseUntil, retryDelayMs } from './job-policy.ts';
import { checkJobReport } from './job-report.ts';
import type { Defer } from './master.ts';
import { deliver, stageEventIf } from './outbox.ts';
import { outputPrefix, publishOutputs, purgeJobOutputs } from './outputs.ts';
import type { RunnerRow } from './runner-access.ts';
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

/** True in a batch statement once the job's row carries `version` (the transition applied). */
function movedTo(jobId: string, version: number): SQL {
  return sql`EXISTS (SELECT 1 FROM ${jobs} WHERE ${jobs.id} = ${jobId} AND ${jobs.version} = ${version})`;
}

export type Claim = { kind: 'job'; job: JobRow; leaseToken: string } | { kind: 'none' } | { kind: 'drained' };

/**
 * Gives the runner the oldest claimable job with a fresh lease. Expired leases are reaped first, so
 * a job whose runner died is claimable again without any cron.
 */
export async function claimJob(
  env: Env,
  runner: Pick<RunnerRow, 'id' | 'drainedAt'>,
  now = new Date(),
): Promise<Claim> {
  const db = database(env.DB);
  const policy = jobPolicy(env);
  await reapExpiredLeases(env, now);
  if (runner.drainedAt) return { kind: 'drained' };
  const runnerId = runner.id;

  const leaseToken = randomToken();
  const claimId = newId('clm');
  const candidate = db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.state, 'pending'), lte(jobs.notBefore, now)))
    .orderBy(asc(jobs.notBefore), asc(jobs.createdAt))
    .limit(1);
  const claimed = db.select({ id: jobs.id }).from(jobs).where(eq(jobs.claimId, claimId));
  const [rows] = await db.batch([
    db
      .update(jobs)
      .set({
        state: 'processing',
        version: sql`${jobs.version} + 1`,
        runnerId,
        leaseTokenHash: await sha256Hex(leaseToken),
        leaseExpiresAt: leaseUntil(policy, now),
        claimId,
        progress: 0,
        stage: null,
        speed: null,
        updatedAt: now,
      })
      .where(and(inArray(jobs.id, candidate), eq(jobs.state, 'pending')))
      .returning(),
    // Columns in table order: id, job_id, runner_id, claimed_at, ended_at, outcome, reason.
    db
      .insert(jobClaims)
      .select(
        sql`SELECT ${claimId}, ${jobs.id}, ${runnerId}, ${now.getTime()}, NULL, 'running', NULL FROM ${jobs} WHERE ${jobs.claimId} = ${claimId}`,
      ),
    db
      .update(videos)
      .set({ status: 'processing', updatedAt: now })
      .where(and(inArray(videos.currentJobId, claimed), inArray(videos.status, ['uploaded', 'processing']))),
  ]);
  const job = rows[0];
  return job ? { kind: 'job', job, leaseToken } : { kind: 'none' };
}

/** A runner's hold on a job: the job it names and the lease token the claim gave it. */
export interface Lease {
  runner: Pick<RunnerRow, 'id'>;
  jobId: string;
  leaseToken: string;
}

/**
 * The job, if the lease is held and unexpired: 404 for an unknown job, 409 for a lease that is not
 * held (the runner must drop the job), 403 for a current lease token presented by another runner.
 */
async function leasedJob(db: Db, lease: Lease, now: Date): Promise<JobRow> {
  const job = await db.query.jobs.findFirst({ where: eq(jobs.id, lease.jobId) });
  if (!job) throw Problem.notFound(`No job ${lease.jobId}.`);
  const hash = await sha256Hex(lease.leaseToken);
  if (
    job.state !== 'processing' ||
    job.leaseTokenHash !== hash ||
    !job.leaseExpiresAt ||
    job.leaseExpiresAt <= now
  ) {
    throw Problem.conflict(
      'The lease is not held: it expired, was reclaimed or the job ended. Drop the job.',
    );
  }
  if (job.runnerId !== lease.runner.id) throw Problem.forbidden('The job is leased to another runner.');
  return job;
}

export interface Progress {
  progress: number;
  speed?: number | undefined;
  stage?: string | undefined;
}

/** A heartbeat: records progress and extends the lease. */
export async function heartbeatJob(
  env: Env,
  lease: Lease,
  update: Progress,
  now = new Date(),
): Promise<Date> {
  const db = database(env.DB);
  const job = await leasedJob(db, lease, now);
  const leaseExpiresAt = leaseUntil(jobPolicy(env), now);
  const [row] = await db
    .update(jobs)
    .set({
      version: job.version + 1,
      leaseExpiresAt,
      progress: update.progress,
      speed: update.speed ?? null,
      stage: update.stage ?? null,
      updatedAt: now,
    })
    .where(
      and(
        eq(jobs.id, job.id),
        eq(jobs.version, job.version),
        eq(jobs.leaseTokenHash, job.leaseTokenHash!),
        sql`${jobs.leaseExpiresAt} > ${now.getTime()}`,
      ),
    )
    .returning({ leaseExpiresAt: jobs.leaseExpiresAt });
  if (!row?.leaseExpiresAt) throw Problem.conflict('The lease expired while extending it. Drop the job.');
  return row.leaseExpiresAt;
}

interface Failure {
  reason: string;
  retryable: boolean;
  outcome: 'failed' | 'lease_expired';
  /** Claimable again at once (a lost lease) rather than after the back-off. */
  immediate?: boolean;
  /** An extra condition the job row must meet for the transition to apply. */
  also?: SQL;
}

/** A failed attempt: back to pending after the back-off, or dead-lettered once attempts run out. */
async function recordFailure(
  env: Env,
  db: Db,
  job: JobRow,
  f: Failure,
  now: Date,
  defer?: Defer,
): Promise<'retry' | 'dead'> {
  const policy = jobPolicy(env);
  const failures = job.failures + 1;
  const dead = !f.retryable || failures >= job.maxAttempts;
  const next = job.version + 1;
  const moved = movedTo(job.id, next);
  const reason = f.reason.slice(0, 2000);
  const items: BatchItem<'sqlite'>[] = [
    db
      .update(jobs)
      .set({
        state: dead ? 'failed' : 'pending',
        version: next,
        failures,
        notBefore: new Date(now.getTime() + (f.immediate || dead ? 0 : retryDelayMs(policy, failures))),
        leaseTokenHash: null,
        leaseExpiresAt: null,
        lastError: reason,
        progress: 0,
        stage: null,
        speed: null,
        updatedAt: now,
        finishedAt: dead ? now : null,
      })
      .where(and(eq(jobs.id, job.id), eq(jobs.version, job.version), f.also))
      .returning({ id: jobs.id }),
    db
      .update(jobClaims)
      .set({ outcome: f.outcome, endedAt: now, reason })
      .where(and(eq(jobClaims.id, job.claimId ?? ''), moved)),
  ];
  let event: ReturnType<typeof stageEventIf<'VideoTranscodeFailed'>> | undefined;
  if (dead) {
    const current = and(eq(videos.id, job.videoId), eq(videos.currentJobId, job.id));
    items.push(
      db
        .update(videos)
        .set({ status: 'failed', failureReason: reason, updatedAt: now })
        .where(and(current, moved)),
    );
    event = stageEventIf(
      db,
      and(moved, sql`EXISTS (SELECT 1 FROM ${videos} WHERE ${current})`)!,
      'VideoTranscodeFailed',
      job.videoId,
      { videoId: job.videoId, jobId: job.id, reason, attempts: failures },
    );
    items.push(event.insert);
  }
  const [applied] = (await db.batch(items as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])) as [unknown[]];
  if (applied.length === 0) throw Problem.conflict('The job changed meanwhile. Drop the job.');
  // After the runner's answer when there is one to give; background work (reaping) just sends.
  if (event) {
    const send = deliver(env, db, [event.event]);
    if (defer) defer(send);
    else await send;
  }
  return dead ? 'dead' : 'retry';
}

export async function failJob(
  env: Env,
  lease: Lease,
  report: { reason: string; retryable: boolean },
  defer: Defer,
  now = new Date(),
): Promise<'retry' | 'dead'> {
  const db = database(env.DB);
  const job = await leasedJob(db, lease, now);
  return recordFailure(env, db, job, { ...report, outcome: 'failed' }, now, defer);
}

/** A job given back untouched (aborted, or its runner revoked): claimable at once, no attempt spent. */
function handedBack(now: Date) {
  return {
    state: 'pending' as const,
    notBefore: now,
    leaseTokenHash: null,
    leaseExpiresAt: null,
    progress: 0,
    stage: null,
    speed: null,
    updatedAt: now,
  };
}

/** The runner gives the job back (e.g. shutting down): claimable again at once, no attempt spent. */
export async function abortJob(env: Env, lease: Lease, reason: string, now = new Date()): Promise<void> {
  const db = database(env.DB);
  const job = await leasedJob(db, lease, now);
  const next = job.version + 1;
  const [applied] = await db.batch([
    db
      .update(jobs)
      .set({ ...handedBack(now), version: next })
      .where(and(eq(jobs.id, job.id), eq(jobs.version, job.version)))
      .returning({ id: jobs.id }),
    db
      .update(jobClaims)
      .set({ outcome: 'aborted', endedAt: now, reason: reason.slice(0, 500) })
      .where(and(eq(jobClaims.id, job.claimId ?? ''), movedTo(job.id, next))),
  ]);
  if (applied.length === 0) throw Problem.conflict('The job changed meanwhile. Drop the job.');
}

/** Jobs whose runner stopped reporting: each lost lease counts as a failed attempt. */
export async function reapExpiredLeases(env: Env, now = new Date()): Promise<number> {
  const db = database(env.DB);
  const expired = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.state, 'processing'), lte(jobs.leaseExpiresAt, now)))
    .limit(50);
  let reaped = 0;
  for (const job of expired) {
    try {
      await recordFailure(
        env,
        db,
        job,
        {
          reason: `The lease expired: runner ${job.runnerId ?? '?'} stopped reporting.`,
          retryable: true,
          outcome: 'lease_expired',
          immediate: true,
          also: lte(jobs.leaseExpiresAt, now),
        },
        now,
      );
      reaped++;
    } catch (err) {
      if (!(err instanceof Problem && err.status === 409)) throw err;
    }
  }
  return reaped;
}

/**
 * The runner's result: outputs checked and published, the video ready, VideoTranscoded emitted.
 * Publishing takes a while, and the job may be cancelled meanwhile (a new master, the video
 * deleted): the final batch applies only to the version read first, so a cancelled job never turns
 * completed, and then only the job's own outputs are purged.
 */
export async function completeJob(
  env: Env,
  lease: Lease,
  result: JobOutputs,
  origin: string,
  defer: Defer,
  now = new Date(),
): Promise<void> {
  checkJobReport(result, settings(env));
  const db = database(env.DB);
  try {
    await publishAndComplete(env, db, lease, result, origin, defer, now);
  } catch (err) {
    if (err instanceof Problem && err.status === 409) defer(purgeIfCancelled(env, db, lease.jobId));
    throw err;
  }
  defer(purgeSupersededOutputs(env, db, lease.jobId));
}

async function publishAndComplete(
  env: Env,
  db: Db,
  lease: Lease,
  result: JobOutputs,
  origin: string,
  defer: Defer,
  now: Date,
): Promise<void> {
  const job = await leasedJob(db, lease, now);
  const published = await publishOutputs(env.MEDIA, job, result, origin);
  const next = job.version + 1;
  const moved = movedTo(job.id, next);
  const current = and(eq(videos.id, job.videoId), eq(videos.currentJobId, job.id));
  const event = stageEventIf(
    db,
    and(moved, sql`EXISTS (SELECT 1 FROM ${videos} WHERE ${current})`)!,
    'VideoTranscoded',
    job.videoId,
    {
      videoId: job.videoId,
      jobId: job.id,
      durationSec: result.durationSec,
      renditions: published.renditions.map((r) => ({
        name: r.name,
        width: r.width,
        height: r.height,
        bandwidth: r.bandwidth,
        codecs: r.codecs,
        playlist: r.playlist,
      })),
      thumbnailUrl: published.posterUrl,
    },
  );
  const [applied] = await db.batch([
    db
      .update(jobs)
      .set({
        state: 'completed',
        version: next,
        progress: 100,
        stage: null,
        leaseTokenHash: null,
        leaseExpiresAt: null,
        result,
        updatedAt: now,
        finishedAt: now,
      })
      .where(and(eq(jobs.id, job.id), eq(jobs.version, job.version), eq(jobs.state, 'processing')))
      .returning({ id: jobs.id }),
    db
      .update(jobClaims)
      .set({ outcome: 'succeeded', endedAt: now })
      .where(and(eq(jobClaims.id, job.claimId ?? ''), moved)),
    db
      .update(videos)
      .set({
        status: 'ready',
        failureReason: null,
        durationSec: result.durationSec,
        outputPrefix: published.prefix,
        masterPlaylist: result.masterPlaylist,
        renditions: published.renditions,
        posterKey: published.posterKey,
        storyboard: result.thumbnails.storyboard ?? null,
        updatedAt: now,
      })
      .where(and(current, moved)),
    event.insert,
  ]);
  if (applied.length === 0) throw Problem.conflict('The job changed meanwhile. Drop the job.');
  defer(deliver(env, db, [event.event]));
}

/**
 * A cancelled job never comes back, so what it wrote is garbage. A job in any other state keeps its
 * outputs: it may be running again under another lease (same prefix) or have completed already (a
 * retried success whose first answer was lost).
 */
async function purgeIfCancelled(env: Env, db: Db, jobId: string): Promise<void> {
  const job = await db.query.jobs.findFirst({ where: eq(jobs.id, jobId) });
  if (job?.state === 'cancelled') await purgeJobOutputs(env.MEDIA, job);
}

/**
 * After a success, the outputs of the video's other finished jobs, except those the video shows.
 * Jobs are listed before the video is read: a job that completes in between was still running when
 * listed, so what the video shows is never among the doomed.
 */
async function purgeSupersededOutputs(env: Env, db: Db, jobId: string): Promise<void> {
  const job = await db.query.jobs.findFirst({ where: eq(jobs.id, jobId) });
  if (!job) return;
  const finished = await db
    .select({ id: jobs.id, videoId: jobs.videoId })
    .from(jobs)
    .where(
      and(
        eq(jobs.videoId, job.videoId),
        ne(jobs.id, job.id),
        inArray(jobs.state, ['completed', 'failed', 'cancelled']),
      ),
    );
  const video = await db.query.videos.findFirst({ where: eq(videos.id, job.videoId) });
  for (const other of finished) {
    if (outputPrefix(other) !== video?.outputPrefix) await purgeJobOutputs(env.MEDIA, other);
  }
}

/**
 * Ends the running claims of the jobs `which` selects. It must come before the statement that moves
 * those jobs in the same batch: afterwards `which` no longer selects them.
 */
function endRunningClaims(db: Db, which: SQL | undefined, outcome: ClaimOutcome, reason: string, now: Date) {
  return db
    .update(jobClaims)
    .set({ outcome, endedAt: now, reason })
    .where(
      and(
        eq(jobClaims.outcome, 'running'),
        inArray(jobClaims.jobId, db.select({ id: jobs.id }).from(jobs).where(which)),
      ),
    );
}

/**
 * Cancels the video's pending and processing jobs (all of them, or those of other masters than
 * `keepMaster`): statements for the caller's batch, so the cancellation commits with the change
 * that causes it. A runner holding one of them gets 409 on its next call.
 */
export function cancelLiveJobs(
  db: Db,
  videoId: string,
  reason: string,
  now: Date,
  keepMaster?: string,
): [BatchItem<'sqlite'>, BatchItem<'sqlite'>] {
  const live = and(
    eq(jobs.videoId, videoId),
    inArray(jobs.state, ['pending', 'processing']),
    keepMaster === undefined ? undefined : ne(jobs.masterVersion, keepMaster),
  );
  return [
    endRunningClaims(db, live, 'cancelled', reason, now),
    db
      .update(jobs)
      .set({
        state: 'cancelled',
        version: sql`${jobs.version} + 1`,
        leaseTokenHash: null,
        leaseExpiresAt: null,
        lastError: reason,
        updatedAt: now,
        finishedAt: now,
      })
      .where(live),
  ];
}

/**
 * A revoked runner's jobs go back to pending at once without spending an attempt: the job is not to
 * blame. Statements for the revocation's batch; the runner's next call fails its token check.
 */
export function reclaimRunnerJobs(
  db: Db,
  runnerId: string,
  reason: string,
  now: Date,
): [BatchItem<'sqlite'>, BatchItem<'sqlite'>] {
  const held = and(eq(jobs.runnerId, runnerId), eq(jobs.state, 'processing'));
  return [
    endRunningClaims(db, held, 'revoked', reason, now),
    db
      .update(jobs)
      .set({ ...handedBack(now), version: sql`${jobs.version} + 1` })
      .where(held),
  ];
}
