/**
 * The mail outbox. No mail provider is wired in yet, so mail is written here instead of being
 * sent; locally an admin reads it at GET /internal/outbox.
 */
import { count, desc, eq } from 'drizzle-orm';
import { newId } from '../../../lib/ids.ts';
import type { Db } from './db/client.ts';
import { outboxMails } from './db/schema.ts';

export interface Mail {
  to: string;
  kind: 'password_reset';
  subject: string;
  text: string;
  token?: string;
}

export async function sendMail(db: Db, mail: Mail, now = Date.now()) {
  await db.insert(outboxMails).values({
    id: newId('mail'),
    toEmail: mail.to,
    kind: mail.kind,
    subject: mail.subject,
    text: mail.text,
    token: mail.token ?? null,
    createdAt: now,
  });
}

export async function listOutbox(db: Db, q: { to?: string | undefined; page: number; limit: number }) {
  const where = q.to ? eq(outboxMails.toEmail, q.to.trim().toLowerCase()) : undefined;
  const [rows, counted] = await Promise.all([
    db
      .select()
      .from(outboxMails)
      .where(where)
      .orderBy(desc(outboxMails.createdAt), desc(outboxMails.id))
      .limit(q.limit)
      .offset((q.page - 1) * q.limit),
    db.select({ n: count() }).from(outboxMails).where(where),
  ]);
  return {
    total: counted[0]?.n ?? 0,
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
