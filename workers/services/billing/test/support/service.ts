/**
 * Calls the billing Worker as the gateway does (RPC `handle`, with the shared RPC test client), with
 * either provider: `local` (the LocalStripe Durable Object) or `stripe` (Stripe's SDK against the
 * Stripe-compatible stand-in of vitest.config.ts). Events go to queues nobody consumes in these
 * tests: `settle()` hands webhooks to the route and billing's queue work to queue(), as the platform
 * would, until nothing is left.
 */
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import type { Envelope, EventType } from '../../../../../queues/events.ts';
import type { Caller, RouteInput } from '../../../../lib/api.ts';
import { rpcClient, testCaller } from '../../../../lib/testing/rpc-client.ts';
import { runBillingClock } from '../../src/clock.ts';
import { type Env, settings } from '../../src/config.ts';
import { contract } from '../../src/contract.ts';
import { database } from '../../src/db/client.ts';
import { computeEntitlement } from '../../src/entitlements.ts';
import BillingService from '../../src/index.ts';
import { providerFor } from '../../src/providers/index.ts';
import type { LocalProvider } from '../../src/providers/local/provider.ts';
import { stripeSignature } from '../../src/providers/signature.ts';
import { FAKE_STRIPE } from './fake-stripe.ts';

export const service = (exports as unknown as { default: BillingService }).default;
export const ORIGIN = 'http://platform.test';
export const admin = testCaller(ORIGIN, 'usr_admin', ['admin']);
export const viewer = testCaller(ORIGIN, 'usr_viewer', ['viewer']);
export const anonymous = testCaller(ORIGIN);

export const testEnv = env as unknown as Env;
export const WEBHOOK_SECRET = testEnv.STRIPE_WEBHOOK_SECRET;
export const DAY = 24 * 3600 * 1000;

/** Waits for the next whole second (Stripe's timestamps are seconds). */
export function nextSecond(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1005 - (Date.now() % 1000)));
}

export type Provider = 'local' | 'stripe';
export const PROVIDERS: Provider[] = ['local', 'stripe'];

/** The Worker's env with a provider chosen; the stripe one talks to the stand-in (2 SDK retries). */
export function envFor(provider: Provider): Env {
  if (provider === 'local') return testEnv;
  return {
    ...testEnv,
    BILLING_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: FAKE_STRIPE.secretKey,
    STRIPE_API_URL: FAKE_STRIPE.url,
    STRIPE_MAX_NETWORK_RETRIES: '2',
  } as Env;
}

const client = rpcClient(contract, () => service);
type RouteId = Parameters<typeof client.call>[0];

/** A fresh user (a viewer calling as themself). */
export function newUser(tag = 'u'): Caller & { userId: string } {
  return testCaller(ORIGIN, `usr_${tag}_${crypto.randomUUID().slice(0, 12)}`, ['viewer']) as Caller & {
    userId: string;
  };
}

export async function outbox<T extends EventType>(type: T, subject?: string): Promise<Envelope<T>[]> {
  const { results } = await testEnv.DB.prepare(
    'SELECT envelope FROM outbox WHERE type = ? ORDER BY created_at, rowid',
  )
    .bind(type)
    .all<{ envelope: string }>();
  return results
    .map((r) => JSON.parse(r.envelope) as Envelope<T>)
    .filter((e) => !subject || e.subject === subject);
}

let messageSeq = 0;

