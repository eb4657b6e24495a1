/** Calls the auth service the way the gateway does: over its entrypoint, with a resolved Caller. */
import { env, exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import { type AccessClaims, verifyAccessToken } from '../../../../lib/access-token.ts';
import type { Caller, Role, RouteInput } from '../../../../lib/api.ts';
import { freshIp, rpcClient, testCaller } from '../../../../lib/testing/rpc-client.ts';
import { contract } from '../../src/contract.ts';

/** The auth Worker's entrypoint over RPC, typed from its class (wrangler types' mainModule). */
export const auth = exports.default;

export const ORIGIN = 'http://127.0.0.1:8787';

export { freshIp };

export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${crypto.randomUUID().slice(0, 12)}@example.com`;
}

export function anonymous(over: Partial<Caller> = {}): Caller {
  return testCaller(ORIGIN, undefined, [], over);
}

export function userCaller(userId: string, roles: Role[] = ['viewer'], over: Partial<Caller> = {}): Caller {
  return testCaller(ORIGIN, userId, roles, over);
}

const client = rpcClient(contract, () => auth);

export function call(
  routeId: Parameters<typeof client.call>[0],
  input: Partial<RouteInput> = {},
  caller: Caller = anonymous(),
) {
  return client.call(routeId, input, caller);
}

export interface SignedUp {
  email: string;
  password: string;
  name: string;
  userId: string;
  token: string;
  refreshToken: string;
}

export async function signup(over: Partial<{ email: string; password: string; name: string }> = {}) {
  const body = { email: uniqueEmail(), password: 'correct horse battery', name: 'Test User', ...over };
  const reply = await call('auth.signup', { body });
  expect(reply.status, JSON.stringify(reply.problem)).toBe(201);
  const session = reply.body as { userId: string; token: string; refreshToken: string };
  return { ...body, ...session } as SignedUp;
}

export async function login(email: string, password: string, caller = anonymous()) {
  return call('auth.login', { body: { email, password } }, caller);
}

/** The gateway's own verification (workers/lib/access-token.ts) against the service's JWKS. */
export async function verify(token: string): Promise<AccessClaims> {
  const result = await verifyAccessToken(token, await auth.jwks(), {
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
  });
  if (!result.ok) throw new Error(`token refused: ${result.reason}`);
  return result.claims;
}

export function tokenHeader(token: string): { kid: string; alg: string; typ?: string } {
  return JSON.parse(atob(token.split('.')[0]!.replaceAll('-', '+').replaceAll('_', '/')));
}

/** The seeded admin (ADMIN_EMAIL in vitest.config.ts), as the gateway would present it. */
export async function admin(): Promise<Caller> {
  const reply = await login(env.ADMIN_EMAIL!, env.ADMIN_PASSWORD!);
  expect(reply.status, JSON.stringify(reply.problem)).toBe(200);
  const claims = await verify((reply.body as { token: string }).token);
  return userCaller(claims.sub, claims.roles);
}

interface SeenEvent {
  queue: string;
  body: { id: string; type: string; subject: string; source: string; traceparent: string; data: any };
}

/** Waits until the test consumer saw an event of this type (and subject), then answers every match. */
export async function eventsOf(type: string, subject?: string, timeoutMs = 5000): Promise<SeenEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = (await (await env.EVENT_SINK.fetch('http://sink/')).json()) as SeenEvent[];
    const hits = seen.filter(
      (e) => e.body.type === type && (subject === undefined || e.body.subject === subject),
    );
    if (hits.length > 0 || Date.now() > deadline) return hits;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls until fn answers something truthy (work the service finishes after answering). */
export async function eventually<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface OutboxMail {
  to: string;
  kind: string;
  subject: string;
  text: string;
  token: string;
}

/** The newest mail of this kind to this address, once the service (working after its answer) has written it. */
export async function mailFor(
  email: string,
  kind: 'password_reset' | 'email_verification',
): Promise<OutboxMail> {
  const caller = await admin();
  return eventually(async () => {
    const reply = await call('auth.mailbox', { query: { to: email, kind, page: 1, limit: 20 } }, caller);
    return (reply.body as OutboxMail[])[0];
  });
}

/** The newest password reset mail to this address. */
export function resetMailFor(email: string): Promise<OutboxMail> {
  return mailFor(email, 'password_reset');
}

export interface IssuedKey {
  id: string;
  key: string;
  prefix: string;
  scopes: string[];
  ownerId: string;
  revokedAt: string | null;
}

/** An API key issued by the seeded admin. */
export async function issueKey(scopes: string[], extra: Record<string, unknown> = {}) {
  const caller = await admin();
  const reply = await call('auth.createApiKey', { body: { name: 'partner', scopes, ...extra } }, caller);
  expect(reply.status, JSON.stringify(reply.problem)).toBe(201);
  return { caller, key: reply.body as IssuedKey };
}

/** The caller the gateway resolves for a verified key: its scopes, and no roles. */
export function keyCaller(verified: { id: string; ownerId: string; scopes: string[] }): Caller {
  return anonymous({ apiKey: { id: verified.id, ownerId: verified.ownerId, scopes: verified.scopes } });
}
