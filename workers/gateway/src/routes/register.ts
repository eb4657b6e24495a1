import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { ApiRoute } from '../../../lib/api.ts';
import { documentRoute, isInternal, takesJsonBody } from '../../../lib/openapi.ts';
import type { GatewayBindings } from '../env.ts';
import { authenticate } from '../middleware/authenticate.ts';
import { jsonBody, rawBody } from '../middleware/body.ts';
import { INTERNAL_GROUP, ipFilter } from '../middleware/ip-rules.ts';
import { rateLimitByAddress, rateLimitByCaller } from '../middleware/rate-limit.ts';
import type { MethodIndex } from './matcher.ts';

export type RouteHandler = (c: Context<GatewayBindings>, route: ApiRoute) => Promise<Response>;

/**
 * Registers one route of the table with its policy chain, in this order: IP rules, the per-IP rate
 * limit (before credentials, so bad tokens and keys are limited too), the caller's credentials and
 * access rule, the per-user and per-API-key limits, then the body's media type and size; the
 * route's own zod validators run after these, and the handler last. Its OpenAPI operation is derived from
 * the same policy (documentRoute); internal routes are served but left out of the document.
 */
export function registerRoute(
  app: OpenAPIHono<GatewayBindings>,
  route: ApiRoute,
  handler: RouteHandler,
  methods: MethodIndex,
): void {
  const { policy } = route;
  const ipGroups = [policy.ipGroup, route.route.path.startsWith('/internal/') ? INTERNAL_GROUP : undefined];
  const chain: MiddlewareHandler<GatewayBindings>[] = [
    async (c, next) => {
      c.set('routeId', route.id);
      c.set('routePattern', route.route.path);
      await next();
    },
    ipFilter([...new Set(ipGroups.filter((g) => g !== undefined))]),
    rateLimitByAddress(policy.rateLimit ?? 'default'),
    authenticate(route),
    rateLimitByCaller(policy.rateLimit ?? 'default'),
  ];
  if (takesJsonBody(route)) chain.push(jsonBody(policy.bodyLimit));
  if (policy.rawBody) chain.push(rawBody());
  methods.add(route.route.method, route.route.path);
  app.openapi({ ...documentRoute(route), middleware: chain, ...(isInternal(route) ? { hide: true } : {}) }, ((
    c: Context<GatewayBindings>,
  ) => handler(c, route)) as never);
}
