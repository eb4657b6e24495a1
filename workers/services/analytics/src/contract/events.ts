/** `POST /events`: a batch of 1–1,000 client events, validated one by one, accepted all or none. */
import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import { jsonBody, jsonResponse, problemResponses } from '../../../../lib/openapi.ts';
import { isKnownEventType, isPlayerEvent, PLAYER_EVENTS } from '../event-types.ts';

export const MAX_BATCH = 1000;
/** The serialised size of one event's metadata, in UTF-8 bytes. */
export const MAX_METADATA_BYTES = 2048;
export const MAX_METADATA_KEYS = 32;
export const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
export const MAX_FUTURE_MS = 5 * 60 * 1000;
/** Room for 1,000 events with full metadata. */
export const EVENTS_BODY_LIMIT = 3 * 1024 * 1024;

/** Ids end up in SQL and in ClickHouse text: a closed alphabet keeps them inert. */
const ID = /^[A-Za-z0-9_.:@-]{1,64}$/;
const Id = z.string().regex(ID, 'must be 1–64 letters, digits or _ . : @ -');

const encoder = new TextEncoder();

/** UTF-8 length of a string; ASCII (the usual case) needs no encoding. */
export function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return encoder.encode(s).length;
  return s.length;
}

const Metadata = z
  .record(z.string().max(64), z.unknown())
  .default({})
  .superRefine((m, ctx) => {
    if (Object.keys(m).length > MAX_METADATA_KEYS)
      ctx.addIssue({ code: 'custom', message: `must have at most ${MAX_METADATA_KEYS} keys` });
    if (utf8Length(JSON.stringify(m)) > MAX_METADATA_BYTES)
      ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_METADATA_BYTES} bytes as JSON` });
  })
  .openapi({
    description:
      `An object of at most ${MAX_METADATA_KEYS} keys and ${MAX_METADATA_BYTES} bytes as JSON. Player events name ` +
      'their `viewId` and `videoId`; `rebuffer.end` carries the stall in `durationMs`, `viewEnd` the ' +
      "view's `watchTimeMs`, `error` its `code`.",
    example: { viewId: 'view_01jd8x', videoId: 'vid_01jd8x', watchTimeMs: 61250 },
  });

const nonNegative = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1e12;

/** What each player event must say for the quality metrics to be computed from it. */
function checkPlayerEvent(type: string, m: Record<string, unknown>, ctx: z.RefinementCtx) {
  if (!isPlayerEvent(type)) return;
  for (const key of ['viewId', 'videoId'] as const)
    if (typeof m[key] !== 'string' || !ID.test(m[key]))
      ctx.addIssue({
        code: 'custom',
        path: ['metadata', key],
        message: `${type} needs metadata.${key} (an id)`,
      });
  if (type === 'rebuffer.end' && !nonNegative(m.durationMs))
    ctx.addIssue({ code: 'custom', path: ['metadata', 'durationMs'], message: 'must be milliseconds ≥ 0' });
  if (type === 'viewEnd' && !nonNegative(m.watchTimeMs))
    ctx.addIssue({ code: 'custom', path: ['metadata', 'watchTimeMs'], message: 'must be milliseconds ≥ 0' });
}

export const ClientEvent = z
  .object({
    eventId: Id.optional().openapi({
      description: 'Repeats of the same eventId count once. Stamped by the service when missing.',
    }),
    userId: Id.openapi({ example: 'usr_01jd8x0c7n2x3a4b5c6d7e8f9g' }),
    eventType: z
      .string()
      .max(80)
      .refine(isKnownEventType, 'must be a domain event type, a player event or custom.<name>')
      .openapi({
        description: `A domain event type (e.g. \`VideoWatched\`), a player event (${PLAYER_EVENTS.map((t) => `\`${t}\``).join(', ')}) or \`custom.<name>\`.`,
        example: 'viewStart',
      }),
    timestamp: z.iso
      .datetime({ offset: true })
      .superRefine((t, ctx) => {
        const at = Date.parse(t);
        const now = Date.now();
        if (at < now - MAX_AGE_MS) ctx.addIssue({ code: 'custom', message: 'is more than a week old' });
        if (at > now + MAX_FUTURE_MS)
          ctx.addIssue({ code: 'custom', message: 'is more than 5 minutes ahead' });
      })
      .openapi({ description: 'When it happened: at most a week ago, at most 5 minutes ahead.' }),
    metadata: Metadata,
  })
  .superRefine((e, ctx) => checkPlayerEvent(e.eventType, e.metadata, ctx))
  .openapi('AnalyticsEvent');
export type ClientEvent = z.output<typeof ClientEvent>;

export const ingestEvents = defineRoute({
  id: 'analytics.ingest',
  service: 'analytics',
  policy: { access: 'user', scopes: ['events:write'], rateLimit: 'ingest', bodyLimit: EVENTS_BODY_LIMIT },
  route: createRoute({
    method: 'post',
    path: '/events',
    tags: ['Analytics'],
    summary: 'Ingest a batch of 1–1,000 events (202 once it is durably queued).',
    description:
      'All or nothing: one invalid event refuses the batch with 400, each failing field named by its ' +
      'index (`errors[].path` like `3.timestamp`). A viewer may send only their own `userId` (403 ' +
      'otherwise); admins and API keys with `events:write` may send any. Send an `Idempotency-Key` to ' +
      'make the ids stamped on events without `eventId` the same on a retry.',
    request: {
      headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
      body: jsonBody(z.array(ClientEvent).min(1).max(MAX_BATCH)),
    },
    responses: {
      202: jsonResponse(
        z.object({
          accepted: z.number().int(),
          eventIds: z.array(z.string()).openapi({ description: 'Each event’s id, in the order sent.' }),
        }),
        'Queued: every event will be counted once.',
      ),
      403: { description: 'An event names another user.' },
      503: { description: 'The queue did not take the batch; nothing was accepted — retry.' },
      ...problemResponses,
    },
  }),
});
