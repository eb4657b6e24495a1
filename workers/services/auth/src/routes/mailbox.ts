import { implement, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { requireAdmin } from '../access.ts';
import { config } from '../config.ts';
import { mailbox } from '../contract/mailbox.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { listMail } from '../mail/mailbox.ts';

export const mailboxHandler = implement(mailbox, async ({ query }, caller, env: Env) => {
  // Only the development mailbox keeps mail; wherever mail is sent, no route serves its tokens.
  if (config(env).mail.transport !== 'mailbox') throw Problem.notFound();
  const db = database(env.DB);
  await requireAdmin(db, caller);
  const { mails, total } = await listMail(db, query);
  return { ...json(200, mails), total };
});
