import { describe, expect, it } from 'vitest';
import { billing, DAY, newUser, outbox, PROVIDERS } from './support/service.ts';

describe.each(PROVIDERS)('dunning (%s provider)', (provider) => {
  const b = billing(provider);

  it('a failed renewal goes past_due, keeps access through the grace period, retries on schedule, then cancels', async () => {
    const user = newUser();
    // The card attaches (a trial needs no payment), then every charge of it is declined.
    const { subscriptionId } = await b.subscribe(user, 'standard', 'pm_card_chargeCustomerFail');
    const get = async () =>
      (await b.call('billing.getSubscription', { params: { userId: user.userId } }, user)).body;
    const trialEnd = Date.parse((await get()).trialEnd);

    await b.clock(trialEnd + 60_000, user.userId);
    const pastDue = await get();
    expect(pastDue).toMatchObject({ status: 'past_due' });
    // Grace (3 days in these tests) counts from the failed renewal.
    expect(Date.parse(pastDue.graceUntil)).toBe(trialEnd + 3 * DAY);
    expect(await b.entitlementAt(user.userId, trialEnd + 2 * DAY)).toMatchObject({
      active: true,
      reason: 'grace_period',
      planId: 'standard',
      until: new Date(trialEnd + 3 * DAY).toISOString(),
    });
    // Grace over: access ends by itself, while the retries go on.
    expect(await b.entitlementAt(user.userId, trialEnd + 3 * DAY)).toMatchObject({
      active: false,
      reason: 'payment_failed',
    });
    const [invoice] = (await b.call('billing.listInvoices', { params: { userId: user.userId } }, user)).body;
    expect(invoice).toMatchObject({ status: 'open', attemptCount: 1, billingReason: 'subscription_cycle' });
    expect(Date.parse(invoice.nextPaymentAttempt)).toBe(trialEnd + 1 * DAY);
    // A plan change waits until the overdue payment is settled.
    const change = await b.call(
      'billing.changePlan',
      { params: { id: subscriptionId }, body: { planId: 'basic' } },
      user,
    );
    expect(change.status).toBe(409);

    // Retries on days 1, 3 and 5 after the failure fail: still past_due.
    await b.clock(trialEnd + 5 * DAY + 60_000, user.userId);
    expect((await get()).status).toBe('past_due');
    expect((await outbox('PaymentFailed', user.userId)).map((e) => e.data.reason)).toEqual([
      'payment attempt 1 failed (subscription_cycle)',
      'payment attempt 2 failed (subscription_cycle)',
      'payment attempt 3 failed (subscription_cycle)',
      'payment attempt 4 failed (subscription_cycle)',
    ]);

    // The last retry (day 7) fails: canceled.
    await b.clock(trialEnd + 7 * DAY + 60_000, user.userId);
    const ended = await get();
    expect(ended).toMatchObject({ status: 'canceled', cancelAtPeriodEnd: false });
    expect(Date.parse(ended.endedAt)).toBe(trialEnd + 7 * DAY);
    expect(await outbox('PaymentFailed', user.userId)).toHaveLength(5);
    expect((await outbox('SubscriptionCanceled', user.userId)).map((e) => e.data)).toEqual([
      { subscriptionId, userId: user.userId, endsAt: ended.endedAt, reason: 'payment_failed' },
    ]);
    expect((await outbox('SubscriptionUpdated', user.userId)).map((e) => e.data.status)).toEqual([
      'past_due',
      'canceled',
    ]);
    expect(await b.entitlementAt(user.userId, trialEnd + 7 * DAY + 60_000)).toMatchObject({
      active: false,
      reason: 'canceled',
    });
    const [last] = (await b.call('billing.listInvoices', { params: { userId: user.userId } }, user)).body;
    expect(last).toMatchObject({ attemptCount: 5, nextPaymentAttempt: null });
  });

  it('a renewal that is paid keeps the subscription active into the next period', async () => {
    const user = newUser();
    await b.subscribe(user, 'basic');
    const before = (await b.call('billing.getSubscription', { params: { userId: user.userId } }, user)).body;
    const end = Date.parse(before.currentPeriodEnd);
    // Until the renewal is reported, access lasts a little past the period (RENEWAL_LEEWAY_MINUTES).
    expect(await b.entitlementAt(user.userId, end + 60_000)).toMatchObject({
      active: true,
      reason: 'active',
    });
    await b.clock(end + 60_000, user.userId);
    const after = (await b.call('billing.getSubscription', { params: { userId: user.userId } }, user)).body;
    expect(after).toMatchObject({ status: 'active', currentPeriodStart: before.currentPeriodEnd });
    expect((await outbox('PaymentSucceeded', user.userId)).map((e) => e.data.amount)).toEqual([799, 799]);
  });
});
