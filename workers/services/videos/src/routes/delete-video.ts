import { and, eq } from 'drizzle-orm';
import { implement, noContent } from '../../../../lib/api.ts';
import { errorFields, log } from '../../../../lib/log.ts';
import { actorOf, auditEntry } from '../audit.ts';
import type { Env } from '../config.ts';
import { deleteVideo } from '../contract/videos.ts';
import { database } from '../db/client.ts';
import { uploads, videos } from '../db/schema.ts';
import { cancelLiveJobs } from '../jobs.ts';
import { deliverLater, stageEvent } from '../outbox.ts';
import { masterStorage } from '../uploads/index.ts';
import { auditSnapshot, requireVideo } from '../videos.ts';

/**
 * Deletes the record at once; VideoDeleted (consumed by this service too) purges the objects in R2
 * with the queue's retries, and tells catalog, profiles and recommendations to forget the video.
 */
export const deleteVideoHandler = implement(deleteVideo, async (input, caller, env: Env, ctx) => {
  const db = database(env.DB);
  const now = new Date();
  const before = await requireVideo(db, input.params.id);
  const openMultipart = await db
    .select()
    .from(uploads)
    .where(and(eq(uploads.videoId, before.id), eq(uploads.state, 'issued'), eq(uploads.kind, 'multipart')));
  const deleted = stageEvent(db, 'VideoDeleted', before.id, { videoId: before.id }, caller.traceparent);
  await db.batch([
    ...cancelLiveJobs(db, before.id, 'the video was deleted', now),
    db
      .update(uploads)
      .set({ state: 'aborted' })
      .where(and(eq(uploads.videoId, before.id), eq(uploads.state, 'issued'))),
    db.delete(videos).where(eq(videos.id, before.id)),
    deleted.insert,
    auditEntry(db, {
      action: 'video.delete',
      actor: actorOf(caller),
      videoId: before.id,
      before: auditSnapshot(before),
      caller,
      at: now,
    }),
  ]);
  deliverLater(ctx, env, db, [deleted.event]);
  if (openMultipart.length) {
    const storage = masterStorage(env, caller.origin);
    for (const u of openMultipart) {
      ctx.waitUntil(
        storage
          .abortMultipart(u.key, u.multipartId!)
          .catch((err) =>
            log('warn', 'could not abort a multipart upload', { uploadId: u.id, ...errorFields(err) }),
          ),
      );
    }
  }
  return noContent;
});
