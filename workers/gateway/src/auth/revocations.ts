/**
 * Revoked access tokens at the door. Auth keeps each account's tokens-not-before (epoch ms) and
 * moves it forward on every revocation (role change, logout, revoked refresh family, password
 * reset); a token carries the value current when it was minted (`tnb`). A token whose `tnb` is
 * older than its account's, or whose account is gone, is refused.
 *
 * Auth is asked (`tokensNotBefore`, one primary-key read) at most once per account per isolate per
 * REVOCATION_DELAY_MS, and concurrent requests share one lookup; the value is stamped with the time
 * the lookup started, so a revocation takes effect here within REVOCATION_DELAY_MS while auth
 * answers. When it does not answer within LOOKUP_TIMEOUT_MS, the latest value known (this
 * isolate's, or the one KV keeps for revocations recent enough to matter) decides, and with none
 * known the token passes: an auth outage does not sign everyone out, and only a revocation that no
 * isolate had seen before the outage can slip through it.
 */
import {
  type AccessClaims,
  MAX_ACCESS_TOKEN_LIFETIME_SEC,
  REVOCATION_DELAY_MS,
} from '../../../lib/access-token.ts';
import { errorFields, log } from '../../../lib/log.ts';
import { Problem } from '../../../lib/problem.ts';

/** An account's tokens-not-before; null when the account no longer exists. */
type NotBefore = number | null;
/** Where work after the response goes (the KV write). */
type Later = { waitUntil(promise: Promise<unknown>): void };

const LOOKUP_TIMEOUT_MS = 1_000;
/** After a failed lookup the fallback decides this long before auth is asked again. */
const RETRY_MS = 1_000;
const MAX_ENTRIES = 10_000;
const KV_PREFIX = 'tnb:v1:';
/** Once every token minted before a revocation has expired, the revocation has nothing to refuse. */
const RELEVANT_MS = (MAX_ACCESS_TOKEN_LIFETIME_SEC + 60) * 1000;

const known = new Map<string, { notBefore: NotBefore; until: number }>();
const lookups = new Map<string, Promise<NotBefore>>();

/** For tests: a fresh isolate. */
export function forgetRevocations() {
  known.clear();
  lookups.clear();
}

/** Refuses a token minted before its account's last revocation, or whose account is gone. */
export async function refuseRevoked(env: GatewayEnv, ctx: Later, claims: AccessClaims) {
  // Without an auth service (a static JWKS_JSON) there is no one to ask.
  if (!env.AUTH) return;
  const notBefore = await notBeforeOf(env, ctx, claims.sub);
  if (notBefore === null) throw Problem.unauthorized('The account behind this token no longer exists.');
  if (claims.tnb < notBefore)
    throw Problem.unauthorized('The access token has been revoked; refresh it or sign in again.');
}

function notBeforeOf(env: GatewayEnv, ctx: Later, userId: string): Promise<NotBefore> | NotBefore {
  const now = Date.now();
  const hit = known.get(userId);
  if (hit && now < hit.until) return hit.notBefore;
  let pending = lookups.get(userId);
  if (!pending) {
    pending = lookUp(env, ctx, userId, hit?.notBefore, now).finally(() => lookups.delete(userId));
    lookups.set(userId, pending);
  }
  return pending;
}

function remember(userId: string, notBefore: NotBefore, until: number) {
  if (known.size >= MAX_ENTRIES) known.clear();
  known.set(userId, { notBefore, until });
}

async function lookUp(
  env: GatewayEnv,
  ctx: Later,
  userId: string,
  previous: NotBefore | undefined,
  startedAt: number,
): Promise<NotBefore> {
  try {
    const notBefore = await withTimeout(env.AUTH.tokensNotBefore(userId), LOOKUP_TIMEOUT_MS);
    remember(userId, notBefore, startedAt + REVOCATION_DELAY_MS);
    if (notBefore !== previous && relevant(notBefore, startedAt))
      ctx.waitUntil(publish(env, userId, notBefore, startedAt));
    return notBefore;
  } catch (err) {
    const fallback = latest(previous, await fromKv(env, userId));
    log('warn', 'token revocation lookup failed; the last known value decides', {
      userId,
      known: fallback !== undefined,
      ...errorFields(err),
    });
    remember(userId, fallback ?? 0, Date.now() + RETRY_MS);
    return fallback ?? 0;
  }
}

function relevant(notBefore: NotBefore, now: number): boolean {
  return notBefore === null || notBefore > now - RELEVANT_MS;
}

/** Tokens-not-before only move forward, and a deleted account stays deleted. */
function latest(a: NotBefore | undefined, b: NotBefore | undefined): NotBefore | undefined {
  if (a === null || b === null) return null;
  if (a === undefined) return b;
  return b === undefined ? a : Math.max(a, b);
}

async function publish(env: GatewayEnv, userId: string, notBefore: NotBefore, now: number) {
  const untilMs = notBefore === null ? now + RELEVANT_MS : notBefore + RELEVANT_MS;
  const expirationTtl = Math.max(60, Math.ceil((untilMs - now) / 1000));
  await env.CACHE.put(`${KV_PREFIX}${userId}`, JSON.stringify({ notBefore }), { expirationTtl }).catch(
    () => undefined,
  );
}

async function fromKv(env: GatewayEnv, userId: string): Promise<NotBefore | undefined> {
  const stored = await env.CACHE.get<{ notBefore: NotBefore }>(`${KV_PREFIX}${userId}`, 'json').catch(
    () => null,
  );
  const value = stored?.notBefore;
  return value === null || typeof value === 'number' ? value : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
