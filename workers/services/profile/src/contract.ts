/**
 * The public routes of the profile service; the gateway serves, validates and documents them. Only
 * schemas live here (the gateway bundles this file); the handlers are in src/routes/.
 */
import { defineContract } from '../../../lib/api.ts';
import { historyRoutes } from './contract/history.ts';
import { profileRoutes } from './contract/profiles.ts';
import { ratingRoutes } from './contract/ratings.ts';
import { watchlistRoutes } from './contract/watchlist.ts';

export const contract = defineContract('profile', [
  ...profileRoutes,
  ...watchlistRoutes,
  ...historyRoutes,
  ...ratingRoutes,
]);
