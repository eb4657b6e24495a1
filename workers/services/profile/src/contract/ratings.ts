import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import { ownerPolicy, tags } from './profiles.ts';
import {
  body,
  IdempotencyHeaders,
  json,
  Paging,
  problems,
  RatingEntry,
  RatingWrite,
  ReviewsQuery,
  UserIdParam,
  VideoIdParam,
  VideoRatings,
} from './schemas.ts';

export const listRatings = defineRoute({
  id: 'profile.ratings.list',
  service: 'profile',
  policy: ownerPolicy,
  route: createRoute({
    method: 'get',
    path: '/profiles/{userId}/ratings',
    tags,
    summary: "The user's ratings and reviews, newest first (paged).",
    request: { params: UserIdParam, query: Paging },
    responses: { 200: json(z.array(RatingEntry), 'A page of ratings.'), ...problems },
  }),
});

export const rateVideo = defineRoute({
  id: 'profile.ratings.rate',
  service: 'profile',
  policy: ownerPolicy,
  route: createRoute({
    method: 'post',
    path: '/profiles/{userId}/ratings',
    tags,
    summary: 'Rate a video 1–5, with an optional review (own only); a second rating replaces the first.',
    request: { params: UserIdParam, headers: IdempotencyHeaders, ...body(RatingWrite) },
    responses: {
      201: json(RatingEntry, 'The rating as recorded.'),
      422: { description: 'The Idempotency-Key was used for a different request.' },
      ...problems,
    },
  }),
});

export const videoRatings = defineRoute({
  id: 'profile.videoRatings',
  service: 'profile',
  policy: { access: 'public', rateLimit: 'profile', cache: { maxAge: 10, scope: 'public' } },
  route: createRoute({
    method: 'get',
    path: '/videos/{id}/ratings',
    tags: ['Videos'],
    summary: "A video's average rating, number of ratings and newest reviews.",
    request: { params: VideoIdParam, query: ReviewsQuery },
    responses: { 200: json(VideoRatings, 'The ratings.'), ...problems },
  }),
});

export const ratingRoutes = [listRatings, rateVideo, videoRatings];
