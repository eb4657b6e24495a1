import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { ApiRoute } from '../../lib/api.ts';
import { errorFields, log } from '../../lib/log.ts';
import { registerComponents } from '../../lib/openapi.ts';
import { fieldErrors, Problem, problemResponse } from '../../lib/problem.ts';
import { docsPage, docsScript } from './docs.ts';
import type { GatewayBindings } from './env.ts';
import { requestContext } from './middleware/request-context.ts';
import { corsFromAllowList, enforceHttps, securityHeaders } from './middleware/transport.ts';
import { apiVersion, pathOf, SUPPORTED_VERSIONS, unversionedPath } from './middleware/version.ts';
import { forwardToService } from './proxy.ts';
import { gatewayRoutes } from './routes/gateway-routes.ts';
import { MethodIndex } from './routes/matcher.ts';
import { registerRoute } from './routes/register.ts';
import { SERVICE_ROUTES } from './routes/table.ts';
import { registerStorage } from './storage/routes.ts';
import { registerStream } from './stream/routes.ts';

export interface AppOptions {
  /** The public routes proxied to services; defaults to the full table. */
  serviceRoutes?: ApiRoute[];
}

export function createApp(options: AppOptions = {}) {
  const app = new OpenAPIHono<GatewayBindings>({
    getPath: (req) => unversionedPath(pathOf(req.url)),
    defaultHook: (result) => {
      if (!result.success) {
        const where = result.target === 'json' ? 'body' : result.target;
        throw Problem.badRequest(
          `The request ${where} is invalid.`,
          fieldErrors(result.error.issues as never, where === 'body' ? '' : where),
        );
      }
    },
  });

  app.use('*', requestContext());
  // Outside CORS, so that preflight answers carry the security headers too.
  app.use('*', securityHeaders());
  app.use('*', corsFromAllowList());
  app.use('*', enforceHttps());
  app.use('*', apiVersion());

  const methods = new MethodIndex();
  for (const { route, handler } of gatewayRoutes()) registerRoute(app, route, handler, methods);
  for (const route of options.serviceRoutes ?? SERVICE_ROUTES)
    registerRoute(app, route, forwardToService, methods);
  registerStorage(app);
  registerStream(app);

  app.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: {
      title: 'Edge Video Platform API',
      version: '1',
      description:
        'Every path is also served under /v1. Errors are application/problem+json (RFC 9457). ' +
        'Rate limits are announced in RateLimit-* headers.',
    },
    servers: [{ url: c.get('caller').origin }],
  }));
  registerComponents(app.openAPIRegistry, SUPPORTED_VERSIONS);
  app.get('/docs', (c) => c.html(docsPage()));
  app.get('/docs.js', (c) => c.body(docsScript, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
  for (const path of ['/openapi.json', '/docs', '/docs.js']) methods.add('get', path);

  app.notFound((c) => {
    const path = c.req.path;
    const allow = methods.allowed(path);
    const problem = allow.length
      ? new Problem(
          'method_not_allowed',
          `${c.req.method} is not allowed here; allowed: ${allow.join(', ')}.`,
          {
            headers: { Allow: allow.join(', ') },
          },
        )
      : Problem.notFound(`No route matches ${c.req.method} ${path}.`);
    return problemResponse(problem, c.get('requestId'), path);
  });

  app.onError((err, c) => {
    const path = pathOf(c.req.url);
    const requestId = c.get('requestId');
    if (err instanceof Problem) return problemResponse(err, requestId, path);
    if (err instanceof HTTPException && err.status === 400 && /JSON/i.test(err.message)) {
      return problemResponse(new Problem('malformed_json', 'The body is not valid JSON.'), requestId, path);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return problemResponse(new Problem('bad_request', err.message || 'Bad request.'), requestId, path);
    }
    log('error', 'unhandled error', { requestId, path, ...errorFields(err) });
    return problemResponse(new Problem('internal', 'Something went wrong on our side.'), requestId, path);
  });

  return app;
}
