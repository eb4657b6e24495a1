/**
 * Webhook endpoints in D1: the one record of each endpoint's URL, event types, enabled state and
 * signing secrets, with an audit entry in the same batch as every change. Delivery state lives in
 * the endpoint's Durable Object; it reads its target from here before each round of attempts.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Caller } from '../../../../lib/api.ts';
import { newId } from '../../../../lib/ids.ts';
import { newestFirst, type PageQuery } from '../../../../lib/paging.ts';
import { Problem } from '../../../../lib/problem.ts';
import type { WebhookEventType } from '../contract/webhooks.ts';
import type { Db } from '../db/client.ts';
import { webhookAudit, webhookEndpoints } from '../db/schema.ts';
import { newSigningSecret } from './signing.ts';
import { checkEndpointUrl, type Environment } from './url-policy.ts';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;

/** After a rotation the previous secret keeps signing this long, so receivers can switch over. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 3600 * 1000;

export interface Actor {
  id: string;
  type: 'user' | 'api_key' | 'system';
}

export const SYSTEM: Actor = { id: 'webhook-delivery', type: 'system' };

export function actorOf(caller: Caller): Actor {
  if (caller.userId) return { id: caller.userId, type: 'user' };
  if (caller.apiKey) return { id: caller.apiKey.id, type: 'api_key' };
  return SYSTEM;
}

export type AuditAction =
  | 'endpoint.create'
  | 'endpoint.update'
  | 'endpoint.delete'
  | 'endpoint.rotate_secret'
  | 'endpoint.disable'
  | 'endpoint.test'
  | 'delivery.redeliver';

export function auditEntry(
  db: Db,
  entry: {
    action: AuditAction;
    actor: Actor;
    endpointId: string;
    detail?: unknown;
    caller?: Caller;
    at: Date;
  },
) {
  return db.insert(webhookAudit).values({
    id: newId('wau'),
    at: entry.at,
    actorId: entry.actor.id,
    actorType: entry.actor.type,
    action: entry.action,
    endpointId: entry.endpointId,
    detail: entry.detail ?? null,
    requestId: entry.caller?.requestId ?? null,
  });
}

export function endpointView(row: EndpointRow) {
  return {
    endpointId: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    secretRotatedAt: row.secretRotatedAt?.toISOString() ?? null,
  };
}

/** The URL as it will be stored, or a 400 naming the `url` field. */
export function allowedUrl(raw: string, environment: Environment): string {
  const verdict = checkEndpointUrl(raw, environment);
  if (!verdict.ok)
    throw Problem.badRequest('The endpoint URL is not allowed.', [
      { path: 'url', message: `The URL ${verdict.reason}.` },
    ]);
  return verdict.url;
}

export async function createEndpoint(
  db: Db,
  input: { url: string; eventTypes: WebhookEventType[]; description: string },
  caller: Caller,
): Promise<{ row: EndpointRow; secret: string }> {
  const now = new Date();
  const secret = newSigningSecret();
  const id = newId('whe');
  const [[row]] = await db.batch([
    db
      .insert(webhookEndpoints)
      .values({
        id,
        url: input.url,
        description: input.description,
        eventTypes: input.eventTypes,
        enabled: true,
        secret,
        createdBy: actorOf(caller).id,
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
    auditEntry(db, {
      action: 'endpoint.create',
      actor: actorOf(caller),
      endpointId: id,
      detail: { url: input.url, eventTypes: input.eventTypes },
      caller,
      at: now,
    }),
  ]);
  return { row: row!, secret };
}

export async function findEndpoint(db: Db, id: string): Promise<EndpointRow> {
  const row = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get();
  if (!row) throw Problem.notFound(`No webhook endpoint ${id}.`);
  return row;
}

export async function listEndpoints(db: Db, q: PageQuery) {
  const { rows, total } = await newestFirst(
    db,
    webhookEndpoints,
    {
      time: webhookEndpoints.createdAt,
      id: webhookEndpoints.id,
    },
    q,
  );
  return { endpoints: rows.map(endpointView), total };
}

export interface EndpointChanges {
  url?: string | undefined;
  eventTypes?: WebhookEventType[] | undefined;
  description?: string | undefined;
  enabled?: boolean | undefined;
}

/**
 * Applies the changes; enabling clears the reason it was disabled. Answers the row before and
 * after, so the caller can tell the queue to resume.
 */
export async function changeEndpoint(
  db: Db,
  id: string,
  changes: EndpointChanges,
  caller: Caller,
): Promise<{ before: EndpointRow; after: EndpointRow }> {
  const before = await findEndpoint(db, id);
  const now = new Date();
  const set: Partial<EndpointRow> = { updatedAt: now };
  if (changes.url !== undefined) set.url = changes.url;
  if (changes.eventTypes !== undefined) set.eventTypes = changes.eventTypes;
  if (changes.description !== undefined) set.description = changes.description;
  if (changes.enabled !== undefined) {
    set.enabled = changes.enabled;
    if (changes.enabled) Object.assign(set, { disabledReason: null, disabledAt: null });
    else if (before.enabled) Object.assign(set, { disabledReason: 'Disabled by an admin.', disabledAt: now });
  }
  const changed = Object.fromEntries(
    Object.entries(changes).filter(([k, v]) => v !== undefined && k !== 'updatedAt'),
  );
  const [[after]] = await db.batch([
    db.update(webhookEndpoints).set(set).where(eq(webhookEndpoints.id, id)).returning(),
    auditEntry(db, {
      action: 'endpoint.update',
      actor: actorOf(caller),
      endpointId: id,
      detail: {
        before: Object.fromEntries(Object.keys(changed).map((k) => [k, before[k as keyof EndpointRow]])),
        after: changed,
      },
      caller,
      at: now,
    }),
  ]);
  if (!after) throw Problem.notFound(`No webhook endpoint ${id}.`);
  return { before, after };
}

export async function deleteEndpoint(db: Db, id: string, caller: Caller): Promise<void> {
  const before = await findEndpoint(db, id);
  await db.batch([
    db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)),
    auditEntry(db, {
      action: 'endpoint.delete',
      actor: actorOf(caller),
      endpointId: id,
      detail: { url: before.url, eventTypes: before.eventTypes },
      caller,
      at: new Date(),
    }),
  ]);
}

