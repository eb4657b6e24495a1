/**
 * Helpers of the billing end-to-end tests: subscribing, waiting for webhook-driven state, and the
 * Stripe stand-in's clock and delivery log (the platform runs with BILLING_PROVIDER=stripe against
 * it; see global-setup.ts).
 */
import { inject, vi } from 'vitest';
import { stripeSignature } from '../../../workers/services/billing/src/providers/signature.ts';
import { type Account, type Client, client, signUp } from './auth-client.ts';
import type { Call } from './http.ts';

export interface Subscriber {
  c: Client;
  account: Account;
  call(method: string, path: string, opts?: Parameters<Client['call']>[2]): Promise<Call>;
}

/** A new account with its own client address, calling with its own token. */
export async function subscriber(): Promise<Subscriber> {
  const c = client();
  const account = await signUp(c);
  return {
    c,
    account,
    call: (method, path, opts = {}) => c.call(method, path, { token: account.token, ...opts }),
  };
}

export async function subscribe(
  s: Subscriber,
  planId = 'basic',
  paymentMethod = 'pm_card_visa',
  headers = {},
) {
  return s.call('POST', '/subscriptions', {
    body: { userId: s.account.userId, planId, paymentMethod },
    headers,
  });
}

/** Replaces the payment method of the subscriber's subscription (paying what is overdue with it). */
export function updatePaymentMethod(s: Subscriber, paymentMethod: string, headers = {}) {
  return s.call('PUT', `/subscriptions/${s.account.userId}/payment-method`, {
    body: { paymentMethod },
    headers,
  });
}

export const subscription = (s: Subscriber) => s.call('GET', `/subscriptions/${s.account.userId}`);
export const entitlement = (s: Subscriber) => s.call('GET', `/subscriptions/${s.account.userId}/entitlement`);

/** Waits until `check` passes: webhooks travel through the gateway and billing's queue. */
export function eventually<T>(check: () => Promise<T>, timeout = 30_000): Promise<T> {
  return vi.waitFor(check, { timeout, interval: 200 });
}

const stripe = () => inject('stripe');

/** Lets the stand-in's time pass to `now` for one user's subscriptions; it then sends the webhooks. */
export async function advanceStripe(now: number, userId: string): Promise<void> {
  const res = await fetch(`${stripe().url}/_emulator/advance`, {
    method: 'POST',
    body: JSON.stringify({ now, userId }),
  });
  if (!res.ok) throw new Error(`advancing the Stripe stand-in failed: ${res.status}`);
}

/** The webhooks the stand-in has delivered to the platform. */
export async function deliveredWebhooks(): Promise<{ id: string; type: string; payload: string }[]> {
  return (await (await fetch(`${stripe().url}/_emulator/delivered`)).json()) as {
    id: string;
    type: string;
    payload: string;
  }[];
}

/** Posts a payload to the webhook route as Stripe would, signed with the endpoint's secret. */
export async function postWebhook(payload: string, signature?: string, headers: Record<string, string> = {}) {
  return client().call('POST', '/billing/webhooks/stripe', {
    raw: payload,
    headers: {
      'content-type': 'application/json',
      'stripe-signature': signature ?? (await stripeSignature(stripe().webhookSecret, payload)),
      ...headers,
    },
  });
}

export { stripeSignature };
export const webhookSecret = () => stripe().webhookSecret;
