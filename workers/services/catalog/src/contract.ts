/**
 * The public routes of the catalog service; the gateway serves, validates and documents them. Only
 * schemas live here (the gateway bundles this file); the handlers are in src/routes/.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { defineContract, defineRoute } from '../../../lib/api.ts';
import {
  json,
  problems,
  RebuildStatus,
  RelatedQuery,
  RelatedVideo,
  SearchHit,
  SearchQuery,
  VideoIdParam,
} from './contract/schemas.ts';

const tags = ['Catalog'];

export const searchVideos = defineRoute({
  id: 'catalog.search',
  service: 'catalog',
  policy: { access: 'public', cache: { maxAge: 10, scope: 'public', staleWhileRevalidate: 20 } },
  route: createRoute({
    method: 'get',
    path: '/search',
    tags,
    summary: 'Full-text search over ready videos (paged: X-Total-Count and Link headers).',
    description:
      'BM25 over title, tags and description (in that order of weight), typo tolerant, the last word ' +
      'matched as a prefix. An empty `q` lists by popularity. `facets=genre,decade` adds an `X-Facets` ' +
      'header: `{"genre":[{"value","count"}],"decade":[{"value","count"}]}`.',
    request: { query: SearchQuery },
    responses: { 200: json(z.array(SearchHit), 'A page of hits, best first.'), ...problems },
  }),
});

export const relatedVideos = defineRoute({
  id: 'catalog.related',
  service: 'catalog',
  policy: { access: 'public', cache: { maxAge: 30, scope: 'public', staleWhileRevalidate: 60 } },
  route: createRoute({
    method: 'get',
    path: '/videos/{id}/related',
    tags,
    summary: 'Videos related to this one: co-watched, then sharing tags and genres, each with its reason.',
    request: { params: VideoIdParam, query: RelatedQuery },
    responses: { 200: json(z.array(RelatedVideo), 'Related videos, closest first.'), ...problems },
  }),
});

export const startRebuild = defineRoute({
  id: 'catalog.rebuild',
  service: 'catalog',
  policy: { access: 'admin', scopes: ['videos:admin'], rateLimit: 'strict' },
  route: createRoute({
    method: 'post',
    path: '/catalog/rebuild',
    tags,
    summary: 'Rebuild the index from the videos service (admin), for recovery.',
    description:
      'Reads every video page by page over RPC and indexes it; videos the index holds but the videos ' +
      'service no longer has are removed at the end. Runs in the background (and continues on the ' +
      'minute cron); asked again while one runs, it works on that one and answers its status.',
    responses: { 202: json(RebuildStatus, 'Started (or already running).'), ...problems },
  }),
});

export const rebuildStatus = defineRoute({
  id: 'catalog.rebuildStatus',
  service: 'catalog',
  policy: { access: 'admin', scopes: ['videos:admin'] },
  route: createRoute({
    method: 'get',
    path: '/catalog/rebuild',
    tags,
    summary: 'The state of the last index rebuild (admin).',
    responses: { 200: json(RebuildStatus, 'The last rebuild.'), ...problems },
  }),
});

export const contract = defineContract('catalog', [searchVideos, relatedVideos, startRebuild, rebuildStatus]);
