import { implement, noContent } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { auditEntry } from '../audit.ts';
import type { Env } from '../config.ts';
import { cancelSubscription } from '../contract/subscriptions.ts';
import { database } from '../db/client.ts';
import { idempotent } from '../idempotency.ts';
import { applyProviderState } from '../provider-state.ts';
import { providerFor } from '../providers/index.ts';
import { requireSubscriptionOf } from '../subscriptions.ts';

/** Cancels at the period's end: the provider ends it then, and access lasts until then. */
export const cancelHandler = implement(cancelSubscription, async (input, caller, env: Env, ctx) => {
  const db = database(env.DB);
  return idempotent(db, cancelSubscription.id, input, caller, async () => {
    const row = await requireSubscriptionOf(db, input.params.id, caller);
    if (row.status === 'canceled' || row.cancelAtPeriodEnd) return noContent;
    if (!row.providerSubscriptionId) throw Problem.conflict('The subscription is still being created.');
    const provider = providerFor(env, ctx);
    const ps = await provider.setCancelAtPeriodEnd(
      row.providerSubscriptionId,
      true,
      `cancel:${row.id}:${row.updatedAt.getTime()}`,
    );
    const now = new Date();
    await applyProviderState(env, ctx, db, row, ps, {
      readAt: Date.now(),
      at: Date.now(),
      traceparent: caller.traceparent,
      after: [
        auditEntry(db, {
          action: 'subscription.cancel',
          caller,
          subjectId: row.id,
          before: { cancelAtPeriodEnd: false },
          after: { cancelAtPeriodEnd: true, endsAt: new Date(ps.currentPeriodEnd).toISOString() },
          at: now,
        }),
      ],
    });
    return noContent;
  });
});
