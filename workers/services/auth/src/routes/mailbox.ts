import { implement, json } from '../../../../lib/api.ts';
import { requireAdmin } from '../access.ts';
import { mailbox } from '../contract/mailbox.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { listMail } from '../mailbox.ts';

export const mailboxHandler = implement(mailbox, async ({ query }, caller, env: Env) => {
  const db = database(env.DB);
  await requireAdmin(db, caller);
  const { mails, total } = await listMail(db, query);
  return { ...json(200, mails), total };
});
