/**
 * The stream endpoint: `/stream/<token>/<videoId>/<path>` serves one video's HLS outputs to the
 * viewer a stream token (workers/lib/stream-token.ts, signed by playback) names. Every request
 * verifies the token (HMAC, no database call) and keeps to `<outputPrefix><path>` of that video;
 * the master playlist is cut to the renditions the plan allows, the others are refused.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { defineRoute } from '../../../lib/api.ts';
import { documentRoute } from '../../../lib/openapi.ts';
import { Problem } from '../../../lib/problem.ts';
import { isSafeKey } from '../../../lib/storage-grant.ts';
import { filterMasterPlaylist, StreamDenied, verifyStreamToken } from '../../../lib/stream-token.ts';
import { settings } from '../config.ts';
import type { GatewayBindings } from '../env.ts';
import { serveObject } from '../storage/serve.ts';

const PLAYLIST_CACHE = 'private, max-age=5';
const SEGMENT_CACHE = 'public, max-age=31536000, immutable';

/** The object key a stream path names, or a 403 when it leaves the token's video. */
export function streamKey(prefix: string, videoId: string, tokenVideo: string, rest: string[]): string {
  if (videoId !== tokenVideo) throw Problem.forbidden('This stream URL is for another video.');
  const parts = rest.map((s) => {
    let d: string;
    try {
      d = decodeURIComponent(s);
    } catch {
      throw Problem.forbidden('The stream path is malformed.');
    }
    if (d.includes('/') || d.includes('\\')) throw Problem.forbidden('The stream path is malformed.');
    return d;
  });
  const rel = parts.join('/');
  if (!isSafeKey(rel)) throw Problem.forbidden('The stream path leaves the video.');
  return prefix + rel;
}

async function stream(c: Context<GatewayBindings>): Promise<Response> {
  const method = c.req.method;
  if (method !== 'GET' && method !== 'HEAD')
    throw new Problem('method_not_allowed', 'Streams are read-only.', { headers: { Allow: 'GET, HEAD' } });
  const [, , token, rawVideo, ...rest] = c.req.path.split('/');
  if (!token || !rawVideo || !rest.length) throw Problem.notFound('No such stream object.');
  const secret = settings(c.env).STREAM_SIGNING_KEY;
  if (!secret) throw new Problem('service_unavailable', 'Stream URLs are not configured.');
  let claims: Awaited<ReturnType<typeof verifyStreamToken>>;
  try {
    claims = await verifyStreamToken(secret, token);
  } catch (err) {
    if (err instanceof StreamDenied) throw Problem.forbidden(err.message);
    throw err;
  }
  let videoId: string;
  try {
    videoId = decodeURIComponent(rawVideo);
  } catch {
    throw Problem.forbidden('The stream path is malformed.');
  }
  const keyFile = rest.length === 1 ? CONTENT_KEY_FILE.exec(rest[0]!) : null;
  if (keyFile) return contentKey(c, claims, videoId, keyFile[1]!);
  const isMaster = rest.length === 1 && rest[0] === 'master.m3u8';
  const key = isMaster
    ? streamKey(claims.pre, videoId, claims.vid, [claims.mst])
    : streamKey(claims.pre, videoId, claims.vid, rest);
  const rel = key.slice(claims.pre.length);
  if (claims.den.some((d) => rel === d || rel.startsWith(`${d}/`)))
    throw Problem.forbidden(`Your plan allows renditions up to ${claims.mh}p.`);
  if (isMaster) {
    const object = await c.env.MEDIA.get(key);
    if (!object) throw Problem.notFound('No such stream object.');
    const text = filterMasterPlaylist(await object.text(), claims.mh);
    const headers = {
      'Content-Type': 'application/vnd.apple.mpegurl',
      'Cache-Control': PLAYLIST_CACHE,
      'Content-Length': String(new TextEncoder().encode(text).length),
    };
    return new Response(method === 'HEAD' ? null : text, { status: 200, headers });
  }
  if (key.endsWith('.m3u8')) return serveObject(c, key, PLAYLIST_CACHE);
  return cachedSegment(c, key);
}

