import type { MiddlewareHandler } from 'hono';
import { Problem } from '../../../lib/problem.ts';
import type { GatewayBindings } from '../env.ts';

export const SUPPORTED_VERSIONS = ['1'] as const;
export const NEWEST_VERSION = '1';
const PREFIX = /^\/v(\d+)(?=\/|$)/;

/** The path of an absolute URL, without parsing the whole URL. */
export function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start < 0) return '/';
  const q = url.indexOf('?', start);
  const h = url.indexOf('#', start);
  const end = q >= 0 ? q : h >= 0 ? h : url.length;
  return url.slice(start, end);
}

/** The path without its version prefix; Hono routes on this (see `getPath` in app.ts). */
export function unversionedPath(pathname: string): string {
  const m = PREFIX.exec(pathname);
  return m ? pathname.slice(m[0].length) || '/' : pathname;
}

/** `/v1/...` or `API-Version: 1` pin a version; no pin means the newest; anything else is 400. */
export function apiVersion(): MiddlewareHandler<GatewayBindings> {
  return async (c, next) => {
    const m = PREFIX.exec(pathOf(c.req.url));
    const fromPath = m?.[1];
    const fromHeader = c.req.header('api-version')?.trim();
    for (const v of [fromPath, fromHeader]) {
      if (v !== undefined && !(SUPPORTED_VERSIONS as readonly string[]).includes(v)) {
        throw new Problem(
          'unknown_version',
          `API version ${JSON.stringify(v)} is not supported; supported: ${SUPPORTED_VERSIONS.join(', ')}.`,
        );
      }
    }
    if (fromPath && fromHeader && fromPath !== fromHeader) {
      throw new Problem('unknown_version', 'The path and the API-Version header name different versions.');
    }
    const version = fromPath ?? fromHeader ?? NEWEST_VERSION;
    c.set('apiVersion', version);
    await next();
    c.res.headers.set('API-Version', version);
  };
}
