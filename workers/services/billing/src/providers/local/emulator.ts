/**
 * An offline stand-in for the part of Stripe's API this platform uses: customers, payment method
 * attach (Stripe's test tokens), prices, subscriptions (trials, proration, cancel at period end),
 * invoices (paid on request too), idempotency keys, and a clock that renews, retries failed
 * payments on a schedule and cancels after the last one, emitting the webhook events Stripe would.
 * It answers Stripe's REST requests (`request(method, path, params)`) with Stripe's JSON and error
 * objects, so the local provider and the tests' Stripe-compatible HTTP server both run on it. State
 * lives in a small key-value store: a Durable Object's storage, or a Map.
 */
import { charge, line, newInvoice, type Outcome, priceLine, prorate } from './invoicing.ts';
import {
  API_VERSION,
  addInterval,
  type Customer,
  type Event,
  type Invoice,
  type InvoiceLine,
  type Metadata,
  type PaymentMethod,
  type Price,
  StripeApiError,
  type Subscription,
  stripeId,
  testCard,
} from './objects.ts';

export { StripeApiError } from './objects.ts';

export interface EmulatorStore {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  /** Entries whose keys start with `prefix`, in key order. */
  list<T>(prefix: string): Promise<[string, T][]>;
}

export function memoryStore(): EmulatorStore {
  const map = new Map<string, unknown>();
  return {
    get: async <T>(key: string) => structuredClone(map.get(key)) as T | undefined,
    put: async (key, value) => void map.set(key, structuredClone(value)),
    delete: async (key) => void map.delete(key),
    list: async <T>(prefix: string) =>
      [...map.keys()]
        .filter((k) => k.startsWith(prefix))
        .sort()
        .map((k): [string, T] => [k, structuredClone(map.get(k)) as T]),
  };
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

const missing = (what: string, id: string, param?: string) =>
  new StripeApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${what}: '${id}'`,
    ...(param ? { param } : {}),
  });
const invalid = (message: string, param?: string) =>
  new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'parameter_invalid',
    message,
    ...(param ? { param } : {}),
  });

export interface EmulatorOptions {
  /** Days after the first failed renewal on which payment is retried; then the subscription ends. */
  retryDays: number[];
}

interface SubscriptionRecord {
  sub: Subscription;
  trialWillEndSent: boolean;
  /** Proration items waiting for the next invoice (proration_behavior=create_prorations). */
  pendingLines: InvoiceLine[];
}

interface InvoiceRecord {
  inv: Invoice;
  /** When the first payment attempt failed: retries are scheduled from it. */
  firstFailedAt: number | null;
}

interface RequestContext {
  now: number;
  idempotencyKey: string | null;
  requestId: string;
}

type Params = Record<string, unknown>;

const TRIAL_WILL_END_NOTICE = 3 * 24 * 3600;
const DAY = 24 * 3600;
const seconds = (ms: number) => Math.floor(ms / 1000);

export class StripeEmulator {
  constructor(
    private readonly store: EmulatorStore,
    private readonly options: EmulatorOptions,
  ) {}

  /**
   * One REST request, as Stripe's API takes it (`POST /v1/subscriptions`, params already decoded).
   * A request with an idempotency key that was seen before answers the first answer again; the
   * same key with other parameters is an `idempotency_error`.
   */
  async request(
    method: string,
    path: string,
    params: Params,
    opts: { idempotencyKey?: string | null; now?: number } = {},
  ): Promise<ApiResponse> {
    const ctx: RequestContext = {
      now: seconds(opts.now ?? Date.now()),
      idempotencyKey: opts.idempotencyKey ?? null,
      requestId: stripeId('req'),
    };
    if (method === 'POST' && ctx.idempotencyKey) {
      const key = `idem:${ctx.idempotencyKey}`;
      const fingerprint = JSON.stringify([method, path, params]);
      const seen = await this.store.get<{ fingerprint: string } & ApiResponse>(key);
      if (seen) {
        if (seen.fingerprint === fingerprint) return { status: seen.status, body: seen.body };
        return errorResponse(
          new StripeApiError(400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${ctx.idempotencyKey}' if you meant to execute a different request.`,
          }),
        );
      }
      const answer = await this.dispatch(method, path, params, ctx);
      if (answer.status < 500) await this.store.put(key, { fingerprint, ...answer });
      return answer;
    }
    return this.dispatch(method, path, params, ctx);
  }

  private async dispatch(method: string, path: string, params: Params, ctx: RequestContext) {
    try {
      return { status: 200, body: await this.route(method, path, params, ctx) };
    } catch (err) {
      if (err instanceof StripeApiError) return errorResponse(err);
      throw err;
    }
  }

  private async route(method: string, path: string, params: Params, ctx: RequestContext): Promise<unknown> {
    const parts = path.replace(/^\/v1\//, '').split('/');
    const [resource, id, action] = parts;
    const expand = (params.expand as string[] | undefined) ?? [];
    switch (`${method} ${resource}${id ? '/:id' : ''}${action ? `/${action}` : ''}`) {
      case 'POST customers':
        return this.createCustomer(params, ctx);
      case 'GET customers/:id':
        return this.customer(id!);
      case 'POST payment_methods/:id/attach':
        return this.attachPaymentMethod(id!, params, ctx);
      case 'POST prices':
        return this.createPrice(params, ctx);
      case 'GET prices/:id':
        return this.price(id!);
      case 'POST subscriptions':
        return this.expanded(await this.createSubscription(params, ctx), expand);
      case 'GET subscriptions':
        return this.listSubscriptions(params);
      case 'GET subscriptions/:id':
        return this.expanded((await this.subscription(id!)).sub, expand);
      case 'POST subscriptions/:id':
        return this.expanded(await this.updateSubscription(id!, params, ctx), expand);
      case 'DELETE subscriptions/:id':
        return this.cancelSubscription(id!, ctx.now, ctx, 'cancellation_requested');
      case 'GET invoices':
        return this.listInvoices(params);
      case 'GET invoices/:id':
        return (await this.invoice(id!)).inv;
      case 'POST invoices/:id/pay':
        return this.payInvoice(id!, params, ctx);
      default:
        throw new StripeApiError(404, {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${path}).`,
        });
    }
  }

  // --- customers, payment methods, prices -------------------------------------------------------

  private async createCustomer(params: Params, ctx: RequestContext): Promise<Customer> {
    const customer: Customer = {
      id: stripeId('cus'),
      object: 'customer',
      created: ctx.now,
      email: (params.email as string | undefined) ?? null,
      balance: 0,
      invoice_settings: { default_payment_method: null },
      metadata: (params.metadata as Metadata | undefined) ?? {},
      livemode: false,
    };
    await this.store.put(`customer:${customer.id}`, customer);
    return customer;
  }

  /** A stored object, or Stripe's 404 for it. */
  private async find<T>(kind: string, id: string, what: string, param?: string): Promise<T> {
    const found = await this.store.get<T>(`${kind}:${id}`);
    if (!found) throw missing(what, id, param);
    return found;
  }

  private customer(id: string): Promise<Customer> {
    return this.find('customer', id, 'customer', 'customer');
  }

  /** Attaching one of Stripe's test tokens makes a new payment method of that card on the customer. */
  private async attachPaymentMethod(token: string, params: Params, ctx: RequestContext) {
    const customer = await this.customer(String(params.customer ?? ''));
    const card = testCard(token);
    if (!card) throw missing('PaymentMethod', token);
    if (card.behaviour.kind === 'declines_at_attach') {
      throw new StripeApiError(402, {
        type: 'card_error',
        code: card.behaviour.code,
        decline_code: card.behaviour.declineCode,
        message: card.behaviour.message,
      });
    }
    const pm: PaymentMethod = {
      id: stripeId('pm'),
      object: 'payment_method',
      type: 'card',
      created: ctx.now,
      customer: customer.id,
      card: {
        brand: card.brand,
        last4: card.last4,
        exp_month: 12,
        exp_year: 2034,
        funding: 'credit',
        country: 'US',
      },
      metadata: {},
      livemode: false,
    };
    await this.store.put(`pm:${pm.id}`, pm);
    return pm;
  }

  private async createPrice(params: Params, ctx: RequestContext): Promise<Price> {
    const recurring = params.recurring as { interval?: string } | undefined;
    const interval = recurring?.interval;
    if (interval !== 'month' && interval !== 'year')
      throw invalid('Invalid recurring[interval]', 'recurring');
    const amount = Number(params.unit_amount);
    if (!Number.isInteger(amount) || amount < 0) throw invalid('Invalid integer: unit_amount', 'unit_amount');
    const product = params.product_data as { name?: string } | undefined;
    const price: Price = {
      id: stripeId('price'),
      object: 'price',
      active: true,
      created: ctx.now,
      currency: String(params.currency ?? 'usd').toLowerCase(),
      unit_amount: amount,
      type: 'recurring',
      recurring: { interval, interval_count: 1, usage_type: 'licensed' },
      product: stripeId('prod'),
      nickname: product?.name ?? null,
      lookup_key: (params.lookup_key as string | undefined) ?? null,
      metadata: (params.metadata as Metadata | undefined) ?? {},
      livemode: false,
    };
    await this.store.put(`price:${price.id}`, price);
    return price;
  }

  private price(id: string): Promise<Price> {
    return this.find('price', id, 'price', 'price');
  }

  private async paymentMethodOf(customer: Customer, id: string | null): Promise<PaymentMethod | null> {
    const pmId = id ?? customer.invoice_settings.default_payment_method;
    if (!pmId) return null;
    const pm = await this.store.get<PaymentMethod>(`pm:${pmId}`);
    if (!pm) throw missing('PaymentMethod', pmId, 'default_payment_method');
    if (pm.customer !== customer.id)
      throw invalid(`The PaymentMethod ${pmId} does not belong to the Customer ${customer.id}.`);
    return pm;
  }

  // --- subscriptions ---------------------------------------------------------------------------

  private subscription(id: string): Promise<SubscriptionRecord> {
    return this.find('sub', id, 'subscription');
  }

  private invoice(id: string): Promise<InvoiceRecord> {
    return this.find('inv', id, 'invoice');
  }

  private async expanded(sub: Subscription, expand: string[]): Promise<Subscription> {
    if (expand.includes('latest_invoice') && typeof sub.latest_invoice === 'string')
      return { ...sub, latest_invoice: (await this.invoice(sub.latest_invoice)).inv };
    return sub;
  }

  private async createSubscription(params: Params, ctx: RequestContext): Promise<Subscription> {
    const customer = await this.customer(String(params.customer ?? ''));
    const items = (params.items as { price?: string }[] | undefined) ?? [];
    if (items.length !== 1 || !items[0]?.price) throw invalid('Pass exactly one item with a price.', 'items');
    const price = await this.price(items[0].price);
    const pm = await this.paymentMethodOf(customer, (params.default_payment_method as string) ?? null);
    const trialDays = Number(params.trial_period_days ?? 0);
    const now = ctx.now;
    const trialEnd = trialDays > 0 ? now + trialDays * DAY : null;
    const periodEnd = trialEnd ?? addInterval(now, price.recurring.interval);
    const metadata = (params.metadata as Metadata | undefined) ?? {};
    const id = stripeId('sub');
    const sub: Subscription = {
      id,
      object: 'subscription',
      created: now,
      start_date: now,
      customer: customer.id,
      currency: price.currency,
      status: trialEnd ? 'trialing' : 'active',
      billing_cycle_anchor: periodEnd,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      cancellation_details: null,
      ended_at: null,
      trial_start: trialEnd ? now : null,
      trial_end: trialEnd,
      collection_method: 'charge_automatically',
      default_payment_method: pm?.id ?? null,
      latest_invoice: null,
      items: {
        object: 'list',
        data: [
          {
            id: stripeId('si'),
            object: 'subscription_item',
            created: now,
            current_period_start: now,
            current_period_end: periodEnd,
            price,
            quantity: 1,
            metadata: {},
            subscription: id,
          },
        ],
        has_more: false,
        url: `/v1/subscription_items?subscription=${id}`,
      },
      metadata,
      livemode: false,
    };
    const first = trialEnd
      ? line(sub, `Trial period for ${price.nickname ?? price.id}`, 0, now, periodEnd, false)
      : line(sub, priceLine(price), price.unit_amount, now, periodEnd, false);
    const invoice = newInvoice(sub, customer, [first], 'subscription_create', now, periodEnd);
    const outcome = invoice.amount_due > 0 ? charge(pm, false) : ({ paid: true } as const);
    const behaviour = (params.payment_behavior as string | undefined) ?? 'allow_incomplete';
    if (!outcome.paid && behaviour === 'error_if_incomplete') throw outcome.error;
    sub.latest_invoice = invoice.id;
    const events: Event[] = [];
    const rec: SubscriptionRecord = { sub, trialWillEndSent: false, pendingLines: [] };
    const invRec: InvoiceRecord = { inv: invoice, firstFailedAt: null };
    if (!outcome.paid) sub.status = 'incomplete';
    events.push(this.event('customer.subscription.created', sub, now, ctx));
    events.push(...this.settle(invRec, outcome, now, ctx));
    await this.saveCustomer(customer);
    await this.save(rec, invRec);
    await this.emit(events);
    return sub;
  }

  private async listSubscriptions(params: Params) {
    // Without a status Stripe lists every subscription that has not been canceled.
    const status = params.status as string | undefined;
    const all = (await this.store.list<SubscriptionRecord>('sub:')).map(([, r]) => r.sub);
    const data = all
      .filter((s) => !params.customer || s.customer === params.customer)
      .filter((s) => (status ? status === 'all' || s.status === status : s.status !== 'canceled'))
      .sort((a, b) => b.created - a.created);
    return { object: 'list', data, has_more: false, url: '/v1/subscriptions' };
  }

  private async updateSubscription(id: string, params: Params, ctx: RequestContext): Promise<Subscription> {
    const rec = await this.subscription(id);
    const sub = rec.sub;
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired')
      throw invalid(`A canceled subscription can only update its cancellation_details and metadata.`);
    const customer = await this.customer(sub.customer);
    const now = ctx.now;
    const previous: Record<string, unknown> = {};
    const events: Event[] = [];
    let invRec: InvoiceRecord | undefined;

    if (params.default_payment_method !== undefined) {
      const pm = await this.paymentMethodOf(customer, String(params.default_payment_method));
      previous.default_payment_method = sub.default_payment_method;
      sub.default_payment_method = pm?.id ?? null;
    }
    if (params.cancel_at_period_end !== undefined) {
      const cancel = params.cancel_at_period_end === true || params.cancel_at_period_end === 'true';
      if (cancel !== sub.cancel_at_period_end) {
        previous.cancel_at_period_end = sub.cancel_at_period_end;
        sub.cancel_at_period_end = cancel;
        sub.cancel_at = cancel ? sub.items.data[0]!.current_period_end : null;
        sub.canceled_at = cancel ? now : null;
        sub.cancellation_details = { reason: cancel ? 'cancellation_requested' : null };
      }
    }
    const wanted = (params.items as { price?: string }[] | undefined)?.[0]?.price;
    const item = sub.items.data[0]!;
    if (wanted && wanted !== item.price.id) {
      const price = await this.price(wanted);
      const old = item.price;
      previous.items = { data: [{ price: { id: old.id } }] };
      const behaviour = (params.proration_behavior as string | undefined) ?? 'create_prorations';
      const lines = prorate(sub, old, price, now, behaviour);
      item.price = price;
      if (price.recurring.interval !== old.recurring.interval) {
        // A new interval restarts the billing cycle now, charging the new price in full.
        item.current_period_start = now;
        item.current_period_end = addInterval(now, price.recurring.interval);
        sub.billing_cycle_anchor = item.current_period_end;
        if (sub.cancel_at_period_end) sub.cancel_at = item.current_period_end;
      }
      if (
        lines.length &&
        (behaviour === 'always_invoice' || price.recurring.interval !== old.recurring.interval)
      ) {
        const inv = newInvoice(sub, customer, lines, 'subscription_update', now, item.current_period_end);
        const pm = await this.paymentMethodOf(customer, sub.default_payment_method);
        const outcome = inv.amount_due > 0 ? charge(pm, false) : ({ paid: true } as const);
        const paymentBehaviour = (params.payment_behavior as string | undefined) ?? 'allow_incomplete';
        // Nothing is saved yet: a refused payment leaves the subscription as it was.
        if (!outcome.paid && paymentBehaviour === 'error_if_incomplete') throw outcome.error;
        invRec = { inv, firstFailedAt: null };
        sub.latest_invoice = inv.id;
        events.push(...this.settle(invRec, outcome, now, ctx));
        if (!outcome.paid) sub.status = 'past_due';
      } else if (lines.length) {
        rec.pendingLines.push(...lines);
      }
    }
    if (params.metadata) sub.metadata = { ...sub.metadata, ...(params.metadata as Metadata) };
    if (Object.keys(previous).length)
      events.unshift(this.event('customer.subscription.updated', sub, now, ctx, previous));
    await this.saveCustomer(customer);
    await this.save(rec, invRec);
    await this.emit(events);
    return sub;
  }

  private async cancelSubscription(
    id: string,
    at: number,
    ctx: RequestContext | null,
    reason: 'cancellation_requested' | 'payment_failed',
  ): Promise<Subscription> {
    const rec = await this.subscription(id);
    const sub = rec.sub;
    if (sub.status === 'canceled') return sub;
    const previous = { status: sub.status };
    sub.status = 'canceled';
    sub.ended_at = at;
    sub.canceled_at ??= at;
    sub.cancellation_details = { reason: sub.cancellation_details?.reason ?? reason };
    await this.save(rec);
    await this.emit([this.event('customer.subscription.deleted', sub, at, ctx, previous)]);
    return sub;
  }

  /** Records a payment attempt on an invoice and the events it causes. */
  private settle(rec: InvoiceRecord, outcome: Outcome, at: number, ctx: RequestContext | null): Event[] {
    const inv = rec.inv;
    if (inv.amount_due > 0) {
      inv.attempt_count += 1;
      inv.attempted = true;
    }
    if (outcome.paid) {
      inv.status = 'paid';
      inv.amount_paid = inv.amount_due;
      inv.amount_remaining = 0;
      inv.next_payment_attempt = null;
      inv.status_transitions.paid_at = at;
      return [
        this.event('invoice.paid', inv, at, ctx),
        this.event('invoice.payment_succeeded', inv, at, ctx),
      ];
    }
    rec.firstFailedAt ??= at;
    const retriesDone = inv.attempt_count - 1;
    const next = this.options.retryDays[retriesDone];
    inv.next_payment_attempt = next === undefined ? null : rec.firstFailedAt + Math.round(next * DAY);
    const events = [this.event('invoice.payment_failed', inv, at, ctx)];
    if (outcome.actionRequired) events.push(this.event('invoice.payment_action_required', inv, at, ctx));
    return events;
  }

  /**
   * Pays an open invoice now, on-session, with `payment_method` (one of the customer's) or the
   * subscription's default. Paying a past-due subscription's latest invoice makes it active again.
   * A refused payment throws and records nothing here: the invoice keeps its retry schedule.
   */
  private async payInvoice(id: string, params: Params, ctx: RequestContext): Promise<Invoice> {
    const invRec = await this.invoice(id);
    const inv = invRec.inv;
    if (inv.status !== 'open')
      throw invalid(`Invoice ${id} is ${inv.status}; only an open invoice can be paid.`, 'invoice');
    const customer = await this.customer(inv.customer);
    const rec = await this.subscription(inv.parent.subscription_details.subscription);
    const sub = rec.sub;
    const pmId = (params.payment_method as string | undefined) ?? sub.default_payment_method;
    const pm = await this.paymentMethodOf(customer, pmId ?? null);
    const outcome = charge(pm, false);
    if (!outcome.paid) throw outcome.error;
    const events = this.settle(invRec, outcome, ctx.now, ctx);
    if (sub.latest_invoice === inv.id && (sub.status === 'past_due' || sub.status === 'unpaid')) {
      const previous = { status: sub.status };
      sub.status = 'active';
      events.push(this.event('customer.subscription.updated', sub, ctx.now, ctx, previous));
    }
    await this.save(rec, invRec);
    await this.emit(events);
    return inv;
  }

  private async listInvoices(params: Params) {
    const limit = Math.min(100, Number(params.limit ?? 10));
    const all = (await this.store.list<InvoiceRecord>('inv:'))
      .map(([, r]) => r.inv)
      .filter(
        (i) => !params.subscription || i.parent.subscription_details.subscription === params.subscription,
      )
      .filter((i) => !params.customer || i.customer === params.customer)
      .sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
    const after = params.starting_after ? all.findIndex((i) => i.id === params.starting_after) + 1 : 0;
    const data = all.slice(after, after + limit);
    return { object: 'list', data, has_more: after + limit < all.length, url: '/v1/invoices' };
  }

  // --- the clock -------------------------------------------------------------------------------

  /**
   * Lets time pass up to `nowMs`: trial-will-end notices three days ahead, payment retries on the
   * schedule (the subscription ends when the last fails), renewals, and period-end cancellations,
   * each at the moment it falls due. `userId` (subscription metadata) limits it to one user.
   */
  async advance(nowMs: number, filter: { userId?: string } = {}): Promise<void> {
    const now = seconds(nowMs);
    const records = await this.store.list<SubscriptionRecord>('sub:');
    for (const [, { sub }] of records) {
      if (filter.userId && sub.metadata.userId !== filter.userId) continue;
      for (let step = 0; step < 1000 && (await this.step(sub.id, now)); step++);
    }
  }

  /** Does the earliest thing due for one subscription; false when nothing is. */
  private async step(id: string, now: number): Promise<boolean> {
    const rec = await this.subscription(id);
    const sub = rec.sub;
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired') return false;
    const item = sub.items.data[0]!;
    const open = await this.openInvoice(sub);
    type Due = { at: number; what: 'trial_will_end' | 'retry' | 'period_end' };
    const candidates: Due[] = [];
    if (sub.status === 'trialing' && !rec.trialWillEndSent && sub.trial_end)
      candidates.push({
        at: Math.max(sub.created, sub.trial_end - TRIAL_WILL_END_NOTICE),
        what: 'trial_will_end',
      });
    if (open?.inv.next_payment_attempt) candidates.push({ at: open.inv.next_payment_attempt, what: 'retry' });
    // While an invoice is open the subscription waits for its retries instead of renewing.
    if (!open) candidates.push({ at: item.current_period_end, what: 'period_end' });
    const due = candidates.filter((d) => d.at <= now).sort((a, b) => a.at - b.at)[0];
    if (!due) return false;

    if (due.what === 'trial_will_end') {
      rec.trialWillEndSent = true;
      await this.save(rec);
      await this.emit([this.event('customer.subscription.trial_will_end', sub, due.at, null)]);
      return true;
    }
    const customer = await this.customer(sub.customer);
    const pm = await this.paymentMethodOf(customer, sub.default_payment_method).catch(() => null);
    if (due.what === 'retry' && open) {
      const outcome = charge(pm, true);
      const events = this.settle(open, outcome, due.at, null);
      const previous = { status: sub.status };
      if (outcome.paid) {
        sub.status = 'active';
        events.push(this.event('customer.subscription.updated', sub, due.at, null, previous));
      }
      await this.save(rec, open);
      await this.emit(events);
      if (!outcome.paid && open.inv.next_payment_attempt === null)
        await this.cancelSubscription(sub.id, due.at, null, 'payment_failed');
      return true;
    }
    // The period ends: cancel as asked, or renew and charge off-session.
    if (sub.cancel_at_period_end) {
      await this.cancelSubscription(sub.id, due.at, null, 'cancellation_requested');
      return true;
    }
    const previous = {
      status: sub.status,
      items: {
        data: [
          { current_period_start: item.current_period_start, current_period_end: item.current_period_end },
        ],
      },
    };
    item.current_period_start = item.current_period_end;
    item.current_period_end = addInterval(item.current_period_start, item.price.recurring.interval);
    const lines = [
      ...rec.pendingLines,
      line(
        sub,
        priceLine(item.price),
        item.price.unit_amount,
        item.current_period_start,
        item.current_period_end,
        false,
      ),
    ];
    rec.pendingLines = [];
    const inv = newInvoice(sub, customer, lines, 'subscription_cycle', due.at, item.current_period_end);
    const invRec: InvoiceRecord = { inv, firstFailedAt: null };
    const outcome = inv.amount_due > 0 ? charge(pm, true) : ({ paid: true } as const);
    const invoiceEvents = this.settle(invRec, outcome, due.at, null);
    sub.latest_invoice = inv.id;
    sub.status = outcome.paid ? 'active' : 'past_due';
    await this.saveCustomer(customer);
    await this.save(rec, invRec);
    await this.emit([
      this.event('customer.subscription.updated', sub, due.at, null, previous),
      ...invoiceEvents,
    ]);
    if (!outcome.paid && inv.next_payment_attempt === null)
      await this.cancelSubscription(sub.id, due.at, null, 'payment_failed');
    return true;
  }

  private async openInvoice(sub: Subscription): Promise<InvoiceRecord | undefined> {
    if (typeof sub.latest_invoice !== 'string') return undefined;
    const rec = await this.store.get<InvoiceRecord>(`inv:${sub.latest_invoice}`);
    return rec?.inv.status === 'open' ? rec : undefined;
  }

  // --- events ----------------------------------------------------------------------------------

  private event(
    type: string,
    object: Subscription | Invoice,
    at: number,
    ctx: RequestContext | null,
    previous?: Record<string, unknown>,
  ): Event {
    return {
      id: stripeId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: at,
      type,
      data: { object: structuredClone(object), ...(previous ? { previous_attributes: previous } : {}) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: ctx?.requestId ?? null, idempotency_key: ctx?.idempotencyKey ?? null },
    };
  }

  private async emit(events: Event[]): Promise<void> {
    let seq = (await this.store.get<number>('meta:event-seq')) ?? 0;
    for (const event of events) {
      seq += 1;
      await this.store.put(`pending:${String(seq).padStart(12, '0')}`, event);
    }
    await this.store.put('meta:event-seq', seq);
  }

  /** Webhook events not yet delivered, oldest first. */
  async pendingEvents(limit = 100): Promise<Event[]> {
    return (await this.store.list<Event>('pending:')).slice(0, limit).map(([, e]) => e);
  }

  /** Forgets delivered events (a failed delivery stays pending, to be tried again). */
  async delivered(ids: string[]): Promise<void> {
    const wanted = new Set(ids);
    for (const [key, event] of await this.store.list<Event>('pending:'))
      if (wanted.has(event.id)) await this.store.delete(key);
  }

  // --- storage ---------------------------------------------------------------------------------

  private async save(rec: SubscriptionRecord, invoice?: InvoiceRecord): Promise<void> {
    await this.store.put(`sub:${rec.sub.id}`, rec);
    if (invoice) await this.store.put(`inv:${invoice.inv.id}`, invoice);
  }

  private async saveCustomer(customer: Customer): Promise<void> {
    await this.store.put(`customer:${customer.id}`, customer);
  }
}

function errorResponse(err: StripeApiError): ApiResponse {
  return { status: err.status, body: { error: err.error } };
}
