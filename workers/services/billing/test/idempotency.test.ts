import { describe, expect, it } from 'vitest';
import { FAKE_STRIPE, type RecordedRequest } from './support/fake-stripe.ts';
import { admin, billing, newUser, outbox, PROVIDERS, testEnv } from './support/service.ts';

async function stripeRequests(): Promise<RecordedRequest[]> {
  return (await fetch(`${FAKE_STRIPE.url}/_emulator/requests`)).json();
}
const createsFor = (requests: RecordedRequest[], userId: string) =>
  requests.filter(
    (r) =>
      r.method === 'POST' &&
      r.path === '/v1/subscriptions' &&
      (r.params.metadata as Record<string, string> | undefined)?.userId === userId,
  );

describe.each(PROVIDERS)('Idempotency-Key (%s provider)', (provider) => {
  const b = billing(provider);

  it('a retried subscribe answers the first answer and charges once', async () => {
    const user = newUser();
    const input = {
      body: { userId: user.userId, planId: 'premium', paymentMethod: 'pm_card_visa' },
      headers: { 'idempotency-key': `key-${crypto.randomUUID()}` },
    };
    const first = await b.call('billing.subscribe', input, user);
    const again = await b.call('billing.subscribe', input, user);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers).toMatchObject({ 'Idempotent-Replayed': 'true' });
    await b.settle();
    const invoices = await b.call('billing.listInvoices', { params: { userId: user.userId } }, user);
    expect(invoices.total).toBe(1);
    expect(await outbox('PaymentSucceeded', user.userId)).toHaveLength(1);
    if (provider === 'stripe') expect(createsFor(await stripeRequests(), user.userId)).toHaveLength(1);
  });

  it('the same key with a different request is 422, and changes nothing', async () => {
    const user = newUser();
    const key = `key-${crypto.randomUUID()}`;
    const body = { userId: user.userId, planId: 'basic', paymentMethod: 'pm_card_visa' };
    expect(
      (await b.call('billing.subscribe', { body, headers: { 'idempotency-key': key } }, user)).status,
    ).toBe(201);
    const other = await b.call(
      'billing.subscribe',
      { body: { ...body, planId: 'premium' }, headers: { 'idempotency-key': key } },
      user,
    );
    expect(other.status).toBe(422);
    const got = (await b.call('billing.getSubscription', { params: { userId: user.userId } }, user)).body;
    expect(got.plan.planId).toBe('basic');
  });

  it('a retried decline answers the same 402 without trying the card again', async () => {
    const user = newUser();
    const input = {
      body: { userId: user.userId, planId: 'basic', paymentMethod: 'pm_card_chargeDeclined' },
      headers: { 'idempotency-key': `key-${crypto.randomUUID()}` },
    };
    const first = await b.call('billing.subscribe', input, user);
    const before = provider === 'stripe' ? (await stripeRequests()).length : 0;
    const again = await b.call('billing.subscribe', input, user);
    expect(first.status).toBe(402);
    expect(again.status).toBe(402);
    expect(again.problem).toEqual(first.problem);
    if (provider === 'stripe') expect((await stripeRequests()).length).toBe(before);
    const { results } = await testEnv.DB.prepare('SELECT count(*) AS n FROM subscriptions WHERE user_id = ?')
      .bind(user.userId)
      .all<{ n: number }>();
    expect(results[0]!.n).toBe(1);
  });

  it('retried cancels and plan changes do their work once', async () => {
    const user = newUser();
    const { subscriptionId } = await b.subscribe(user, 'basic');
    const change = {
      params: { id: subscriptionId },
      body: { planId: 'premium' },
      headers: { 'idempotency-key': `key-${crypto.randomUUID()}` },
    };
    const first = await b.call('billing.changePlan', change, user);
    const again = await b.call('billing.changePlan', change, user);
    expect(again.body).toEqual(first.body);
    const cancel = {
      params: { id: subscriptionId },
      headers: { 'idempotency-key': `key-${crypto.randomUUID()}` },
    };
    expect((await b.call('billing.cancel', cancel, user)).status).toBe(204);
    expect((await b.call('billing.cancel', cancel, user)).status).toBe(204);
    await b.settle();
    const invoices = await b.call('billing.listInvoices', { params: { userId: user.userId } }, user);
    expect(invoices.total).toBe(2);
    expect(await outbox('SubscriptionCanceled', user.userId)).toHaveLength(1);
  });

  it('keys belong to their caller: the same key from two users is two requests', async () => {
    const key = `key-${crypto.randomUUID()}`;
    const [a, c] = [newUser(), newUser()];
    for (const user of [a, c]) {
      const res = await b.call(
        'billing.subscribe',
        {
          body: { userId: user.userId, planId: 'basic', paymentMethod: 'pm_card_visa' },
          headers: { 'idempotency-key': key },
        },
        user,
      );
      expect(res.status).toBe(201);
    }
  });

  it('plan writes take keys too', async () => {
    const key = `key-${crypto.randomUUID()}`;
    const planId = `idem-${crypto.randomUUID().slice(0, 8)}`;
    const body = { planId, name: 'Idempotent', price: 100, maxResolution: 720, maxStreams: 1 };
    const first = await b.call('billing.createPlan', { body, headers: { 'idempotency-key': key } }, admin);
    const again = await b.call('billing.createPlan', { body, headers: { 'idempotency-key': key } }, admin);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
  });
});

describe('the Stripe SDK against the stand-in', () => {
  const b = billing('stripe');

  it('retries a failed request with the same idempotency key: one subscription, one charge', async () => {
    await fetch(`${FAKE_STRIPE.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ method: 'POST', path: '/v1/subscriptions', status: 503, times: 1 }),
    });
    const user = newUser();
    await b.subscribe(user, 'premium');
    const creates = createsFor(await stripeRequests(), user.userId);
    expect(creates.map((r) => r.status)).toEqual([503, 200]);
    expect(new Set(creates.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(creates[0]!.idempotencyKey).toMatch(/^subscription:sub_/);
    const invoices = await b.call('billing.listInvoices', { params: { userId: user.userId } }, user);
    expect(invoices.total).toBe(1);
  });

  it("sends Stripe's API version and form-encoded parameters, and never a card number", async () => {
    const user = newUser();
    await b.subscribe(user, 'basic');
    const requests = await stripeRequests();
    const create = createsFor(requests, user.userId)[0]!;
    expect(create.stripeVersion).toMatch(/^\d{4}-\d{2}-\d{2}\./);
    expect(create.params).toMatchObject({
      items: [{ price: expect.stringMatching(/^price_/) }],
      payment_behavior: 'error_if_incomplete',
      metadata: { userId: user.userId, planId: 'basic' },
    });
    expect(JSON.stringify(requests)).not.toMatch(/4242424242424242/);
  });
});
