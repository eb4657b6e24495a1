import { env } from 'cloudflare:test';
import { drizzle } from 'drizzle-orm/d1';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { outbox, recordAndDeliver, sweepOutbox } from '../outbox.ts';

const db = () => drizzle(env.DB, { schema: { outbox } });

beforeAll(async () => {
  await env.DB.batch([
    env.DB.prepare(
      `CREATE TABLE IF NOT EXISTS outbox (id text PRIMARY KEY NOT NULL, type text NOT NULL, subject text NOT NULL,
        envelope text NOT NULL, created_at integer NOT NULL, sent_at integer, send_attempts integer NOT NULL)`,
    ),
    env.DB.prepare('CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (sent_at, created_at)'),
  ]);
});

async function row(id: string) {
  return env.DB.prepare('SELECT sent_at, send_attempts FROM outbox WHERE id = ?')
    .bind(id)
    .first<{ sent_at: number | null; send_attempts: number }>();
}

describe('the outbox', () => {
  it('records an event and marks it sent once its queues took it', async () => {
    const event = await recordAndDeliver(env, db(), 'auth', 'UserLoggedIn', 'usr_1', {
      userId: 'usr_1',
      method: 'password',
    });
    const r = await row(event.id);
    expect(r?.sent_at).toBeTypeOf('number');
    expect(r?.send_attempts).toBe(1);
  });

  it('keeps an event through a queue outage, and the sweep sends it later', async () => {
    const send = vi
      .spyOn(env.Q_ANALYTICS_EVENTS, 'send')
      .mockRejectedValueOnce(new Error('queue unavailable'));
    const event = await recordAndDeliver(env, db(), 'auth', 'UserLoggedIn', 'usr_2', {
      userId: 'usr_2',
      method: 'password',
    });
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
});
