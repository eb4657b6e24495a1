import type { MiddlewareHandler } from 'hono';
import { log } from '../../../lib/log.ts';
import { continueTrace } from '../../../lib/trace.ts';
import { settings } from '../config.ts';
import type { GatewayBindings } from '../env.ts';
import { pathOf } from './version.ts';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Request id, trace context, client IP and the access log. The client IP is taken from
 * CF-Connecting-IP, which Cloudflare sets and a client cannot spoof; X-Forwarded-For is ignored.
 */
export function requestContext(): MiddlewareHandler<GatewayBindings> {
  return async (c, next) => {
    const started = Date.now();
    const sent = c.req.header('x-request-id');
    const requestId = sent && CLIENT_REQUEST_ID.test(sent) ? sent : crypto.randomUUID();
    const trace = continueTrace(c.req.header('traceparent'));
    const ip = c.req.header('cf-connecting-ip')?.trim() || '0.0.0.0';
    const url = c.req.url;
    const path = pathOf(url);
    const origin = settings(c.env).PUBLIC_ORIGIN || url.slice(0, url.indexOf('/', url.indexOf('://') + 3));
    c.set('requestId', requestId);
    c.set('trace', trace);
    c.set('ip', ip);
    c.set('started', started);
    c.set('caller', { requestId, traceparent: trace.traceparent, ip, roles: [], origin });
    await next();
    c.res.headers.set('X-Request-Id', requestId);
    c.res.headers.set('traceparent', trace.traceparent);
    const caller = c.get('caller');
    log('info', 'request', {
      method: c.req.method,
      route: c.get('routePattern') ?? null,
      path,
      status: c.res.status,
      durationMs: Date.now() - started,
      user: caller.userId ?? null,
      apiKey: caller.apiKey?.id ?? null,
      ip,
      requestId,
      traceId: trace.traceId,
      spanId: trace.spanId,
    });
  };
}
