import type { RateLimiter } from '../../../../durable-objects/rate-limiter.ts';
import type { Decision, Identities, RateLimiterClient } from './interface.ts';
import type { Limit, Policy } from './policies.ts';

interface LocalWindow {
  windowStart: number;
  /** The counter's last answer for this window. */
  known: number;
  /** Hits admitted here and not yet reported to the counter. */
  pending: number;
  /** A report to the counter is in flight. */
  flushing: boolean;
  lastReportAt: number;
}

const MAX_LOCAL_KEYS = 50_000;
/**
 * A busy key reports to its counter at most this often from one isolate (the first hit of a
 * window at once); hits in between ride on the next report. Within the last tenth of the budget
 * every hit is reported, so the counter is exact where it decides. The cost: hits of the final
 * interval before an isolate goes quiet may stay unreported — never enough to matter near a limit.
 */
export const REPORT_INTERVAL_MS = 100;
const EXACT_FRACTION = 0.1;

/** Rate limits counted by RateLimiter Durable Objects, one object per (policy, dimension, value). */
export class DurableRateLimiter implements RateLimiterClient {
  /** Per-isolate view of each counter, shared across requests for the async mode. */
  private static local = new Map<string, LocalWindow>();

  constructor(
    private readonly ns: DurableObjectNamespace<RateLimiter>,
    private readonly waitUntil: (p: Promise<unknown>) => void,
  ) {}

  async check(policyName: string, policy: Policy, who: Identities): Promise<Decision> {
    const applicable = policy.limits
      .map((l) => ({ l, value: who[l.dimension] }))
      .filter((x): x is { l: Limit; value: string } => Boolean(x.value));
    if (applicable.length === 0) return { allowed: true, limit: 0, remaining: 0, resetSec: 0 };
    const keyOf = (l: Limit, value: string) => `${policyName}:${l.dimension}:${l.windowSec}:${value}`;
    // The async mode decides without waiting for anything, so it stays off the promise machinery.
    const decisions =
      policy.mode === 'sync'
        ? await Promise.all(applicable.map(({ l, value }) => this.checkSync(keyOf(l, value), l)))
        : applicable.map(({ l, value }) => this.checkAsync(keyOf(l, value), l));
    // The binding limit is the one that denied, else the one closest to denying.
    const denied = decisions.find((d) => !d.allowed);
    if (denied) return denied;
    return decisions.reduce((a, b) => (b.remaining < a.remaining ? b : a));
  }

  private stub(key: string) {
    return this.ns.get(this.ns.idFromName(key));
  }

  private async checkSync(key: string, l: Limit): Promise<Decision> {
    const windowMs = l.windowSec * 1000;
    const { count, resetAt } = await this.stub(key).hit(key, windowMs, 1);
    return decide(count, l.limit, resetAt);
  }

  private checkAsync(key: string, l: Limit): Decision {
    const windowMs = l.windowSec * 1000;
    const now = Date.now();
    const windowStart = now - (now % windowMs);
    const resetAt = windowStart + windowMs;
    const local = DurableRateLimiter.local;
    let w = local.get(key);
    if (!w || w.windowStart !== windowStart) {
      if (local.size >= MAX_LOCAL_KEYS) local.clear();
      w = { windowStart, known: 0, pending: 0, flushing: false, lastReportAt: 0 };
      local.set(key, w);
    }
    const used = w.known + w.pending;
    if (used >= l.limit) return decide(used + 1, l.limit, resetAt);
    w.pending++;
    const due =
      now - w.lastReportAt >= REPORT_INTERVAL_MS || l.limit - (used + 1) <= l.limit * EXACT_FRACTION;
    if (due) this.flush(key, w, windowMs);
    return decide(used + 1, l.limit, resetAt);
  }

  /** Reports pending hits to the counter after the response; one report in flight per key. */
  private flush(key: string, w: LocalWindow, windowMs: number) {
    if (w.flushing) return;
    w.flushing = true;
    const report = async () => {
      try {
        while (w.pending > 0) {
          const n = w.pending;
          w.pending = 0;
          w.lastReportAt = Date.now();
          const { count, resetAt } = await this.stub(key).hit(key, windowMs, n);
          if (resetAt - windowMs === w.windowStart) w.known = Math.max(w.known, count);
        }
      } finally {
        w.flushing = false;
      }
    };
    this.waitUntil(report());
  }
}

function decide(count: number, limit: number, resetAt: number): Decision {
  return {
    allowed: count <= limit,
    limit,
    remaining: Math.max(0, limit - count),
    resetSec: Math.max(0, Math.ceil((resetAt - Date.now()) / 1000)),
  };
}
