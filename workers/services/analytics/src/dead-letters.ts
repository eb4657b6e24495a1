/**
 * Dead letters of analytics-events live in the kit's `_dead_letters` table, as for every consumer.
 * The kit re-drives only domain envelopes; analytics also re-drives the client batches it queued.
 */
import { listDeadLetters } from '../../../../queues/consume.ts';
import { EventEnvelope } from '../../../../queues/events.ts';
import type { Env } from './config.ts';
import { isClientBatch } from './rows.ts';

export async function keepDeadLetter(
  db: D1Database,
  message: Message<unknown>,
  reason: string,
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO _dead_letters (id, queue, body, reason, attempts, received_at) VALUES (?, 'analytics-events', ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET body = excluded.body, reason = excluded.reason,
         attempts = excluded.attempts, received_at = excluded.received_at, replayed_at = NULL`,
    )
    .bind(
      message.id,
      JSON.stringify(message.body ?? null),
      reason,
      message.attempts,
      new Date().toISOString(),
    )
    .run();
}

/** Sends every pending dead letter back onto analytics-events; what is neither kind stays dead. */
export async function replayAnalyticsDeadLetters(env: Env): Promise<{ replayed: number; skipped: number }> {
  let replayed = 0;
  let skipped = 0;
  for (const letter of await listDeadLetters(env.DB, 'analytics-events', 1000)) {
    if (!isClientBatch(letter.body) && !EventEnvelope.safeParse(letter.body).success) {
      skipped++;
      continue;
    }
    await env.Q_ANALYTICS_EVENTS.send(letter.body, { contentType: 'json' });
    await env.DB.prepare('UPDATE _dead_letters SET replayed_at = ? WHERE id = ?')
      .bind(new Date().toISOString(), letter.id)
      .run();
    replayed++;
  }
  return { replayed, skipped };
}
