import { SUBSCRIPTION_STATUSES } from '../../../../queues/events.ts';

/** Subscription statuses: Stripe's own, which the local provider follows too (shared with the events). */
export { SUBSCRIPTION_STATUSES };
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** Statuses of a subscription that has not ended: a user has at most one (a unique partial index). */
export const LIVE_STATUSES = [
  'incomplete',
  'trialing',
  'active',
  'past_due',
  'unpaid',
  'paused',
] as const satisfies readonly SubscriptionStatus[];

export const PLAN_INTERVALS = ['month', 'year'] as const;
export type PlanInterval = (typeof PLAN_INTERVALS)[number];
