/** The delivery log of an endpoint, redelivery by hand, and test messages. */
import { implement, json } from '../../../../lib/api.ts';
import { newId } from '../../../../lib/ids.ts';
import { Problem } from '../../../../lib/problem.ts';
import type { Env } from '../config.ts';
import { listWebhookDeliveries, redeliverWebhook, testWebhookEndpoint } from '../contract/webhooks.ts';
import { database } from '../db/client.ts';
import { requireBillingAdmin } from '../webhooks/access.ts';
import { actorOf, auditEntry, type EndpointRow, findEndpoint } from '../webhooks/endpoints.ts';
import { endpointQueue } from '../webhooks/queue.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function requireEnabled(row: EndpointRow): void {
  if (!row.enabled)
    throw Problem.conflict(
      `The endpoint is disabled (${row.disabledReason ?? 'no reason given'}); enable it first.`,
    );
}

export const listWebhookDeliveriesHandler = implement(
  listWebhookDeliveries,
  async (input, caller, env: Env) => {
    requireBillingAdmin(caller);
    const row = await findEndpoint(database(env.DB), input.params.id);
    const { rows, total } = await endpointQueue(env, row.id).deliveries(input.query);
    const body = rows.map((r) => ({
      ...r,
      attemptedAt: new Date(r.attemptedAt).toISOString(),
      nextRetryAt: iso(r.nextRetryAt),
    }));
    return { status: 200, body, total };
  },
);

export const redeliverWebhookHandler = implement(redeliverWebhook, async (input, caller, env: Env) => {
  requireBillingAdmin(caller);
  const db = database(env.DB);
  const row = await findEndpoint(db, input.params.id);
  requireEnabled(row);
  const queued = await endpointQueue(env, row.id).redeliver(row.id, input.params.deliveryId);
  if (!queued.found) throw Problem.notFound(`No delivery ${input.params.deliveryId} to this endpoint.`);
  await auditEntry(db, {
    action: 'delivery.redeliver',
    actor: actorOf(caller),
    endpointId: row.id,
    detail: { deliveryId: input.params.deliveryId, eventId: queued.eventId },
    caller,
    at: new Date(),
  });
  return json(202, { eventId: queued.eventId, state: queued.state, pendingAhead: queued.pendingAhead });
});

export const testWebhookEndpointHandler = implement(testWebhookEndpoint, async (input, caller, env: Env) => {
  requireBillingAdmin(caller);
  const db = database(env.DB);
  const row = await findEndpoint(db, input.params.id);
  requireEnabled(row);
  const eventId = newId('evt');
  const body = JSON.stringify({
    type: 'WebhookTest',
    timestamp: new Date().toISOString(),
    data: { endpointId: row.id, message: 'A test message from Edge Video billing.' },
  });
  const queue = endpointQueue(env, row.id);
  await queue.enqueue(row.id, [{ eventId, eventType: 'WebhookTest', body }], 'test');
  await auditEntry(db, {
    action: 'endpoint.test',
    actor: actorOf(caller),
    endpointId: row.id,
    detail: { eventId },
    caller,
    at: new Date(),
  });
  const { pending } = await queue.status();
  return json(202, { eventId, state: 'pending' as const, pendingAhead: Math.max(0, pending - 1) });
});
