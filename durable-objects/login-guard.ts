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

/** When failures against one account from many sources (client IP buckets) lock the account itself. */
export interface SpreadPolicy {
  /** Distinct sources failing within windowMs that lock the account. */
  maxSources: number;
  /** A source is forgotten this long after its last failure. */
  windowMs: number;
  lockoutMs: number;
}

export interface GuardDecision {
  allowed: boolean;
  /** Seconds until the subject may try again (0 when allowed). */
  retryAfterSec: number;
  /** Failures counted (for a spread: distinct sources). */
  failures: number;
}

interface GuardState {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

interface SpreadState {
  /** Per source: attempts counted and the time of the last one. */
  sources: Record<string, { n: number; last: number }>;
  lockedUntil: number;
}

const KEY = 'state';
const SPREAD_KEY = 'spread';

/**
 * Failed sign-ins of one subject; the auth Worker names one object per subject. A counted subject
 * (an IP bucket, or an account seen from one IP bucket) uses attempt/refund; an account uses
 * attemptFrom/refundFrom, which count the distinct sources failing against it. Every attempt is
 * counted before the password is checked, so parallel guesses cannot all slip past the check; the
 * caller then reports success or gives the attempt back. Hosted by the auth Worker.
 */
export class LoginGuard extends DurableObject {
  attempt(policy: GuardPolicy): GuardDecision {
    const now = Date.now();
    const s = this.load(now, policy);
    if (s.lockedUntil > now) return refused(s.lockedUntil, s.failures, now);
    s.failures += 1;
    s.lastFailureAt = now;
    if (s.failures >= policy.maxFailures) {
      const doublings = Math.min(30, s.failures - policy.maxFailures);
      s.lockedUntil = now + Math.min(policy.maxLockoutMs, policy.lockoutMs * 2 ** doublings);
    }
    this.save(s, policy);
    return { allowed: true, retryAfterSec: 0, failures: s.failures };
  }

  /** The attempt succeeded, or the account proved control of its mailbox: the slate is wiped. */
  async succeeded(): Promise<void> {
    this.ctx.storage.kv.delete(KEY);
    this.ctx.storage.kv.delete(SPREAD_KEY);
    await this.ctx.storage.deleteAlarm();
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
    return s.lockedUntil > now
      ? refused(s.lockedUntil, s.failures, now)
      : { allowed: true, retryAfterSec: 0, failures: s.failures };
  }

  /** Counts an attempt from `source` against this account; the maxSources-th distinct one locks it. */
  attemptFrom(source: string, policy: SpreadPolicy): GuardDecision {
    const now = Date.now();
    const s = this.loadSpread(now, policy);
    const count = Object.keys(s.sources).length;
    if (s.lockedUntil > now) return refused(s.lockedUntil, count, now);
    const seen = s.sources[source];
    s.sources[source] = { n: (seen?.n ?? 0) + 1, last: now };
    const sources = seen ? count : count + 1;
    if (sources >= policy.maxSources) s.lockedUntil = now + policy.lockoutMs;
    this.saveSpread(s, policy);
    return { allowed: true, retryAfterSec: 0, failures: sources };
  }

  /** Gives back an attempt of `source` (it succeeded or was refused elsewhere). */
  refundFrom(source: string, policy: SpreadPolicy): void {
    const now = Date.now();
    const s = this.loadSpread(now, policy);
    const seen = s.sources[source];
    if (!seen) return;
    if (seen.n > 1) seen.n -= 1;
    else delete s.sources[source];
    if (Object.keys(s.sources).length < policy.maxSources) s.lockedUntil = 0;
    this.saveSpread(s, policy);
  }

  peekSpread(policy: SpreadPolicy): GuardDecision {
    const now = Date.now();
    const s = this.loadSpread(now, policy);
    const count = Object.keys(s.sources).length;
    return s.lockedUntil > now
      ? refused(s.lockedUntil, count, now)
      : { allowed: true, retryAfterSec: 0, failures: count };
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    let next = 0;
    for (const key of [KEY, SPREAD_KEY]) {
      const s = this.ctx.storage.kv.get<{ forgetAt: number }>(key);
      if (!s) continue;
      if (s.forgetAt <= now) this.ctx.storage.kv.delete(key);
      else next = next ? Math.min(next, s.forgetAt) : s.forgetAt;
    }
    if (next) await this.ctx.storage.setAlarm(next);
  }

  private load(now: number, policy: GuardPolicy): GuardState {
    const s = this.ctx.storage.kv.get<GuardState>(KEY);
    if (!s) return { failures: 0, lastFailureAt: 0, lockedUntil: 0 };
    const idle = now - s.lastFailureAt > policy.windowMs && s.lockedUntil <= now;
    return idle ? { failures: 0, lastFailureAt: 0, lockedUntil: 0 } : { ...s };
  }

  private save(s: GuardState, policy: GuardPolicy): void {
    this.remember(KEY, s, Math.max(s.lockedUntil, s.lastFailureAt + policy.windowMs));
  }

  /** The sources that failed within the window: older ones no longer count. */
  private loadSpread(now: number, policy: SpreadPolicy): SpreadState {
    const s = this.ctx.storage.kv.get<SpreadState>(SPREAD_KEY);
    if (!s) return { sources: {}, lockedUntil: 0 };
    const sources = Object.fromEntries(
      Object.entries(s.sources).filter(([, v]) => now - v.last <= policy.windowMs),
    );
    return { sources, lockedUntil: s.lockedUntil };
  }

  private saveSpread(s: SpreadState, policy: SpreadPolicy): void {
    const last = Math.max(0, ...Object.values(s.sources).map((v) => v.last));
    this.remember(SPREAD_KEY, s, Math.max(s.lockedUntil, last + policy.windowMs));
  }

  private remember(key: string, s: object, forgetAt: number): void {
    this.ctx.storage.kv.put(key, { ...s, forgetAt });
    // Forget the subject once nothing about it matters any more.
    void this.ctx.storage.setAlarm(forgetAt);
  }
}

function refused(lockedUntil: number, failures: number, now: number): GuardDecision {
  return { allowed: false, retryAfterSec: Math.max(1, Math.ceil((lockedUntil - now) / 1000)), failures };
}
