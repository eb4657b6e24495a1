/** Request and response schemas of the videos API: one source for validation, types and /openapi.json. */
import { z } from '@hono/zod-openapi';
import { BEARER, BEARER_OR_API_KEY, jsonBody, jsonResponse } from '../../../../lib/openapi.ts';
import { JOB_STATES, VIDEO_STATUSES } from '../states.ts';

export { Paging, problemResponses as problems } from '../../../../lib/openapi.ts';

/** An access token of an admin, or an API key with the route's scope. */
export const adminSecurity = BEARER_OR_API_KEY;
/** The bearer of runner routes is a runner's own token (from registration), checked by the videos service. */
export const runnerSecurity = BEARER;

export const VideoIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'vid_01jd8x0c7n2x3a4b5c6d7e8f9g' }),
});

const Label = z.string().trim().min(1).max(50);
const labels = (max: number) =>
  z
    .array(Label)
    .max(max)
    .transform((xs) => [...new Set(xs)]);
const HttpUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .openapi({ example: 'https://images.example.com/poster.jpg' });

export const VideoCreate = z
  .object({
    title: z.string().trim().min(1).max(200).openapi({ example: 'Big Buck Bunny' }),
    description: z.string().max(5000).default(''),
    tags: labels(50)
      .default([])
      .openapi({ example: ['animation', 'open-movie'] }),
    thumbnailUrl: HttpUrl.optional(),
    genres: labels(20)
      .default([])
      .openapi({ example: ['comedy'] }),
    releaseYear: z.number().int().min(1870).max(2100).optional().openapi({ example: 2008 }),
    durationSec: z.number().min(0).max(1_000_000).optional().openapi({ example: 596 }),
    maturityRating: z.string().trim().min(1).max(16).optional().openapi({ example: 'PG' }),
  })
  .openapi('VideoCreate');

export const VideoUpdate = z
  .object({
    title: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(5000).optional(),
    tags: labels(50).optional(),
    thumbnailUrl: HttpUrl.nullable().optional(),
    genres: labels(20).optional(),
    releaseYear: z.number().int().min(1870).max(2100).nullable().optional(),
    durationSec: z.number().min(0).max(1_000_000).nullable().optional(),
    maturityRating: z.string().trim().min(1).max(16).nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'Name at least one field to change.',
  })
  .openapi('VideoUpdate');

export const Rendition = z.object({
  name: z.string().openapi({ example: '720p' }),
  width: z.number().int(),
  height: z.number().int(),
  bandwidth: z.number().int(),
  averageBandwidth: z.number().int(),
  codecs: z.string().openapi({ example: 'avc1.64001f,mp4a.40.2' }),
  frameRate: z.number(),
  playlist: z.string().openapi({ example: '720p/index.m3u8' }),
});

export const TranscodeJob = z
  .object({
    jobId: z.string(),
    masterVersion: z.string(),
    state: z.enum(JOB_STATES),
    progress: z.number().openapi({ description: 'Percent, 0–100.' }),
    stage: z.string().nullable(),
    speed: z.number().nullable(),
    attempt: z.number().int(),
    maxAttempts: z.number().int(),
    runnerId: z.string().nullable(),
    leaseExpiresAt: z.string().nullable(),
    notBefore: z.string().nullable().openapi({ description: 'A retry waits until then.' }),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('TranscodeJob');

export const Video = z
  .object({
    videoId: z.string(),
    title: z.string(),
    description: z.string(),
    tags: z.array(z.string()),
    genres: z.array(z.string()),
    releaseYear: z.number().int().nullable(),
    durationSec: z.number().nullable(),
    maturityRating: z.string().nullable(),
    thumbnailUrl: z.string().nullable(),
    status: z.enum(VIDEO_STATUSES),
    renditions: z.array(Rendition),
    createdAt: z.string(),
    updatedAt: z.string(),
    failureReason: z.string().nullable().optional().openapi({ description: 'Admins only.' }),
    master: z
      .object({ version: z.string(), size: z.number().nullable(), contentType: z.string().nullable() })
      .nullable()
      .optional()
      .openapi({ description: 'Admins only.' }),
    transcode: TranscodeJob.nullable().optional().openapi({ description: 'Admins only: the current job.' }),
  })
  .openapi('Video');

export const PresignedUpload = z
  .object({
    uploadUrl: z.url(),
    method: z.literal('PUT'),
    headers: z.record(z.string(), z.string()),
    expiresAt: z.string(),
    uploadId: z.string().openapi({ description: 'Becomes the master version once the object is stored.' }),
  })
  .openapi('PresignedUpload');

export const json = jsonResponse;

export const body = <T extends z.ZodType>(schema: T, required = true) => ({
  body: jsonBody(schema, undefined, required),
});
