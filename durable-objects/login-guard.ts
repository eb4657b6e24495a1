import { DurableObject } from 'cloudflare:workers';

/** How many failed sign-ins a subject may have before it is locked out, and for how long. */
export interface GuardPolicy {
  maxFailures: number;
  /** Failures older than this (since the last one) are forgotten. */
  windowMs: number;
  /** The first lockout; each failure past the limit doubles it, up to maxLockoutMs. */
  lockoutMs: number;
  maxLockoutMs: number;
}

export interface GuardDecision {
  allowed: boolean;
  /** Seconds until the subject may try again (0 when allowed). */
  retryAfterSec: number;
  failures: number;
}

interface GuardState {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

const KEY = 'state';

/**
 * Failed sign-ins of one subject (an account or an IP address; the auth Worker names one object
 * per subject). Every attempt is counted as a failure before the password is checked, so parallel
 * guesses cannot all slip past the check; the caller then reports success (`succeeded`) or gives
 * the attempt back (`refund`). Hosted by the auth Worker.
 */
export class LoginGuard extends DurableObject {
  attempt(policy: GuardPolicy): GuardDecision {
    const now = Date.now();
    const s = this.load(now, policy);
    if (s.lockedUntil > now) return refused(s, now);
    s.failures += 1;
    s.lastFailureAt = now;
    if (s.failures >= policy.maxFailures) {
      const doublings = Math.min(30, s.failures - policy.maxFailures);
      s.lockedUntil = now + Math.min(policy.maxLockoutMs, policy.lockoutMs * 2 ** doublings);
    }
    this.save(s, policy);
    return { allowed: true, retryAfterSec: 0, failures: s.failures };
  }

  /** The attempt succeeded: for an account, its slate is wiped. */
  succeeded(): void {
    this.ctx.storage.kv.delete(KEY);
  }

  /** The attempt did not count (it succeeded, or never reached the password check). */
  refund(policy: GuardPolicy): void {
    const now = Date.now();
    const s = this.load(now, policy);
    if (s.failures === 0) return;
    s.failures -= 1;
    if (s.failures < policy.maxFailures) s.lockedUntil = 0;
    this.save(s, policy);
  }

  peek(policy: GuardPolicy): GuardDecision {
    const now = Date.now();
    const s = this.load(now, policy);
    return s.lockedUntil > now ? refused(s, now) : { allowed: true, retryAfterSec: 0, failures: s.failures };
  }

  override async alarm(): Promise<void> {
    const s = this.ctx.storage.kv.get<GuardState & { forgetAt: number }>(KEY);
    if (!s) return;
    if (s.forgetAt <= Date.now()) this.ctx.storage.kv.delete(KEY);
    else await this.ctx.storage.setAlarm(s.forgetAt);
  }

  private load(now: number, policy: GuardPolicy): GuardState {
    const s = this.ctx.storage.kv.get<GuardState>(KEY);
    if (!s) return { failures: 0, lastFailureAt: 0, lockedUntil: 0 };
    const idle = now - s.lastFailureAt > policy.windowMs && s.lockedUntil <= now;
    return idle ? { failures: 0, lastFailureAt: 0, lockedUntil: 0 } : { ...s };
  }

  private save(s: GuardState, policy: GuardPolicy): void {
    const forgetAt = Math.max(s.lockedUntil, s.lastFailureAt + policy.windowMs);
    this.ctx.storage.kv.put(KEY, { ...s, forgetAt });
    // Forget the subject once nothing about it matters any more.
    void this.ctx.storage.setAlarm(forgetAt);
  }
}

function refused(s: GuardState, now: number): GuardDecision {
  return {
    allowed: false,
    retryAfterSec: Math.max(1, Math.ceil((s.lockedUntil - now) / 1000)),
    failures: s.failures,
  };
}
