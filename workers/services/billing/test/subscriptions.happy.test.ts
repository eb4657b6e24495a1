import { describe, expect, it } from 'vitest';
import { admin, billing, DAY, newUser, outbox, PROVIDERS } from './support/service.ts';

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
});
