import type { RateLimitPolicyName } from '../../../lib/api.ts';

export type Dimension = 'ip' | 'user' | 'apiKey';

export interface Limit {
  dimension: Dimension;
  limit: number;
  windowSec: number;
}

export interface Policy {
  limits: Limit[];
  /**
   * `sync` asks the counter before answering (exact; for login and other abuse targets).
   * `async` answers from this isolate's view and reconciles with the counter after the response,
   * so the limiter adds no round trip to the request (may over-admit briefly across isolates).
   */
  mode: 'sync' | 'async';
}

export const DEFAULT_POLICIES: Record<RateLimitPolicyName, Policy> = {
  default: {
    mode: 'async',
    limits: [
      { dimension: 'ip', limit: 600, windowSec: 60 },
      { dimension: 'user', limit: 1200, windowSec: 60 },
      { dimension: 'apiKey', limit: 3000, windowSec: 60 },
    ],
  },
  // The spec's 100 requests/min per IP for the auth service.
  auth: { mode: 'sync', limits: [{ dimension: 'ip', limit: 100, windowSec: 60 }] },
  // The spec's 200 requests/min per user for the profile service.
  profile: {
    mode: 'async',
    limits: [
      { dimension: 'user', limit: 200, windowSec: 60 },
      { dimension: 'ip', limit: 600, windowSec: 60 },
    ],
  },
  strict: { mode: 'sync', limits: [{ dimension: 'ip', limit: 20, windowSec: 60 }] },
  ingest: {
    mode: 'async',
    limits: [
      { dimension: 'user', limit: 6000, windowSec: 60 },
      { dimension: 'apiKey', limit: 60000, windowSec: 60 },
      { dimension: 'ip', limit: 6000, windowSec: 60 },
    ],
  },
  none: { mode: 'async', limits: [] },
};

/** Policies with the deployment's overrides (`RATE_LIMITS`, JSON keyed by policy name) applied. */
let resolvedFrom: string | undefined;
let resolved: Record<RateLimitPolicyName, Policy> = DEFAULT_POLICIES;

export function resolvePolicies(overrides: string | undefined): Record<RateLimitPolicyName, Policy> {
  if (!overrides) return DEFAULT_POLICIES;
  if (overrides !== resolvedFrom) {
    const parsed = JSON.parse(overrides) as Partial<Record<RateLimitPolicyName, Policy>>;
    resolved = { ...DEFAULT_POLICIES, ...parsed };
    resolvedFrom = overrides;
  }
  return resolved;
}
