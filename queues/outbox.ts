/**
 * A transactional outbox: an event is inserted in the same D1 batch as the change it describes,
 * sent to its queues after the response (`deliverLater`), and re-sent by the scheduled sweep if that
 * send failed. So no change goes unannounced, and consumers (idempotent on the event id) may see an
 * event twice but never miss one.
 */
import { and, asc, eq, isNull, lt, type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { errorFields, log } from '../workers/lib/log.ts';
import type { Envelope, EventData, EventType } from './events.ts';
import { envelope, sendEnvelope } from './publish.ts';

/** The outbox table; each publishing service has it in its own D1 (its schema re-exports this). */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    subject: text('subject').notNull(),
    envelope: text('envelope', { mode: 'json' }).$type<unknown>().notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
    sendAttempts: integer('send_attempts').notNull(),
  },
  (t) => [index('outbox_unsent').on(t.sentAt, t.createdAt)],
);

// biome-ignore lint/suspicious/noExplicitAny: any service's schema, as long as it holds the outbox table
type Db = DrizzleD1Database<any>;
/** The queue producer bindings of the publishing Worker. */
type Env = object;

export interface StagedEvent<T extends EventType = EventType> {
  event: Envelope<T>;
  insert: BatchItem<'sqlite'>;
}

function insertEvent(db: Db, event: Envelope) {
  return db.insert(outbox).values({
    id: event.id,
    type: event.type,
    subject: event.subject,
    envelope: event,
    createdAt: new Date(event.time),
    sendAttempts: 0,
  });
}

/** Builds a validated event and the statement that records it; put the statement in the change's batch. */
export function stageEvent<T extends EventType>(
  db: Db,
  source: string,
  type: T,
  subject: string,
  data: EventData<T>,
  traceparent?: string,
): StagedEvent<T> {
  const event = envelope(type, subject, data, { source, traceparent });
  return { event, insert: insertEvent(db, event) };
}

/**
 * Like stageEvent, but the row is written only if `guard` (an SQL condition) holds when the batch
 * runs: for events that must exist exactly when a guarded transition in the same batch applied.
 */
export function stageEventIf<T extends EventType>(
  db: Db,
  source: string,
  guard: SQL,
  type: T,
  subject: string,
  data: EventData<T>,
  traceparent?: string,
): StagedEvent<T> {
  const event = envelope(type, subject, data, { source, traceparent });
  // Columns in table order: id, type, subject, envelope, created_at, sent_at, send_attempts.
  const insert = db
    .insert(outbox)
    .select(
      sql`SELECT ${event.id}, ${event.type}, ${event.subject}, ${JSON.stringify(event)}, ${Date.parse(event.time)}, NULL, 0 WHERE ${guard}`,
    );
  return { event, insert };
}

/** stageEvent and stageEventIf with the publishing service's name filled in. */
export function outboxOf(source: string) {
  return {
    stageEvent: <T extends EventType>(
      db: Db,
      type: T,
      subject: string,
      data: EventData<T>,
      traceparent?: string,
    ) => stageEvent(db, source, type, subject, data, traceparent),
    stageEventIf: <T extends EventType>(
      db: Db,
      guard: SQL,
      type: T,
      subject: string,
      data: EventData<T>,
      traceparent?: string,
    ) => stageEventIf(db, source, guard, type, subject, data, traceparent),
  };
}

/**
 * Sends committed events after the response: the request never waits for the queues, and an event
 * whose send fails (or never runs) stays in the outbox for the sweep.
 */
export function deliverLater(
  ctx: { waitUntil(p: Promise<unknown>): void },
  env: Env,
  db: Db,
  events: Envelope[],
) {
  if (events.length) ctx.waitUntil(deliver(env, db, events));
}

/** Sends committed events to their queues; a failed send stays in the outbox for the sweep. */
export async function deliver(env: Env, db: Db, events: Envelope[]): Promise<void> {
  for (const event of events) {
    try {
      await sendEnvelope(env, event);
      await db
        .update(outbox)
        .set({ sentAt: new Date(), sendAttempts: sql`${outbox.sendAttempts} + 1` })
        .where(eq(outbox.id, event.id));
    } catch (err) {
      log('warn', 'event send failed; the outbox sweep will retry', {
        eventId: event.id,
        type: event.type,
        ...errorFields(err),
      });
      await db
        .update(outbox)
        .set({ sendAttempts: sql`${outbox.sendAttempts} + 1` })
        .where(eq(outbox.id, event.id))
        .catch(() => undefined);
    }
  }
}

/** Sends the event with this id again (e.g. storage reported the same master twice). */
export async function redeliver(env: Env, db: Db, eventId: string): Promise<Envelope | undefined> {
  const row = await db.select().from(outbox).where(eq(outbox.id, eventId)).get();
  if (!row) return undefined;
  const event = row.envelope as Envelope;
  await deliver(env, db, [event]);
  return event;
}

/** Sent events stay this long (for inspection and re-sends), then the sweep deletes them. */
const KEEP_SENT_MS = 7 * 24 * 3600 * 1000;

/**
 * Re-sends events whose first send failed (older than `graceMs`, so in-flight sends finish first)
 * and forgets events sent more than a week ago.
 */
export async function sweepOutbox(env: Env, db: Db, now = Date.now(), graceMs = 30_000): Promise<number> {
  await db.delete(outbox).where(lt(outbox.sentAt, new Date(now - KEEP_SENT_MS)));
  const stale = await db
    .select()
    .from(outbox)
    .where(and(isNull(outbox.sentAt), lt(outbox.createdAt, new Date(now - graceMs))))
    .orderBy(asc(outbox.createdAt))
    .limit(100);
  await deliver(
    env,
    db,
    stale.map((r) => r.envelope as Envelope),
  );
  return stale.length;
}
