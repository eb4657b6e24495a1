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
    keyIds: z.array(z.string()).openapi({
      description:
        'The key ids (KIDs, base64url) of the video’s content keys, as POST /drm/license takes them; empty for a video in clear.',
    }),
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

export const PlayerError = z
  .object({
    code: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/)
      .openapi({
        description: 'What failed, as the player names it (hls.js: its error `details`).',
        example: 'fragLoadError',
      }),
    fatal: z.boolean().default(false).openapi({ description: 'Whether playback stopped.' }),
    message: z.string().max(500).optional(),
  })
  .openapi('PlayerError');

export const reportError = defineRoute({
  id: 'playback.reportError',
  service: 'playback',
  policy: { access: 'user', bodyLimit: 4096 },
  route: createRoute({
    method: 'post',
    path: '/playback/sessions/{sessionId}/errors',
    tags,
    summary: 'Report a player error of a live playback session (recorded as a PlaybackFailed event).',
    request: {
      params: SessionIdParam,
      body: { content: { 'application/json': { schema: PlayerError } }, required: true },
    },
    responses: {
      204: { description: 'Recorded.' },
      404: { description: 'No such live session of this user.' },
    },
  }),
});

/** The DRM systems a license can be asked for, and the EME key-system names that choose them. */
export const DRM_SYSTEMS = ['clearkey', 'widevine', 'playready', 'fairplay'] as const;
export type DrmSystem = (typeof DRM_SYSTEMS)[number];
export const KEY_SYSTEMS: Record<string, DrmSystem> = {
  'org.w3.clearkey': 'clearkey',
  'com.widevine.alpha': 'widevine',
  'com.microsoft.playready': 'playready',
  'com.microsoft.playready.recommendation': 'playready',
  'com.apple.fps': 'fairplay',
  'com.apple.fps.1_0': 'fairplay',
};

const ClearKeyRequest = z
  .object({
    kids: z.array(z.string()).openapi({ description: 'Key ids, base64url without padding.' }),
    type: z.string().optional().openapi({ example: 'temporary' }),
  })
  .openapi('ClearKeyLicenseRequest', {
    description: 'The W3C EME ClearKey license request (the JSON of the CDM’s `message` event).',
  });

const ClearKeyResponse = z
  .object({
    keys: z.array(z.object({ kty: z.literal('oct'), kid: z.string(), k: z.string() })),
    type: z.string(),
  })
  .openapi('ClearKeyLicense', { description: 'The W3C EME ClearKey license: a JSON Web Key Set.' });

export const LicenseRequest = z
  .object({
    videoId: z.string().min(1).max(64),
    licenseRequest: z
      .union([
        z
          .string()
          .min(1)
          .max(64 * 1024),
        ClearKeyRequest,
      ])
      .openapi({
        description:
          'ClearKey: the license request JSON as an object, or its UTF-8 bytes in base64 (standard or ' +
          'base64url) exactly as the CDM’s `message` event hands them over. Widevine, PlayReady, ' +
          'FairPlay: the CDM’s binary challenge (FairPlay: the SPC) in base64.',
      }),
    system: z.enum(DRM_SYSTEMS).optional().openapi({ description: 'The DRM system; clearkey by default.' }),
    keySystem: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: 'The EME key system instead of `system`, e.g. `com.widevine.alpha`.' }),
    sessionId: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: 'The playback session from the manifest: the license keeps it alive.' }),
  })
  .openapi('LicenseRequest');

export const License = z
  .object({
    licenseResponse: z.union([z.string(), ClearKeyResponse]).openapi({
      description:
        'ClearKey: the JSON Web Key Set, as an object when the request was one, else its UTF-8 bytes in ' +
        'base64. Other systems: the license server’s answer in base64, for `MediaKeySession.update`.',
    }),
    system: z.enum(DRM_SYSTEMS),
    expiresAt: z.string().datetime().openapi({ description: 'When the license (and its cached copy) ends.' }),
  })
  .openapi('License');

export const issueLicense = defineRoute({
  id: 'playback.license',
  service: 'playback',
  // Licenses hand out keys: an abuse target, so the per-address strict limit; `drm-license` lets
  // IP_RULES restrict who may ask at all.
  policy: { access: 'user', rateLimit: 'strict', ipGroup: 'drm-license', bodyLimit: 96 * 1024 },
  route: createRoute({
    method: 'post',
    path: '/drm/license',
    tags,
    summary:
      'A DRM license for a video’s content keys: ClearKey answered here, Widevine/PlayReady/FairPlay proxied.',
    description:
      'The same checks as the manifest (ready video, active entitlement, plan). ClearKey licenses hold ' +
      'only the video’s own keys (an unknown key id is 404). Other systems go to the license server ' +
      'configured for them with a signed grant (501 when none is configured; 502/504 when it fails or ' +
      'times out). Licenses are cached per viewer and key for their lifetime, behind the entitlement check.',
    request: { body: { content: { 'application/json': { schema: LicenseRequest } }, required: true } },
    responses: {
      200: jsonResponse(License, 'The license.'),
      403: { description: 'No entitlement (the reason is named), or an offline license.' },
      404: { description: 'No such video, or a key id that is not the video’s.' },
      409: { description: 'The video is not ready.' },
      429: { description: 'Every concurrent stream the plan allows is in use (with `sessionId`).' },
      501: { description: 'The DRM system is not configured.' },
      502: { description: 'The license server failed.' },
      504: { description: 'The license server did not answer in time.' },
    },
  }),
});

export const contract = defineContract('playback', [
  getManifest,
  heartbeat,
  endSession,
  reportError,
  issueLicense,
]);
