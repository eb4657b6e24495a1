import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { ApiRoute } from '../../../lib/api.ts';
import type { GatewayBindings } from '../env.ts';
import { authenticate } from '../middleware/authenticate.ts';
import { jsonBody } from '../middleware/body.ts';
import { ipFilter } from '../middleware/ip-rules.ts';
import { rateLimit } from '../middleware/rate-limit.ts';
import type { MethodIndex } from './matcher.ts';

export type RouteHandler = (c: Context<GatewayBindings>, route: ApiRoute) => Promise<Response>;

function takesJsonBody(route: ApiRoute): boolean {
  const body = route.route.request?.body as { content?: Record<string, unknown> } | undefined;
  return Boolean(body?.content?.['application/json']);
}

/**
 * Registers one route of the table with its policy chain, in this order: IP rules, the caller's
 * credentials and access rule, the rate limit, then the body's media type and size; the route's
 * own zod validators run after these, and the handler last.
 */
export function registerRoute(
  app: OpenAPIHono<GatewayBindings>,
  route: ApiRoute,
  handler: RouteHandler,
  methods: MethodIndex,
): void {
  const { policy } = route;
  const chain: MiddlewareHandler<GatewayBindings>[] = [
    async (c, next) => {
      c.set('routeId', route.id);
      c.set('routePattern', route.route.path);
      await next();
    },
    ipFilter(policy.ipGroup),
    authenticate(route),
    rateLimit(policy.rateLimit ?? 'default'),
  ];
  if (takesJsonBody(route)) chain.push(jsonBody(policy.bodyLimit));
  methods.add(route.route.method, route.route.path);
  app.openapi(
    { ...route.route, middleware: chain, ...(policy.hidden ? { hide: true } : {}) } as typeof route.route,
    ((c: Context<GatewayBindings>) => handler(c, route)) as never,
  );
}
