/**
 * The storage endpoint of local mode: `/storage/<token>/<key>` reads (GET, HEAD) and writes (PUT)
 * R2 objects as far as the HMAC-signed token allows; `/storage/public/<key>` reads the world-readable
 * `public/` keys (posters) without one. Production signs R2's own S3 URLs for masters instead, and
 * these same routes still serve runners and admins.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { defineRoute, type RoutePolicy } from '../../../lib/api.ts';
import { documentRoute, jsonResponse } from '../../../lib/openapi.ts';
import { Problem } from '../../../lib/problem.ts';
import {
  checkAccess,
  isSafeKey,
  PUBLIC_PREFIX,
  parseStoragePath,
  StorageDenied,
  verifyToken,
} from '../../../lib/storage-grant.ts';
import { settings } from '../config.ts';
import type { GatewayBindings } from '../env.ts';
import { serveObject } from './serve.ts';
import { storeObject } from './store.ts';

const ALLOW = 'GET, HEAD, PUT';

const Stored = z
  .object({ key: z.string(), size: z.number().int(), etag: z.string() })
  .openapi('StoredObject', {
    description: 'A whole object as stored (a part of a multipart upload answers only its ETag).',
  });

/** The stored bytes, typed by their key (images, WebVTT, HLS playlists, fMP4/MPEG-TS segments); anything else is a download. */
function objectResponse(description: string) {
  return { description, content: { '*/*': { schema: z.string().openapi({ format: 'binary' }) } } };
}

async function publicObject(c: Context<GatewayBindings>, path: string): Promise<Response> {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD')
    throw new Problem('method_not_allowed', 'Public objects are read-only.', {
      headers: { Allow: 'GET, HEAD' },
    });
  let key: string;
  try {
    key = decodeURIComponent(path.slice('/storage/'.length));
  } catch {
    throw Problem.notFound('No such object.');
  }
  if (!key.startsWith(PUBLIC_PREFIX) || !isSafeKey(key)) throw Problem.notFound('No such object.');
  // Public keys embed the job that made them, so they never change: cache them for good.
  return serveObject(c, key, 'public, max-age=31536000, immutable');
}

async function signedObject(c: Context<GatewayBindings>, path: string): Promise<Response> {
  const method = c.req.method;
  if (method !== 'GET' && method !== 'HEAD' && method !== 'PUT')
    throw new Problem('method_not_allowed', `${method} is not allowed here; allowed: ${ALLOW}.`, {
      headers: { Allow: ALLOW },
    });
  const target = parseStoragePath(path);
  if (!target) throw Problem.notFound('No such object.');
  const secret = settings(c.env).STORAGE_SIGNING_KEY;
  if (!secret) throw new Problem('service_unavailable', 'Storage URLs are not configured.');
  try {
    const grant = await verifyToken(secret, target.token);
    checkAccess(grant, method, target.key);
    if (method === 'PUT') return await storeObject(c, target.key, grant);
    const maxAge = Math.max(0, Math.min(3600, grant.exp - Math.floor(Date.now() / 1000)));
    return await serveObject(c, target.key, `private, max-age=${maxAge}`);
  } catch (err) {
    if (err instanceof StorageDenied) throw Problem.forbidden(err.message);
    throw err;
  }
}

const StoragePath = z.object({
  token: z
    .string()
    .openapi({ description: 'The signed grant (from an upload, a runner job or a renditions answer).' }),
  key: z.string().openapi({
    description: 'The object key, slashes included (e.g. `renditions/vid_…/job_…/720p/index.m3u8`).',
  }),
});
const tags = ['Storage'];
// Only documents: the signed token is the credential, and these routes run none of the policy chain.
const policy: RoutePolicy = { access: 'public', rateLimit: 'none' };
const refused = { 403: { description: 'The signed URL is malformed, expired, or does not grant this.' } };

/** The storage URLs are handed out by the API, never built by clients; they are documented all the same. */
const storageRoutes = [
  defineRoute({
    id: 'storage.put',
    service: 'gateway',
    policy,
    route: createRoute({
      method: 'put',
      path: '/storage/{token}/{key}',
      tags,
      summary: 'Write an object through a signed URL (streamed into R2; Content-Length required).',
      request: {
        params: StoragePath,
        body: { content: { 'application/octet-stream': { schema: z.string() } } },
      },
      responses: {
        200: jsonResponse(Stored, 'Stored (a part of a multipart upload: its ETag).'),
        ...refused,
        409: { description: 'A newer master of this video exists.' },
        411: { description: 'Content-Length is missing.' },
        413: { description: 'The body is larger than the URL allows.' },
      },
    }),
  }),
  defineRoute({
    id: 'storage.get',
    service: 'gateway',
    policy: { ...policy, cache: { maxAge: 3600, scope: 'private' } },
    route: createRoute({
      method: 'get',
      path: '/storage/{token}/{key}',
      tags,
      summary: 'Read an object through a signed URL (HEAD, Range, If-None-Match supported).',
      request: { params: StoragePath },
      responses: {
        200: objectResponse('The object.'),
        206: objectResponse('The requested range.'),
        ...refused,
        416: { description: 'The range lies outside the object.' },
      },
    }),
  }),
  defineRoute({
    id: 'storage.getPublic',
    service: 'gateway',
    policy: { ...policy, cache: { maxAge: 31536000, scope: 'public' } },
    route: createRoute({
      method: 'get',
      path: '/storage/public/{key}',
      tags,
      summary: 'Read a world-readable object (posters); immutable, cached for a year.',
      request: { params: StoragePath.pick({ key: true }) },
      responses: { 200: objectResponse('The object.') },
    }),
  }),
];

export function registerStorage(app: OpenAPIHono<GatewayBindings>): void {
  for (const route of storageRoutes) app.openAPIRegistry.registerPath(documentRoute(route));
  app.all('/storage/*', (c) => {
    // The routed path: version prefix already removed by the app's getPath.
    const path = c.req.path;
    return path.startsWith(`/storage/${PUBLIC_PREFIX}`) ? publicObject(c, path) : signedObject(c, path);
  });
}
