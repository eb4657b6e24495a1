/**
 * The events the profile service consumes from its queue (profile-events; see queues/routing.ts):
 * accounts coming and going, and the video events its projection of videos is built from. The kit
 * skips event ids already processed; each handler is also safe to run twice, and to run out of
 * order with the others of the same video (src/videos.ts).
 */
import type { EventHandlers } from '../../../../queues/consume.ts';
import type { Env } from './config.ts';
import { database } from './db/client.ts';
import { createProfile, eraseUser } from './profiles.ts';
import { applyDeleted, applyMetadata, applyTranscoded } from './videos.ts';

export const profileEvents: EventHandlers<Env> = {
  UserRegistered: (event, env) => createProfile(database(env.DB), event),
  UserDeleted: (event, env) => eraseUser(database(env.DB), event.data.userId, true, new Date(event.time)),
  VideoCreated: (event, env) => applyMetadata(database(env.DB), event),
  VideoUpdated: (event, env) => applyMetadata(database(env.DB), event),
  VideoTranscoded: (event, env) => applyTranscoded(database(env.DB), event),
  VideoDeleted: (event, env) => applyDeleted(database(env.DB), event),
};
