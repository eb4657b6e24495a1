import { describe, expect, it } from 'vitest';
import {
  advanceStripe,
  entitlement,
  eventually,
  type Subscriber,
  subscribe,
  subscriber,
  subscription,
  updatePaymentMethod,
} from './support/billing-api.ts';

const invoices = async (s: Subscriber) =>
  (await s.call('GET', `/subscriptions/${s.account.userId}/invoices`)).body;

/** A Standard subscription whose first charge after the trial was declined (Stripe's webhooks say so). */
async function pastDue(): Promise<Subscriber> {
  const s = await subscriber();
  const created = await subscribe(s, 'standard', 'pm_card_chargeCustomerFail');
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await advanceStripe(Date.parse(created.body.trialEnd) + 60_000, s.account.userId);
  await eventually(async () => {
    expect((await subscription(s)).body.status).toBe('past_due');
    expect((await invoices(s))[0]).toMatchObject({ status: 'open', billingReason: 'subscription_cycle' });
  });
  return s;
}

describe('billing: replacing the payment method (Stripe provider against a Stripe-compatible stand-in)', () => {
  it('past_due after a declined renewal: a refused card is 402 and changes nothing; a good one pays at once', async () => {
    const s = await pastDue();
    expect((await entitlement(s)).body).toMatchObject({ active: true, reason: 'grace_period' });
    const [open] = await invoices(s);
    expect(open).toMatchObject({ amountDue: 1399, attemptCount: 1 });

    const declined = await updatePaymentMethod(s, 'pm_card_chargeDeclined');
    expect(declined.status).toBe(402);
    expect(declined.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(declined.body).toMatchObject({
      status: 402,
      code: 'card_declined',
      declineCode: 'generic_decline',
    });
    // This one attaches, then the overdue payment is declined.
    const failing = await updatePaymentMethod(s, 'pm_card_chargeCustomerFail');
    expect(failing.status).toBe(402);
    expect(failing.body).toMatchObject({ code: 'card_declined' });
    expect((await subscription(s)).body).toMatchObject({ status: 'past_due' });
    expect((await invoices(s))[0]).toMatchObject({ invoiceId: open.invoiceId, status: 'open' });

    const key = { 'idempotency-key': crypto.randomUUID() };
    const fixed = await updatePaymentMethod(s, 'pm_card_visa', key);
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    expect(fixed.body).toMatchObject({
      userId: s.account.userId,
      status: 'active',
      graceUntil: null,
      plan: { planId: 'standard' },
      paidInvoice: { invoiceId: open.invoiceId, status: 'paid', amountPaid: 1399 },
    });
    expect((await entitlement(s)).body).toMatchObject({
      active: true,
      reason: 'active',
      planId: 'standard',
      maxResolution: 1080,
    });
    // A retry answers the same without paying or changing anything again.
    const replay = await updatePaymentMethod(s, 'pm_card_visa', key);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(fixed.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await updatePaymentMethod(s, 'pm_card_mastercard', key)).status).toBe(422);

    // Stripe's webhooks about the payment arrive afterwards and agree.
    await eventually(async () => {
      const list = await invoices(s);
      expect(list.map((i: any) => [i.status, i.amountPaid])).toEqual([
        ['paid', 1399],
        ['paid', 0],
      ]);
    });
    expect((await subscription(s)).body).toMatchObject({ status: 'active', graceUntil: null });
  });

  it("another user's payment method is 403; a bad body is 400; no subscription is 404", async () => {
    const owner = await subscriber();
    expect((await updatePaymentMethod(owner, 'pm_card_visa')).status).toBe(404);
    expect((await subscribe(owner, 'basic')).status).toBe(201);
    const other = await subscriber();
    const forbidden = await other.call('PUT', `/subscriptions/${owner.account.userId}/payment-method`, {
      body: { paymentMethod: 'pm_card_visa' },
    });
    expect(forbidden.status).toBe(403);

    for (const body of [
      {},
      { paymentMethod: '4242424242424242' },
      { paymentMethod: 'pm_card_visa', card: { number: '4242424242424242', cvc: '123' } },
    ]) {
      const res = await owner.call('PUT', `/subscriptions/${owner.account.userId}/payment-method`, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors?.length).toBeGreaterThan(0);
    }
    expect((await updatePaymentMethod(owner, 'pm_card_mastercard')).body).toMatchObject({
      status: 'active',
      paidInvoice: null,
    });
  });
});
