import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import { ownerPolicy, ownListPolicy, tags } from './profiles.ts';
import {
  body,
  json,
  Paging,
  problems,
  UserIdParam,
  WatchlistAdd,
  WatchlistEntry,
  WatchlistItemParams,
} from './schemas.ts';

export const listWatchlist = defineRoute({
  id: 'profile.watchlist.list',
  service: 'profile',
  policy: ownListPolicy,
  route: createRoute({
    method: 'get',
    path: '/profiles/{userId}/watchlist',
    tags,
    summary: 'The watchlist, newest first (paged: X-Total-Count and Link headers).',
    request: { params: UserIdParam, query: Paging },
    responses: { 200: json(z.array(WatchlistEntry), 'A page of the watchlist.'), ...problems },
  }),
});

export const addToWatchlist = defineRoute({
  id: 'profile.watchlist.add',
  service: 'profile',
  policy: ownerPolicy,
  route: createRoute({
    method: 'post',
    path: '/profiles/{userId}/watchlist',
    tags,
    summary: 'Add a video to the watchlist (own only).',
    description: 'A video already on the list answers 200 and stays there once. An unknown video is 404.',
    request: { params: UserIdParam, ...body(WatchlistAdd) },
    responses: {
      201: json(WatchlistEntry, 'Added.'),
      200: json(WatchlistEntry, 'Already on the watchlist; nothing changed.'),
      ...problems,
    },
  }),
});

export const removeFromWatchlist = defineRoute({
  id: 'profile.watchlist.remove',
  service: 'profile',
  policy: ownerPolicy,
  route: createRoute({
    method: 'delete',
    path: '/profiles/{userId}/watchlist/{videoId}',
    tags,
    summary: 'Remove a video from the watchlist (own only); 204 also when it was not there.',
    request: { params: WatchlistItemParams },
    responses: { 204: { description: 'Not on the watchlist (any more).' }, ...problems },
  }),
});

export const watchlistRoutes = [listWatchlist, addToWatchlist, removeFromWatchlist];
