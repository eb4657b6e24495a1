import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { DEFAULT_BODY_LIMIT } from '../../../lib/api.ts';
import { Problem } from '../../../lib/problem.ts';
import type { GatewayBindings } from '../env.ts';

function isJson(contentType: string): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** Size limit and media type for routes that take a JSON body. */
export function jsonBody(maxSize = DEFAULT_BODY_LIMIT): MiddlewareHandler<GatewayBindings> {
  const limit = bodyLimit({
    maxSize,
    onError: () => {
      throw new Problem('payload_too_large', `The body is larger than ${maxSize} bytes.`);
    },
  });
  return async (c, next) => {
    const contentType = c.req.header('content-type');
    const length = c.req.header('content-length');
    const hasBody =
      contentType !== undefined ||
      (length !== undefined && length !== '0') ||
      c.req.header('transfer-encoding');
    if (hasBody && !isJson(contentType ?? '')) {
      throw new Problem('unsupported_media_type', 'The body must be application/json.', {
        headers: { 'Accept-Post': 'application/json' },
      });
    }
    return limit(c, next);
  };
}

/**
 * For `rawBody` routes: reads the body as text (after jsonBody checked its type and size) before any
 * validator parses it. Hono keeps that text, so the service receives the exact bytes a signature
 * covers; a JSON parse and re-serialisation would not reproduce them.
 */
export function rawBody(): MiddlewareHandler<GatewayBindings> {
  return async (c, next) => {
    await c.req.text();
    await next();
  };
}
