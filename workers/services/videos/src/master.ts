/**
 * A master has landed in storage. Locally the gateway's storage endpoint reports it (RPC
 * `masterStored`); in production an R2 event notification does (r2-notifications.ts). Either way
 * the video moves to `uploaded` and VideoUploaded is emitted, with no further call by the client.
 * Storage may report the same object more than once: the repeat re-sends the same event (same id),
 * which consumers skip.
 */
import { eq } from 'drizzle-orm';
import { errorFields, log } from '../../../lib/log.ts';
import { auditEntry } from './audit.ts';
import { type Env, settings } from './config.ts';
import { database } from './db/client.ts';
import { uploads, videos } from './db/schema.ts';
import { cancelLiveJobs } from './jobs.ts';
import { deliver, redeliver, stageEvent } from './outbox.ts';
import type { MasterStoredInput, MasterStoredResult } from './storage-rpc.ts';

export type { MasterStoredInput, MasterStoredResult } from './storage-rpc.ts';

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
      .set({ state: 'stored', size: input.size, etag: input.etag, storedAt: now, eventId: staged.event.id })
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
