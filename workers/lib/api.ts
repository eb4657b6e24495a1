/**
 * The public API is declared once, as a list of routes per service (`src/contract.ts` in each
 * service). The gateway serves, validates, documents and guards them; the service implements
 * them as handlers behind one RPC method, `handle(routeId, input, caller)`.
 */
import type { RouteConfig, z } from '@hono/zod-openapi';
import type { SerializedProblem } from './problem.ts';

export const SERVICES = [
  'auth',
  'profile',
  'videos',
  'catalog',
  'playback',
  'recs',
  'analytics',
  'billing',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** The gateway's binding name for each service. */
export const SERVICE_BINDING: Record<ServiceName, string> = {
  auth: 'AUTH',
  profile: 'PROFILE',
  videos: 'VIDEOS',
  catalog: 'CATALOG',
  playback: 'PLAYBACK',
  recs: 'RECS',
  analytics: 'ANALYTICS',
  billing: 'BILLING',
};

export type Role = 'viewer' | 'admin';

/**
 * Who may call a route. `owner` names the path parameter that must equal the caller's user id
 * (admins pass as well). `runner` is a transcoder runner token, never a user token.
 */
export type Access = 'public' | 'user' | 'admin' | 'runner' | { owner: string };

/**
 * The scopes an API key may carry, fine-grained: route policies name them (so every scope a route
 * asks for can be issued), and a key passes exactly the routes naming one of its scopes.
 */
export const API_KEY_SCOPES = [
  'videos:read',
  'videos:write',
  'videos:admin',
  'events:write',
  'billing:admin',
  'ops',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export type RateLimitPolicyName = 'default' | 'auth' | 'profile' | 'strict' | 'ingest' | 'none';

/** The body limit of routes whose policy names none. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

export type CachePolicy =
  | 'no-store'
  | { maxAge: number; scope: 'public' | 'private'; staleWhileRevalidate?: number };

export interface RoutePolicy {
  access: Access;
  /**
   * API keys carrying any of these scopes may call the route; without scopes no API key may. A key
   * carries no role, so this is the only way a key passes a route that is not public.
   */
  scopes?: ApiKeyScope[];
  rateLimit?: RateLimitPolicyName;
  /** Largest accepted body in bytes (default DEFAULT_BODY_LIMIT, 64 KiB). */
  bodyLimit?: number;
  cache?: CachePolicy;
  /** The IP allow/deny group the route belongs to (see the gateway's IP_RULES). */
  ipGroup?: string;
  /** Accept the access token in `?token=` as well (players that cannot set headers). */
  acceptQueryToken?: boolean;
  /** Hidden routes are served but left out of the OpenAPI document (as are /internal/ and runner routes). */
  hidden?: boolean;
  /**
   * The service receives the body as the exact text the client sent, not parsed JSON: for payloads
   * signed byte for byte by their sender (payment webhooks). Declare the JSON body with a plain OpenAPI
   * schema object, not a zod schema: the gateway then checks its media type and size and documents it,
   * but does not validate (and re-serialise) it.
   */
  rawBody?: boolean;
  /** Request headers the service needs beyond the usual ones (e.g. `stripe-signature`), lower case. */
  forwardHeaders?: string[];
}

export interface ApiRoute<R extends RouteConfig = RouteConfig, Id extends string = string> {
  /** Stable id, `<service>.<action>`, used as the RPC dispatch key. */
  id: Id;
  /** The service that answers it; `gateway` for routes the gateway answers itself. */
  service: ServiceName | 'gateway';
  /** Its operationId, security, error responses and common headers are derived from `policy` (lib/openapi.ts). */
  route: R;
  policy: RoutePolicy;
}

export function defineRoute<const Id extends string, R extends RouteConfig>(
  r: ApiRoute<R, Id>,
): ApiRoute<R, Id> {
  return r;
}

/** A service's public routes, checked to belong to it; the gateway serves and documents them. */
export interface Contract<
  S extends ServiceName = ServiceName,
  Rs extends readonly ApiRoute[] = readonly ApiRoute[],
> {
  service: S;
  routes: Rs;
}

export function defineContract<
  const S extends ServiceName,
  const Rs extends readonly ApiRoute<RouteConfig, string>[],
>(service: S, routes: Rs): Contract<S, Rs> {
  const ids = new Set<string>();
  for (const r of routes) {
    if (r.service !== service) throw new Error(`route ${r.id} belongs to ${r.service}, not ${service}`);
    if (ids.has(r.id)) throw new Error(`route id ${r.id} is declared twice`);
    ids.add(r.id);
  }
  return { service, routes };
}

/** The ids of a contract's routes. */
export type RouteIdOf<C extends Contract> = C['routes'][number]['id'];

/** What the gateway resolved about the caller; crosses the RPC boundary as plain data. */
export interface Caller {
  requestId: string;
  traceparent: string;
  ip: string;
  userId?: string;
  roles: Role[];
  apiKey?: { id: string; ownerId: string; scopes: string[] };
  /** The externally visible origin, e.g. `http://127.0.0.1:8787`, for absolute URLs. */
  origin: string;
}

export interface RouteInput<P = Record<string, string>, Q = Record<string, unknown>, B = unknown> {
  params: P;
  query: Q;
  body: B;
  /** Lower-cased request headers the route may need (Idempotency-Key, If-None-Match, ...). */
  headers: Record<string, string>;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** For paged lists: the total across pages; the gateway adds X-Total-Count and Link. */
  total?: number;
  problem?: SerializedProblem;
}

type JsonBody<R> = R extends { request: { body: { content: { 'application/json': { schema: infer S } } } } }
  ? S extends z.ZodType
    ? z.output<S>
    : unknown
  : undefined;
type Part<R, K extends string> = R extends { request: { [P in K]: infer S } }
  ? S extends z.ZodType
    ? z.output<S>
    : Record<string, never>
  : Record<string, never>;

export type InputOf<R extends RouteConfig> = RouteInput<Part<R, 'params'>, Part<R, 'query'>, JsonBody<R>>;

/** Statuses a handler answers with; errors are thrown as Problems, never returned. */
type SuccessStatus = 200 | 201 | 202 | 204 | 206 | 301 | 302 | 303 | 304 | 307 | 308;
type ResponseBody<Resp> = Resp extends { content: { 'application/json': { schema: infer S } } }
  ? S extends z.ZodType
    ? z.input<S>
    : unknown
  : Resp extends { content: object }
    ? unknown
    : undefined;

/** A reply typed by the route's declared success responses: status and body must match one. */
export type ReplyOf<R extends RouteConfig> = {
  [S in Extract<keyof R['responses'], SuccessStatus>]: {
    status: S;
    body?: ResponseBody<R['responses'][S]>;
    headers?: Record<string, string>;
    total?: number;
  };
}[Extract<keyof R['responses'], SuccessStatus>];

/** What a handler may do beyond answering: finish work after the response. */
export interface WorkContext {
  waitUntil(promise: Promise<unknown>): void;
}

export type Handler<E, R extends RouteConfig = RouteConfig> = (
  input: InputOf<R>,
  caller: Caller,
  env: E,
  ctx: WorkContext,
) => Promise<ReplyOf<R>>;

/** A route's handler, tagged with the route it implements. */
export interface Implementation<E, Id extends string = string> {
  readonly routeId: Id;
  readonly run: (input: RouteInput, caller: Caller, env: E, ctx: WorkContext) => Promise<Reply>;
}

export function implement<E, const Id extends string, R extends RouteConfig>(
  route: ApiRoute<R, Id>,
  fn: Handler<E, R>,
): Implementation<E, Id> {
  return { routeId: route.id, run: fn as unknown as Implementation<E, Id>['run'] };
}

/**
 * One handler per route of the contract, keyed by route id: a route without a handler, a handler
 * without a route, or a handler filed under another route's id does not type-check.
 */
export type Handlers<E, C extends Contract> = {
  [Id in RouteIdOf<C>]: Implementation<E, Id>;
};

/** Whether the caller's access token carries the admin role; an API key never does. */
export function isAdmin(caller: Caller): boolean {
  return caller.roles.includes('admin');
}

export function json<const S extends number, B>(
  status: S,
  body: B,
  headers?: Record<string, string>,
): { status: S; body: B; headers?: Record<string, string> } {
  return headers ? { status, body, headers } : { status, body };
}

export const noContent = { status: 204 } as const;
