/**
 * The offline Stripe of `BILLING_PROVIDER=local`: one Durable Object holds the stand-in's state (one
 * writer, as Stripe serialises an account's objects). Each request runs without interleaving, since
 * the emulator awaits nothing but this object's storage. Hosted by the billing Worker.
 */
import { DurableObject } from 'cloudflare:workers';
import { type Env, settings } from '../../config.ts';
import { type EmulatorStore, StripeEmulator } from './emulator.ts';

function durableStore(storage: DurableObjectStorage): EmulatorStore {
  return {
    get: (key) => storage.get(key),
    put: (key, value) => storage.put(key, value),
    delete: async (key) => void (await storage.delete(key)),
    list: async <T>(prefix: string) => [...(await storage.list<T>({ prefix })).entries()],
  };
}

export class LocalStripe extends DurableObject<Env> {
  private readonly emulator = new StripeEmulator(durableStore(this.ctx.storage), {
    retryDays: settings(this.env).DUNNING_RETRY_DAYS,
  });

  /** One Stripe API request; the answer's body is Stripe's JSON text, as over HTTP. */
  async request(
    method: string,
    path: string,
    params: Record<string, unknown>,
    idempotencyKey?: string,
  ): Promise<{ status: number; body: string }> {
    const res = await this.emulator.request(method, path, params, { idempotencyKey: idempotencyKey ?? null });
    return { status: res.status, body: JSON.stringify(res.body) };
  }

  advance(now: number, userId?: string): Promise<void> {
    return this.emulator.advance(now, userId ? { userId } : {});
  }

  /** Webhook events to deliver, oldest first, each as the JSON text Stripe would send. */
  async pendingEvents(limit?: number): Promise<{ id: string; payload: string }[]> {
    return (await this.emulator.pendingEvents(limit)).map((e) => ({ id: e.id, payload: JSON.stringify(e) }));
  }

  delivered(ids: string[]): Promise<void> {
    return this.emulator.delivered(ids);
  }
}
