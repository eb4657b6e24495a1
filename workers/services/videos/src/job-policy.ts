/** How jobs are leased and retried (RUNNER_LEASE_SECONDS, JOB_MAX_ATTEMPTS, JOB_RETRY_BASE_SECONDS). */
import { type Env, settings } from './config.ts';

export interface JobPolicy {
  leaseSeconds: number;
  maxAttempts: number;
  retryBaseSeconds: number;
}

export function jobPolicy(env: Env): JobPolicy {
  const s = settings(env);
  return {
    leaseSeconds: s.RUNNER_LEASE_SECONDS,
    maxAttempts: s.JOB_MAX_ATTEMPTS,
    retryBaseSeconds: s.JOB_RETRY_BASE_SECONDS,
  };
}

/** Delay before attempt n+1 after n failures: base · 2^(n-1), at most an hour. */
export function retryDelayMs(policy: JobPolicy, failures: number): number {
  return Math.min(3600, policy.retryBaseSeconds * 2 ** Math.max(0, failures - 1)) * 1000;
}

export const leaseUntil = (policy: JobPolicy, now: Date) =>
  new Date(now.getTime() + policy.leaseSeconds * 1000);
