import { describe, expect, it } from 'vitest';
import { adminToken, client } from './support/auth-client.ts';
import {
  deliveredWebhooks,
  eventually,
  postWebhook,
  stripeSignature,
  subscribe,
  subscriber,
  webhookSecret,
} from './support/billing-api.ts';

describe('billing security', () => {
  it("another user's subscription, invoices and entitlement are 403; their subscription cannot be touched", async () => {
    const owner = await subscriber();
    const { body } = await subscribe(owner, 'basic');
    const other = await subscriber();
    for (const path of ['', '/invoices', '/entitlement'])
      expect((await other.call('GET', `/subscriptions/${owner.account.userId}${path}`)).status).toBe(403);
    expect((await other.call('POST', `/subscriptions/${body.subscriptionId}/cancel`)).status).toBe(403);
    expect(
      (
        await other.call('POST', `/subscriptions/${body.subscriptionId}/change`, {
          body: { planId: 'premium' },
        })
      ).status,
    ).toBe(403);
    const forSomeoneElse = await other.call('POST', '/subscriptions', {
      body: { userId: owner.account.userId, planId: 'basic', paymentMethod: 'pm_card_visa' },
    });
    expect(forSomeoneElse.status).toBe(403);
    // An admin may read it.
    const admin = await adminToken(client());
    expect(
      (await client().call('GET', `/subscriptions/${owner.account.userId}`, { token: admin })).status,
    ).toBe(200);
  });

  it('subscribing needs a token; plan writes need an admin', async () => {
    const anon = client();
    const res = await anon.call('POST', '/subscriptions', {
      body: { userId: 'usr_x', planId: 'basic', paymentMethod: 'pm_card_visa' },
    });
    expect(res.status).toBe(401);
    const viewer = await subscriber();
    expect(
      (
        await viewer.call('POST', '/plans', {
          body: { name: 'Free', price: 0, maxResolution: 2160, maxStreams: 9 },
        })
      ).status,
    ).toBe(403);
    expect((await viewer.call('PUT', '/plans/basic', { body: { price: 1 } })).status).toBe(403);
  });

  it('card details never get in: a card number is not a payment method, and extra card fields are refused', async () => {
    const s = await subscriber();
    const pan = await s.call('POST', '/subscriptions', {
      body: { userId: s.account.userId, planId: 'basic', paymentMethod: '4242424242424242' },
    });
    expect(pan.status).toBe(400);
    expect(JSON.stringify(pan.body)).not.toContain('4242424242424242');
    const extra = await s.call('POST', '/subscriptions', {
      body: {
        userId: s.account.userId,
        planId: 'basic',
        paymentMethod: 'pm_card_visa',
        card: { number: '4242424242424242', cvc: '123' },
      },
    });
    expect(extra.status).toBe(400);
  });

  it('a wrong, stale or missing webhook signature is 400 and records nothing', async () => {
    const s = await subscriber();
    await subscribe(s, 'basic');
    // Stripe sends its webhooks after answering: wait for one about this user.
    const event = await eventually(async () => {
      const mine = (await deliveredWebhooks()).find(
        (w) => JSON.parse(w.payload).data.object.metadata?.userId === s.account.userId,
      );
      expect(mine).toBeDefined();
      return mine!;
    });
    const payload = JSON.stringify({
      ...JSON.parse(event!.payload),
      id: `evt_forged_${crypto.randomUUID()}`,
    });
    const wrong = await postWebhook(payload, await stripeSignature('whsec_not_the_secret', payload));
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get('content-type')).toMatch(/problem\+json/);
    const stale = await postWebhook(
      payload,
      await stripeSignature(webhookSecret(), payload, Math.floor(Date.now() / 1000) - 600),
    );
    expect(stale.status).toBe(400);
    const missing = await client().call('POST', '/billing/webhooks/stripe', {
      raw: payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(missing.status).toBe(400);
    // The same event, rightly signed now, is new: the refused ones left no trace.
    expect((await postWebhook(payload)).body).toEqual({ received: true, duplicate: false });
  });

  it('the webhook route takes JSON only, within its size limit', async () => {
    const res = await postWebhook('a=b', undefined, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    const big = JSON.stringify({ pad: 'x'.repeat(600 * 1024) });
    expect((await postWebhook(big)).status).toBe(413);
  });
});
