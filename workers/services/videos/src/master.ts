/**
 * A master has landed in storage. Locally the gateway's storage endpoint reports it (RPC
 * `masterStored`); in production an R2 event notification does (r2-notifications.ts). Either way
 * the video moves to `uploaded` and VideoUploaded is emitted, with no further call by the client.
 * Storage may report the same object more than once: the repeat re-sends the same event (same id),
 * which consumers skip.
 */
import { and, eq, isNull, lte, or } from 'drizzle-orm';
import { errorFields, log } from '../../../lib/log.ts';
import { auditEntry } from './audit.ts';
import { type Env, settings } from './config.ts';
import { database } from './db/client.ts';
import { uploads, videos } from './db/schema.ts';
import { cancelLiveJobs } from './jobs.ts';
import { deliver, redeliver, stageEvent } from './outbox.ts';
import type {
  MasterClaimInput,
  MasterClaimResult,
  MasterStoredInput,
  MasterStoredResult,
} from './storage-rpc.ts';

export type {
  MasterClaimInput,
  MasterClaimResult,
  MasterStoredInput,
  MasterStoredResult,
} from './storage-rpc.ts';

export function masterKey(videoId: string, version: string): string {
  return `masters/${videoId}/${version}`;
}

export function parseMasterKey(key: string): { videoId: string; version: string } | undefined {
  const m = /^masters\/([^/]+)\/([^/]+)$/.exec(key);
  return m ? { videoId: m[1]!, version: m[2]! } : undefined;
}

/** Work that may finish after the answer (deleting replaced objects). */
export type Defer = (work: Promise<unknown>) => void;

function deleteLater(env: Env, defer: Defer, key: string, why: string) {
  defer(
    env.MEDIA.delete(key).catch((err) =>
      log('warn', 'could not delete a master', { key, why, ...errorFields(err) }),
    ),
  );
}

const SPENT = 'This upload URL has already stored its master; request a new one to replace it.';

/**
 * How long a claim holds: long enough to write `bytes` at 1 MiB/s, plus 5 minutes. A claim left by
 * a crashed write blocks retries of that URL until then; a new upload URL is never blocked.
 */
export function claimSeconds(bytes: number): number {
  return 300 + Math.ceil(bytes / 1024 ** 2);
}

/**
 * Before the gateway writes a single-PUT master: claims its upload so that no other PUT to the same
 * URL writes concurrently, and refuses a URL whose master is already stored (upload URLs are single
 * use: the bytes in R2 must stay those whose etag was registered).
 */
export async function claimMasterUpload(
  env: Env,
  input: MasterClaimInput & { bytes: number },
  nowMs = Date.now(),
): Promise<MasterClaimResult> {
  const db = database(env.DB);
  const parsed = parseMasterKey(input.key);
  if (!parsed || parsed.videoId !== input.videoId) return { outcome: 'unknown', detail: 'not a master key' };
  const now = new Date(nowMs);
  const claimed = await db
    .update(uploads)
    .set({ claimedUntil: new Date(nowMs + claimSeconds(input.bytes) * 1000) })
    .where(
      and(
        eq(uploads.id, parsed.version),
        eq(uploads.videoId, parsed.videoId),
        eq(uploads.key, input.key),
        eq(uploads.kind, 'single'),
        eq(uploads.state, 'issued'),
        or(isNull(uploads.claimedUntil), lte(uploads.claimedUntil, now)),
      ),
    )
    .returning({ id: uploads.id });
  if (claimed.length) return { outcome: 'claimed' };
  const upload = await db.query.uploads.findFirst({ where: eq(uploads.id, parsed.version) });
  if (!upload || upload.videoId !== parsed.videoId || upload.key !== input.key || upload.kind !== 'single')
    return { outcome: 'unknown', detail: 'No such upload.' };
  switch (upload.state) {
    case 'issued':
      return { outcome: 'busy', detail: 'Another PUT to this upload URL is in progress.' };
    case 'stored':
      return { outcome: 'spent', detail: SPENT };
    case 'superseded':
      return { outcome: 'superseded', detail: 'A newer master of this video exists.' };
    case 'rejected':
      return { outcome: 'rejected', detail: 'This upload was rejected; request a new upload URL.' };
    case 'aborted':
      return { outcome: 'unknown', detail: 'This upload was aborted.' };
  }
}

/** The gateway's write failed: a retry of the same URL may claim it again at once. */
export async function releaseMasterUpload(env: Env, input: MasterClaimInput): Promise<void> {
  const parsed = parseMasterKey(input.key);
  if (!parsed || parsed.videoId !== input.videoId) return;
  await database(env.DB)
    .update(uploads)
    .set({ claimedUntil: null })
    .where(and(eq(uploads.id, parsed.version), eq(uploads.key, input.key), eq(uploads.state, 'issued')));
}

