import { describe, expect, it } from 'vitest';
import { billing, newUser, outbox, PROVIDERS, testEnv } from './support/service.ts';

async function rows(userId: string) {
  const { results } = await testEnv.DB.prepare(
    'SELECT id, status, failure_reason FROM subscriptions WHERE user_id = ? ORDER BY created_at',
  )
    .bind(userId)
    .all<{ id: string; status: string; failure_reason: string | null }>();
  return results;
}

describe.each(PROVIDERS)('subscription errors (%s provider)', (provider) => {
  const b = billing(provider);
  const subscribe = (user: ReturnType<typeof newUser>, body: Record<string, unknown>) =>
    b.call('billing.subscribe', { body: { userId: user.userId, planId: 'basic', ...body } }, user);

  it('a declined card answers 402 with the decline reason and leaves nothing active', async () => {
    const user = newUser();
    const res = await subscribe(user, { paymentMethod: 'pm_card_chargeDeclined' });
    expect(res.status).toBe(402);
    expect(res.problem).toMatchObject({
      code: 'payment_required',
      extensions: { code: 'card_declined', declineCode: 'generic_decline' },
    });
    expect(res.problem?.detail).toBe(
      'Your card was declined. Nothing was charged and no subscription was started.',
    );
    await b.settle();
    expect(await rows(user.userId)).toEqual([
      expect.objectContaining({ status: 'incomplete_expired', failure_reason: 'generic_decline' }),
    ]);
    expect((await b.call('billing.getSubscription', { params: { userId: user.userId } }, user)).status).toBe(
      404,
    );
    expect(await b.entitlementAt(user.userId, Date.now())).toMatchObject({
      active: false,
      reason: 'no_subscription',
    });
    expect(await outbox('SubscriptionCreated', user.userId)).toEqual([]);
    // Nothing blocks a second attempt with a card that works.
    expect((await subscribe(user, { paymentMethod: 'pm_card_visa' })).status).toBe(201);
  });

  it('insufficient funds is a decline with its own code', async () => {
    const res = await subscribe(newUser(), { paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds' });
    expect(res.status).toBe(402);
    expect(res.problem?.extensions).toMatchObject({ declineCode: 'insufficient_funds' });
  });

  it('a card that needs 3-D Secure answers a clear 402 asking for authentication, and starts nothing', async () => {
    const user = newUser();
    const res = await subscribe(user, { paymentMethod: 'pm_card_authenticationRequired' });
    expect(res.status).toBe(402);
    expect(res.problem).toMatchObject({
      code: 'payment_required',
      extensions: { code: 'authentication_required', action: 'authenticate' },
    });
    expect(res.problem?.detail).toMatch(/3-D Secure/);
    expect((await rows(user.userId)).map((r) => r.status)).toEqual(['incomplete_expired']);
  });

  it('an unknown payment method is 400', async () => {
    const res = await subscribe(newUser(), { paymentMethod: 'pm_does_not_exist' });
    expect(res.status).toBe(400);
    expect(res.problem?.errors).toEqual([expect.objectContaining({ path: 'paymentMethod' })]);
  });

  it('an unknown or retired plan is 404', async () => {
    const res = await b.call(
      'billing.subscribe',
      { body: { userId: 'usr_x', planId: 'platinum', paymentMethod: 'pm_card_visa' } },
      newUser(),
    );
    expect(res.status).toBe(403); // someone else's userId is refused before anything else
    const user = newUser();
    expect((await subscribe(user, { planId: 'platinum', paymentMethod: 'pm_card_visa' })).status).toBe(404);
  });

  it('a second subscription is 409 while one is live', async () => {
    const user = newUser();
    await b.subscribe(user, 'basic');
    const res = await subscribe(user, { planId: 'premium', paymentMethod: 'pm_card_visa' });
    expect(res.status).toBe(409);
    expect((await rows(user.userId)).map((r) => r.status)).toEqual(['active']);
  });

  it('of two creates racing for one user exactly one wins, and one subscription exists at the provider', async () => {
    const user = newUser();
    const results = await Promise.all(
      ['basic', 'premium', 'standard'].map((planId) =>
        subscribe(user, { planId, paymentMethod: 'pm_card_visa' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    await b.settle();
    expect((await rows(user.userId)).filter((r) => r.status !== 'incomplete_expired')).toHaveLength(1);
    expect(await outbox('SubscriptionCreated', user.userId)).toHaveLength(1);
    const invoices = await b.call('billing.listInvoices', { params: { userId: user.userId } }, user);
    expect(invoices.total).toBe(1);
  });

  it("another user's subscription cannot be canceled or changed (403)", async () => {
    const owner = newUser();
    const { subscriptionId } = await b.subscribe(owner, 'basic');
    const other = newUser();
    expect((await b.call('billing.cancel', { params: { id: subscriptionId } }, other)).status).toBe(403);
    expect(
      (
        await b.call(
          'billing.changePlan',
          { params: { id: subscriptionId }, body: { planId: 'premium' } },
          other,
        )
      ).status,
    ).toBe(403);
    expect((await subscribe(other, { userId: owner.userId, paymentMethod: 'pm_card_visa' })).status).toBe(
      403,
    );
    const got = (await b.call('billing.getSubscription', { params: { userId: owner.userId } }, owner)).body;
    expect(got).toMatchObject({ cancelAtPeriodEnd: false, plan: { planId: 'basic' } });
  });

  it('unknown subscriptions and plans are 404; changing to the current plan changes nothing', async () => {
    const user = newUser();
    const { subscriptionId } = await b.subscribe(user, 'basic');
    expect((await b.call('billing.cancel', { params: { id: 'sub_nope' } }, user)).status).toBe(404);
    const change = (planId: string) =>
      b.call('billing.changePlan', { params: { id: subscriptionId }, body: { planId } }, user);
    expect((await change('platinum')).status).toBe(404);
    const same = await change('basic');
    expect(same.status).toBe(200);
    expect(same.body.proration).toBeNull();
  });
});
