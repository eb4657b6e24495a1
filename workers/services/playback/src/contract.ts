/**
 * The public routes of the playback service; the gateway serves, validates and documents them. Only
 * schemas live here (the gateway bundles this file); the handlers are in src/routes/.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { defineContract, defineRoute } from '../../../lib/api.ts';
import { jsonResponse } from '../../../lib/openapi.ts';

const tags = ['Playback'];

export const Manifest = z
  .object({
    manifestUrl: z.string().url().openapi({
      description:
        'Signed, time-limited URL of the HLS master playlist; every playlist, segment and key below it needs no other credential.',
    }),
    expiresAt: z.string().datetime().openapi({ description: 'When the URL stops working.' }),
    sessionId: z
      .string()
      .openapi({ description: 'The playback session: heartbeat it, delete it when done.' }),
    maxHeight: z.number().int().openapi({ description: 'The largest rendition height the plan allows.' }),
  })
  .openapi('PlaybackManifest');

export const Session = z
  .object({
    sessionId: z.string(),
    videoId: z.string(),
    startedAt: z.string().datetime(),
    expiresAt: z.string().datetime().openapi({ description: 'When the session lapses without a heartbeat.' }),
  })
  .openapi('PlaybackSession');

const VideoIdParam = z.object({ videoId: z.string().min(1).max(64) });
const SessionIdParam = z.object({ sessionId: z.string().min(1).max(64) });

export const getManifest = defineRoute({
  id: 'playback.manifest',
  service: 'playback',
  policy: { access: 'user', acceptQueryToken: true, cache: 'no-store' },
  route: createRoute({
    method: 'get',
    path: '/playback/{videoId}/manifest',
    tags,
    summary: 'A signed HLS master playlist URL for a ready video, within the viewer’s plan.',
    description:
      'The access token may be sent in `?token=` (players that cannot set headers). Opens a playback ' +
      'session (or refreshes the one named by `?sessionId=`): 429 when the plan’s concurrent streams are ' +
      'all in use. 403 without an entitlement, naming the reason; 409 while the video is not ready.',
    request: {
      params: VideoIdParam,
      query: z.object({ token: z.string().optional(), sessionId: z.string().min(1).max(64).optional() }),
    },
    responses: {
      200: jsonResponse(Manifest, 'The manifest URL.'),
      403: { description: 'No active subscription, past due beyond grace, or no rendition within the plan.' },
      404: { description: 'No such video.' },
      409: { description: 'The video is not ready.' },
      429: { description: 'Every concurrent stream the plan allows is in use.' },
    },
  }),
});

export const heartbeat = defineRoute({
  id: 'playback.heartbeat',
  service: 'playback',
  policy: { access: 'user' },
  route: createRoute({
    method: 'post',
    path: '/playback/sessions/{sessionId}/heartbeat',
    tags,
    summary: 'Keep a playback session alive (it lapses 2 minutes after its last heartbeat).',
    request: { params: SessionIdParam },
    responses: {
      200: jsonResponse(Session, 'The session.'),
      404: { description: 'No such live session of this user.' },
    },
  }),
});

export const endSession = defineRoute({
  id: 'playback.endSession',
  service: 'playback',
  policy: { access: 'user' },
  route: createRoute({
    method: 'delete',
    path: '/playback/sessions/{sessionId}',
    tags,
    summary: 'End a playback session and free its stream slot.',
    request: { params: SessionIdParam },
    responses: {
      204: { description: 'Ended.' },
      404: { description: 'No such live session of this user.' },
    },
  }),
});

export const contract = defineContract('playback', [getManifest, heartbeat, endSession]);
