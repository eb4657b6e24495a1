/**
 * The outbound webhook tables of the billing database (migrations/billing/0003_webhooks.sql),
 * re-exported by schema.ts. Delivery queues and their attempt logs live in each endpoint's Durable
 * Object (durable-objects/webhook-endpoint.ts).
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { WebhookEventType } from '../contract/webhooks.ts';

const ms = (name: string) => integer(name, { mode: 'timestamp_ms' });

/** An admin-registered receiver of billing events; the one source of its URL, types and secrets. */
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    url: text('url').notNull(),
    description: text('description').notNull(),
    eventTypes: text('event_types', { mode: 'json' }).$type<WebhookEventType[]>().notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    disabledReason: text('disabled_reason'),
    disabledAt: ms('disabled_at'),
    /** `whsec_…`; it must sign, so it is stored as issued (never shown again). */
    secret: text('secret').notNull(),
    /** The secret before the last rotation, still signing until it expires. */
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: ms('previous_secret_expires_at'),
    secretRotatedAt: ms('secret_rotated_at'),
    createdBy: text('created_by').notNull(),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [index('webhook_endpoints_created').on(t.createdAt)],
);

/** Who changed which endpoint, and the endpoints the delivery queue disabled. */
export const webhookAudit = sqliteTable(
  'webhook_audit',
  {
    id: text('id').primaryKey(),
    at: ms('at').notNull(),
    actorId: text('actor_id').notNull(),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'system'] }).notNull(),
    action: text('action').notNull(),
    endpointId: text('endpoint_id').notNull(),
    detail: text('detail', { mode: 'json' }).$type<unknown>(),
    requestId: text('request_id'),
  },
  (t) => [index('webhook_audit_endpoint').on(t.endpointId, t.at)],
);

/** Billing events already handed to every subscribed endpoint's queue (the upkeep sweep skips them). */
export const webhookNotified = sqliteTable(
  'webhook_notified',
  {
    eventId: text('event_id').primaryKey(),
    notifiedAt: ms('notified_at').notNull(),
  },
  (t) => [index('webhook_notified_at').on(t.notifiedAt)],
);
