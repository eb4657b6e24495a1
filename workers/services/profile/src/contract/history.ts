import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import { ownerPolicy, ownListPolicy, tags } from './profiles.ts';
import {
  body,
  ContinueWatchingEntry,
  HistoryEntry,
  HistoryWrite,
  IdempotencyHeaders,
  json,
  Paging,
  problems,
  UserIdParam,
} from './schemas.ts';

export const listHistory = defineRoute({
  id: 'profile.history.list',
  service: 'profile',
  policy: ownListPolicy,
  route: createRoute({
    method: 'get',
    path: '/profiles/{userId}/history',
    tags,
    summary: 'Viewing history: one resume point per video, newest first (paged).',
    request: { params: UserIdParam, query: Paging },
    responses: { 200: json(z.array(HistoryEntry), 'A page of the history.'), ...problems },
  }),
});

export const recordHistory = defineRoute({
  id: 'profile.history.record',
  service: 'profile',
  policy: ownerPolicy,
  route: createRoute({
    method: 'post',
    path: '/profiles/{userId}/history',
    tags,
    summary: "Move the video's resume point (own only).",
    description:
      'Sets the one resume point of this video to `progress` seconds (not past its duration) and ' +
      '`watchedAt` to now. Reaching 95 % of the duration from below counts as finished (VideoWatched). ' +
      'A repeat with the same `Idempotency-Key` answers the first answer and changes nothing; the same ' +
      'key with another body is 422. An unknown video is 404.',
    request: { params: UserIdParam, headers: IdempotencyHeaders, ...body(HistoryWrite) },
    responses: {
      201: json(HistoryEntry, 'The resume point as recorded.'),
      422: { description: 'The Idempotency-Key was used for a different request.' },
      ...problems,
    },
  }),
});

export const continueWatching = defineRoute({
  id: 'profile.continueWatching',
  service: 'profile',
  policy: ownListPolicy,
  route: createRoute({
    method: 'get',
    path: '/profiles/{userId}/continue-watching',
    tags,
    summary: 'Videos started and not finished (5–95 % watched), newest first, with resume points (paged).',
    request: { params: UserIdParam, query: Paging },
    responses: { 200: json(z.array(ContinueWatchingEntry), 'A page of unfinished videos.'), ...problems },
  }),
});

export const historyRoutes = [listHistory, recordHistory, continueWatching];
