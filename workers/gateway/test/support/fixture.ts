import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { createRoute, z } from '@hono/zod-openapi';
import { exportJWK, generateKeyPair } from 'jose';
import {
  type ApiRoute,
  type Caller,
  defineRoute,
  type RouteInput,
  SERVICE_BINDING,
} from '../../../lib/api.ts';
import { createApp } from '../../src/app.ts';

const ok = { 200: { description: 'ok' } };

/** Fixture routes, one per policy feature, answered by an echoing fixture service. */
export const fixtureRoutes: ApiRoute[] = [
  defineRoute({
    id: 'fixture.public',
    service: 'videos',
    policy: { access: 'public', cache: { maxAge: 60, scope: 'public' } },
    route: createRoute({ method: 'get', path: '/fixture/public', responses: ok }),
  }),
  defineRoute({
    id: 'fixture.owner',
    service: 'videos',
    policy: { access: { owner: 'userId' }, rateLimit: 'profile' },
    route: createRoute({
      method: 'get',
      path: '/fixture/users/{userId}',
      request: { params: z.object({ userId: z.string() }) },
      responses: ok,
    }),
  }),
  defineRoute({
    id: 'fixture.create',
    service: 'videos',
    policy: { access: 'user', bodyLimit: 1024, scopes: ['videos:write'] },
    route: createRoute({
      method: 'post',
      path: '/fixture/items',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({ name: z.string().min(1), count: z.number().int().min(0) }),
            },
          },
        },
      },
      responses: { 201: { description: 'created' } },
    }),
  }),
  defineRoute({
    id: 'fixture.admin',
    service: 'videos',
    policy: { access: 'admin' },
    route: createRoute({
      method: 'delete',
      path: '/fixture/items/{id}',
      request: { params: z.object({ id: z.string() }) },
      responses: { 204: { description: 'gone' } },
    }),
  }),
  defineRoute({
    id: 'fixture.list',
    service: 'videos',
    policy: { access: 'public' },
    route: createRoute({
      method: 'get',
      path: '/fixture/list',
      request: {
        query: z.object({
          page: z.coerce.number().int().min(1).default(1),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
      },
      responses: ok,
    }),
  }),
  defineRoute({
    id: 'fixture.strict',
    service: 'videos',
    policy: { access: 'public', rateLimit: 'strict' },
    route: createRoute({ method: 'get', path: '/fixture/strict', responses: ok }),
  }),
  defineRoute({
    id: 'fixture.adminNetwork',
    service: 'videos',
    policy: { access: 'public', ipGroup: 'admin' },
    route: createRoute({ method: 'get', path: '/fixture/admin-network', responses: ok }),
  }),
  defineRoute({
    id: 'fixture.blocked',
    service: 'videos',
    policy: { access: 'public', ipGroup: 'blocked' },
    route: createRoute({ method: 'get', path: '/fixture/blocked', responses: ok }),
  }),
  defineRoute({
    id: 'fixture.internal',
    service: 'videos',
    // No ipGroup: a path under /internal/ belongs to the `internal` group all the same.
    policy: { access: 'public' },
    route: createRoute({ method: 'get', path: '/internal/fixture', responses: ok }),
  }),
  defineRoute({
    id: 'fixture.boom',
    service: 'videos',
    policy: { access: 'public' },
    route: createRoute({ method: 'get', path: '/fixture/boom', responses: ok }),
  }),
  defineRoute({
    id: 'fixture.signed',
    service: 'videos',
    policy: { access: 'public', rawBody: true, forwardHeaders: ['x-signature'], bodyLimit: 256 },
    route: createRoute({
      method: 'post',
      path: '/fixture/signed',
      request: {
        body: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
      },
      responses: ok,
    }),
  }),
  defineRoute({
    id: 'fixture.queryToken',
    service: 'videos',
    policy: { access: 'user', acceptQueryToken: true },
    route: createRoute({ method: 'get', path: '/fixture/query-token', responses: ok }),
  }),
];

export const calls: { routeId: string; input: RouteInput; caller: Caller }[] = [];

/** The service side of the fixture routes: echoes what it was given. */
const fixtureService = {
  async handle(routeId: string, input: RouteInput, caller: Caller) {
    calls.push({ routeId, input, caller });
    switch (routeId) {
      case 'fixture.create':
        return { status: 201, body: { ...(input.body as object), by: caller.userId ?? caller.apiKey?.id } };
      case 'fixture.public':
        return { status: 200, body: { routeId } };
      case 'fixture.admin':
        return { status: 204 };
      case 'fixture.list': {
        const q = input.query as { page: number; limit: number };
        const all = Array.from({ length: 45 }, (_, i) => ({ n: i + 1 }));
        return { status: 200, body: all.slice((q.page - 1) * q.limit, q.page * q.limit), total: all.length };
      }
      case 'fixture.boom':
        throw new Error('database password is hunter2');
      default:
        return { status: 200, body: { routeId, params: input.params, caller } };
    }
  },
  async ready() {
    return { ok: true, checks: {} };
  },
};

/** API keys the fixture auth service knows. */
const API_KEYS: Record<string, { id: string; ownerId: string; scopes: string[] }> = {
  'key-items': { id: 'key_items', ownerId: 'usr_partner', scopes: ['videos:write'] },
  'key-read': { id: 'key_read', ownerId: 'usr_partner', scopes: ['videos:read'] },
  // A key issued before scopes were fine-grained.
  'key-admin': { id: 'key_admin', ownerId: 'usr_partner', scopes: ['admin'] },
};

/**
 * The fixture auth service's accounts: their tokens-not-before (ms), null for a deleted account.
 * Accounts not listed have never revoked anything (0).
 */
export const accounts = new Map<string, number | null>();
/** Every tokensNotBefore lookup the gateway made, by user id. */
export const notBeforeLookups: string[] = [];

const app = createApp({ serviceRoutes: fixtureRoutes });

export async function gateway(
  path: string,
  init: RequestInit & { ip?: string; vars?: Partial<GatewayEnv>; origin?: string } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('cf-connecting-ip')) headers.set('cf-connecting-ip', init.ip ?? '198.51.100.7');
  const request = new Request(`${init.origin ?? 'http://gateway.test'}${path}`, { ...init, headers });
  const testEnv = {
    ...env,
    // Every service the config binds answers as the fixture service; auth also verifies credentials.
    ...Object.fromEntries(
      Object.values(SERVICE_BINDING)
        .filter((binding) => binding in env)
        .map((binding) => [binding, fixtureService]),
    ),
    AUTH: {
      ...fixtureService,
      jwks: async () => JSON.parse(env.JWKS_JSON),
      verifyApiKey: async (key: string) => API_KEYS[key] ?? null,
      tokensNotBefore: async (userId: string) => {
        notBeforeLookups.push(userId);
        return accounts.has(userId) ? accounts.get(userId) : 0;
      },
    },
    ...init.vars,
  };
  const ctx = createExecutionContext();
  const res = await app.fetch(request, testEnv as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export async function otherKeyPair() {
  return generateKeyPair('RS256', { extractable: true });
}
export { exportJWK };
