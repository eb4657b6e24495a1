import { describe, expect, it } from 'vitest';
import { stripeSignature } from '../src/providers/signature.ts';
import { FAKE_STRIPE } from './support/fake-stripe.ts';
import { billing, DAY, newUser, outbox, testEnv, WEBHOOK_SECRET } from './support/service.ts';

const b = billing('stripe');

/** Takes the webhook events the stand-in holds, without delivering them. */
async function takeEvents(): Promise<{ id: string; type: string; payload: string }[]> {
  return (await fetch(`${FAKE_STRIPE.url}/_emulator/events`)).json();
}

async function recorded(eventId: string) {
  return testEnv.DB.prepare('SELECT id, processed_at FROM provider_events WHERE id = ?')
    .bind(eventId)
    .first();
}

async function subscribedUser(planId = 'basic') {
  const user = newUser();
  const res = await b.call(
    'billing.subscribe',
    { body: { userId: user.userId, planId, paymentMethod: 'pm_card_visa' } },
    user,
  );
  expect(res.status).toBe(201);
  return { user, subscriptionId: res.body.subscriptionId as string, events: await takeEvents() };
}

describe('incoming webhooks: signatures', () => {
  it('a wrong signature is 400 and records nothing', async () => {
    const { events } = await subscribedUser();
    const event = events.find((e) => e.type === 'invoice.paid')!;
    const forged = await stripeSignature('whsec_someone_else', event.payload);
    const res = await b.webhook(event.payload, forged);
    expect(res.status).toBe(400);
    expect(res.problem?.detail).toMatch(/does not verify/);
    expect(await recorded(event.id)).toBeNull();
  });

  it('a stale signature (older than 5 minutes) is 400, however right it is', async () => {
    const { events } = await subscribedUser();
    const event = events[0]!;
    const old = await stripeSignature(WEBHOOK_SECRET, event.payload, Math.floor(Date.now() / 1000) - 301);
    expect((await b.webhook(event.payload, old)).status).toBe(400);
    expect(await recorded(event.id)).toBeNull();
  });

  it('a body changed after signing is 400', async () => {
    const { events } = await subscribedUser();
    const event = events.find((e) => e.type === 'invoice.paid')!;
    const signature = await stripeSignature(WEBHOOK_SECRET, event.payload);
    const tampered = event.payload.replace('"amount_paid":799', '"amount_paid":1');
    expect(tampered).not.toBe(event.payload);
    expect((await b.webhook(tampered, signature)).status).toBe(400);
    // Re-serialising the JSON (as a JSON-parsing proxy would) breaks the signature just the same.
    expect((await b.webhook(JSON.stringify(JSON.parse(event.payload), null, 1), signature)).status).toBe(400);
  });

  it('a missing signature is 400; a signed payload that is not an event is 400', async () => {
    const res = await b.call('billing.stripeWebhook', { body: '{}', headers: {} });
    expect(res.status).toBe(400);
    const notJson = 'not json';
    expect((await b.webhook(notJson)).status).toBe(400);
  });

  it('events it does not act on are acknowledged and dropped', async () => {
    const payload = JSON.stringify({
      id: `evt_${crypto.randomUUID()}`,
      object: 'event',
      type: 'customer.created',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'cus_x', object: 'customer' } },
    });
    const res = await b.webhook(payload);
    expect(res.status).toBe(200);
    expect(await recorded(JSON.parse(payload).id)).toBeNull();
  });
});

describe('incoming webhooks: delivery', () => {
  it('a duplicate is acknowledged, and processed once', async () => {
    const { user, events } = await subscribedUser('premium');
    const paid = events.find((e) => e.type === 'invoice.paid')!;
    const first = await b.webhook(paid.payload);
    const again = await b.webhook(paid.payload);
    expect(first.body).toEqual({ received: true, duplicate: false });
    expect(again.body).toEqual({ received: true, duplicate: true });
    await b.settle();
    // Redelivered once more after processing: still nothing new.
    expect((await b.webhook(paid.payload)).body.duplicate).toBe(true);
    await b.settle();
    expect((await outbox('PaymentSucceeded', user.userId)).map((e) => e.data.amount)).toEqual([1999]);
    expect(await recorded(paid.id)).toMatchObject({ processed_at: expect.any(Number) });
  });

  it('events handled out of order leave the latest state: an old update cannot revive a canceled subscription', async () => {
    const { user, subscriptionId, events: created } = await subscribedUser();
    for (const e of created) await b.webhook(e.payload);
    await b.settle();
    expect((await b.call('billing.cancel', { params: { id: subscriptionId } }, user)).status).toBe(204);
    const [canceling] = await takeEvents(); // customer.subscription.updated: cancel_at_period_end
    const got = (await b.call('billing.getSubscription', { params: { userId: user.userId } }, user)).body;
    await fetch(`${FAKE_STRIPE.url}/_emulator/advance`, {
      method: 'POST',
      body: JSON.stringify({ now: Date.parse(got.currentPeriodEnd) + DAY, userId: user.userId }),
    });
    const [deleted] = await takeEvents();
    expect([canceling!.type, deleted!.type]).toEqual([
      'customer.subscription.updated',
      'customer.subscription.deleted',
    ]);
    // The deletion arrives first, the older update (status active in its snapshot) after it.
    await b.webhook(deleted!.payload);
    await b.processQueue();
    await b.webhook(canceling!.payload);
    await b.processQueue();
    const after = (await b.call('billing.getSubscription', { params: { userId: user.userId } }, user)).body;
    expect(after).toMatchObject({ status: 'canceled', cancelAtPeriodEnd: true });
    // The cancel request's update, then the end; the late old event announced nothing.
    expect((await outbox('SubscriptionUpdated', user.userId)).map((e) => e.data)).toEqual([
      expect.objectContaining({ status: 'active', cancelAtPeriodEnd: true }),
      expect.objectContaining({ status: 'canceled', previousStatus: 'active' }),
    ]);
  });

  it('a webhook about a subscription still being created waits for the create to finish', async () => {
    const { user, subscriptionId, events } = await subscribedUser();
    // Simulate the create not having written its answer yet: the row is still a reservation.
    await testEnv.DB.prepare(
      "UPDATE subscriptions SET status = 'incomplete', provider_subscription_id = NULL WHERE id = ?",
    )
      .bind(subscriptionId)
      .run();
    await b.webhook(events.find((e) => e.type === 'customer.subscription.created')!.payload);
    await expect(b.processQueue()).rejects.toThrow(/queue work failed/);
    expect(await outbox('SubscriptionCreated', user.userId)).toHaveLength(1);
  });
});
