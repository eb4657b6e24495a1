/**
 * The events the catalog service consumes from its queue (catalog-events; see queues/routing.ts).
 * Each handler is safe to run twice and in any order per video: the indexer applies a change only
 * over an older version of the same video (see search/indexer.ts).
 */
import type { EventHandlers } from '../../../../queues/consume.ts';
import type { Env } from './config.ts';
import {
  applyDelete,
  applyMetadata,
  applyStatus,
  RANK,
  recordRating,
  recordWatch,
  versionOf,
} from './search/indexer.ts';

export const catalogEvents: EventHandlers<Env> = {
  async VideoCreated(event, env) {
    await applyMetadata(env.DB, [{ doc: event.data, version: versionOf(event.time, RANK.created) }]);
  },
  async VideoUpdated(event, env) {
    await applyMetadata(env.DB, [{ doc: event.data, version: versionOf(event.time, RANK.updated) }]);
  },
  async VideoTranscoded(event, env) {
    await applyStatus(env.DB, event.data.videoId, 'ready', versionOf(event.time, RANK.transcoded));
  },
  async VideoDeleted(event, env) {
    await applyDelete(env.DB, event.data.videoId, versionOf(event.time, RANK.deleted));
  },
  async VideoWatched(event, env) {
    await recordWatch(env.DB, {
      videoId: event.data.videoId,
      userId: event.data.userId,
      completed: event.data.completed,
      at: new Date(event.time).toISOString(),
    });
  },
  async VideoRated(event, env) {
    await recordRating(env.DB, {
      videoId: event.data.videoId,
      userId: event.data.userId,
      rating: event.data.rating,
      at: new Date(event.time).toISOString(),
    });
  },
};
