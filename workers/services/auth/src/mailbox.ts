/**
 * The mailbox: mail the service writes instead of sending it (no mail provider is wired in yet);
 * locally an admin reads it at GET /internal/outbox. Not the event outbox (queues/outbox.ts).
 */

import { eq } from 'drizzle-orm';
import { newId } from '../../../lib/ids.ts';
import { newestFirst } from '../../../lib/paging.ts';
import type { Db } from './db/client.ts';
import { mailbox } from './db/schema.ts';

export interface Mail {
  to: string;
  kind: 'password_reset';
  subject: string;
  text: string;
  token?: string;
}

/** The statement that writes a mail, for the batch of the change that sends it. */
export function mailStatement(db: Db, mail: Mail, now = Date.now()) {
  return db.insert(mailbox).values({
    id: newId('mail'),
    toEmail: mail.to,
    kind: mail.kind,
    subject: mail.subject,
    text: mail.text,
    token: mail.token ?? null,
    createdAt: now,
  });
}

export async function listMail(db: Db, q: { to?: string | undefined; page: number; limit: number }) {
  const where = q.to ? eq(mailbox.toEmail, q.to.trim().toLowerCase()) : undefined;
  const { rows, total } = await newestFirst(
    db,
    mailbox,
    { time: mailbox.createdAt, id: mailbox.id },
    { ...q, where },
  );
  return {
    total,
    mails: rows.map((m) => ({
      id: m.id,
      to: m.toEmail,
      kind: m.kind,
      subject: m.subject,
      text: m.text,
      token: m.token,
      createdAt: new Date(m.createdAt).toISOString(),
    })),
  };
}
