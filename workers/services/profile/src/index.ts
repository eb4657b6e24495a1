/**
 * The profile service: profiles, watchlists, resume points (history, continue watching), ratings and
 * reviews. The gateway calls `handle(routeId, input, caller)` for its public routes; its queue brings
 * account and video events (src/consumer.ts); its lists are cached in KV (src/cache.ts).
 */
import { defineService, UPKEEP_CRON } from '../../../lib/service.ts';
import type { Env } from './config.ts';
import { profileEvents } from './consumer.ts';
import { contract } from './contract.ts';
import { database } from './db/client.ts';
import { pruneIdempotencyKeys } from './idempotency.ts';
import { continueWatchingHandler, listHistoryHandler, recordHistoryHandler } from './routes/history.ts';
import { deleteProfileHandler, getProfileHandler, updateProfileHandler } from './routes/profile.ts';
import { listRatingsHandler, rateVideoHandler, videoRatingsHandler } from './routes/ratings.ts';
import {
  addToWatchlistHandler,
  listWatchlistHandler,
  removeFromWatchlistHandler,
} from './routes/watchlist.ts';

export type { Env } from './config.ts';

export default class ProfileService extends defineService<Env>()({
  contract,
  handlers: {
    'profile.get': getProfileHandler,
    'profile.update': updateProfileHandler,
    'profile.delete': deleteProfileHandler,
    'profile.watchlist.list': listWatchlistHandler,
    'profile.watchlist.add': addToWatchlistHandler,
    'profile.watchlist.remove': removeFromWatchlistHandler,
    'profile.history.list': listHistoryHandler,
    'profile.history.record': recordHistoryHandler,
    'profile.continueWatching': continueWatchingHandler,
    'profile.ratings.list': listRatingsHandler,
    'profile.ratings.rate': rateVideoHandler,
    'profile.videoRatings': videoRatingsHandler,
  },
  db: (env) => env.DB,
  publishes: true,
  events: profileEvents,
  crons: {
    [UPKEEP_CRON]: (env) => pruneIdempotencyKeys(database(env.DB)),
  },
  ready: (env) => ({
    d1: () => env.DB.prepare('SELECT 1 FROM profiles LIMIT 1').first(),
    kv: () => env.CACHE.get('ready-check'),
  }),
}) {}
