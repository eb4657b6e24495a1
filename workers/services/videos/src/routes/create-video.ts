import { implement, json } from '../../../../lib/api.ts';
import { newId } from '../../../../lib/ids.ts';
import { actorOf, auditEntry } from '../audit.ts';
import type { Env } from '../config.ts';
import { createVideo } from '../contract/videos.ts';
import { database } from '../db/client.ts';
import { videos } from '../db/schema.ts';
import { deliverLater, stageEvent } from '../outbox.ts';
import { auditSnapshot, metadataEvent, type VideoRow, videoView } from '../videos.ts';

export const createVideoHandler = implement(createVideo, async (input, caller, env: Env, ctx) => {
  const db = database(env.DB);
  const now = new Date();
  const b = input.body;
  const row: VideoRow = {
    id: newId('vid'),
    title: b.title,
    description: b.description,
    tags: b.tags,
    genres: b.genres,
    releaseYear: b.releaseYear ?? null,
    durationSec: b.durationSec ?? null,
    maturityRating: b.maturityRating ?? null,
    thumbnailUrl: b.thumbnailUrl ?? null,
    status: 'pending',
    failureReason: null,
    masterVersion: null,
    masterKey: null,
    masterSize: null,
    masterContentType: null,
    masterEtag: null,
    currentJobId: null,
    outputPrefix: null,
    masterPlaylist: null,
    renditions: [],
    posterKey: null,
    storyboard: null,
    createdBy: actorOf(caller).id,
    createdAt: now,
    updatedAt: now,
  };
  const created = stageEvent(db, 'VideoCreated', row.id, metadataEvent(row), caller.traceparent);
  await db.batch([
    db.insert(videos).values(row),
    created.insert,
    auditEntry(db, {
      action: 'video.create',
      actor: actorOf(caller),
      videoId: row.id,
      after: auditSnapshot(row),
      caller,
      at: now,
    }),
  ]);
  deliverLater(ctx, env, db, [created.event]);
  return json(201, videoView(row, { admin: true, origin: caller.origin }), { Location: `/videos/${row.id}` });
});
