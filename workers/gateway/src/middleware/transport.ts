import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { Problem } from '../../../lib/problem.ts';
import { settings } from '../config.ts';
import type { GatewayBindings } from '../env.ts';
import { isEmbeddableMedia } from '../storage/media-types.ts';

/** Outside local development every request must arrive over HTTPS. */
export function enforceHttps(): MiddlewareHandler<GatewayBindings> {
  return async (c, next) => {
    const env = settings(c.env).ENVIRONMENT;
    // On Cloudflare the URL carries the client's scheme; X-Forwarded-Proto is client-controlled.
    if (env === 'development' || env === 'test' || c.req.url.startsWith('https:')) return next();
    if (c.req.method === 'GET' || c.req.method === 'HEAD') {
      const url = new URL(c.req.url);
      url.protocol = 'https:';
      return c.redirect(url.toString(), 308);
    }
    throw new Problem('forbidden', 'This API is served over HTTPS only.');
  };
}

/** For pages the gateway serves (the API reference, later the web app). */
const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "base-uri 'self'",
].join('; ');

/** Data (JSON, media) is never a document: nothing may run in it or frame it (OWASP REST advice). */
const DATA_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Images, cues, playlists and segments: opened on their own, the browser shows them in a document
 * that loads them from here (with inline styles), which `default-src 'none'` would leave blank.
 */
const MEDIA_CSP =
  "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/** The same headers on every response, computed once; CSP and CORP depend on what the body is. */
const SECURITY_HEADERS: [string, string][] = [
  ['Strict-Transport-Security', 'max-age=63072000; includeSubDomains; preload'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'strict-origin-when-cross-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
];

export function securityHeaders(): MiddlewareHandler<GatewayBindings> {
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    for (const [name, value] of SECURITY_HEADERS) headers.set(name, value);
    const type = headers.get('content-type');
    const media = isEmbeddableMedia(type);
    // Posters and storyboards are shown by players and pages on other origins.
    headers.set('Cross-Origin-Resource-Policy', media ? 'cross-origin' : 'same-site');
    const html = type?.startsWith('text/html') ?? false;
    headers.set('Content-Security-Policy', html ? PAGE_CSP : media ? MEDIA_CSP : DATA_CSP);
  };
}

const EXPOSED = [
  'X-Request-Id',
  'X-Total-Count',
  'Link',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Retry-After',
  'API-Version',
  'ETag',
  'Content-Range',
  'traceparent',
];
const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-API-Key',
  'X-Request-Id',
  'API-Version',
  'Idempotency-Key',
  'traceparent',
  'Range',
  'If-None-Match',
];

const corsOptions = {
  allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: ALLOWED_HEADERS,
  exposeHeaders: EXPOSED,
  maxAge: 600,
};
/** Hono's cors sets its headers whatever the origin, so it only ever sees allowed origins. */
const echoOrigin = cors({ ...corsOptions, origin: (origin) => origin, credentials: true });
const anyOrigin = cors({ ...corsOptions, origin: '*', credentials: false });

let listFrom: string | undefined;
let list: { any: boolean; origins: Set<string> } = { any: false, origins: new Set() };

function allowList(raw: string) {
  if (raw !== listFrom) {
    const entries = raw
      .split(',')
      .map((s) => s.trim().replace(/\/+$/, ''))
      .filter(Boolean);
    list = { any: entries.includes('*'), origins: new Set(entries) };
    listFrom = raw;
  }
  return list;
}

/**
 * CORS for the origins of the CORS_ORIGINS allow-list and for the gateway's own public origin
 * (PUBLIC_ORIGIN, else the origin it was reached at); `*` admits any origin, without credentials.
 * Any other origin gets no CORS header at all, and its preflight falls through to the router.
 */
export function corsFromAllowList(): MiddlewareHandler<GatewayBindings> {
  return async (c, next) => {
    const origin = c.req.header('origin');
    // Stream URLs carry their own credential: players on any origin may read them, without cookies.
    if (origin && c.req.path.startsWith('/stream/')) return anyOrigin(c, next);
    if (origin) {
      const { any, origins } = allowList(settings(c.env).CORS_ORIGINS);
      if (any) return anyOrigin(c, next);
      if (origins.has(origin) || origin === c.get('caller').origin.replace(/\/+$/, ''))
        return echoOrigin(c, next);
    }
    await next();
    c.res.headers.append('Vary', 'Origin');
  };
}
