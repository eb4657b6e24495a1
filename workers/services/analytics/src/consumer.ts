/**
 * The analytics-events consumer. Each delivered batch (domain event envelopes and the client batches
 * POST /events queued) becomes one insert into the store: large inserts are what ClickHouse wants.
 * The store folds repeated event ids, so a redelivered message needs no bookkeeping of its own. When
 * the store is down or slow every message goes back to the queue with exponential back-off, and to
 * the dead-letter queue only when its retries are spent (replayed with `npm run dlq`).
 */
import { retryDelay } from '../../../../queues/consume.ts';
import { type AnyEnvelope, EventEnvelope } from '../../../../queues/events.ts';
import { logicalQueue } from '../../../../queues/routing.ts';
import { errorFields, log } from '../../../lib/log.ts';
import type { Env } from './config.ts';
import { keepDeadLetter } from './dead-letters.ts';
import { clientRow, domainRow, type EventRow, isClientBatch } from './rows.ts';
import { eventStore } from './store/index.ts';

/** Seconds before the first retry; doubling up to RETRY_MAX_SECONDS. */
export const RETRY_BASE_SECONDS = 2;
export const RETRY_MAX_SECONDS = 300;

/** Whether a batch is this consumer's (the live queue; its dead-letter queue goes to the kit). */
export const acceptsEvents = (queue: string) => {
  const where = logicalQueue(queue);
  return where?.queue === 'analytics-events' && !where.dead;
};

/** Time spent per stage of the last batches (read by the benchmark through RPC). */
export const consumerTimings = { batches: 0, messages: 0, rows: 0, parseMs: 0, insertMs: 0, failures: 0 };

export async function consumeEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const started = performance.now();
  const receivedMs = Date.now();
  const rows: EventRow[] = [];
  const carried: Message<unknown>[] = [];
  const deletedUsers: string[] = [];
  for (const message of batch.messages) {
    const body = message.body;
    if (isClientBatch(body)) {
      for (const e of body.events) rows.push(clientRow(e, body.receivedAt));
      carried.push(message);
      continue;
    }
    const parsed = EventEnvelope.safeParse(body);
    if (parsed.success) {
      const event = parsed.data as unknown as AnyEnvelope;
      rows.push(domainRow(event, receivedMs));
      if (event.type === 'UserDeleted') deletedUsers.push(event.data.userId);
      carried.push(message);
      continue;
    }
    // A poison message never becomes valid by retrying: keep it for inspection at once.
    await keepDeadLetter(
      env.DB,
      message,
      `not an event or a client batch: ${parsed.error.message.slice(0, 300)}`,
    );
    log('warn', 'poison message dead-lettered', { queue: batch.queue, messageId: message.id });
    message.ack();
  }
  const parsed = performance.now();
  try {
    const store = eventStore(env);
    await store.insert(rows);
    // A deleted account's events stay counted under a pseudonym nobody can trace back.
    for (const userId of deletedUsers)
      await store.forgetUser(userId, `anon_${crypto.randomUUID().replaceAll('-', '')}`);
    for (const m of carried) m.ack();
  } catch (err) {
    consumerTimings.failures++;
    for (const m of carried) {
      const delaySeconds = retryDelay(m.attempts, RETRY_BASE_SECONDS, RETRY_MAX_SECONDS);
      m.retry({ delaySeconds });
    }
    log('warn', 'analytics insert failed; the batch goes back to the queue', {
      messages: carried.length,
      rows: rows.length,
      attempt: Math.max(...carried.map((m) => m.attempts)),
      ...errorFields(err),
    });
    return;
  }
  consumerTimings.batches++;
  consumerTimings.messages += batch.messages.length;
  consumerTimings.rows += rows.length;
  consumerTimings.parseMs += parsed - started;
  consumerTimings.insertMs += performance.now() - parsed;
}
