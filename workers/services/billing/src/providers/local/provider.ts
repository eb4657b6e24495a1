/**
 * The local provider: Stripe's behaviour without keys or network. It asks the LocalStripe Durable
 * Object (an offline Stripe) what Stripe's API would answer, reads the answers as the Stripe
 * provider does, and delivers the webhook events Stripe would send, signed as Stripe signs them
 * (Stripe-Signature, STRIPE_WEBHOOK_SECRET), to the same webhook route. Delivery follows every
 * change; what fails stays pending and goes again with the next change or clock tick.
 */
import { errorFields, log } from '../../../../../lib/log.ts';
import { type Env, settings } from '../../config.ts';
import type {
  CreateSubscription,
  PaymentProvider,
  PlanTerms,
  ProviderInvoice,
  ProviderSubscription,
} from '../provider.ts';
import { stripeSignature } from '../signature.ts';
import {
  readInvoice,
  readStripeError,
  readSubscription,
  type StripeErrorLike,
  type StripeInvoiceLike,
  type StripeSubscriptionLike,
} from '../stripe-objects.ts';
import {
  cancelAtPeriodEndRequest,
  customerRequest,
  defaultPaymentMethodRequest,
  invoicePayRequest,
  priceChangeRequest,
  priceRequest,
  subscriptionRequest,
} from '../stripe-requests.ts';
import type { LocalStripe } from './durable-object.ts';

/** Hands one signed webhook to the webhook route; true when it was accepted. */
export type WebhookDelivery = (payload: string, signature: string) => Promise<boolean>;

export function localStripe(env: Env): DurableObjectStub<LocalStripe> {
  return env.LOCAL_STRIPE.get(env.LOCAL_STRIPE.idFromName('account'));
}

export class LocalProvider implements PaymentProvider {
  readonly name = 'local' as const;
  private readonly stripe: DurableObjectStub<LocalStripe>;

  constructor(
    private readonly env: Env,
    private readonly deliver: WebhookDelivery,
  ) {
    this.stripe = localStripe(env);
  }

  /** One request of Stripe's API (the SDK's parameter types), answered by the offline Stripe. */
  private async call<T>(method: string, path: string, params: object, key?: string): Promise<T> {
    const res = await this.stripe.request(method, path, params as Record<string, unknown>, key);
    if (method !== 'GET') await this.deliverWebhooks();
    const body = JSON.parse(res.body);
    if (res.status >= 400) throw readStripeError(res.status, (body as { error: StripeErrorLike }).error);
    return body as T;
  }

  /** `POST /v1/subscriptions/{id}`: every change of a subscription goes through it. */
  private async updateSubscription(id: string, params: object, key: string): Promise<ProviderSubscription> {
    return readSubscription(
      await this.call<StripeSubscriptionLike>('POST', `/v1/subscriptions/${id}`, params, key),
    );
  }

  /** Delivers pending webhook events in order; stops at the first the route does not accept. */
  async deliverWebhooks(): Promise<number> {
    const secret = settings(this.env).STRIPE_WEBHOOK_SECRET;
    let delivered = 0;
    try {
      for (;;) {
        const events = await this.stripe.pendingEvents(50);
        if (!events.length) return delivered;
        const done: string[] = [];
        for (const { id, payload } of events) {
          if (!(await this.deliver(payload, await stripeSignature(secret, payload)))) break;
          done.push(id);
        }
        await this.stripe.delivered(done);
        delivered += done.length;
        if (done.length < events.length) return delivered;
      }
    } catch (err) {
      log('warn', 'local webhook delivery failed; the clock will try again', errorFields(err));
      return delivered;
    }
  }

  async createCustomer(userId: string, idempotencyKey: string): Promise<string> {
    return (await this.call<{ id: string }>('POST', '/v1/customers', customerRequest(userId), idempotencyKey))
      .id;
  }

  async attachPaymentMethod(paymentMethod: string, customerId: string): Promise<string> {
    const path = `/v1/payment_methods/${encodeURIComponent(paymentMethod)}/attach`;
    return (await this.call<{ id: string }>('POST', path, { customer: customerId })).id;
  }

  async createPrice(plan: PlanTerms, idempotencyKey: string): Promise<string> {
    return (await this.call<{ id: string }>('POST', '/v1/prices', priceRequest(plan), idempotencyKey)).id;
  }

  async createSubscription(p: CreateSubscription, idempotencyKey: string): Promise<ProviderSubscription> {
    return readSubscription(
      await this.call<StripeSubscriptionLike>(
        'POST',
        '/v1/subscriptions',
        subscriptionRequest(p),
        idempotencyKey,
      ),
    );
  }

  async getSubscription(id: string): Promise<ProviderSubscription> {
    return readSubscription(await this.call<StripeSubscriptionLike>('GET', `/v1/subscriptions/${id}`, {}));
  }

  async findSubscription(
    customerId: string,
    subscriptionId: string,
  ): Promise<ProviderSubscription | undefined> {
    const list = await this.call<{ data: StripeSubscriptionLike[] }>('GET', '/v1/subscriptions', {
      customer: customerId,
      status: 'all',
    });
    const found = list.data.find((s) => s.metadata.subscriptionId === subscriptionId);
    return found ? readSubscription(found) : undefined;
  }

  async setCancelAtPeriodEnd(
    id: string,
    cancel: boolean,
    idempotencyKey: string,
  ): Promise<ProviderSubscription> {
    return this.updateSubscription(id, cancelAtPeriodEndRequest(cancel), idempotencyKey);
  }

  async changePrice(id: string, priceId: string, idempotencyKey: string): Promise<ProviderSubscription> {
    const current = await this.call<StripeSubscriptionLike & { items: { data: { id: string }[] } }>(
      'GET',
      `/v1/subscriptions/${id}`,
      {},
    );
    const params = priceChangeRequest(current.items.data[0]!.id, priceId);
    return this.updateSubscription(id, params, idempotencyKey);
  }

  async setDefaultPaymentMethod(
    id: string,
    paymentMethodId: string,
    idempotencyKey: string,
  ): Promise<ProviderSubscription> {
    return this.updateSubscription(id, defaultPaymentMethodRequest(paymentMethodId), idempotencyKey);
  }

  async payInvoice(
    invoiceId: string,
    paymentMethodId: string,
    idempotencyKey: string,
  ): Promise<ProviderInvoice> {
    return readInvoice(
      await this.call<StripeInvoiceLike>(
        'POST',
        `/v1/invoices/${invoiceId}/pay`,
        invoicePayRequest(paymentMethodId),
        idempotencyKey,
      ),
    );
  }

  async getInvoice(id: string): Promise<ProviderInvoice> {
    return readInvoice(await this.call<StripeInvoiceLike>('GET', `/v1/invoices/${id}`, {}));
  }

  async listInvoices(subscriptionId: string): Promise<ProviderInvoice[]> {
    const list = await this.call<{ data: StripeInvoiceLike[] }>('GET', '/v1/invoices', {
      subscription: subscriptionId,
      limit: 100,
    });
    return list.data.map(readInvoice);
  }

  async advanceClock(now: number, userId?: string): Promise<void> {
    await this.stripe.advance(now, userId);
    await this.deliverWebhooks();
  }
}
