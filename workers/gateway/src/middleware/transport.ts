import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { Problem } from '../../../lib/problem.ts';
import type { GatewayBindings } from '../env.ts';

/** Outside local development every request must arrive over HTTPS. */
export function enforceHttps(): MiddlewareHandler<GatewayBindings> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    // On Cloudflare the URL carries the client's scheme; X-Forwarded-Proto is client-controlled.
    const secure = url.protocol === 'https:';
    if (c.env.ENVIRONMENT === 'development' || c.env.ENVIRONMENT === 'test' || secure) return next();
    if (c.req.method === 'GET' || c.req.method === 'HEAD') {
      url.protocol = 'https:';
      return c.redirect(url.toString(), 308);
    }
    throw new Problem('forbidden', 'This API is served over HTTPS only.');
  };
}

export function securityHeaders(): MiddlewareHandler<GatewayBindings> {
  return secureHeaders({
    strictTransportSecurity: 'max-age=63072000; includeSubDomains; preload',
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      mediaSrc: ["'self'", 'blob:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'strict-origin-when-cross-origin',
    xContentTypeOptions: 'nosniff',
    crossOriginResourcePolicy: 'same-site',
  });
}

/** CORS from the CORS_ORIGINS allow-list; origins not on it get no CORS headers at all. */
export function corsFromAllowList(): MiddlewareHandler<GatewayBindings> {
  return async (c, next) => {
    const allowed = (c.env.CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const any = allowed.includes('*');
    return cors({
      origin: (origin) => (any ? '*' : allowed.includes(origin) ? origin : null),
      allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: [
        'Authorization',
        'Content-Type',
        'X-API-Key',
        'X-Request-Id',
        'API-Version',
        'Idempotency-Key',
        'traceparent',
        'Range',
      ],
      exposeHeaders: [
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
      ],
      credentials: !any,
      maxAge: 600,
    })(c, next);
  };
}
