import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import {
  body,
  json,
  Paging,
  problems,
  SignedRenditions,
  TranscodeJob,
  TranscodeJobHistory,
  Video,
  VideoCreate,
  VideoIdParam,
  VideoUpdate,
} from './schemas.ts';

const tags = ['Videos'];

export const createVideo = defineRoute({
  id: 'videos.create',
  service: 'videos',
  policy: { access: 'admin', scopes: ['videos:write'] },
  route: createRoute({
    method: 'post',
    path: '/videos',
    tags,
    summary: 'Create a video entry (admin). It starts `pending` until a master is uploaded.',
    request: body(VideoCreate),
    responses: { 201: json(Video, 'Created.'), ...problems },
  }),
});

export const getVideo = defineRoute({
  id: 'videos.get',
  service: 'videos',
  policy: { access: 'public', cache: { maxAge: 15, scope: 'public', staleWhileRevalidate: 30 } },
  route: createRoute({
    method: 'get',
    path: '/videos/{id}',
    tags,
    summary: 'A video with its renditions and thumbnail.',
    description:
      'Anyone may read a `ready` video; other states are visible to admins only (404 otherwise). ' +
      'Admins also see the master, the failure reason and the current transcode job with its progress.',
    request: { params: VideoIdParam },
    responses: { 200: json(Video, 'The video.'), ...problems },
  }),
});

export const listVideos = defineRoute({
  id: 'videos.list',
  service: 'videos',
  policy: { access: 'public', cache: { maxAge: 15, scope: 'public', staleWhileRevalidate: 30 } },
  route: createRoute({
    method: 'get',
    path: '/videos',
    tags,
    summary: 'List videos, newest first (paged: X-Total-Count and Link headers).',
    description:
      '`filter` joins `status:<s>`, `genre:<g>` and `tag:<t>` terms with commas. Different keys must all ' +
      'match; a repeated key matches any of its values. Non-admins only ever see `ready` videos.',
    request: {
      query: Paging.extend({
        filter: z.string().max(500).optional().openapi({ example: 'status:ready,genre:drama' }),
      }),
    },
    responses: { 200: json(z.array(Video), 'A page of videos.'), ...problems },
  }),
});

export const updateVideo = defineRoute({
  id: 'videos.update',
  service: 'videos',
  policy: { access: 'admin', scopes: ['videos:write'] },
  route: createRoute({
    method: 'put',
    path: '/videos/{id}',
    tags,
    summary: 'Update metadata (admin); omitted fields stay, `null` clears an optional one.',
    request: { params: VideoIdParam, ...body(VideoUpdate) },
    responses: { 200: json(Video, 'The updated video.'), ...problems },
  }),
});

export const deleteVideo = defineRoute({
  id: 'videos.delete',
  service: 'videos',
  policy: { access: 'admin', scopes: ['videos:write'] },
  route: createRoute({
    method: 'delete',
    path: '/videos/{id}',
    tags,
    summary: 'Delete a video (admin); its master and renditions are removed from storage in the background.',
    request: { params: VideoIdParam },
    responses: { 204: { description: 'Deleted.' }, ...problems },
  }),
});

export const retryTranscode = defineRoute({
  id: 'videos.transcode',
  service: 'videos',
  policy: { access: 'admin', scopes: ['videos:write'] },
  route: createRoute({
    method: 'post',
    path: '/videos/{id}/transcode',
    tags,
    summary: 'Queue the transcode of the current master again (admin), e.g. after it failed.',
    request: { params: VideoIdParam },
    responses: { 202: json(TranscodeJob, 'Queued.'), ...problems },
  }),
});

export const videoJobs = defineRoute({
  id: 'videos.jobs',
  service: 'videos',
  policy: { access: 'admin', scopes: ['videos:admin'] },
  route: createRoute({
    method: 'get',
    path: '/videos/{id}/jobs',
    tags,
    summary: 'Every transcode job of a video with each claim by a runner and its outcome (admin).',
    request: { params: VideoIdParam },
    responses: { 200: json(z.array(TranscodeJobHistory), 'Jobs, newest first.'), ...problems },
  }),
});

export const videoRenditions = defineRoute({
  id: 'videos.renditions',
  service: 'videos',
  policy: { access: 'admin', scopes: ['videos:admin'] },
  route: createRoute({
    method: 'get',
    path: '/videos/{id}/renditions',
    tags,
    summary: 'Signed, time-limited GET URLs of the stored HLS outputs (admin).',
    description:
      'The URLs share one token that covers the whole output folder, so the relative URIs inside the ' +
      'playlists resolve to signed URLs as well. Viewer playback uses the playback service instead.',
    request: { params: VideoIdParam },
    responses: {
      200: json(SignedRenditions, 'The master playlist, each rendition and the thumbnails.'),
      ...problems,
    },
  }),
});

export const videoRoutes = [
  createVideo,
  listVideos,
  getVideo,
  updateVideo,
  deleteVideo,
  retryTranscode,
  videoJobs,
  videoRenditions,
] as const;
