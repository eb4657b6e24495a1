import { describe, expect, it } from 'vitest';
import { localStripe } from '../src/providers/local/provider.ts';
import { FAKE_STRIPE } from './support/fake-stripe.ts';
import { admin, billing, DAY, newUser, outbox, PROVIDERS } from './support/service.ts';

type User = ReturnType<typeof newUser>;

describe.each(PROVIDERS)('payment method (%s provider)', (provider) => {
  const b = billing(provider);
  const get = async (user: User) =>
    (await b.call('billing.getSubscription', { params: { userId: user.userId } }, user)).body;
  const invoices = async (user: User) =>
    (await b.call('billing.listInvoices', { params: { userId: user.userId } }, user)).body;
  const put = (user: User, paymentMethod: string, who: User | typeof admin = user, key?: string) =>
    b.call(
      'billing.updatePaymentMethod',
      {
        params: { userId: user.userId },
        body: { paymentMethod },
        ...(key ? { headers: { 'idempotency-key': key } } : {}),
      },
      who,
    );

  /** A Standard subscription whose renewal after the trial was declined: past_due, invoice open. */
  async function pastDue(user: User) {
    const { subscriptionId } = await b.subscribe(user, 'standard', 'pm_card_chargeCustomerFail');
    const trialEnd = Date.parse((await get(user)).trialEnd);
    await b.clock(trialEnd + 60_000, user.userId);
    expect((await get(user)).status).toBe('past_due');
    return { subscriptionId, trialEnd };
  }

  it('a good card pays the overdue invoice at once: active, entitled again, and charged from then on', async () => {
    const user = newUser();
    const { subscriptionId, trialEnd } = await pastDue(user);
    // Past the grace period the user has lost access.
    expect(await b.entitlementAt(user.userId, trialEnd + 4 * DAY)).toMatchObject({
      active: false,
      reason: 'payment_failed',
    });
    const [open] = await invoices(user);
    expect(open).toMatchObject({ status: 'open', attemptCount: 1 });

    const res = await put(user, 'pm_card_visa');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      subscriptionId,
      userId: user.userId,
      status: 'active',
      graceUntil: null,
      plan: { planId: 'standard' },
      paidInvoice: {
        invoiceId: open.invoiceId,
        status: 'paid',
        amountPaid: 1399,
        billingReason: 'subscription_cycle',
      },
    });
    if (provider === 'stripe') {
      // Stripe's own calls: attach, pay the open invoice with the new method, make it the default.
      const requests = (await (await fetch(`${FAKE_STRIPE.url}/_emulator/requests`)).json()) as {
        method: string;
        path: string;
        params: Record<string, unknown>;
        idempotencyKey: string | null;
      }[];
      const attach = requests.findLast((r) => /^\/v1\/payment_methods\/pm_card_visa\/attach$/.test(r.path))!;
      const pay = requests.find((r) => r.path === `/v1/invoices/${open.invoiceId}/pay`)!;
      expect(pay).toMatchObject({
        method: 'POST',
        params: { payment_method: expect.stringMatching(/^pm_/) },
      });
      expect(pay.idempotencyKey).toBeTruthy();
      const update = requests.findLast(
        (r) => r.method === 'POST' && r.params.default_payment_method === pay.params.payment_method,
      );
      expect(update?.path).toMatch(/^\/v1\/subscriptions\/sub_/);
      expect(requests.indexOf(attach)).toBeLessThan(requests.indexOf(pay));
      expect(requests.indexOf(pay)).toBeLessThan(requests.indexOf(update!));
    }
    await b.settle();
    expect(await get(user)).toMatchObject({ status: 'active', graceUntil: null });
    expect((await invoices(user))[0]).toMatchObject({ invoiceId: open.invoiceId, status: 'paid' });
    expect(await b.entitlementAt(user.userId, trialEnd + 4 * DAY)).toMatchObject({
      active: true,
      reason: 'active',
      planId: 'standard',
    });
    expect(
      (await outbox('PaymentSucceeded', user.userId)).map((e) => [e.data.invoiceId, e.data.amount]),
    ).toEqual([[open.invoiceId, 1399]]);
    expect((await outbox('SubscriptionUpdated', user.userId)).map((e) => e.data.status)).toEqual([
      'past_due',
      'active',
    ]);
    // The scheduled retries stop, and the next renewal is charged to the new card.
    const periodEnd = Date.parse((await get(user)).currentPeriodEnd);
    await b.clock(periodEnd + 60_000, user.userId);
    expect(await get(user)).toMatchObject({ status: 'active' });
    expect((await outbox('PaymentSucceeded', user.userId)).map((e) => e.data.amount)).toEqual([1399, 1399]);
    expect(await outbox('PaymentFailed', user.userId)).toHaveLength(1);
  });

  it('a refused replacement answers 402 and changes nothing', async () => {
    const user = newUser();
    await pastDue(user);
    const refusals: [string, Record<string, string>][] = [
      // Declined when attached already.
      ['pm_card_chargeDeclined', { code: 'card_declined', declineCode: 'generic_decline' }],
      ['pm_card_chargeDeclinedInsufficientFunds', { declineCode: 'insufficient_funds' }],
      // Attaches, then the overdue payment is declined.
      ['pm_card_chargeCustomerFail', { code: 'card_declined', declineCode: 'generic_decline' }],
      ['pm_card_authenticationRequired', { code: 'authentication_required', action: 'authenticate' }],
    ];
    for (const [paymentMethod, extensions] of refusals) {
      const res = await put(user, paymentMethod);
      expect(res.status, paymentMethod).toBe(402);
      expect(res.problem).toMatchObject({ code: 'payment_required', extensions });
    }
    await b.settle();
    expect(await get(user)).toMatchObject({ status: 'past_due' });
    expect((await invoices(user))[0]).toMatchObject({ status: 'open', attemptCount: 1 });
    expect(await outbox('PaymentSucceeded', user.userId)).toEqual([]);
    expect((await outbox('SubscriptionUpdated', user.userId)).map((e) => e.data.status)).toEqual([
      'past_due',
    ]);
    // A good card still fixes it afterwards.
    expect((await put(user, 'pm_card_mastercard')).body).toMatchObject({ status: 'active' });
  });

  it('on an active subscription it only changes the card the next renewal is charged to', async () => {
    const user = newUser();
    await b.subscribe(user, 'basic', 'pm_card_visa');
    const res = await put(user, 'pm_card_chargeCustomerFail', admin);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'active', paidInvoice: null });
    await b.settle();
    expect(await outbox('SubscriptionUpdated', user.userId)).toEqual([]);
    await b.clock(Date.parse((await get(user)).currentPeriodEnd) + 60_000, user.userId);
    expect(await get(user)).toMatchObject({ status: 'past_due' });
  });

  it('answers 404 without a subscription, 409 once it ended, 403 for another user, 400 for an unknown method', async () => {
    const user = newUser();
    expect((await put(user, 'pm_card_visa')).status).toBe(404);
    const { subscriptionId } = await b.subscribe(user, 'basic');
    expect((await put(user, 'pm_card_visa', newUser('other'))).status).toBe(403);
    const unknown = await put(user, 'pm_does_not_exist');
    expect(unknown.status).toBe(400);
    expect(unknown.problem?.errors).toEqual([expect.objectContaining({ path: 'paymentMethod' })]);
    await b.call('billing.cancel', { params: { id: subscriptionId } }, user);
    await b.clock(Date.parse((await get(user)).currentPeriodEnd) + 60_000, user.userId);
    expect((await get(user)).status).toBe('canceled');
    const ended = await put(user, 'pm_card_visa');
    expect(ended.status).toBe(409);
  });

  it('a subscription that ended at the provider before its webhook arrived is 409, and recorded as ended', async () => {
    const user = newUser();
    const { subscriptionId } = await b.subscribe(user, 'basic');
    await b.call('billing.cancel', { params: { id: subscriptionId } }, user);
    await b.settle();
    // Only the provider's time passes: its webhooks are not handed to billing yet.
    const end = Date.parse((await get(user)).currentPeriodEnd) + 60_000;
    if (provider === 'stripe')
      await fetch(`${FAKE_STRIPE.url}/_emulator/advance`, {
        method: 'POST',
        body: JSON.stringify({ now: end, userId: user.userId }),
      });
    else await localStripe(b.env).advance(end, user.userId);
    expect((await get(user)).status).toBe('active');
    expect((await put(user, 'pm_card_visa')).status).toBe(409);
    expect((await get(user)).status).toBe('canceled');
    await b.settle();
  });

  it('two replacements racing both succeed, and the overdue invoice is paid once', async () => {
    const user = newUser();
    await pastDue(user);
    const results = await Promise.all([put(user, 'pm_card_visa'), put(user, 'pm_card_mastercard')]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results.filter((r) => r.body.paidInvoice !== null).length).toBeGreaterThanOrEqual(1);
    await b.settle();
    expect(await get(user)).toMatchObject({ status: 'active' });
    expect(await outbox('PaymentSucceeded', user.userId)).toHaveLength(1);
  });

  it('a retry with the same Idempotency-Key answers the first answer and pays once', async () => {
    const user = newUser();
    await pastDue(user);
    const key = `key-${crypto.randomUUID()}`;
    const first = await put(user, 'pm_card_visa', user, key);
    const again = await put(user, 'pm_card_visa', user, key);
    expect(first.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers).toMatchObject({ 'Idempotent-Replayed': 'true' });
    expect((await put(user, 'pm_card_mastercard', user, key)).status).toBe(422);
    await b.settle();
    expect(await outbox('PaymentSucceeded', user.userId)).toHaveLength(1);
  });
});
