import { implement, json } from '../../../../lib/api.ts';
import { requireAdmin } from '../access.ts';
import { outbox } from '../contract/outbox.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { listOutbox } from '../outbox.ts';

export const outboxHandler = implement<Env, typeof outbox.route>(outbox, async ({ query }, caller, env) => {
  requireAdmin(caller);
  const { mails, total } = await listOutbox(database(env.DB), query);
  return { ...json(200, mails), total };
});
