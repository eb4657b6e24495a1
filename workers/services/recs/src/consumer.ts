/** The events the recs service consumes from its queue (recs-events); see queues/routing.ts. */
import type { EventHandlers } from '../../../../queues/consume.ts';
import { markReady, removeVideo, upsertVideo } from './catalog.ts';
import type { Env } from './config.ts';
import { forgetUser } from './forget.ts';
import { recordSignal } from './interactions.ts';

const at = (time: string) => Date.parse(time);

export const recsEvents: EventHandlers<Env> = {
  VideoWatched: (e, env) =>
    recordSignal(
      env.DB,
      e.id,
      e.data.userId,
      e.data.videoId,
      { kind: 'watched', progress: e.data.progress, completed: e.data.completed },
      at(e.time),
    ),
  HistoryUpdated: (e, env) =>
    recordSignal(
      env.DB,
      e.id,
      e.data.userId,
      e.data.videoId,
      // A resume point is a view in progress; completion comes with VideoWatched.
      { kind: 'watched', progress: e.data.progress, completed: false },
      at(e.data.watchedAt),
    ),
  VideoRated: (e, env) =>
    recordSignal(
      env.DB,
      e.id,
      e.data.userId,
      e.data.videoId,
      { kind: 'rated', rating: e.data.rating },
      at(e.time),
    ),
  WatchlistUpdated: (e, env) =>
    recordSignal(
      env.DB,
      e.id,
      e.data.userId,
      e.data.videoId,
      { kind: 'watchlist', added: e.data.action === 'added' },
      at(e.time),
    ),
  PlaybackStarted: (e, env) =>
    recordSignal(env.DB, e.id, e.data.userId, e.data.videoId, { kind: 'started' }, at(e.time)),
  VideoCreated: (e, env) => upsertVideo(env.DB, e.id, e.data, at(e.time)),
  VideoUpdated: (e, env) => upsertVideo(env.DB, e.id, e.data, at(e.time)),
  VideoTranscoded: (e, env) => markReady(env.DB, e.id, e.data.videoId, at(e.time)),
  VideoDeleted: (e, env) => removeVideo(env.DB, e.id, e.data.videoId, at(e.time)),
  UserDeleted: (e, env) => forgetUser(env.DB, e.id, e.data.userId),
};