export async function rotateSecret(db: Db, id: string, caller: Caller) {
  const before = await findEndpoint(db, id);
  const now = new Date();
  const secret = newSigningSecret();
  const previousSecretExpiresAt = new Date(now.getTime() + PREVIOUS_SECRET_TTL_MS);
  await db.batch([
    db
      .update(webhookEndpoints)
      .set({
        secret,
        previousSecret: before.secret,
        previousSecretExpiresAt,
        secretRotatedAt: now,
        updatedAt: now,
      })
      .where(eq(webhookEndpoints.id, id)),
    auditEntry(db, {
      action: 'endpoint.rotate_secret',
      actor: actorOf(caller),
      endpointId: id,
      detail: { previousSecretExpiresAt: previousSecretExpiresAt.toISOString() },
      caller,
      at: now,
    }),
  ]);
  return { secret, previousSecretExpiresAt: previousSecretExpiresAt.toISOString() };
}

/** What the delivery queue needs for a round of attempts. */
export interface DeliveryTarget {
  enabled: boolean;
  url: string;
  /** The current secret first, then the previous one while it still signs. */
  secrets: string[];
}

export async function loadDeliveryTarget(
  db: Db,
  id: string,
  now = Date.now(),
): Promise<DeliveryTarget | undefined> {
  const row = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get();
  if (!row) return undefined;
  const previousValid =
    row.previousSecret && row.previousSecretExpiresAt && row.previousSecretExpiresAt.getTime() > now;
  return {
    enabled: row.enabled,
    url: row.url,
    secrets: previousValid ? [row.secret, row.previousSecret!] : [row.secret],
  };
}

/**
 * The queue gave up on an endpoint: disable it with the reason and an audit entry, both only if it
 * was still enabled (one D1 batch, so a concurrent admin change cannot leave one without the other).
 */
export async function disableFailingEndpoint(db: Db, id: string, reason: string, now = new Date()) {
  const stillEnabled = sql`EXISTS (SELECT 1 FROM ${webhookEndpoints} WHERE ${webhookEndpoints.id} = ${id} AND ${webhookEndpoints.enabled} = 1)`;
  const [, updated] = await db.batch([
    // Columns in table order: id, at, actor_id, actor_type, action, endpoint_id, detail, request_id.
    db
      .insert(webhookAudit)
      .select(
        sql`SELECT ${newId('wau')}, ${now.getTime()}, ${SYSTEM.id}, ${SYSTEM.type}, 'endpoint.disable', ${id}, ${JSON.stringify({ reason })}, NULL WHERE ${stillEnabled}`,
      ),
    db
      .update(webhookEndpoints)
      .set({ enabled: false, disabledReason: reason, disabledAt: now, updatedAt: now })
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.enabled, true)))
      .returning({ id: webhookEndpoints.id }),
  ]);
  return updated.length > 0;
}

/** Enabled endpoints with what they subscribe to (for the fan-out). */
export async function enabledEndpoints(db: Db) {
  return db
    .select({
      id: webhookEndpoints.id,
      eventTypes: webhookEndpoints.eventTypes,
      createdAt: webhookEndpoints.createdAt,
    })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.enabled, true));
}
