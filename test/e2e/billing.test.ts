import { describe, expect, it } from 'vitest';
import { adminToken, client } from './support/auth-client.ts';
import {
  advanceStripe,
  deliveredWebhooks,
  entitlement,
  eventually,
  postWebhook,
  subscribe,
  subscriber,
  subscription,
} from './support/billing-api.ts';

const DAY = 24 * 3600 * 1000;

describe('billing end to end (Stripe provider against a Stripe-compatible stand-in)', () => {
  it('GET /plans is public and cached with a validator; an admin edit shows at once', async () => {
    const c = client();
    const plans = await c.call('GET', '/plans');
    expect(plans.status).toBe(200);
    expect(plans.headers.get('cache-control')).toBe('public, max-age=0');
    const seeded = plans.body.filter((p: any) => ['basic', 'standard', 'premium'].includes(p.planId));
    expect(seeded.map((p: any) => [p.planId, p.maxResolution, p.maxStreams])).toEqual([
      ['basic', 480, 1],
      ['standard', 1080, 2],
      ['premium', 2160, 4],
    ]);
    const etag = plans.headers.get('etag')!;
    const cached = await c.call('GET', '/plans', { headers: { 'if-none-match': etag } });
    expect(cached.status).toBe(304);

    const token = await adminToken(c);
    const planId = `e2e-${crypto.randomUUID().slice(0, 8)}`;
    const created = await c.call('POST', '/plans', {
      token,
      body: { planId, name: 'E2E', price: 999, maxResolution: 720, maxStreams: 1 },
    });
    expect(created.status).toBe(201);
    const after = await c.call('GET', '/plans', { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.body.map((p: any) => p.planId)).toContain(planId);
    const edited = await c.call('PUT', `/plans/${planId}`, { token, body: { name: 'E2E renamed' } });
    expect(edited.status).toBe(200);
    const again = await c.call('GET', '/plans', { headers: { 'if-none-match': after.headers.get('etag')! } });
    expect(again.status).toBe(200);
    expect(again.body.find((p: any) => p.planId === planId).name).toBe('E2E renamed');
  });

  it('subscribes with pm_card_visa; the subscription, entitlement and invoices follow', async () => {
    const s = await subscriber();
    const res = await subscribe(s, 'premium');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ subscriptionId: expect.stringMatching(/^sub_/), status: 'active' });
    const got = await subscription(s);
    expect(got.body).toMatchObject({
      subscriptionId: res.body.subscriptionId,
      status: 'active',
      cancelAtPeriodEnd: false,
      plan: { planId: 'premium' },
    });
    expect((await entitlement(s)).body).toMatchObject({
      active: true,
      planId: 'premium',
      maxResolution: 2160,
      maxStreams: 4,
    });
    const invoices = await s.call('GET', `/subscriptions/${s.account.userId}/invoices?limit=10`);
    expect(invoices.status).toBe(200);
    expect(invoices.headers.get('x-total-count')).toBe('1');
    expect(invoices.body[0]).toMatchObject({
      status: 'paid',
      amountPaid: 1999,
      billingReason: 'subscription_create',
    });
  });

  it('a declined card is 402 with the decline code, and nothing is active', async () => {
    const s = await subscriber();
    const res = await subscribe(s, 'basic', 'pm_card_chargeDeclined');
    expect(res.status).toBe(402);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 402, code: 'card_declined', declineCode: 'generic_decline' });
    expect((await subscription(s)).status).toBe(404);
    expect((await entitlement(s)).body).toMatchObject({ active: false, reason: 'no_subscription' });
  });

  it('a card needing 3-D Secure is a clear 402 asking for authentication', async () => {
    const s = await subscriber();
    const res = await subscribe(s, 'basic', 'pm_card_authenticationRequired');
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ code: 'authentication_required', action: 'authenticate' });
  });

  it('two creates racing for one user: exactly one wins', async () => {
    const s = await subscriber();
    const results = await Promise.all([subscribe(s, 'basic'), subscribe(s, 'premium')]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it('a retried create with the same Idempotency-Key answers the first answer; another body is 422', async () => {
    const s = await subscriber();
    const key = { 'idempotency-key': crypto.randomUUID() };
    const first = await subscribe(s, 'basic', 'pm_card_visa', key);
    const again = await subscribe(s, 'basic', 'pm_card_visa', key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await subscribe(s, 'premium', 'pm_card_visa', key)).status).toBe(422);
    const invoices = await s.call('GET', `/subscriptions/${s.account.userId}/invoices`);
    expect(invoices.headers.get('x-total-count')).toBe('1');
  });

  it('a trial turns active when the first charge succeeds at its end', async () => {
    const s = await subscriber();
    const res = await subscribe(s, 'standard');
    expect(res.body.status).toBe('trialing');
    expect((await entitlement(s)).body).toMatchObject({ active: true, reason: 'trialing' });
    await advanceStripe(Date.parse(res.body.trialEnd) + 60_000, s.account.userId);
    await eventually(async () => expect((await subscription(s)).body.status).toBe('active'));
    await eventually(async () => {
      const invoices = await s.call('GET', `/subscriptions/${s.account.userId}/invoices`);
      expect(invoices.body.map((i: any) => i.amountPaid)).toEqual([1399, 0]);
    });
  });

  it('cancel keeps access until the period ends, then the subscription is canceled', async () => {
    const s = await subscriber();
    const { body } = await subscribe(s, 'basic');
    expect((await s.call('POST', `/subscriptions/${body.subscriptionId}/cancel`)).status).toBe(204);
    const canceling = (await subscription(s)).body;
    expect(canceling).toMatchObject({ status: 'active', cancelAtPeriodEnd: true });
    expect((await entitlement(s)).body).toMatchObject({
      active: true,
      reason: 'canceling',
      until: canceling.currentPeriodEnd,
    });
    await advanceStripe(Date.parse(canceling.currentPeriodEnd) + 60_000, s.account.userId);
    await eventually(async () => expect((await subscription(s)).body.status).toBe('canceled'));
    expect((await entitlement(s)).body).toMatchObject({ active: false, reason: 'canceled' });
  });

  it('a plan change is prorated by the provider and changes the entitlement', async () => {
    const s = await subscriber();
    const { body } = await subscribe(s, 'basic');
    const res = await s.call('POST', `/subscriptions/${body.subscriptionId}/change`, {
      body: { planId: 'premium' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.plan.planId).toBe('premium');
    expect(res.body.proration).toMatchObject({ amountDue: 1200, status: 'paid' });
    expect((await entitlement(s)).body).toMatchObject({ planId: 'premium', maxResolution: 2160 });
  });

  it('a failed renewal goes through dunning to cancellation, access ending with it', async () => {
    const s = await subscriber();
    const res = await subscribe(s, 'standard', 'pm_card_chargeCustomerFail');
    expect(res.status).toBe(201);
    const trialEnd = Date.parse(res.body.trialEnd);
    await advanceStripe(trialEnd + 60_000, s.account.userId);
    await eventually(async () => expect((await subscription(s)).body.status).toBe('past_due'));
    // Inside the grace period: still streaming.
    expect((await entitlement(s)).body).toMatchObject({ active: true, reason: 'grace_period' });
    await advanceStripe(trialEnd + 7 * DAY + 60_000, s.account.userId);
    await eventually(async () => expect((await subscription(s)).body.status).toBe('canceled'));
    expect((await entitlement(s)).body).toMatchObject({ active: false, reason: 'canceled' });
    await eventually(async () => {
      const invoices = await s.call('GET', `/subscriptions/${s.account.userId}/invoices`);
      expect(invoices.body[0]).toMatchObject({ status: 'open', attemptCount: 5, nextPaymentAttempt: null });
    });
  });

  it('a webhook delivered twice is processed once; an old one delivered late changes nothing', async () => {
    const s = await subscriber();
    const { body } = await subscribe(s, 'basic');
    await s.call('POST', `/subscriptions/${body.subscriptionId}/cancel`);
    const end = Date.parse((await subscription(s)).body.currentPeriodEnd);
    await advanceStripe(end + 60_000, s.account.userId);
    await eventually(async () => expect((await subscription(s)).body.status).toBe('canceled'));
    const mine = (await deliveredWebhooks()).filter(
      (w) => JSON.parse(w.payload).data.object.metadata?.userId === s.account.userId,
    );
    const oldUpdate = mine.find((w) => w.type === 'customer.subscription.updated')!;
    const redelivered = await postWebhook(oldUpdate.payload);
    expect(redelivered.status).toBe(200);
    expect(redelivered.body).toEqual({ received: true, duplicate: true });
    // The same old state again under a new event id, as a late retry from another endpoint would be.
    const late = JSON.parse(oldUpdate.payload);
    late.id = `evt_late_${crypto.randomUUID().slice(0, 8)}`;
    const fresh = await postWebhook(JSON.stringify(late));
    expect(fresh.body).toEqual({ received: true, duplicate: false });
    await new Promise((r) => setTimeout(r, 3000));
    expect((await subscription(s)).body.status).toBe('canceled');
  });
});
