import type { MiddlewareHandler } from 'hono';
import type { RateLimitPolicyName } from '../../../lib/api.ts';
import { Problem } from '../../../lib/problem.ts';
import { settings } from '../config.ts';
import type { GatewayBindings } from '../env.ts';
import { DurableRateLimiter } from '../ratelimit/durable.ts';
import type { Decision } from '../ratelimit/interface.ts';
import { resolvePolicies } from '../ratelimit/policies.ts';

function headers(d: Decision): Record<string, string> {
  return {
    'RateLimit-Limit': String(d.limit),
    'RateLimit-Remaining': String(d.remaining),
    'RateLimit-Reset': String(d.resetSec),
  };
}

/** Applies the route's policy per IP, per user and per API key; RateLimit-* on every answer. */
export function rateLimit(name: RateLimitPolicyName): MiddlewareHandler<GatewayBindings> {
  return async (c, next) => {
    const policy = resolvePolicies(settings(c.env).RATE_LIMITS)[name];
    if (!policy || policy.limits.length === 0) return next();
    const caller = c.get('caller');
    const limiter = new DurableRateLimiter(c.env.RATE_LIMITER, (p) => c.executionCtx.waitUntil(p));
    let decision: Decision;
    try {
      decision = await limiter.check(name, policy, {
        ip: caller.ip,
        user: caller.userId,
        apiKey: caller.apiKey?.id,
      });
    } catch {
      // A limiter outage must not take the API down with it: admit, without headers.
      return next();
    }
    if (!decision.allowed) {
      throw new Problem('rate_limited', `Rate limit exceeded; retry in ${decision.resetSec} s.`, {
        headers: { ...headers(decision), 'Retry-After': String(Math.max(1, decision.resetSec)) },
      });
    }
    await next();
    for (const [k, v] of Object.entries(headers(decision))) c.res.headers.set(k, v);
  };
}
