import { describe, expect, it } from 'vitest';
import { admin, billing, DAY, newUser, nextSecond, outbox, PROVIDERS } from './support/service.ts';

describe.each(PROVIDERS)('subscriptions (%s provider)', (provider) => {
  const b = billing(provider);

  it('pm_card_visa subscribes at once: active, paid first invoice, SubscriptionCreated and PaymentSucceeded', async () => {
    const user = newUser();
    const res = await b.call(
      'billing.subscribe',
      { body: { userId: user.userId, planId: 'premium', paymentMethod: 'pm_card_visa' } },
      user,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'active', planId: 'premium', trialEnd: null });
    const id = res.body.subscriptionId;
    await b.settle();

    const got = await b.call('billing.getSubscription', { params: { userId: user.userId } }, user);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      subscriptionId: id,
      status: 'active',
      cancelAtPeriodEnd: false,
      plan: { planId: 'premium', maxResolution: 2160, maxStreams: 4 },
    });
    expect(Date.parse(got.body.currentPeriodEnd)).toBeGreaterThan(Date.now() + 27 * DAY);

    const invoices = await b.call('billing.listInvoices', { params: { userId: user.userId } }, user);
    expect(invoices.total).toBe(1);
    expect(invoices.body[0]).toMatchObject({
      subscriptionId: id,
      status: 'paid',
      amountPaid: 1999,
      currency: 'usd',
      billingReason: 'subscription_create',
    });

    expect((await outbox('SubscriptionCreated', user.userId)).map((e) => e.data)).toEqual([
      { subscriptionId: id, userId: user.userId, planId: 'premium', status: 'active' },
    ]);
    expect((await outbox('PaymentSucceeded', user.userId)).map((e) => e.data)).toEqual([
      expect.objectContaining({ subscriptionId: id, amount: 1999, currency: 'usd' }),
    ]);
    // The webhooks about the create change nothing the create did not already record.
    expect(await outbox('SubscriptionUpdated', user.userId)).toEqual([]);
  });

  it('an admin may subscribe another user', async () => {
    const user = newUser();
    const res = await b.call(
      'billing.subscribe',
      { body: { userId: user.userId, planId: 'basic', paymentMethod: 'pm_card_mastercard' } },
      admin,
    );
    expect(res.status).toBe(201);
  });

  it('a plan with a trial starts trialing, warns three days ahead, then charges and turns active', async () => {
    const user = newUser();
    const t0 = Date.now();
    const sub = await b.subscribe(user, 'standard');
    expect(sub.status).toBe('trialing');
    const got = (await b.call('billing.getSubscription', { params: { userId: user.userId } }, user)).body;
    const trialEnd = Date.parse(got.trialEnd);
    expect(trialEnd).toBeGreaterThanOrEqual(t0 + 7 * DAY - 2000);
    expect(trialEnd).toBeLessThanOrEqual(Date.now() + 7 * DAY);
    expect((await b.entitlementAt(user.userId, t0)).reason).toBe('trialing');
    // The trial's invoice is for nothing: no payment to announce.
    expect(await outbox('PaymentSucceeded', user.userId)).toEqual([]);

    await b.clock(trialEnd - 2 * DAY, user.userId);
    expect((await outbox('TrialWillEnd', user.userId)).map((e) => e.data)).toEqual([
      { subscriptionId: sub.subscriptionId, userId: user.userId, planId: 'standard', trialEnd: got.trialEnd },
    ]);

    await b.clock(trialEnd + 60_000, user.userId);
    const after = (await b.call('billing.getSubscription', { params: { userId: user.userId } }, user)).body;
    expect(after).toMatchObject({ status: 'active', trialEnd: got.trialEnd });
    expect(Date.parse(after.currentPeriodStart)).toBe(trialEnd);
    const invoices = await b.call('billing.listInvoices', { params: { userId: user.userId } }, user);
    expect(invoices.body.map((i: any) => [i.billingReason, i.status, i.amountPaid])).toEqual([
      ['subscription_cycle', 'paid', 1399],
      ['subscription_create', 'paid', 0],
    ]);
    expect((await outbox('PaymentSucceeded', user.userId)).map((e) => e.data.amount)).toEqual([1399]);
    expect((await outbox('SubscriptionUpdated', user.userId)).map((e) => e.data)).toEqual([
      expect.objectContaining({ status: 'active', previousStatus: 'trialing' }),
    ]);
  });

  it('cancel keeps access until the period ends, then the subscription is canceled', async () => {
    const user = newUser();
    const { subscriptionId } = await b.subscribe(user, 'basic');
    const res = await b.call('billing.cancel', { params: { id: subscriptionId } }, user);
    expect(res.status).toBe(204);
    const got = (await b.call('billing.getSubscription', { params: { userId: user.userId } }, user)).body;
    expect(got).toMatchObject({ status: 'active', cancelAtPeriodEnd: true });
    const end = Date.parse(got.currentPeriodEnd);
    expect((await outbox('SubscriptionCanceled', user.userId)).map((e) => e.data)).toEqual([
      { subscriptionId, userId: user.userId, endsAt: got.currentPeriodEnd, reason: 'requested' },
    ]);
    // Canceling again changes nothing.
    expect((await b.call('billing.cancel', { params: { id: subscriptionId } }, user)).status).toBe(204);

    expect(await b.entitlementAt(user.userId, end - 1000)).toMatchObject({
      active: true,
      reason: 'canceling',
      until: got.currentPeriodEnd,
    });
    // Access ends exactly at the period's end, before any webhook says so.
    expect(await b.entitlementAt(user.userId, end)).toMatchObject({ active: false, reason: 'expired' });

    await b.clock(end + 60_000, user.userId);
    const ended = (await b.call('billing.getSubscription', { params: { userId: user.userId } }, user)).body;
    expect(ended).toMatchObject({ status: 'canceled', endedAt: got.currentPeriodEnd });
    expect(await b.entitlementAt(user.userId, end + 60_000)).toMatchObject({
      active: false,
      reason: 'canceled',
    });
    // One SubscriptionCanceled (the request); its end is an update to `canceled`.
    expect(await outbox('SubscriptionCanceled', user.userId)).toHaveLength(1);
    expect((await outbox('SubscriptionUpdated', user.userId)).map((e) => e.data.status)).toEqual([
      'active',
      'canceled',
    ]);
    // A canceled subscriber may subscribe again.
    expect((await b.subscribe(user, 'basic')).status).toBe('active');
  });

  it('a plan change is prorated and invoiced at once, and the entitlement follows', async () => {
    const user = newUser();
    const { subscriptionId } = await b.subscribe(user, 'basic');
    expect((await b.entitlementAt(user.userId, Date.now())).maxResolution).toBe(480);
    await nextSecond(); // Stripe's times are in seconds: keep the two invoices apart.
    const res = await b.call(
      'billing.changePlan',
      { params: { id: subscriptionId }, body: { planId: 'premium' } },
      user,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ subscriptionId, status: 'active', plan: { planId: 'premium' } });
    // At the start of the period: a credit for all of Basic and a charge for all of Premium.
    expect(res.body.proration).toMatchObject({
      status: 'paid',
      billingReason: 'subscription_update',
      amountDue: 1999 - 799,
      amountPaid: 1999 - 799,
    });
    expect(res.body.proration.lines).toEqual([
      expect.objectContaining({ amount: -799, proration: true }),
      expect.objectContaining({ amount: 1999, proration: true }),
    ]);
    await b.settle();
    expect(await b.entitlementAt(user.userId, Date.now())).toMatchObject({
      active: true,
      planId: 'premium',
      maxResolution: 2160,
      maxStreams: 4,
    });
    expect((await outbox('SubscriptionUpdated', user.userId)).map((e) => e.data)).toEqual([
      expect.objectContaining({ planId: 'premium', previousPlanId: 'basic', status: 'active' }),
    ]);
    const invoices = await b.call('billing.listInvoices', { params: { userId: user.userId } }, user);
    expect(invoices.body.map((i: any) => i.billingReason)).toEqual([
      'subscription_update',
      'subscription_create',
    ]);
  });

  it('lists invoices newest first, paged', async () => {
    const user = newUser();
    const { subscriptionId } = await b.subscribe(user, 'basic');
    await nextSecond();
    await b.call('billing.changePlan', { params: { id: subscriptionId }, body: { planId: 'premium' } }, user);
    await b.settle();
    const page1 = await b.call(
      'billing.listInvoices',
      { params: { userId: user.userId }, query: { limit: '1' } },
      user,
    );
    const page2 = await b.call(
      'billing.listInvoices',
      { params: { userId: user.userId }, query: { limit: '1', page: '2' } },
      user,
    );
    expect(page1.total).toBe(2);
    expect(page1.body.map((i: any) => i.billingReason)).toEqual(['subscription_update']);
    expect(page2.body.map((i: any) => i.billingReason)).toEqual(['subscription_create']);
  });
});