/** A video's content key, named `<keyId>.key` beside its variants (workers/lib/runner-protocol.ts). */
const CONTENT_KEY_FILE = /^(ck_[a-z0-9]{1,60})\.key$/;

/**
 * The AES-128 key of an encrypted video, for the holder of a stream token of that video who is still
 * entitled; never cached anywhere, and asked of playback on every request.
 */
async function contentKey(
  c: Context<GatewayBindings>,
  claims: { vid: string; sub: string },
  videoId: string,
  keyId: string,
): Promise<Response> {
  if (videoId !== claims.vid) throw Problem.forbidden('This stream URL is for another video.');
  const playback = c.env.PLAYBACK;
  if (!playback) throw new Problem('service_unavailable', 'The playback service is not available.');
  const answer = await playback.keyForViewer(videoId, keyId, claims.sub);
  if (!answer) throw Problem.notFound('No such key.');
  if ('refused' in answer)
    throw new Problem('forbidden', 'You are no longer entitled to stream.', {
      extensions: { reason: answer.refused },
    });
  const { key } = answer;
  const headers = {
    'Content-Type': 'application/octet-stream',
    'Cache-Control': 'no-store',
    'Content-Length': String(key.byteLength),
  };
  return new Response(c.req.method === 'HEAD' ? null : new Uint8Array(key), { status: 200, headers });
}

/**
 * Segments, init segments and storyboards never change (each transcode job writes its own prefix), so
 * the edge cache keeps them under their object key: every viewer's token shares one cached copy.
 */
async function cachedSegment(c: Context<GatewayBindings>, key: string): Promise<Response> {
  const cache = (globalThis as unknown as { caches?: { default: Cache } }).caches?.default;
  const conditional = c.req.header('if-none-match') || c.req.header('if-range');
  if (!cache || c.req.method !== 'GET' || conditional) return serveObject(c, key, SEGMENT_CACHE);
  const cacheKey = `https://stream-cache.internal/${key}`;
  const range = c.req.header('range');
  const hit = await cache.match(new Request(cacheKey, { headers: range ? { Range: range } : {} }));
  if (hit) return new Response(hit.body, hit);
  const res = await serveObject(c, key, SEGMENT_CACHE);
  if (res.status === 200 && res.body) {
    const [mine, cached] = res.body.tee();
    c.executionCtx.waitUntil(cache.put(cacheKey, new Response(cached, res)));
    return new Response(mine, res);
  }
  return res;
}

const streamRoute = defineRoute({
  id: 'stream.get',
  service: 'gateway',
  policy: { access: 'public', rateLimit: 'none' },
  route: createRoute({
    method: 'get',
    path: '/stream/{token}/{videoId}/{path}',
    tags: ['Playback'],
    summary:
      'Read a video’s HLS playlists and segments through a signed stream URL (HEAD, Range supported; CORS *).',
    request: {
      params: z.object({
        token: z.string().openapi({ description: 'The stream token from GET /playback/{videoId}/manifest.' }),
        videoId: z.string(),
        path: z.string().openapi({ description: '`master.m3u8`, or a path below the video’s outputs.' }),
      }),
    },
    responses: {
      200: {
        description: 'The object.',
        content: { '*/*': { schema: z.string().openapi({ format: 'binary' }) } },
      },
      206: {
        description: 'The requested range.',
        content: { '*/*': { schema: z.string().openapi({ format: 'binary' }) } },
      },
      403: {
        description: 'The URL is tampered or expired, leaves the video, or names a rendition above the plan.',
      },
      416: { description: 'The range lies outside the object.' },
    },
  }),
});

export function registerStream(app: OpenAPIHono<GatewayBindings>): void {
  app.openAPIRegistry.registerPath(documentRoute(streamRoute));
  app.all('/stream/*', async (c) => {
    const res = await stream(c);
    res.headers.set('Access-Control-Allow-Origin', '*');
    return res;
  });
}
