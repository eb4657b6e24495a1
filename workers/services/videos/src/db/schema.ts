/**
 * The videos database. migrations/videos/*.sql create exactly these tables; a test compares the
 * migrated database with this file column by column.
 */
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { CLAIM_OUTCOMES, JOB_STATES, UPLOAD_STATES, VIDEO_STATUSES } from '../states.ts';

export * from '../states.ts';

/** A rendition as GET /videos/{id} shows it; `playlist` is relative to the video's output prefix. */
export interface StoredRendition {
  name: string;
  width: number;
  height: number;
  bandwidth: number;
  averageBandwidth: number;
  codecs: string;
  frameRate: number;
  playlist: string;
  segments: number;
  bytes: number;
}

const ms = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const videos = sqliteTable(
  'videos',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull(),
    genres: text('genres', { mode: 'json' }).$type<string[]>().notNull(),
    releaseYear: integer('release_year'),
    durationSec: real('duration_sec'),
    maturityRating: text('maturity_rating'),
    /** Set by an admin; wins over the generated poster. */
    thumbnailUrl: text('thumbnail_url'),
    status: text('status', { enum: VIDEO_STATUSES }).notNull(),
    failureReason: text('failure_reason'),
    /** The upload whose master is current (`masters/<videoId>/<masterVersion>`). */
    masterVersion: text('master_version'),
    masterKey: text('master_key'),
    masterSize: integer('master_size'),
    masterContentType: text('master_content_type'),
    masterEtag: text('master_etag'),
    currentJobId: text('current_job_id'),
    /** Outputs of the job that made the video ready: `renditions/<videoId>/<jobId>/`. */
    outputPrefix: text('output_prefix'),
    masterPlaylist: text('master_playlist'),
    renditions: text('renditions', { mode: 'json' }).$type<StoredRendition[]>().notNull(),
    /** A public copy of the poster (`public/posters/<videoId>/<jobId>.jpg`). */
    posterKey: text('poster_key'),
    storyboard: text('storyboard', { mode: 'json' }).$type<{ sprite: string; vtt: string }>(),
    createdBy: text('created_by').notNull(),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [index('videos_status_created').on(t.status, t.createdAt), index('videos_created').on(t.createdAt)],
);

/** Every presigned upload; its id is the master version the upload would create. */
export const uploads = sqliteTable(
  'uploads',
  {
    id: text('id').primaryKey(),
    videoId: text('video_id').notNull(),
    key: text('key').notNull(),
    kind: text('kind', { enum: ['single', 'multipart'] }).notNull(),
    /** The storage's multipart upload id (R2 binding or S3 API). */
    multipartId: text('multipart_id'),
    expectedSize: integer('expected_size'),
    /** Multipart: every part but the last has exactly this size. */
    partSize: integer('part_size'),
    contentType: text('content_type'),
    state: text('state', { enum: UPLOAD_STATES }).notNull(),
    /** The VideoUploaded event this master produced, re-sent when storage reports it again. */
    eventId: text('event_id'),
    size: integer('size'),
    etag: text('etag'),
    createdBy: text('created_by').notNull(),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
    storedAt: ms('stored_at'),
    /** Single PUT: the gateway is writing the master until then (claimMasterUpload). */
    claimedUntil: ms('claimed_until'),
  },
  (t) => [index('uploads_video').on(t.videoId, t.createdAt)],
);

export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    videoId: text('video_id').notNull(),
    masterVersion: text('master_version').notNull(),
    masterKey: text('master_key').notNull(),
    masterSize: integer('master_size').notNull(),
    masterContentType: text('master_content_type'),
    state: text('state', { enum: JOB_STATES }).notNull(),
    /** Bumped by every state transition; a transition applies only to the version it read. */
    version: integer('version').notNull(),
    /** Claims that ended in an error or an expired lease; aborts do not count. */
    failures: integer('failures').notNull(),
    maxAttempts: integer('max_attempts').notNull(),
    notBefore: ms('not_before').notNull(),
    runnerId: text('runner_id'),
    /** SHA-256 of the current lease token; the token itself is only ever given to the runner. */
    leaseTokenHash: text('lease_token_hash'),
    leaseExpiresAt: ms('lease_expires_at'),
    claimId: text('claim_id'),
    progress: real('progress').notNull(),
    stage: text('stage'),
    speed: real('speed'),
    lastError: text('last_error'),
    result: text('result', { mode: 'json' }).$type<unknown>(),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    finishedAt: ms('finished_at'),
  },
  (t) => [
    uniqueIndex('jobs_video_master').on(t.videoId, t.masterVersion),
    uniqueIndex('jobs_claim').on(t.claimId),
    index('jobs_claimable').on(t.state, t.notBefore),
    index('jobs_lease').on(t.state, t.leaseExpiresAt),
  ],
);

/** One row per claim of a job: who ran it, and how that attempt ended. */
export const jobClaims = sqliteTable(
  'job_claims',
  {
    id: text('id').primaryKey(),
    jobId: text('job_id').notNull(),
    runnerId: text('runner_id').notNull(),
    claimedAt: ms('claimed_at').notNull(),
    endedAt: ms('ended_at'),
    outcome: text('outcome', { enum: CLAIM_OUTCOMES }).notNull(),
    reason: text('reason'),
  },
  (t) => [index('job_claims_job').on(t.jobId, t.claimedAt)],
);

/**
 * Registered runners. A runner is known by the SHA-256 of its runner token; an admin may drain one
 * (it claims nothing new) or revoke it (its token stops working and its jobs are reclaimed).
 */
export const runners = sqliteTable(
  'runners',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    registrationTokenId: text('registration_token_id').notNull(),
    registeredAt: ms('registered_at').notNull(),
    /** Updated by every runner call. */
    lastSeenAt: ms('last_seen_at').notNull(),
    drainedAt: ms('drained_at'),
    drainedBy: text('drained_by'),
    revokedAt: ms('revoked_at'),
    revokedBy: text('revoked_by'),
  },
  (t) => [uniqueIndex('runners_token').on(t.tokenHash)],
);

/** What an admin hands out to let runners register: shown once, kept as a SHA-256. */
export const runnerRegistrationTokens = sqliteTable(
  'runner_registration_tokens',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull(),
    description: text('description'),
    /** How many runners may register with it. */
    maxUses: integer('max_uses').notNull(),
    uses: integer('uses').notNull(),
    expiresAt: ms('expires_at').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: ms('created_at').notNull(),
    revokedAt: ms('revoked_at'),
    revokedBy: text('revoked_by'),
  },
  (t) => [uniqueIndex('runner_registration_tokens_token').on(t.tokenHash)],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    at: ms('at').notNull(),
    actorId: text('actor_id').notNull(),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'runner', 'system'] }).notNull(),
    action: text('action').notNull(),
    videoId: text('video_id'),
    before: text('before', { mode: 'json' }).$type<unknown>(),
    after: text('after', { mode: 'json' }).$type<unknown>(),
    requestId: text('request_id'),
    ip: text('ip'),
  },
  (t) => [index('audit_video').on(t.videoId, t.at), index('audit_at').on(t.at)],
);

/** Events written in the same transaction as the change they describe, then sent to the queues. */
/** The transactional outbox, shared by every publishing service. */
export { outbox } from '../../../../../queues/outbox.ts';
