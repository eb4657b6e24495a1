import type { RateLimiter } from '../../../durable-objects/rate-limiter.ts';
import type { Caller, Reply, RouteInput } from '../../lib/api.ts';
import type { ReadyReport } from '../../lib/service.ts';
import type { VideosRpc } from '../../services/videos/src/storage-rpc.ts';

/** What the gateway needs from every service binding. */
export interface ServiceStub {
  handle(routeId: string, input: RouteInput, caller: Caller): Promise<Reply>;
  ready(): Promise<ReadyReport>;
  replayDeadLetters?(queue: string): Promise<{ replayed: number; skipped: number }>;
  listDeadLetters?(queue: string): Promise<unknown[]>;
}

/** What the gateway needs from the auth service beyond public routes. */
export interface AuthStub extends ServiceStub {
  jwks(): Promise<{ keys: JsonWebKey[] }>;
  verifyApiKey(
    key: string,
  ): Promise<{ id: string; ownerId: string; scopes: string[]; roles: string[] } | null>;
}

/** The videos service: public routes plus the storage endpoint's report of a stored master. */
export interface VideosStub extends ServiceStub, VideosRpc {}

export interface GatewayEnv {
  ENVIRONMENT: 'development' | 'staging' | 'production' | 'test';
  /** Issuer and audience the access tokens must carry. */
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  /** A static JWKS (JSON) used when no auth service is bound, e.g. in the gateway's own tests. */
  JWKS_JSON?: string;
  /** Comma-separated origins allowed by CORS; `*` allows any origin without credentials. */
  CORS_ORIGINS?: string;
  /** JSON: { "<group>": { "allow"?: string[], "deny"?: string[] } }; group "*" applies to every route. */
  IP_RULES?: string;
  /** JSON overrides of the rate-limit policies (see ratelimit/policies.ts). */
  RATE_LIMITS?: string;
  /** The externally visible origin; defaults to the request's. */
  PUBLIC_ORIGIN?: string;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  CACHE: KVNamespace;
  /** Masters and renditions, served and written by the storage endpoint (src/storage/). */
  MEDIA: R2Bucket;
  /** Secret: HMAC key of storage URLs, shared with the videos service that signs them. */
  STORAGE_SIGNING_KEY?: string;
  AUTH?: Service & AuthStub;
  PROFILE?: Service & ServiceStub;
  VIDEOS?: Service & VideosStub;
  CATALOG?: Service & ServiceStub;
  PLAYBACK?: Service & ServiceStub;
  RECS?: Service & ServiceStub;
  ANALYTICS?: Service & ServiceStub;
  BILLING?: Service & ServiceStub;
  [binding: string]: unknown;
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
}

export type GatewayBindings = { Bindings: GatewayEnv; Variables: GatewayVars };
