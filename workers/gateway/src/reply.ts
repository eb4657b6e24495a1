import type { Context } from 'hono';
import type { CachePolicy, Reply } from '../../lib/api.ts';
import { Problem, problemResponse } from '../../lib/problem.ts';
import { notModified, weakEtag } from './conditional.ts';
import type { GatewayBindings } from './env.ts';
import { pathOf } from './middleware/version.ts';

function cacheControl(policy: CachePolicy | undefined, authenticated: boolean): string {
  if (!policy || policy === 'no-store') return 'no-store';
  const scope = authenticated ? 'private' : policy.scope;
  const swr = policy.staleWhileRevalidate ? `, stale-while-revalidate=${policy.staleWhileRevalidate}` : '';
  return `${scope}, max-age=${policy.maxAge}${swr}`;
}

/** RFC 8288 Link header with next/prev for `page` + `limit` paging. */
export function pageLinks(url: URL, total: number): string | undefined {
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  const limit = Math.max(1, Number(url.searchParams.get('limit') ?? 20) || 20);
  const last = Math.max(1, Math.ceil(total / limit));
  const link = (p: number, rel: string) => {
    const u = new URL(url);
    u.searchParams.set('page', String(p));
    u.searchParams.set('limit', String(limit));
    return `<${u.pathname}${u.search}>; rel="${rel}"`;
  };
  const parts: string[] = [];
  if (page < last) parts.push(link(page + 1, 'next'));
  if (page > 1) parts.push(link(Math.min(page - 1, last), 'prev'));
  parts.push(link(1, 'first'), link(last, 'last'));
  return parts.join(', ');
}

/** Turns a service's reply into the HTTP response the contract promises. */
export function toResponse(
  c: Context<GatewayBindings>,
  reply: Reply,
  cache: CachePolicy | undefined,
): Response {
  const requestId = c.get('requestId');
  if (reply.problem) return problemResponse(Problem.fromJSON(reply.problem), requestId, pathOf(c.req.url));
  const headers = new Headers(reply.headers);
  if (reply.total !== undefined) {
    headers.set('X-Total-Count', String(reply.total));
    const links = pageLinks(new URL(c.req.url), reply.total);
    if (links) headers.set('Link', links);
  }
  if (!headers.has('Cache-Control') && c.req.method === 'GET') {
    headers.set(
      'Cache-Control',
      cacheControl(cache, Boolean(c.get('caller').userId || c.get('caller').apiKey)),
    );
  }
  if (reply.status === 204 || reply.body === undefined)
    return new Response(null, { status: reply.status, headers });
  if (typeof reply.body === 'string') {
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'text/plain; charset=utf-8');
    return new Response(reply.body, { status: reply.status, headers });
  }
  headers.set('Content-Type', 'application/json; charset=utf-8');
  const body = JSON.stringify(reply.body);
  if (reply.status === 200 && c.req.method === 'GET' && cache && cache !== 'no-store') {
    const etag = headers.get('ETag') ?? weakEtag(body);
    headers.set('ETag', etag);
    if (notModified(c.req.header('if-none-match'), etag)) {
      headers.delete('Content-Type');
      return new Response(null, { status: 304, headers });
    }
  }
  return new Response(body, { status: reply.status, headers });
}