/** The billing Worker on one provider, driven as the platform drives it. */
export function billing(provider: Provider) {
  const workerEnv = envFor(provider);

  async function inWorker<T>(fn: (svc: BillingService, ctx: ExecutionContext) => Promise<T>): Promise<T> {
    const ctx = createExecutionContext();
    const result = await fn(new BillingService(ctx, workerEnv), ctx);
    await waitOnExecutionContext(ctx);
    return result;
  }

  function call(routeId: RouteId, input: Partial<RouteInput> = {}, who: Caller = admin) {
    return inWorker((svc) => client.call(routeId, input, who, svc));
  }

  /** Posts a payload to the webhook route, signed (by default correctly and now). */
  function webhook(payload: string, signature?: string) {
    return inWorker(async (svc) =>
      client.call(
        'billing.stripeWebhook',
        {
          body: payload,
          headers: { 'stripe-signature': signature ?? (await stripeSignature(WEBHOOK_SECRET, payload)) },
        },
        anonymous,
        svc,
      ),
    );
  }

  /** Webhooks the provider has not delivered yet, handed to the route; the number delivered. */
  async function deliverWebhooks(): Promise<number> {
    if (provider === 'local') {
      return inWorker((_svc, ctx) => (providerFor(workerEnv, ctx) as LocalProvider).deliverWebhooks());
    }
    const events = (await (await fetch(`${FAKE_STRIPE.url}/_emulator/events`)).json()) as {
      payload: string;
    }[];
    for (const e of events) {
      const res = await webhook(e.payload);
      if (res.status !== 200) throw new Error(`webhook refused: ${res.status} ${JSON.stringify(res.body)}`);
    }
    return events.length;
  }

  /** Billing's queue work not processed yet, handed to queue(); the number handed over. */
  async function processQueue(): Promise<number> {
    const { results } = await testEnv.DB.prepare(
      `SELECT envelope FROM outbox WHERE type = 'BillingWebhookReceived'
         AND json_extract(envelope, '$.data.provider') = ?
         AND id NOT IN (SELECT event_id FROM _events_processed WHERE queue = 'billing-events')
       ORDER BY created_at, rowid`,
    )
      .bind(provider)
      .all<{ envelope: string }>();
    if (!results.length) return 0;
    const batch = createMessageBatch(
      'billing-events',
      results.map((r) => ({
        id: `msg-${++messageSeq}`,
        timestamp: new Date(),
        attempts: 1,
        body: JSON.parse(r.envelope),
      })),
    );
    const ctx = createExecutionContext();
    await new BillingService(ctx, workerEnv).queue(batch);
    const outcome = await getQueueResult(batch, ctx);
    if (outcome.retryMessages.length)
      throw new Error(`queue work failed: ${JSON.stringify(outcome.retryMessages)}`);
    return results.length;
  }

  /** Delivers webhooks and processes the work they queue until nothing is left. */
  async function settle(): Promise<void> {
    for (let i = 0; i < 20; i++) if ((await deliverWebhooks()) + (await processQueue()) === 0) return;
    throw new Error('billing did not settle');
  }

  /** Lets the provider's time pass to `now` for one user, runs the billing clock, and settles. */
  async function clock(now: number, userId: string): Promise<void> {
    if (provider === 'stripe') {
      const res = await fetch(`${FAKE_STRIPE.url}/_emulator/advance`, {
        method: 'POST',
        body: JSON.stringify({ now, userId }),
      });
      if (!res.ok) throw new Error(`advance failed: ${res.status}`);
    }
    await inWorker((_svc, ctx) => runBillingClock(workerEnv, ctx, now, userId));
    await settle();
  }

  /** The user's entitlement as computed at `now` (what the cache answers until it expires). */
  function entitlementAt(userId: string, now: number) {
    const s = settings(workerEnv);
    return computeEntitlement(database(testEnv.DB), userId, now, {
      graceDays: s.DUNNING_GRACE_DAYS,
      renewalLeewayMs: s.RENEWAL_LEEWAY_MINUTES * 60_000,
    });
  }

  /** Subscribes a user and settles the webhooks that follows; answers the 201 body. */
  async function subscribe(
    user: Caller & { userId: string },
    planId = 'basic',
    paymentMethod = 'pm_card_visa',
  ) {
    const res = await call(
      'billing.subscribe',
      { body: { userId: user.userId, planId, paymentMethod } },
      user,
    );
    if (res.status !== 201) throw new Error(`subscribe failed: ${res.status} ${JSON.stringify(res.body)}`);
    await settle();
    return res.body as { subscriptionId: string; status: string };
  }

  return {
    env: workerEnv,
    call,
    webhook,
    deliverWebhooks,
    processQueue,
    settle,
    clock,
    entitlementAt,
    subscribe,
    inWorker,
  };
}

/** Runs the Worker's scheduled() for a cron at a time, as the platform does. */
export async function scheduled(
  cron: string,
  scheduledTime: number,
  workerEnv: Env = testEnv,
): Promise<void> {
  const ctx = createExecutionContext();
  await new BillingService(ctx, workerEnv).scheduled(createScheduledController({ cron, scheduledTime }));
  await waitOnExecutionContext(ctx);
}

export function call(routeId: RouteId, input: Partial<RouteInput> = {}, who: Caller = admin) {
  return client.call(routeId, input, who);
}
