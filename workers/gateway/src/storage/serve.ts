/**
 * GET and HEAD of a stored object, with single byte ranges, ETag and conditional requests. Its type
 * is the one its key decides (media-types.ts), never the one stored with it.
 */
import type { Context } from 'hono';
import { Problem } from '../../../lib/problem.ts';
import type { GatewayBindings } from '../env.ts';
import { mediaTypeOf } from './media-types.ts';
import { contentRange, parseRange } from './range.ts';

export async function serveObject(
  c: Context<GatewayBindings>,
  key: string,
  cacheControl: string,
): Promise<Response> {
  const bucket = c.env.MEDIA;
  const head = await bucket.head(key);
  if (!head) throw Problem.notFound('No such object.');
  const headers = new Headers({
    'Accept-Ranges': 'bytes',
    'Cache-Control': cacheControl,
    ETag: head.httpEtag,
    'Last-Modified': head.uploaded.toUTCString(),
  });
  const media = mediaTypeOf(key);
  headers.set('Content-Type', media.contentType);
  if (media.attachment) headers.set('Content-Disposition', 'attachment');
  const ifNoneMatch = c.req.header('if-none-match');
  if (ifNoneMatch?.split(',').some((t) => t.trim() === head.httpEtag || t.trim() === '*')) {
    return new Response(null, { status: 304, headers });
  }
  // If-Range: a range of a changed object would splice two versions; send the whole new one.
  const ifRange = c.req.header('if-range');
  const rangeHeader = ifRange && ifRange !== head.httpEtag ? undefined : c.req.header('range');
  const range = parseRange(rangeHeader, head.size);
  if (range === 'unsatisfiable') {
    throw new Problem(
      'range_not_satisfiable',
      `The object has ${head.size} bytes; the range asks for none of them.`,
      {
        headers: { 'Content-Range': `bytes */${head.size}`, 'Accept-Ranges': 'bytes' },
      },
    );
  }
  const status = range ? 206 : 200;
  headers.set('Content-Length', String(range ? range.length : head.size));
  if (range) headers.set('Content-Range', contentRange(range, head.size));
  if (c.req.method === 'HEAD') return new Response(null, { status, headers });
  const object = await bucket.get(key, range ? { range } : {});
  if (!object) throw Problem.notFound('No such object.');
  return new Response(object.body, { status, headers });
}
