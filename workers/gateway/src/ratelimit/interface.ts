import type { Policy } from './policies.ts';

export interface Identities {
  /** The client's address bucket (clientBucket): an IPv4 address or an IPv6 /64. */
  ip?: string | undefined;
  user?: string | undefined;
  apiKey?: string | undefined;
}

export interface Decision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the binding window resets. */
  resetSec: number;
}

export interface RateLimiterClient {
  check(policyName: string, policy: Policy, who: Identities): Promise<Decision>;
}
