/** `GET /metrics`: one metric over a time range, as a total and a series of buckets. */
import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import { jsonResponse, problemResponses } from '../../../../lib/openapi.ts';
import { isKnownEventType } from '../event-types.ts';
import {
  INTERVALS,
  type Interval,
  isQualityMetric,
  MAX_BUCKETS,
  QUALITY_METRIC_NAMES,
} from '../metrics/catalog.ts';

const DAY = 86_400_000;

export const MetricsQuery = z
  .object({
    type: z
      .string()
      .max(80)
      .refine((t) => isQualityMetric(t) || isKnownEventType(t), 'must be a quality metric or an event type')
      .openapi({
        description: `A quality metric (${QUALITY_METRIC_NAMES.map((m) => `\`${m}\``).join(', ')}) or an event type, whose events are counted.`,
        example: 'plays',
      }),
    from: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: 'Start (inclusive); default `to` − 24 h.' }),
    to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'End (exclusive); default now.' }),
    interval: z
      .enum(Object.keys(INTERVALS) as [Interval, ...Interval[]])
      .default('1h')
      .openapi({ description: `Bucket width; at most ${MAX_BUCKETS} buckets per range.` }),
    videoId: z
      .string()
      .regex(/^[A-Za-z0-9_.:@-]{1,64}$/)
      .optional()
      .openapi({ description: 'Only this video’s events.' }),
  })
  .superRefine((q, ctx) => {
    const r = metricRange(q);
    if (r.from >= r.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
    else if (r.buckets > MAX_BUCKETS)
      ctx.addIssue({
        code: 'custom',
        path: ['interval'],
        message: `the range spans ${r.buckets} buckets of ${q.interval}; at most ${MAX_BUCKETS} (widen the interval or narrow the range)`,
      });
  });
export type MetricsQuery = z.output<typeof MetricsQuery>;

/** The range a query names, in epoch ms, with its bucket width and the number of buckets it spans. */
export function metricRange(q: { from?: string | undefined; to?: string | undefined; interval: Interval }) {
  const to = q.to ? Date.parse(q.to) : Date.now();
  const from = q.from ? Date.parse(q.from) : to - DAY;
  const width = INTERVALS[q.interval];
  return { from, to, width, buckets: Math.ceil(to / width) - Math.floor(from / width) };
}

export const Metrics = z
  .object({
    type: z.string(),
    unit: z.string().openapi({ description: '`events`, `views`, `users`, `seconds`, `ms` or `ratio`.' }),
    count: z
      .number()
      .nullable()
      .openapi({
        description:
          'The metric over the whole range (a total for counts and sums; for distinct counts, ratios and ' +
          'percentiles computed over the range, not from the buckets); null when no view was measured.',
      }),
    series: z.array(
      z.object({
        t: z.string().openapi({ description: 'The bucket start (ISO 8601).' }),
        value: z.number().nullable(),
      }),
    ),
    from: z.string(),
    to: z.string(),
    interval: z.string(),
  })
  .openapi('Metrics');

export const getMetrics = defineRoute({
  id: 'analytics.metrics',
  service: 'analytics',
  policy: { access: 'admin', cache: 'no-store' },
  route: createRoute({
    method: 'get',
    path: '/metrics',
    tags: ['Analytics'],
    summary: 'One metric over a time range: its total and a series of buckets (admin).',
    description:
      'Buckets start at multiples of the interval since the epoch (UTC); every bucket of the range is ' +
      'listed (0, or null where a ratio or percentile has no view). Duplicated events count once.',
    request: { query: MetricsQuery },
    responses: {
      200: jsonResponse(Metrics, 'The metric.'),
      503: { description: 'The analytics store is not reachable.' },
      ...problemResponses,
    },
  }),
});
