/**
 * Stripe through its SDK, on the Workers fetch client. Every write carries an idempotency key of
 * ours, so the SDK's own retries (network errors, 409, 5xx) and ours can never charge twice.
 * `STRIPE_API_URL` points the SDK at another server (tests use a Stripe-compatible stand-in).
 */
import Stripe from 'stripe';
import type { Settings } from '../config.ts';
import type {
  CreateSubscription,
  PaymentProvider,
  PlanTerms,
  ProviderInvoice,
  ProviderSubscription,
} from './provider.ts';
import {
  readInvoice,
  readStripeError,
  readSubscription,
  type StripeInvoiceLike,
  type StripeSubscriptionLike,
} from './stripe-objects.ts';
import {
  cancelAtPeriodEndRequest,
  customerRequest,
  defaultPaymentMethodRequest,
  invoicePayRequest,
  priceChangeRequest,
  priceRequest,
  subscriptionRequest,
} from './stripe-requests.ts';

/** One SDK client per key and endpoint in an isolate (it holds no per-request state). */
const clients = new Map<string, Stripe>();

function client(s: Settings): Stripe {
  const key = `${s.STRIPE_SECRET_KEY}|${s.STRIPE_API_URL ?? ''}|${s.STRIPE_MAX_NETWORK_RETRIES}|${s.STRIPE_TIMEOUT_MS}`;
  let stripe = clients.get(key);
  if (!stripe) {
    const url = s.STRIPE_API_URL ? new URL(s.STRIPE_API_URL) : undefined;
    const protocol = url?.protocol === 'http:' ? 'http' : 'https';
    stripe = new Stripe(s.STRIPE_SECRET_KEY!, {
      httpClient: Stripe.createFetchHttpClient(),
      maxNetworkRetries: s.STRIPE_MAX_NETWORK_RETRIES,
      timeout: s.STRIPE_TIMEOUT_MS,
      telemetry: false,
      appInfo: { name: 'edge-video-platform billing' },
      ...(url ? { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol } : {}),
    });
    clients.set(key, stripe);
  }
  return stripe;
}

const sub = (s: Stripe.Subscription) => readSubscription(s as unknown as StripeSubscriptionLike);
const invoice = (i: Stripe.Invoice) => readInvoice(i as unknown as StripeInvoiceLike);

export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;

  constructor(settings: Settings) {
    this.stripe = client(settings);
  }

  /** Runs an SDK call, turning Stripe's errors into the provider's (declines, 3-D Secure, …). */
  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof Stripe.errors.StripeError) {
        throw readStripeError(err.statusCode ?? 0, {
          type: err.rawType,
          code: err.code,
          decline_code: err.decline_code,
          message: err.message,
          param: err.param,
        });
      }
      throw err;
    }
  }

  createCustomer(userId: string, idempotencyKey: string): Promise<string> {
    return this.call(async () => {
      const c = await this.stripe.customers.create(customerRequest(userId), { idempotencyKey });
      return c.id;
    });
  }

  attachPaymentMethod(paymentMethod: string, customerId: string): Promise<string> {
    return this.call(async () => {
      const pm = await this.stripe.paymentMethods.attach(paymentMethod, { customer: customerId });
      return pm.id;
    });
  }

  createPrice(plan: PlanTerms, idempotencyKey: string): Promise<string> {
    return this.call(async () => {
      const price = await this.stripe.prices.create(priceRequest(plan), { idempotencyKey });
      return price.id;
    });
  }

  createSubscription(p: CreateSubscription, idempotencyKey: string): Promise<ProviderSubscription> {
    return this.call(async () =>
      sub(await this.stripe.subscriptions.create(subscriptionRequest(p), { idempotencyKey })),
    );
  }

  getSubscription(id: string): Promise<ProviderSubscription> {
    return this.call(async () => sub(await this.stripe.subscriptions.retrieve(id)));
  }

  findSubscription(customerId: string, subscriptionId: string): Promise<ProviderSubscription | undefined> {
    return this.call(async () => {
      for await (const s of this.stripe.subscriptions.list({
        customer: customerId,
        status: 'all',
        limit: 100,
      }))
        if (s.metadata.subscriptionId === subscriptionId) return sub(s);
      return undefined;
    });
  }

  setCancelAtPeriodEnd(id: string, cancel: boolean, idempotencyKey: string): Promise<ProviderSubscription> {
    return this.call(async () =>
      sub(await this.stripe.subscriptions.update(id, cancelAtPeriodEndRequest(cancel), { idempotencyKey })),
    );
  }

  changePrice(id: string, priceId: string, idempotencyKey: string): Promise<ProviderSubscription> {
    return this.call(async () => {
      const current = await this.stripe.subscriptions.retrieve(id);
      const item = current.items.data[0];
      if (!item) throw new Error(`subscription ${id} has no item`);
      return sub(
        await this.stripe.subscriptions.update(id, priceChangeRequest(item.id, priceId), { idempotencyKey }),
      );
    });
  }

  setDefaultPaymentMethod(
    id: string,
    paymentMethodId: string,
    idempotencyKey: string,
  ): Promise<ProviderSubscription> {
    return this.call(async () =>
      sub(
        await this.stripe.subscriptions.update(id, defaultPaymentMethodRequest(paymentMethodId), {
          idempotencyKey,
        }),
      ),
    );
  }

  payInvoice(invoiceId: string, paymentMethodId: string, idempotencyKey: string): Promise<ProviderInvoice> {
    return this.call(async () =>
      invoice(
        await this.stripe.invoices.pay(invoiceId, invoicePayRequest(paymentMethodId), { idempotencyKey }),
      ),
    );
  }

  getInvoice(id: string): Promise<ProviderInvoice> {
    return this.call(async () => invoice(await this.stripe.invoices.retrieve(id)));
  }

  listInvoices(subscriptionId: string): Promise<ProviderInvoice[]> {
    return this.call(async () => {
      const page = await this.stripe.invoices.list({ subscription: subscriptionId, limit: 100 });
      return page.data.map(invoice);
    });
  }

  /** Stripe runs its own clock (renewals, Smart Retries, cancellation after the last retry). */
  async advanceClock(): Promise<void> {}
}
