/**
 * Hands billing events to the queue of every enabled endpoint subscribed to them. The caller does
 * it right after the events are committed (notifyEndpoints); the upkeep sweep catches events that
 * call missed (the Worker stopped, a Durable Object was unreachable) from the outbox a minute
 * later. Queues skip event ids they already hold, so handing an event over twice is harmless.
 */
import { and, asc, eq, gt, inArray, isNull, lt } from 'drizzle-orm';
import type { Envelope } from '../../../../../queues/events.ts';
import { outbox } from '../../../../../queues/outbox.ts';
import { errorFields, log } from '../../../../lib/log.ts';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../contract/webhooks.ts';
import { database } from '../db/client.ts';
import { webhookNotified } from '../db/schema.ts';
import { enabledEndpoints } from './endpoints.ts';
import { endpointQueue, type WebhookQueues } from './queue.ts';

export type FanOutEnv = WebhookQueues & { DB: D1Database };

/** Events the sweep looks back on; older ones are left alone. */
const SWEEP_LOOKBACK_MS = 24 * 3600 * 1000;
/** Events younger than this are still being handed over by their request. */
const SWEEP_GRACE_MS = 60_000;
const KEEP_NOTIFIED_MS = 8 * 24 * 3600 * 1000;

const isWebhookType = (type: string): type is WebhookEventType =>
  (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);

/** The payload as receivers get it (Standard Webhooks' `type`, `timestamp`, `data`). */
export function webhookBody(event: Envelope): string {
  return JSON.stringify({ type: event.type, timestamp: event.time, data: event.data });
}

/** Queues the events for their endpoints; true when every queue took them. */
export async function fanOut(env: FanOutEnv, events: Envelope[]): Promise<boolean> {
  const relevant = events.filter((e) => isWebhookType(e.type));
  if (!relevant.length) return true;
  const db = database(env.DB);
  const endpoints = await enabledEndpoints(db);
  const handovers = endpoints.map(async (endpoint) => {
    // An endpoint gets the events of its subscription from its creation on.
    const messages = relevant
      .filter((e) => endpoint.eventTypes.includes(e.type as WebhookEventType))
      .filter((e) => Date.parse(e.time) >= endpoint.createdAt.getTime())
      .map((e) => ({ eventId: e.id, eventType: e.type, body: webhookBody(e) }));
    if (messages.length) await endpointQueue(env, endpoint.id).enqueue(endpoint.id, messages);
  });
  const failed = (await Promise.allSettled(handovers)).filter((r) => r.status === 'rejected');
  if (failed.length) {
    log('warn', 'webhook fan-out incomplete; the upkeep sweep will retry', {
      events: relevant.map((e) => e.id),
      failedEndpoints: failed.length,
      ...errorFields((failed[0] as PromiseRejectedResult).reason),
    });
    return false;
  }
  const now = new Date();
  // D1 binds at most 100 parameters a statement.
  for (let i = 0; i < relevant.length; i += 40) {
    await db
      .insert(webhookNotified)
      .values(relevant.slice(i, i + 40).map((e) => ({ eventId: e.id, notifiedAt: now })))
      .onConflictDoNothing();
  }
  return true;
}

/** Fans out the recent billing events that were never handed over, oldest first. */
export async function sweepWebhookFanOut(env: FanOutEnv, now = Date.now()): Promise<number> {
  const db = database(env.DB);
  await db.delete(webhookNotified).where(lt(webhookNotified.notifiedAt, new Date(now - KEEP_NOTIFIED_MS)));
  const missed = await db
    .select({ envelope: outbox.envelope })
    .from(outbox)
    .leftJoin(webhookNotified, eq(webhookNotified.eventId, outbox.id))
    .where(
      and(
        inArray(outbox.type, [...WEBHOOK_EVENT_TYPES]),
        isNull(webhookNotified.eventId),
        gt(outbox.createdAt, new Date(now - SWEEP_LOOKBACK_MS)),
        lt(outbox.createdAt, new Date(now - SWEEP_GRACE_MS)),
      ),
    )
    .orderBy(asc(outbox.createdAt))
    .limit(100);
  if (missed.length)
    await fanOut(
      env,
      missed.map((r) => r.envelope as Envelope),
    );
  return missed.length;
}
