/**
 * One consumer for every service: validates envelopes, skips ids already processed, retries
 * failures with exponential back-off, and keeps dead letters where an admin can replay them.
 */
import { errorFields, log } from '../workers/lib/log.ts';
import { type AnyEnvelope, type Envelope, EventEnvelope, type EventType } from './events.ts';
import { logicalQueue, type QueueName, queueBinding } from './routing.ts';

export type EventHandlers<E> = {
  [T in EventType]?: (event: Envelope<T>, env: E, ctx: ExecutionContext) => Promise<void>;
};

export interface ConsumerOptions<E> {
  service: string;
  /** The D1 database that keeps processed ids and dead letters for this service. */
  db: (env: E) => D1Database;
  handlers: EventHandlers<E>;
  /** Retry delay for attempt n is min(baseDelaySeconds * 2^(n-1), maxDelaySeconds). */
  baseDelaySeconds?: number;
  maxDelaySeconds?: number;
}

/**
 * The consumer's bookkeeping tables (`_events_processed`, `_dead_letters`) come from each consuming
 * service's migrations (the SQL is in queues/bookkeeping.sql); nothing creates tables at run time.
 */

/** Forgets processed ids older than `before`: redeliveries and replays come long before that. */
export async function pruneProcessedEvents(db: D1Database, before: number): Promise<number> {
  const r = await db
    .prepare('DELETE FROM _events_processed WHERE processed_at < ?')
    .bind(new Date(before).toISOString())
    .run();
  return r.meta.changes ?? 0;
}

export function retryDelay(attempt: number, base = 2, max = 300): number {
  return Math.min(max, base * 2 ** Math.max(0, attempt - 1));
}

async function recordDeadLetter(
  db: D1Database,
  queue: string,
  message: Message<unknown>,
  reason: string,
): Promise<void> {
  const body = JSON.stringify(message.body);
  await db
    .prepare(
      `INSERT INTO _dead_letters (id, queue, body, reason, attempts, received_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET body = excluded.body, reason = excluded.reason,
         attempts = excluded.attempts, received_at = excluded.received_at, replayed_at = NULL`,
    )
    .bind(message.id, queue, body, reason, message.attempts, new Date().toISOString())
    .run();
}

export function consumer<E>(opts: ConsumerOptions<E>) {
  return async (batch: MessageBatch<unknown>, env: E, ctx: ExecutionContext): Promise<void> => {
    const db = opts.db(env);
    const where = logicalQueue(batch.queue);
    if (!where) {
      log('error', 'batch from an unknown queue', { queue: batch.queue, service: opts.service });
      batch.retryAll();
      return;
    }
    for (const message of batch.messages) {
      if (where.dead) {
        const reason = (message.body as { type?: string })?.type ? 'retries exhausted' : 'not an event';
        await recordDeadLetter(db, where.queue, message, reason);
        message.ack();
        continue;
      }
      const parsed = EventEnvelope.safeParse(message.body);
      if (!parsed.success) {
        // A poison message never becomes valid by retrying: keep it for inspection at once.
        await recordDeadLetter(
          db,
          where.queue,
          message,
          `invalid envelope: ${parsed.error.message.slice(0, 500)}`,
        );
        log('warn', 'poison message dead-lettered', { queue: where.queue, messageId: message.id });
        message.ack();
        continue;
      }
      const event = parsed.data as unknown as AnyEnvelope;
      const handler = opts.handlers[event.type] as
        | ((e: AnyEnvelope, env: E, ctx: ExecutionContext) => Promise<void>)
        | undefined;
      if (!handler) {
        message.ack();
        continue;
      }
      const seen = await db
        .prepare('SELECT 1 FROM _events_processed WHERE event_id = ? AND queue = ?')
        .bind(event.id, where.queue)
        .first();
      if (seen) {
        message.ack();
        continue;
      }
      try {
        await handler(event, env, ctx);
        await db
          .prepare('INSERT OR IGNORE INTO _events_processed (event_id, queue, processed_at) VALUES (?, ?, ?)')
          .bind(event.id, where.queue, new Date().toISOString())
          .run();
        message.ack();
      } catch (err) {
        const delaySeconds = retryDelay(message.attempts, opts.baseDelaySeconds, opts.maxDelaySeconds);
        log('warn', 'event handler failed; retrying', {
          service: opts.service,
          eventId: event.id,
          type: event.type,
          attempt: message.attempts,
          delaySeconds,
          traceparent: event.traceparent,
          ...errorFields(err),
        });
        message.retry({ delaySeconds });
      }
    }
  };
}

export interface DeadLetter {
  id: string;
  queue: string;
  reason: string;
  attempts: number;
  receivedAt: string;
  body: unknown;
}

export async function listDeadLetters(db: D1Database, queue: QueueName, limit = 100): Promise<DeadLetter[]> {
  const { results } = await db
    .prepare(
      `SELECT id, queue, reason, attempts, received_at, body FROM _dead_letters
       WHERE queue = ? AND replayed_at IS NULL ORDER BY received_at LIMIT ?`,
    )
    .bind(queue, limit)
    .all<{
      id: string;
      queue: string;
      reason: string;
      attempts: number;
      received_at: string;
      body: string;
    }>();
  return results.map((r) => ({
    id: r.id,
    queue: r.queue,
    reason: r.reason,
    attempts: r.attempts,
    receivedAt: r.received_at,
    body: JSON.parse(r.body),
  }));
}

/**
 * Sends every pending dead letter of a queue back onto that queue. Valid envelopes go only to the
 * named queue (not to every subscriber again); invalid ones stay dead.
 */
export async function replayDeadLetters(
  db: D1Database,
  env: object,
  queue: QueueName,
): Promise<{ replayed: number; skipped: number }> {
  const letters = await listDeadLetters(db, queue, 1000);
  const target = (env as Record<string, Queue | undefined>)[queueBinding(queue)];
  if (!target) throw new Error(`no producer binding ${queueBinding(queue)} to replay onto`);
  let replayed = 0;
  let skipped = 0;
  for (const letter of letters) {
    if (!EventEnvelope.safeParse(letter.body).success) {
      skipped++;
      continue;
    }
    await target.send(letter.body, { contentType: 'json' });
    await db
      .prepare('UPDATE _dead_letters SET replayed_at = ? WHERE id = ?')
      .bind(new Date().toISOString(), letter.id)
      .run();
    replayed++;
  }
  return { replayed, skipped };
}
