import type { Context } from 'hono';
import type { ApiRoute, RouteInput } from '../../lib/api.ts';
import { errorFields, log } from '../../lib/log.ts';
import { Problem } from '../../lib/problem.ts';
import { type GatewayBindings, type ServiceStub, serviceBinding } from './env.ts';
import { toResponse } from './reply.ts';

/** Request headers a service may see; everything else stays at the door. */
const FORWARDED_HEADERS = [
  'idempotency-key',
  'if-none-match',
  'if-match',
  'if-modified-since',
  'user-agent',
  'accept-language',
  'cookie',
];

export function serviceStub(c: Context<GatewayBindings>, route: ApiRoute): ServiceStub {
  const stub = route.service === 'gateway' ? undefined : serviceBinding(c.env, route.service);
  if (!stub) throw new Problem('service_unavailable', `The ${route.service} service is not available.`);
  return stub;
}

function validated(c: Context<GatewayBindings>, target: 'param' | 'query' | 'json'): unknown {
  try {
    return (c.req.valid as (t: string) => unknown)(target);
  } catch {
    return undefined;
  }
}

/** Calls the route's service over RPC with the validated input and the resolved caller. */
export async function forwardToService(c: Context<GatewayBindings>, route: ApiRoute): Promise<Response> {
  const headers: Record<string, string> = {};
  for (const h of FORWARDED_HEADERS) {
    const v = c.req.header(h);
    if (v !== undefined) headers[h] = v;
  }
  if (route.policy.access === 'runner') {
    const auth = c.req.header('authorization');
    if (auth) headers.authorization = auth;
  }
  for (const h of route.policy.forwardHeaders ?? []) {
    const v = c.req.header(h);
    if (v !== undefined) headers[h] = v;
  }
  const input: RouteInput = {
    params: (validated(c, 'param') ?? c.req.param()) as Record<string, string>,
    query: (validated(c, 'query') ?? {}) as Record<string, unknown>,
    // rawBody: the text as received (register.ts read it before anything could parse it).
    body: route.policy.rawBody ? await c.req.text() : validated(c, 'json'),
    headers,
  };
  const stub = serviceStub(c, route);
  let reply: Awaited<ReturnType<ServiceStub['handle']>>;
  try {
    reply = await stub.handle(route.id, input, c.get('caller'));
  } catch (err) {
    log('error', 'service call failed', {
      routeId: route.id,
      requestId: c.get('requestId'),
      ...errorFields(err),
    });
    throw new Problem('bad_gateway', `The ${route.service} service failed to answer.`);
  }
  return toResponse(c, reply, route.policy.cache);
}
