/**
 * The gateway's bindings are `GatewayEnv`, typed by `wrangler types` from wrangler.jsonc with the
 * service Workers' configs (`npm run env-types`): AUTH and VIDEOS are RPC stubs of their
 * entrypoint classes. Settings (vars and secrets) are read through `settings()` in config.ts.
 */
import { type Caller, SERVICE_BINDING, type ServiceName } from '../../lib/api.ts';
import type { ServiceEntrypoint } from '../../lib/service.ts';
import type { Decision } from './ratelimit/interface.ts';

/** What the gateway calls on any service Worker: public routes, readiness, dead letters. */
export type ServiceStub = Service<ServiceEntrypoint<unknown>>;

/** A service's binding, or undefined where this deployment does not bind that service yet. */
export function serviceBinding(env: GatewayEnv, service: ServiceName): ServiceStub | undefined {
  return (env as unknown as Partial<Record<string, ServiceStub>>)[SERVICE_BINDING[service]];
}

export interface GatewayVars {
  requestId: string;
  trace: { traceId: string; spanId: string; traceparent: string };
  ip: string;
  caller: Caller;
  started: number;
  routeId?: string;
  routePattern?: string;
  apiVersion: string;
  /** The rate limit closest to denying this request so far, announced in RateLimit-*. */
  rateLimit?: Decision;
}

export type GatewayBindings = { Bindings: GatewayEnv; Variables: GatewayVars };
