/**
 * Helpers for the webhook tests: endpoints on fake receivers (webhook-receiver.ts), billing
 * events, and driving an endpoint's queue: its alarm is run directly, and time is moved forward by
 * shifting the times the queue stored, so a three-day schedule runs in milliseconds.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import { z } from 'zod';
import type { QueueStatus, WebhookEndpoint } from '../../../../../durable-objects/webhook-endpoint.ts';
import type { Envelope, EventData, EventType } from '../../../../../queues/events.ts';
import { envelope } from '../../../../../queues/publish.ts';
import type { Caller, RouteInput } from '../../../../lib/api.ts';
import { fieldErrors, Problem } from '../../../../lib/problem.ts';
import { notifyEndpoints } from '../../src/notify.ts';
import { admin, call } from './service.ts';
import {
  CONTROL_ORIGIN,
  RECEIVER_ORIGIN,
  type ReceivedRequest,
  type ReceiverMode,
} from './webhook-receiver.ts';

export { RECEIVER_ORIGIN };

export interface TestEndpoint {
  endpointId: string;
  secret: string;
  url: string;
  /** The fake receiver's name. */
  name: string;
}

export async function receiverMode(name: string, mode: ReceiverMode): Promise<void> {
  const res = await fetch(`${CONTROL_ORIGIN}/${name}`, { method: 'PUT', body: mode });
  expect(res.status).toBe(204);
}

/** Every request the receiver got, in arrival order. */
export async function received(name: string): Promise<ReceivedRequest[]> {
  return (await fetch(`${CONTROL_ORIGIN}/${name}`)).json();
}

/** The requests it answered with 2xx. */
export async function accepted(name: string): Promise<ReceivedRequest[]> {
  return (await received(name)).filter((r) => r.status >= 200 && r.status < 300);
}

export async function createEndpoint(
  eventTypes: string[] = ['SubscriptionCreated', 'SubscriptionCanceled', 'PaymentSucceeded', 'PaymentFailed'],
  mode: ReceiverMode = 'up',
): Promise<TestEndpoint> {
  const name = crypto.randomUUID();
  await receiverMode(name, mode);
  const url = `${RECEIVER_ORIGIN}/${name}`;
  const reply = await call('billing.webhookEndpointCreate', { body: { url, eventTypes } });
  expect(reply.status, JSON.stringify(reply.problem)).toBe(201);
  return { endpointId: reply.body.endpointId, secret: reply.body.secret, url, name };
}

let subscriptions = 0;
/** A billing event as the core would stage it. */
export function subscriptionCreated(userId = 'usr_webhook'): Envelope {
  subscriptions++;
  return billingEvent('SubscriptionCreated', `sub_${subscriptions}`, {
    subscriptionId: `sub_${subscriptions}_${crypto.randomUUID().slice(0, 8)}`,
    userId,
    planId: 'plan_basic',
    status: 'active',
  });
}

export function billingEvent<T extends EventType>(type: T, subject: string, data: EventData<T>): Envelope {
  return envelope(type, subject, data, { source: 'billing' }) as Envelope;
}

/** Hands events over as the billing core does after committing them. */
export async function notify(...events: Envelope[]): Promise<void> {
  await notifyEndpoints(env, events);
}

export function queueOf(endpointId: string): DurableObjectStub<WebhookEndpoint> {
  return env.WEBHOOK_ENDPOINT.get(env.WEBHOOK_ENDPOINT.idFromName(endpointId));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the queue's alarm until no message is due and no round is running. */
export async function settle(endpointId: string): Promise<QueueStatus> {
  const queue = queueOf(endpointId);
  for (let i = 0; i < 200; i++) {
    const s = await queue.status();
    if (s.delivering) {
      await sleep(10);
      continue;
    }
    const due = s.pending > 0 && s.nextAttemptAt !== null && s.nextAttemptAt <= Date.now();
    if (!due) return s;
    if (!(await runDurableObjectAlarm(queue))) {
      const again = await queue.status();
      // Due but no alarm and idle: the endpoint is disabled.
      if (!again.delivering) return again;
    }
  }
  throw new Error('the queue did not settle');
}

/** Moves the queue's clock forward: every time it stored moves back by `ms`. */
export async function advance(endpointId: string, ms: number): Promise<void> {
  await runInDurableObject(queueOf(endpointId), (_o: WebhookEndpoint, state: DurableObjectState) => {
    const sql = state.storage.sql;
    sql.exec(
      `UPDATE messages SET enqueued_at = enqueued_at - ?1, next_attempt_at = next_attempt_at - ?1,
         first_attempt_at = first_attempt_at - ?1, finished_at = finished_at - ?1`,
      ms,
    );
    sql.exec('UPDATE attempts SET attempted_at = attempted_at - ?1, next_retry_at = next_retry_at - ?1', ms);
    for (const key of ['failingSince', 'lastFailureAt', 'lastSuccessAt']) {
      const at = state.storage.kv.get<number>(key);
      if (at !== undefined) state.storage.kv.put(key, at - ms);
    }
  });
}

/** Moves the clock to the head's next attempt and runs it; answers how far the clock moved. */
export async function nextAttempt(endpointId: string): Promise<number> {
  const { nextAttemptAt } = await queueOf(endpointId).status();
  if (nextAttemptAt === null) throw new Error('nothing is waiting');
  const ms = Math.max(0, nextAttemptAt - Date.now());
  await advance(endpointId, ms);
  await settle(endpointId);
  return ms;
}

/** Verifies a received request as a Standard Webhooks receiver would; answers the payload. */
export function verify(
  request: ReceivedRequest,
  secret: string,
): { type: string; timestamp: string; data: any } {
  return new Webhook(secret).verify(request.body, request.headers) as never;
}

/**
 * Calls a route as a client through the gateway would: input the route's schemas refuse becomes the
 * gateway's 400 (its defaultHook: `validation_failed` with each field in `errors`).
 */
export async function callAsClient(
  routeId: Parameters<typeof call>[0],
  input: Partial<RouteInput>,
  caller: Caller = admin,
): ReturnType<typeof call> {
  try {
    return await call(routeId, input, caller);
  } catch (err) {
    if (!(err instanceof z.ZodError)) throw err;
    const problem = Problem.badRequest('The request body is invalid.', fieldErrors(err.issues as never));
    return { status: problem.status, problem: problem.toJSON(), body: undefined };
  }
}
