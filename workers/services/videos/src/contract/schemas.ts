/** Request and response schemas of the videos API: one source for validation, types and /openapi.json. */
import { z } from '@hono/zod-openapi';
import { jsonBody, jsonResponse } from '../../../../lib/openapi.ts';
import { plainText } from '../../../../lib/text.ts';
import { CLAIM_OUTCOMES, JOB_STATES, VIDEO_STATUSES } from '../states.ts';

export { Paging, problemResponses as problems, VideoIdParam } from '../../../../lib/openapi.ts';

const Label = plainText({ min: 1, max: 50 });
const Title = plainText({ min: 1, max: 200 });
const Description = plainText({ max: 5000, multiline: true });
const MaturityRating = plainText({ min: 1, max: 16 });
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
    title: Title.openapi({ example: 'Big Buck Bunny' }),
    description: Description.default(''),
    tags: labels(50)
      .default([])
      .openapi({ example: ['animation', 'open-movie'] }),
    thumbnailUrl: HttpUrl.optional(),
    genres: labels(20)
      .default([])
      .openapi({ example: ['comedy'] }),
    releaseYear: z.number().int().min(1870).max(2100).optional().openapi({ example: 2008 }),
    durationSec: z.number().min(0).max(1_000_000).optional().openapi({ example: 596 }),
    maturityRating: MaturityRating.optional().openapi({ example: 'PG' }),
  })
  .openapi('VideoCreate');

export const VideoUpdate = z
  .object({
    title: Title.optional(),
    description: Description.optional(),
    tags: labels(50).optional(),
    thumbnailUrl: HttpUrl.nullable().optional(),
    genres: labels(20).optional(),
    releaseYear: z.number().int().min(1870).max(2100).nullable().optional(),
    durationSec: z.number().min(0).max(1_000_000).nullable().optional(),
    maturityRating: MaturityRating.nullable().optional(),
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

export const TranscodeJobHistory = TranscodeJob.extend({
  current: z.boolean().openapi({ description: "The video's current job." }),
  claims: z.array(
    z.object({
      runnerId: z.string(),
      claimedAt: z.string(),
      endedAt: z.string().nullable(),
      outcome: z.enum(CLAIM_OUTCOMES),
      reason: z.string().nullable(),
    }),
  ),
}).openapi('TranscodeJobHistory');

export const SignedRenditions = z
  .object({
    expiresAt: z.string().openapi({ description: 'When every URL below stops working.' }),
    master: z.url().openapi({ description: 'Signed GET of the master playlist.' }),
    renditions: z.array(
      Rendition.extend({ url: z.url(), segments: z.number().int(), bytes: z.number().int() }),
    ),
    storyboard: z.object({ sprite: z.url(), vtt: z.url() }).nullable(),
  })
  .openapi('SignedRenditions');

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
