import { describe, expect, it } from 'vitest';
import { BILLING_CLOCK_CRON, HOUSEKEEPING_CRON, runBillingClock } from '../src/clock.ts';
import { providerFor } from '../src/providers/index.ts';
import { FAKE_STRIPE } from './support/fake-stripe.ts';
import { billing, DAY, newUser, outbox, PROVIDERS, scheduled, testEnv } from './support/service.ts';

async function reservation(userId: string, createdAt: number) {
  const id = `sub_stuck_${crypto.randomUUID().slice(0, 8)}`;
  await testEnv.DB.prepare(
    `INSERT INTO subscriptions (id, user_id, plan_id, status, provider, cancel_at_period_end, created_at, updated_at)
     VALUES (?, ?, 'basic', 'incomplete', ?, 0, ?, ?)`,
  )
    .bind(id, userId, testEnv.BILLING_PROVIDER, createdAt, createdAt)
    .run();
  return id;
}

const status = async (id: string) =>
  (
    await testEnv.DB.prepare('SELECT status FROM subscriptions WHERE id = ?')
      .bind(id)
      .first<{ status: string }>()
  )?.status;

describe('the billing clock', () => {
  it('runs from its cron triggers', async () => {
    await scheduled(BILLING_CLOCK_CRON, Date.now());
    await scheduled(HOUSEKEEPING_CRON, Date.now());
  });

  it('releases a create that never reached the provider, so the user may subscribe again', async () => {
    const b = billing('local');
    const user = newUser();
    const id = await reservation(user.userId, Date.now() - 3600_000);
    const blocked = await b.call(
      'billing.subscribe',
      { body: { userId: user.userId, planId: 'basic', paymentMethod: 'pm_card_visa' } },
      user,
    );
    expect(blocked.status).toBe(409);
    await b.inWorker((_svc, ctx) => runBillingClock(testEnv, ctx, Date.now(), user.userId));
    expect(await status(id)).toBe('incomplete_expired');
    expect((await b.subscribe(user)).status).toBe('active');
  });

  it('settles a create the provider finished but the request never recorded', async () => {
    const b = billing('local');
    const user = newUser();
    const id = await reservation(user.userId, Date.now() - 3600_000);
    // The provider created it (the request died before writing the answer down).
    await b.inWorker(async (_svc, ctx) => {
      const provider = providerFor(testEnv, ctx);
      const { customerFor } = await import('../src/subscriptions.ts');
      const { priceFor, requirePlan } = await import('../src/plans.ts');
      const { database } = await import('../src/db/client.ts');
      const db = database(testEnv.DB);
      const customerId = await customerFor(db, provider, user.userId);
      const priceId = await priceFor(db, provider, await requirePlan(db, 'basic'));
      const pm = await provider.attachPaymentMethod('pm_card_visa', customerId);
      await provider.createSubscription(
        {
          customerId,
          priceId,
          paymentMethodId: pm,
          trialDays: 0,
          metadata: { subscriptionId: id, userId: user.userId, planId: 'basic' },
        },
        `subscription:${id}`,
      );
    });
    await b.inWorker((_svc, ctx) => runBillingClock(testEnv, ctx, Date.now(), user.userId));
    expect(await status(id)).toBe('active');
    expect((await outbox('SubscriptionCreated', user.userId)).map((e) => e.data.subscriptionId)).toEqual([
      id,
    ]);
    const invoices = await b.call('billing.listInvoices', { params: { userId: user.userId } }, user);
    expect(invoices.total).toBe(1);
  });

  it('forgets idempotency keys after a day', async () => {
    const user = newUser();
    const b = billing('local');
    const key = `key-${crypto.randomUUID()}`;
    await b.call(
      'billing.subscribe',
      {
        body: { userId: user.userId, planId: 'basic', paymentMethod: 'pm_card_visa' },
        headers: { 'idempotency-key': key },
      },
      user,
    );
    const count = async () =>
      (await testEnv.DB.prepare('SELECT count(*) AS n FROM idempotency_keys WHERE key = ?')
        .bind(key)
        .first<{ n: number }>())!.n;
    expect(await count()).toBe(1);
    await scheduled(HOUSEKEEPING_CRON, Date.now() + DAY + 60_000);
    expect(await count()).toBe(0);
  });
});

describe.each(PROVIDERS)('reconciliation (%s provider)', (provider) => {
  it('catches up with a renewal whose webhooks were lost', async () => {
    const b = billing(provider);
    const user = newUser();
    await b.subscribe(user, 'basic');
    const before = (await b.call('billing.getSubscription', { params: { userId: user.userId } }, user)).body;
    const later = Date.parse(before.currentPeriodEnd) + 3 * 3600_000;
    // The provider renews, but its webhooks are never processed: only the clock's reconciliation
    // (which asks the provider for subscriptions past their period's end) tells us.
    if (provider === 'stripe') {
      await fetch(`${FAKE_STRIPE.url}/_emulator/advance`, {
        method: 'POST',
        body: JSON.stringify({ now: later, userId: user.userId }),
      });
    }
    await b.inWorker((_svc, ctx) => runBillingClock(b.env, ctx, later, user.userId));
    const after = (await b.call('billing.getSubscription', { params: { userId: user.userId } }, user)).body;
    expect(after).toMatchObject({ status: 'active', currentPeriodStart: before.currentPeriodEnd });
    const invoices = await b.call('billing.listInvoices', { params: { userId: user.userId } }, user);
    expect(invoices.body.map((i: any) => i.billingReason)).toEqual([
      'subscription_cycle',
      'subscription_create',
    ]);
    await b.settle(); // the late webhooks then change nothing
    expect((await outbox('SubscriptionUpdated', user.userId)).map((e) => e.data.status)).toEqual(['active']);
  });
});
