import { eq } from 'drizzle-orm';
import { implement, json } from '../../../../lib/api.ts';
import { actorOf, auditEntry } from '../audit.ts';
import type { Env } from '../config.ts';
import { updateVideo } from '../contract/videos.ts';
import { database } from '../db/client.ts';
import { videos } from '../db/schema.ts';
import { deliverLater, stageEvent } from '../outbox.ts';
import {
  auditSnapshot,
  currentJob,
  metadataEvent,
  requireVideo,
  type VideoRow,
  videoView,
} from '../videos.ts';

const EDITABLE = [
  'title',
  'description',
  'tags',
  'genres',
  'releaseYear',
  'durationSec',
  'maturityRating',
  'thumbnailUrl',
] as const;

export const updateVideoHandler = implement(updateVideo, async (input, caller, env: Env, ctx) => {
  const db = database(env.DB);
  const now = new Date();
  const before = await requireVideo(db, input.params.id);
  const patch: Partial<VideoRow> = {};
  for (const field of EDITABLE) {
    const value = input.body[field];
    if (value !== undefined) Object.assign(patch, { [field]: value });
  }
  const after: VideoRow = { ...before, ...patch, updatedAt: now };
  const changed = EDITABLE.some((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
  const updated = changed
    ? stageEvent(db, 'VideoUpdated', after.id, metadataEvent(after), caller.traceparent)
    : undefined;
  await db.batch([
    db
      .update(videos)
      .set({ ...patch, updatedAt: now })
      .where(eq(videos.id, before.id)),
    auditEntry(db, {
      action: 'video.update',
      actor: actorOf(caller),
      videoId: before.id,
      before: auditSnapshot(before),
      after: auditSnapshot(after),
      caller,
      at: now,
    }),
    ...(updated ? [updated.insert] : []),
  ]);
  if (updated) deliverLater(ctx, env, db, [updated.event]);
  const job = await currentJob(db, after);
  return json(200, videoView(after, { admin: true, origin: caller.origin, job }));
});
