import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute, type RoutePolicy } from '../../../../lib/api.ts';
import { body, json, PresignedUpload, problems, Video, VideoIdParam } from './schemas.ts';

const tags = ['Uploads'];
const policy: RoutePolicy = { access: 'admin', scopes: ['videos:write'] };

const ContentType = z
  .string()
  .regex(/^[\w.+-]+\/[\w.+-]+$/, 'a MIME type such as video/mp4')
  .max(100)
  .openapi({ example: 'video/mp4' });

export const UploadRequest = z
  .object({
    contentType: ContentType.optional(),
    size: z.number().int().min(1).optional().openapi({
      description: 'The exact size in bytes; when given, storage accepts no other length.',
    }),
  })
  .openapi('UploadRequest');

export const requestUpload = defineRoute({
  id: 'videos.upload',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: '/videos/{id}/upload',
    tags,
    summary: 'A presigned URL to PUT the master to (admin).',
    description:
      'PUT the file to `uploadUrl` with `headers`. Once it is stored the video becomes `uploaded` and is ' +
      'transcoded; no further call is needed. A later upload replaces the master and transcodes again.',
    request: { params: VideoIdParam, ...body(UploadRequest, false) },
    responses: { 200: json(PresignedUpload, 'Where and how to PUT the master.'), ...problems },
  }),
});

const MIN_PART = 5 * 1024 * 1024;
const MAX_PART = 5 * 1024 * 1024 * 1024;

export const MultipartCreate = z
  .object({
    size: z.number().int().min(1).openapi({ description: 'The whole master, in bytes.' }),
    contentType: ContentType.optional(),
    partSize: z
      .number()
      .int()
      .min(MIN_PART)
      .max(MAX_PART)
      .optional()
      .openapi({ description: 'Every part but the last has exactly this size (default 64 MiB).' }),
  })
  .openapi('MultipartCreate');

export const MultipartUpload = z
  .object({
    uploadId: z.string(),
    partSize: z.number().int(),
    partCount: z.number().int(),
    expiresAt: z.string(),
  })
  .openapi('MultipartUpload');

const UploadParams = VideoIdParam.extend({
  uploadId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'uploadId', in: 'path' } }),
});

export const createMultipart = defineRoute({
  id: 'videos.multipartCreate',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: '/videos/{id}/upload/multipart',
    tags,
    summary: 'Start a multipart upload of a large master (admin).',
    request: { params: VideoIdParam, ...body(MultipartCreate) },
    responses: { 201: json(MultipartUpload, 'Started.'), ...problems },
  }),
});

export const PartsRequest = z.object({
  partNumbers: z.array(z.number().int().min(1).max(10000)).min(1).max(1000),
});

export const signParts = defineRoute({
  id: 'videos.multipartParts',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: '/videos/{id}/upload/multipart/{uploadId}/parts',
    tags,
    summary: 'Presigned PUT URLs for parts; each answers the part ETag in its ETag header.',
    request: { params: UploadParams, ...body(PartsRequest) },
    responses: {
      200: json(
        z.object({
          parts: z.array(
            z.object({
              partNumber: z.number().int(),
              uploadUrl: z.url(),
              method: z.literal('PUT'),
              headers: z.record(z.string(), z.string()),
              expiresAt: z.string(),
            }),
          ),
        }),
        'One URL per part.',
      ),
      ...problems,
    },
  }),
});

export const CompleteRequest = z.object({
  parts: z
    .array(z.object({ partNumber: z.number().int().min(1).max(10000), etag: z.string().min(1).max(200) }))
    .min(1)
    .max(10000),
});

export const completeMultipart = defineRoute({
  id: 'videos.multipartComplete',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: '/videos/{id}/upload/multipart/{uploadId}/complete',
    tags,
    summary: 'Assemble the parts into the master; the video becomes `uploaded`.',
    request: { params: UploadParams, ...body(CompleteRequest) },
    responses: { 200: json(Video, 'The video with its new master.'), ...problems },
  }),
});

export const abortMultipart = defineRoute({
  id: 'videos.multipartAbort',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'delete',
    path: '/videos/{id}/upload/multipart/{uploadId}',
    tags,
    summary: 'Abandon a multipart upload and free its parts.',
    request: { params: UploadParams },
    responses: { 204: { description: 'Aborted.' }, ...problems },
  }),
});

export const uploadRoutes = [
  requestUpload,
  createMultipart,
  signParts,
  completeMultipart,
  abortMultipart,
] as const;
