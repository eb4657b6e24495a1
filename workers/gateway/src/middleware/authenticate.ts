import type { Context, MiddlewareHandler } from 'hono';
import { REVOCATION_DELAY_MS } from '../../../lib/access-token.ts';
import { type ApiRoute, type Caller, isAdmin } from '../../../lib/api.ts';
import { sha256Hex } from '../../../lib/ids.ts';
import { Problem } from '../../../lib/problem.ts';
import { verifyAtTheDoor } from '../auth/jwks.ts';
import { refuseRevoked } from '../auth/revocations.ts';
import type { GatewayBindings } from '../env.ts';

const apiKeyCache = new Map<
  string,
  { at: number; key: { id: string; ownerId: string; scopes: string[] } | null }
>();
/** A revoked key, or one whose owner lost admin, stops working as soon as a revoked token does. */
const API_KEY_TTL_MS = REVOCATION_DELAY_MS;

function bearer(c: Context<GatewayBindings>, route: ApiRoute): string | undefined {
  const h = c.req.header('authorization');
  if (h) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (!m)
      throw Problem.unauthorized('The Authorization header must be "Bearer <token>".', 'invalid_request');
    return m[1];
  }
  if (route.policy.acceptQueryToken) return c.req.query('token') || undefined;
  return undefined;
}

async function resolveApiKey(c: Context<GatewayBindings>, key: string) {
  const id = await sha256Hex(key);
  const hit = apiKeyCache.get(id);
  if (hit && Date.now() - hit.at < API_KEY_TTL_MS) return hit.key;
  if (!c.env.AUTH) throw new Problem('service_unavailable', 'API keys cannot be checked right now.');
  const resolved = await c.env.AUTH.verifyApiKey(key);
  if (apiKeyCache.size > 10_000) apiKeyCache.clear();
  apiKeyCache.set(id, { at: Date.now(), key: resolved });
  return resolved;
}

/**
 * Resolves the caller from a bearer token or an API key, then applies the route's access rule.
 * Credentials that are present but bad are refused even on public routes.
 */
export function authenticate(route: ApiRoute): MiddlewareHandler<GatewayBindings> {
  const { access } = route.policy;
  return async (c, next) => {
    const caller: Caller = { ...c.get('caller') };
    // Runner routes carry a runner token that the videos service checks; it is no user token.
    if (access !== 'runner') {
      const token = bearer(c, route);
      const apiKey = c.req.header('x-api-key');
      if (token) {
        const result = await verifyAtTheDoor(c.env, token);
        if (!result.ok) throw Problem.unauthorized(result.message);
        await refuseRevoked(c.env, c.executionCtx, result.claims);
        caller.userId = result.claims.sub;
        caller.roles = result.claims.roles;
      } else if (apiKey) {
        const key = await resolveApiKey(c, apiKey);
        if (!key) throw Problem.unauthorized('The API key is invalid or revoked.');
        // A key carries scopes and no role: it passes only the routes that name one of them.
        caller.apiKey = { id: key.id, ownerId: key.ownerId, scopes: key.scopes };
        caller.roles = [];
      }
    }
    c.set('caller', caller);
    authorize(route, caller, c.req.param() as Record<string, string>);
    await next();
  };
}

export function authorize(route: ApiRoute, caller: Caller, params: Record<string, string>): void {
  const { access, scopes } = route.policy;
  if (access === 'public' || access === 'runner') return;
  if (caller.apiKey) {
    const granted = caller.apiKey.scopes;
    if (!(scopes ?? []).some((s) => granted.includes(s))) {
      throw Problem.forbidden(
        scopes?.length
          ? `The API key lacks a scope this route needs (one of: ${scopes.join(', ')}).`
          : 'This route cannot be called with an API key.',
      );
    }
    return;
  }
  if (!caller.userId) throw Problem.unauthorized('This route needs an access token.', 'invalid_request');
  if (access === 'user') return;
  if (access === 'admin') {
    if (!isAdmin(caller)) throw Problem.forbidden('This route is for admins only.');
    return;
  }
  const owner = params[access.owner];
  if (owner !== caller.userId && !isAdmin(caller))
    throw Problem.forbidden('You may only access your own resources.');
}
