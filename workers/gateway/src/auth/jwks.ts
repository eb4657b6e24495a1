import type { JSONWebKeySet } from 'jose';
import { type VerifyResult, verifyAccessToken } from '../../../lib/access-token.ts';
import { settings } from '../config.ts';

const TTL_MS = 5 * 60_000;
/** A token with an unknown `kid` may mean the keys rotated; refetch at most this often. */
const REFETCH_MIN_MS = 10_000;
const KV_KEY = 'jwks:v1';

let cached: { jwks: JSONWebKeySet; fetchedAt: number } | undefined;

async function loadJwks(env: GatewayEnv, fresh: boolean): Promise<JSONWebKeySet> {
  if (!env.AUTH) {
    const { JWKS_JSON } = settings(env);
    if (!JWKS_JSON) throw new Error('no auth service bound and no JWKS_JSON configured');
    return JSON.parse(JWKS_JSON) as JSONWebKeySet;
  }
  if (!fresh) {
    const fromKv = await env.CACHE.get<JSONWebKeySet>(KV_KEY, 'json').catch(() => null);
    if (fromKv?.keys?.length) return fromKv;
  }
  const jwks = (await env.AUTH.jwks()) as JSONWebKeySet;
  await env.CACHE.put(KV_KEY, JSON.stringify(jwks), { expirationTtl: 300 }).catch(() => undefined);
  return jwks;
}

export async function currentJwks(env: GatewayEnv, fresh = false): Promise<JSONWebKeySet> {
  const now = Date.now();
  if (!fresh && cached && now - cached.fetchedAt < TTL_MS) return cached.jwks;
  if (fresh && cached && now - cached.fetchedAt < REFETCH_MIN_MS) return cached.jwks;
  const jwks = await loadJwks(env, fresh);
  cached = { jwks, fetchedAt: now };
  return jwks;
}

/**
 * Tokens this isolate verified recently. A client sends the same token for minutes, so the RSA
 * check runs once per token per isolate per minute; an entry never outlives the token's `exp`.
 */
const verified = new Map<string, { result: VerifyResult & { ok: true }; until: number }>();
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 10_000;

async function verifyFresh(env: GatewayEnv, token: string): Promise<VerifyResult> {
  const { JWT_ISSUER: issuer, JWT_AUDIENCE: audience } = settings(env);
  const opts = { issuer, audience };
  const first = await verifyAccessToken(token, await currentJwks(env), opts);
  if (first.ok || first.reason !== 'unknown_key') return first;
  return verifyAccessToken(token, await currentJwks(env, true), opts);
}

/** Verifies locally against the cached key set, refetching once when the signing key is new. */
export async function verifyAtTheDoor(env: GatewayEnv, token: string): Promise<VerifyResult> {
  const now = Date.now();
  const hit = verified.get(token);
  if (hit && hit.until > now) return hit.result;
  const result = await verifyFresh(env, token);
  if (result.ok) {
    if (verified.size >= VERIFIED_MAX) verified.clear();
    verified.set(token, { result, until: Math.min(now + VERIFIED_TTL_MS, result.claims.exp * 1000) });
  } else if (hit) {
    verified.delete(token);
  }
  return result;
}

/** For tests: forget the cached key set. */
export function forgetJwks() {
  cached = undefined;
  verified.clear();
}
