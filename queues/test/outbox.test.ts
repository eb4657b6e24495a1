import { env } from 'cloudflare:test';
import { drizzle } from 'drizzle-orm/d1';
import { describe, expect, it, vi } from 'vitest';
import { deliver, deliverLater, outbox, stageEvent, sweepOutbox } from '../outbox.ts';

const db = () => drizzle(env.DB, { schema: { outbox } });

/** What a service does: stage the event in the change's batch, then send it once committed. */
async function stageAndSend(subject: string) {
  const staged = stageEvent(db(), 'auth', 'UserLoggedIn', subject, { userId: subject, method: 'password' });
  await db().batch([staged.insert]);
  await deliver(env, db(), [staged.event]);
  return staged.event;
}

async function row(id: string) {
  return env.DB.prepare('SELECT sent_at, send_attempts FROM outbox WHERE id = ?')
    .bind(id)
    .first<{ sent_at: number | null; send_attempts: number }>();
}

describe('the outbox', () => {
  it('records an event and marks it sent once its queues took it', async () => {
    const event = await stageAndSend('usr_1');
    const r = await row(event.id);
    expect(r?.sent_at).toBeTypeOf('number');
    expect(r?.send_attempts).toBe(1);
  });

  it('keeps an event through a queue outage, and the sweep sends it later', async () => {
    const send = vi
      .spyOn(env.Q_ANALYTICS_EVENTS, 'send')
      .mockRejectedValueOnce(new Error('queue unavailable'));
    const event = await stageAndSend('usr_2');
    expect(send).toHaveBeenCalledTimes(1);
    expect((await row(event.id))?.sent_at).toBeNull();

    // Within the grace period the sweep leaves it alone (a first send may still be in flight).
    expect(await sweepOutbox(env, db())).toBe(0);
    const resent = await sweepOutbox(env, db(), Date.now() + 60_000);
    expect(resent).toBe(1);
    expect(send).toHaveBeenLastCalledWith(event, { contentType: 'json' });
    const after = await row(event.id);
    expect(after?.sent_at).toBeTypeOf('number');
    expect(after?.send_attempts).toBe(2);
  });

  it('sends after the response: the request only hands the send to waitUntil', async () => {
    const staged = stageEvent(db(), 'auth', 'UserLoggedIn', 'usr_3', { userId: 'usr_3', method: 'password' });
    await db().batch([staged.insert]);
    const pending: Promise<unknown>[] = [];
    deliverLater({ waitUntil: (p) => pending.push(p) }, env, db(), [staged.event]);
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
    expect((await row(staged.event.id))?.sent_at).toBeTypeOf('number');
  });
});
