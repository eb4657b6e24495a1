/** Request and response schemas of the profile API: one source for validation, types and /openapi.json. */
import { z } from '@hono/zod-openapi';
import { idempotencyHeaders } from '../../../../lib/idempotency-header.ts';
import { jsonBody } from '../../../../lib/openapi.ts';
import { plainText } from '../../../../lib/text.ts';

export { jsonResponse as json, Paging, problemResponses as problems } from '../../../../lib/openapi.ts';

export const body = <T extends z.ZodType>(schema: T) => ({ body: jsonBody(schema) });

/** `preferences` is any JSON object up to this size (serialised, in UTF-8 bytes). */
export const PREFERENCES_MAX_BYTES = 8 * 1024;
export const NAME_MAX = 100;
export const COMMENT_MAX = 2000;

const iso = z.string().openapi({ format: 'date-time', example: '2026-02-28T12:00:00.000Z' });
const id = (example: string) => z.string().min(1).max(64).openapi({ example });

export const UserIdParam = z.object({
  userId: id('usr_01jd8x0c7n2x3a4b5c6d7e8f9g').openapi({ param: { name: 'userId', in: 'path' } }),
});
export const WatchlistItemParams = UserIdParam.extend({
  videoId: id('vid_01jd8x0c7n2x3a4b5c6d7e8f9g').openapi({ param: { name: 'videoId', in: 'path' } }),
});
export const VideoIdParam = z.object({
  id: id('vid_01jd8x0c7n2x3a4b5c6d7e8f9g').openapi({ param: { name: 'id', in: 'path' } }),
});

/** History and rating writes take an Idempotency-Key: a retry answers the first answer again. */
export const IdempotencyHeaders = idempotencyHeaders();

const Preferences = z
  .record(z.string(), z.unknown())
  .refine((p) => new TextEncoder().encode(JSON.stringify(p)).length <= PREFERENCES_MAX_BYTES, {
    message: `must be at most ${PREFERENCES_MAX_BYTES} bytes as JSON`,
  })
  .openapi({
    type: 'object',
    description: `Any JSON object the clients agree on (at most ${PREFERENCES_MAX_BYTES} bytes as JSON).`,
    example: { language: 'en', autoplay: true, subtitles: { enabled: true, size: 'large' } },
  });

const AvatarUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .openapi({
    description: "An https URL, or a URL on the platform's own origin.",
    example: 'https://images.example.com/avatars/ada.png',
  });

export const Profile = z
  .object({
    userId: z.string().openapi({ example: 'usr_01jd8x0c7n2x3a4b5c6d7e8f9g' }),
    name: z.string().openapi({ example: 'Ada Lovelace' }),
    avatarUrl: z.string().nullable(),
    preferences: z.record(z.string(), z.unknown()),
  })
  .openapi('Profile');

export const ProfileUpdate = z
  .object({
    name: plainText({ min: 1, max: NAME_MAX }).optional().openapi({ example: 'Ada' }),
    avatarUrl: AvatarUrl.nullable().optional(),
    preferences: Preferences.optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'Name at least one of name, avatarUrl, preferences.',
  })
  .openapi('ProfileUpdate', { description: 'Omitted fields stay; `preferences` is replaced as a whole.' });

/** What every list item shows of its video, from the service's own projection. */
const VideoFields = {
  videoId: z.string().openapi({ example: 'vid_01jd8x0c7n2x3a4b5c6d7e8f9g' }),
  title: z.string().openapi({ example: 'Big Buck Bunny' }),
  durationSec: z.number().nullable().openapi({ description: 'Null until the video is transcoded.' }),
  thumbnailUrl: z.string().nullable(),
};

export const WatchlistAdd = z
  .object({ videoId: id('vid_01jd8x0c7n2x3a4b5c6d7e8f9g') })
  .strict()
  .openapi('WatchlistAdd');

export const WatchlistEntry = z.object({ ...VideoFields, addedAt: iso }).openapi('WatchlistEntry');

export const HistoryWrite = z
  .object({
    videoId: id('vid_01jd8x0c7n2x3a4b5c6d7e8f9g'),
    progress: z
      .number()
      .min(0)
      .max(1_000_000)
      .openapi({ description: 'The resume point in seconds; not past the duration.', example: 754.5 }),
  })
  .strict()
  .openapi('HistoryWrite');

export const HistoryEntry = z
  .object({
    ...VideoFields,
    progress: z.number().openapi({ example: 754.5 }),
    watchedAt: iso,
    finished: z.boolean().openapi({ description: 'The point is at 95 % of the duration or later.' }),
  })
  .openapi('HistoryEntry');

export const ContinueWatchingEntry = HistoryEntry.omit({ finished: true })
  .extend({
    durationSec: z.number(),
    percent: z.number().openapi({ description: 'progress / duration, 5–95.', example: 42.1 }),
  })
  .openapi('ContinueWatchingEntry');

export const RatingWrite = z
  .object({
    videoId: id('vid_01jd8x0c7n2x3a4b5c6d7e8f9g'),
    rating: z.number().int().min(1).max(5).openapi({ example: 4 }),
    comment: plainText({ max: COMMENT_MAX, multiline: true })
      .optional()
      .openapi({ example: 'Lovely animation, thin plot.' }),
  })
  .strict()
  .openapi('RatingWrite');

export const RatingEntry = z
  .object({
    videoId: z.string(),
    title: z.string(),
    rating: z.number().int(),
    comment: z.string().nullable(),
    ratedAt: iso,
  })
  .openapi('Rating');

export const Review = z
  .object({
    name: z.string().openapi({ description: "The reviewer's profile name.", example: 'Ada' }),
    rating: z.number().int(),
    comment: z.string(),
    ratedAt: iso,
  })
  .openapi('Review');

export const VideoRatings = z
  .object({
    videoId: z.string(),
    average: z.number().nullable().openapi({ description: 'Null when nobody rated it yet.', example: 4.2 }),
    count: z.number().int(),
    reviews: z.array(Review).openapi({ description: 'The newest ratings with a comment.' }),
  })
  .openapi('VideoRatings');

export const ReviewsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(10).openapi({ example: 10 }),
});
