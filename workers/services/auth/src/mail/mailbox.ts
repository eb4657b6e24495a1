/**
 * The mailbox: in development (MAIL_TRANSPORT=mailbox) mail is written to D1 instead of being
 * sent, and an admin reads it at GET /internal/outbox, tokens included. Staging and production
 * refuse this transport (config.ts), and the route answers 404 there. Not the event outbox
 * (queues/outbox.ts).
 */

import { and, eq } from 'drizzle-orm';
import { newestFirst } from '../../../../lib/paging.ts';
import type { Db } from '../db/client.ts';
import { mailbox } from '../db/schema.ts';
import type { Mail, MailKind, MailTransport } from './interface.ts';

export function mailboxTransport(db: Db): MailTransport {
  return {
    name: 'mailbox',
    async send(mail: Mail) {
      await db.insert(mailbox).values({
        id: mail.id,
        toEmail: mail.to.trim().toLowerCase(),
        kind: mail.kind,
        subject: mail.subject,
        text: mail.text,
        token: mail.token ?? null,
        createdAt: Date.now(),
      });
    },
  };
}

export async function listMail(
  db: Db,
  q: { to?: string | undefined; kind?: MailKind | undefined; page: number; limit: number },
) {
  const where = and(
    q.to ? eq(mailbox.toEmail, q.to.trim().toLowerCase()) : undefined,
    q.kind ? eq(mailbox.kind, q.kind) : undefined,
  );
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
