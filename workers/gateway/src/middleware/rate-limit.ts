import type { Context, MiddlewareHandler } from 'hono';
import type { RateLimitPolicyName } from '../../../lib/api.ts';
import { clientBucket } from '../../../lib/client-ip.ts';
import { Problem } from '../../../lib/problem.ts';
import { settings } from '../config.ts';
import type { GatewayBindings } from '../env.ts';
import { DurableRateLimiter } from '../ratelimit/durable.ts';
import type { Decision, Identities } from '../ratelimit/interface.ts';
import { type Dimension, resolvePolicies } from '../ratelimit/policies.ts';

function headers(d: Decision): Record<string, string> {
  return {
    'RateLimit-Limit': String(d.limit),
    'RateLimit-Remaining': String(d.remaining),
    'RateLimit-Reset': String(d.resetSec),
  };
}

/**
 * Checks the route policy's limits of some dimensions; throws 429 when one is spent, else keeps the
 * limit closest to denying in `rateLimit` for the RateLimit-* headers.
 */
async function enforce(
  c: Context<GatewayBindings>,
  name: RateLimitPolicyName,
  who: Identities,
  dimensions: readonly Dimension[],
): Promise<void> {
  const policy = resolvePolicies(settings(c.env).RATE_LIMITS)[name];
  const limits = policy?.limits.filter((l) => dimensions.includes(l.dimension) && who[l.dimension]);
  if (!policy || !limits?.length) return;
  const limiter = new DurableRateLimiter(c.env.RATE_LIMITER, (p) => c.executionCtx.waitUntil(p));
  let decision: Decision;
  try {
    decision = await limiter.check(name, { ...policy, limits }, who);
  } catch {
    // A limiter outage must not take the API down with it: admit, without headers.
    return;
  }
  if (!decision.allowed) {
    throw new Problem('rate_limited', `Rate limit exceeded; retry in ${decision.resetSec} s.`, {
      headers: { ...headers(decision), 'Retry-After': String(Math.max(1, decision.resetSec)) },
    });
  }
  const binding = c.get('rateLimit');
  if (!binding || decision.remaining < binding.remaining) c.set('rateLimit', decision);
}

/**
 * The route policy's per-IP limits, before any credential is looked at, so that requests with
 * forged tokens or guessed API keys spend the budget too. An IPv6 client counts by its /64.
 * Announces the binding limit of the whole request (this one or a per-caller one) in RateLimit-*.
 */
export function rateLimitByAddress(name: RateLimitPolicyName): MiddlewareHandler<GatewayBindings> {
  return async (c, next) => {
    await enforce(c, name, { ip: clientBucket(c.get('ip')) }, ['ip']);
    await next();
    const decision = c.get('rateLimit');
    if (decision) for (const [k, v] of Object.entries(headers(decision))) c.res.headers.set(k, v);
  };
}

/** The route policy's per-user and per-API-key limits, once authentication knows the caller. */
export function rateLimitByCaller(name: RateLimitPolicyName): MiddlewareHandler<GatewayBindings> {
  return async (c, next) => {
    const caller = c.get('caller');
    await enforce(c, name, { user: caller.userId, apiKey: caller.apiKey?.id }, ['user', 'apiKey']);
    await next();
  };
}