export async function masterStored(
  env: Env,
  input: MasterStoredInput,
  defer: Defer,
  traceparent?: string,
): Promise<MasterStoredResult> {
  const db = database(env.DB);
  const parsed = parseMasterKey(input.key);
  if (!parsed || parsed.videoId !== input.videoId) return { outcome: 'unknown', detail: 'not a master key' };
  const [upload, video] = await Promise.all([
    db.query.uploads.findFirst({ where: eq(uploads.id, parsed.version) }),
    db.query.videos.findFirst({ where: eq(videos.id, parsed.videoId) }),
  ]);
  if (!upload || upload.videoId !== parsed.videoId || upload.key !== input.key || !video) {
    deleteLater(env, defer, input.key, 'no such upload or video');
    return { outcome: 'unknown', detail: 'no such upload or video' };
  }
  if (upload.state === 'stored' && upload.eventId) {
    if (upload.etag !== input.etag) {
      // Only a replayed presigned S3 URL gets here: the gateway refuses a second PUT before writing.
      log('error', 'a stored master was overwritten', { key: input.key, etag: input.etag });
      return { outcome: 'spent', detail: SPENT };
    }
    await redeliver(env, db, upload.eventId);
    return { outcome: 'duplicate' };
  }
  if (upload.state !== 'issued')
    return { outcome: upload.state === 'superseded' ? 'superseded' : 'rejected' };

  const now = new Date();
  if (video.masterVersion && video.masterVersion > upload.id) {
    await db.update(uploads).set({ state: 'superseded' }).where(eq(uploads.id, upload.id));
    deleteLater(env, defer, input.key, 'a newer master is current');
    return { outcome: 'superseded', detail: `master ${video.masterVersion} is newer` };
  }

  const limit = settings(env).MAX_MASTER_BYTES;
  const reason =
    input.size > limit
      ? `The master is ${input.size} bytes, over the ${limit}-byte limit.`
      : upload.expectedSize !== null && input.size !== upload.expectedSize
        ? `The master is ${input.size} bytes, not the ${upload.expectedSize} announced.`
        : undefined;
  if (reason) {
    await db.batch([
      db.update(uploads).set({ state: 'rejected', size: input.size }).where(eq(uploads.id, upload.id)),
      db
        .update(videos)
        .set({
          failureReason: reason,
          updatedAt: now,
          ...(video.status === 'pending' ? { status: 'failed' as const } : {}),
        })
        .where(eq(videos.id, video.id)),
      auditEntry(db, {
        action: 'video.master_stored',
        actor: { id: 'storage', type: 'system' },
        videoId: video.id,
        after: { masterVersion: upload.id, size: input.size, rejected: reason },
        at: now,
      }),
    ]);
    deleteLater(env, defer, input.key, 'rejected');
    return { outcome: 'rejected', detail: reason };
  }

  const contentType = input.contentType || upload.contentType || undefined;
  const staged = stageEvent(
    db,
    'VideoUploaded',
    video.id,
    {
      videoId: video.id,
      masterKey: input.key,
      masterVersion: upload.id,
      size: input.size,
      ...(contentType ? { contentType } : {}),
    },
    traceparent,
  );
  await db.batch([
    db
      .update(uploads)
      .set({
        state: 'stored',
        size: input.size,
        etag: input.etag,
        storedAt: now,
        eventId: staged.event.id,
        claimedUntil: null,
      })
      .where(eq(uploads.id, upload.id)),
    // Runners still on an older master lose their lease: their next call gets 409.
    ...cancelLiveJobs(db, video.id, 'a new master replaced this one', now, upload.id),
    db
      .update(videos)
      .set({
        status: 'uploaded',
        failureReason: null,
        masterVersion: upload.id,
        masterKey: input.key,
        masterSize: input.size,
        masterContentType: contentType ?? null,
        masterEtag: input.etag,
        currentJobId: null,
        updatedAt: now,
      })
      .where(eq(videos.id, video.id)),
    staged.insert,
    auditEntry(db, {
      action: 'video.master_stored',
      actor: { id: 'storage', type: 'system' },
      videoId: video.id,
      before: { masterVersion: video.masterVersion, status: video.status },
      after: { masterVersion: upload.id, size: input.size, contentType, uploadedBy: upload.createdBy },
      at: now,
    }),
  ]);
  defer(deliver(env, db, [staged.event]));
  if (video.masterKey && video.masterKey !== input.key) deleteLater(env, defer, video.masterKey, 'replaced');
  return { outcome: 'accepted' };
}
