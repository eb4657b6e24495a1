/** The offline Stripe on its own: its billing rules, checked against the numbers Stripe would give. */
import { describe, expect, it } from 'vitest';
import { memoryStore, StripeEmulator } from '../src/providers/local/emulator.ts';

const DAY_S = 24 * 3600;
const T0 = Date.UTC(2026, 0, 1) / 1000; // a 31-day January

async function setup(planAmounts: Record<string, number>, interval: Record<string, 'month' | 'year'> = {}) {
  const stripe = new StripeEmulator(memoryStore(), { retryDays: [1, 3] });
  const at = (seconds: number) => ({ now: seconds * 1000 });
  const req = async (method: string, path: string, params: Record<string, unknown> = {}, seconds = T0) => {
    const res = await stripe.request(method, path, params, at(seconds));
    return res as { status: number; body: any };
  };
  const customer = (await req('POST', '/v1/customers')).body.id;
  const pm = (await req('POST', '/v1/payment_methods/pm_card_visa/attach', { customer })).body.id;
  const prices: Record<string, string> = {};
  for (const [name, amount] of Object.entries(planAmounts)) {
    prices[name] = (
      await req('POST', '/v1/prices', {
        currency: 'usd',
        unit_amount: amount,
        recurring: { interval: interval[name] ?? 'month' },
        product_data: { name },
      })
    ).body.id;
  }
  const sub = (
    await req('POST', '/v1/subscriptions', {
      customer,
      items: [{ price: prices[Object.keys(planAmounts)[0]!] }],
      default_payment_method: pm,
      payment_behavior: 'error_if_incomplete',
      metadata: { userId: 'usr_1' },
    })
  ).body;
  return { stripe, req, customer, prices, sub };
}

describe('the offline Stripe', () => {
  it('prorates an upgrade to the second, mid-period, and charges the difference at once', async () => {
    const { req, prices, sub } = await setup({ basic: 3100, premium: 6200 });
    const item = sub.items.data[0];
    const tenDaysIn = T0 + 10 * DAY_S; // 21 of 31 days left
    const res = await req(
      'POST',
      `/v1/subscriptions/${sub.id}`,
      {
        items: [{ id: item.id, price: prices.premium }],
        proration_behavior: 'always_invoice',
        payment_behavior: 'error_if_incomplete',
        expand: ['latest_invoice'],
      },
      tenDaysIn,
    );
    expect(res.status).toBe(200);
    const inv = res.body.latest_invoice;
    expect(inv.lines.data.map((l: any) => l.amount)).toEqual([-2100, 4200]);
    expect(inv).toMatchObject({
      amount_due: 2100,
      amount_paid: 2100,
      status: 'paid',
      billing_reason: 'subscription_update',
    });
    // The period is unchanged.
    expect(res.body.items.data[0]).toMatchObject({
      current_period_start: T0,
      current_period_end: item.current_period_end,
      price: { id: prices.premium },
    });
  });

  it('leaves a downgrade as credit, spent on the next invoices', async () => {
    const { stripe, req, customer, prices, sub } = await setup({ premium: 3100, basic: 1550 });
    const res = await req(
      'POST',
      `/v1/subscriptions/${sub.id}`,
      {
        items: [{ id: sub.items.data[0].id, price: prices.basic }],
        proration_behavior: 'always_invoice',
        expand: ['latest_invoice'],
      },
      T0 + 10 * DAY_S,
    );
    // -2100 for 21 unused days of Premium, +1050 for them on Basic: 1050 of credit, nothing due.
    expect(res.body.latest_invoice).toMatchObject({
      total: -1050,
      amount_due: 0,
      status: 'paid',
      ending_balance: -1050,
    });
    expect((await req('GET', `/v1/customers/${customer}`)).body.balance).toBe(-1050);
    await stripe.advance((T0 + 31 * DAY_S + 60) * 1000);
    const invoices = (await req('GET', '/v1/invoices', { subscription: sub.id })).body.data;
    // The renewal spends the credit: 1550 - 1050.
    expect(invoices[0]).toMatchObject({
      billing_reason: 'subscription_cycle',
      total: 1550,
      amount_due: 500,
      status: 'paid',
    });
    expect((await req('GET', `/v1/customers/${customer}`)).body.balance).toBe(0);
  });

  it('a change of interval restarts the cycle: credit for the unused time, the new price in full', async () => {
    const { req, prices, sub } = await setup({ monthly: 3100, yearly: 30000 }, { yearly: 'year' });
    const at = T0 + 10 * DAY_S;
    const res = await req(
      'POST',
      `/v1/subscriptions/${sub.id}`,
      { items: [{ id: sub.items.data[0].id, price: prices.yearly }], expand: ['latest_invoice'] },
      at,
    );
    expect(res.body.latest_invoice.lines.data.map((l: any) => l.amount)).toEqual([-2100, 30000]);
    expect(res.body.items.data[0].current_period_start).toBe(at);
  });

  it('answers a reused idempotency key with the first answer, and a different request with an idempotency_error', async () => {
    const { req } = await setup({ basic: 100 });
    const stripe = new StripeEmulator(memoryStore(), { retryDays: [] });
    const first = await stripe.request(
      'POST',
      '/v1/customers',
      { email: 'a@example.com' },
      { idempotencyKey: 'k1' },
    );
    const again = await stripe.request(
      'POST',
      '/v1/customers',
      { email: 'a@example.com' },
      { idempotencyKey: 'k1' },
    );
    const other = await stripe.request(
      'POST',
      '/v1/customers',
      { email: 'b@example.com' },
      { idempotencyKey: 'k1' },
    );
    expect(again.body).toEqual(first.body);
    expect(other).toMatchObject({ status: 400, body: { error: { type: 'idempotency_error' } } });
    expect((await req('GET', '/v1/nothing')).status).toBe(404);
  });

  it("refuses Stripe's declining test cards at attach, with Stripe's error object", async () => {
    const { req, customer } = await setup({ basic: 100 });
    const res = await req('POST', '/v1/payment_methods/pm_card_chargeDeclined/attach', { customer });
    expect(res).toEqual({
      status: 402,
      body: {
        error: {
          type: 'card_error',
          code: 'card_declined',
          decline_code: 'generic_decline',
          message: 'Your card was declined.',
        },
      },
    });
  });
});
