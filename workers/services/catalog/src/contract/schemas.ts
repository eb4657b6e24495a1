/** Request and response schemas of the catalog API: one source for validation, types and /openapi.json. */
import { z } from '@hono/zod-openapi';
import { jsonResponse } from '../../../../lib/openapi.ts';

export { Paging, problemResponses as problems, VideoIdParam } from '../../../../lib/openapi.ts';

export const json = jsonResponse;

/** Longer input is refused rather than cut, so a user sees why nothing matched. */
export const MAX_QUERY = 500;

const YEARS = /^\s*(\d{4})\s*(?:\.\.\s*(\d{4})\s*)?$/;

/** A repeatable query parameter (`?genre=a&genre=b`), also accepted comma-separated. */
const repeatable = z
  .union([z.string(), z.array(z.string())])
  .transform((v) =>
    (Array.isArray(v) ? v : [v])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().max(50)).max(20));

export const SearchQuery = z.object({
  q: z
    .string()
    .max(MAX_QUERY)
    .default('')
    .openapi({
      example: 'godfather',
      description:
        'Words (the last one also matches as a prefix unless followed by a space), "a phrase" in double ' +
        'quotes, -word to exclude. Words of 5+ letters tolerate one typo, of 9+ two.',
    }),
  genre: repeatable.optional().openapi({
    type: 'array',
    items: { type: 'string' },
    example: ['Drama'],
    description: 'Repeatable (or comma-separated): any of these genres.',
  }),
  year: z
    .string()
    .regex(YEARS, 'a year (1994) or a range (1990..1999)')
    .transform((s) => {
      const m = YEARS.exec(s)!;
      const a = Number(m[1]);
      const b = m[2] ? Number(m[2]) : a;
      return { from: Math.min(a, b), to: Math.max(a, b) };
    })
    .optional()
    .openapi({ type: 'string', example: '1990..1999' }),
  status: z.enum(['ready', 'any']).default('ready').openapi({
    description: '`any` (admins only) includes videos that are not ready.',
  }),
  facets: z
    .string()
    .regex(/^\s*(genre|decade)(\s*,\s*(genre|decade))*\s*$/, 'genre, decade or both, comma-separated')
    .optional()
    .openapi({
      example: 'genre,decade',
      description:
        'Counts per genre and decade over the whole result set, answered in the `X-Facets` header as JSON ' +
        '(the body stays the list of hits).',
    }),
  page: z.coerce.number().int().min(1).max(1000).default(1).openapi({ example: 1 }),
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
});

export const SearchHit = z
  .object({
    videoId: z.string().openapi({ example: 'vid_01jd8x0c7n2x3a4b5c6d7e8f9g' }),
    title: z.string().openapi({ example: 'The Godfather' }),
    score: z.number().openapi({
      example: 1.8342,
      description:
        'Higher first. With a query: BM25 mapped onto 0..1, plus 2 for documents matching every word whole ' +
        'as typed, plus 1 for those matching with the last word completed from its prefix, plus 0 for those ' +
        'needing a typo correction. Without a query: the popularity.',
    }),
    highlight: z.string().openapi({
      example: 'The <mark>Godfather</mark>',
      description: 'HTML: the title (or a description excerpt) escaped, the matching words in <mark>.',
    }),
  })
  .openapi('SearchHit');

export const RelatedQuery = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(10).openapi({ example: 10 }),
  status: z.enum(['ready', 'any']).default('ready').openapi({
    description: '`any` (admins only) includes videos that are not ready.',
  }),
});

export const RelatedVideo = z
  .object({
    videoId: z.string(),
    title: z.string(),
    reason: z.string().openapi({ example: 'Like “Alien”: tagged Science Fiction; also Horror' }),
  })
  .openapi('RelatedVideo');

export const RebuildStatus = z
  .object({
    rebuildId: z.string().nullable(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    indexed: z.number().int(),
    running: z.boolean(),
  })
  .openapi('RebuildStatus');
