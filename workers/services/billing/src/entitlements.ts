/**
 * What a user may stream now, answered from this isolate's memory (a Map lookup) for playback's
 * every request. Two things keep a cached answer from going stale:
 *  - `until`: an answer that expires by itself (a period's end, a canceled subscription's last day,
 *    the end of a grace period) is recomputed from then on, so access ends on time with no
 *    invalidation at all;
 *  - a change feed: every write that changes an entitlement adds a row to `entitlement_changes` in
 *    its own batch. This isolate forgets its own writes' users at once, and reads the feed at most
 *    every ENTITLEMENT_REFRESH_MS to forget the users other isolates changed.
 * A subscription that starts, changes plan or is ended early is thus seen by every isolate within
 * ENTITLEMENT_REFRESH_MS (1 s by default), and at once by the isolate that wrote it.
 */
import { desc, eq, gt, lt } from 'drizzle-orm';
import type { z } from 'zod';
import { DAY_MS, type Env, settings } from './config.ts';
import type { Entitlement as EntitlementSchema } from './contract/schemas.ts';
import { type Db, database } from './db/client.ts';
import { entitlementChanges, plans } from './db/schema.ts';
import type { PlanRow } from './plans.ts';
import { currentSubscription, type SubscriptionRow } from './subscriptions.ts';

export type Entitlement = z.input<typeof EntitlementSchema>;

interface Cached {
  value: Entitlement;
  /** Epoch ms from which the answer must be recomputed; null: only a change makes it stale. */
  expiresAt: number | null;
}

const MAX_ENTRIES = 100_000;
/** More changes than this since the last read of the feed: forget everything instead. */
const FEED_PAGE = 1000;

export interface EntitlementRules {
  graceDays: number;
  renewalLeewayMs: number;
}

/** The entitlement a subscription gives at `now` (pure: the cache and tests share it). */
export function entitlementOf(
  row: SubscriptionRow | undefined,
  plan: PlanRow | undefined,
  now: number,
  rules: EntitlementRules,
): Entitlement {
  const none = (reason: Entitlement['reason']): Entitlement => ({
    active: false,
    planId: null,
    maxResolution: 0,
    maxStreams: 0,
    until: null,
    reason,
  });
  if (!row || !plan) return none('no_subscription');
  const grant = (until: number, reason: Entitlement['reason']): Entitlement =>
    now < until
      ? {
          active: true,
          planId: plan.id,
          maxResolution: plan.maxResolution,
          maxStreams: plan.maxStreams,
          until: new Date(until).toISOString(),
          reason,
        }
      : none(reason === 'grace_period' ? 'payment_failed' : 'expired');
  const periodEnd = row.currentPeriodEnd?.getTime() ?? 0;
  switch (row.status) {
    case 'trialing':
    case 'active':
      // A period that renews gets leeway for the renewal to be charged and reported; one that
      // was canceled ends exactly at its end.
      return row.cancelAtPeriodEnd
        ? grant(periodEnd, 'canceling')
        : grant(periodEnd + rules.renewalLeewayMs, row.status);
    case 'past_due':
      return grant((row.pastDueSince?.getTime() ?? now) + rules.graceDays * DAY_MS, 'grace_period');
    case 'canceled':
      return none('canceled');
    case 'unpaid':
      return none('payment_failed');
    default:
      return none('incomplete');
  }
}

export class EntitlementCache {
  private readonly entries = new Map<string, Cached>();
  private lastSeq: number | undefined;
  private lastPoll = 0;
  private polling: Promise<void> | undefined;
  hits = 0;
  misses = 0;

  async get(env: Env, userId: string, now = Date.now()): Promise<Entitlement> {
    const s = settings(env);
    if (now - this.lastPoll >= s.ENTITLEMENT_REFRESH_MS) await this.poll(env, now);
    const hit = this.entries.get(userId);
    if (hit && (hit.expiresAt === null || now < hit.expiresAt)) {
      this.hits++;
      return hit.value;
    }
    this.misses++;
    const value = await computeEntitlement(database(env.DB), userId, now, {
      graceDays: s.DUNNING_GRACE_DAYS,
      renewalLeewayMs: s.RENEWAL_LEEWAY_MINUTES * 60_000,
    });
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(userId, { value, expiresAt: value.until ? Date.parse(value.until) : null });
    return value;
  }

  forget(userId: string): void {
    this.entries.delete(userId);
  }

  /** Reads the change feed since the last read and forgets the users in it (one read at a time). */
  private poll(env: Env, now: number): Promise<void> {
    this.polling ??= (async () => {
      try {
        const db = database(env.DB);
        // Idle for longer than the feed is kept: what it missed may be gone from the feed.
        if (now - this.lastPoll > DAY_MS / 2) {
          this.entries.clear();
          this.lastSeq = undefined;
        }
        if (this.lastSeq === undefined) {
          // First use in this isolate: start from the feed's head; nothing is cached yet.
          const [head] = await db
            .select({ seq: entitlementChanges.seq })
            .from(entitlementChanges)
            .orderBy(desc(entitlementChanges.seq))
            .limit(1);
          this.lastSeq = head?.seq ?? 0;
        } else {
          const rows = await db
            .select({ seq: entitlementChanges.seq, userId: entitlementChanges.userId })
            .from(entitlementChanges)
            .where(gt(entitlementChanges.seq, this.lastSeq))
            .orderBy(entitlementChanges.seq)
            .limit(FEED_PAGE);
          if (rows.length === FEED_PAGE) this.entries.clear();
          else for (const r of rows) this.entries.delete(r.userId);
          if (rows.length) this.lastSeq = rows.at(-1)!.seq;
        }
        this.lastPoll = now;
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }
}

export async function computeEntitlement(
  db: Db,
  userId: string,
  now: number,
  rules: EntitlementRules,
): Promise<Entitlement> {
  const row = await currentSubscription(db, userId);
  const plan = row ? await db.select().from(plans).where(eq(plans.id, row.planId)).get() : undefined;
  return entitlementOf(row, plan, now, rules);
}

/**
 * This isolate's cache. Module scope on purpose: it must outlive requests, and each isolate has
 * its own (the change feed keeps them in step).
 */
export const entitlements = new EntitlementCache();

export function forgetEntitlement(userId: string): void {
  entitlements.forget(userId);
}

/** Forgets feed rows older than a day: an isolate that has not read it since starts afresh. */
export async function pruneEntitlementChanges(db: Db, now = Date.now()): Promise<void> {
  await db.delete(entitlementChanges).where(lt(entitlementChanges.at, new Date(now - DAY_MS)));
}
