/**
 * Sends a mail through the configured transport. Runs after the response (callers hand it to
 * waitUntil), so neither its time nor its outcome tells a client whether an address has an
 * account. A failed send is retried a few times and then logged; it never throws.
 */
import { errorFields, log } from '../../../../lib/log.ts';
import { config, settings } from '../config.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { httpTransport } from './http.ts';
import { type Mail, MailError, type MailTransport } from './interface.ts';
import { mailboxTransport } from './mailbox.ts';
import { sendEmailTransport } from './send-email.ts';

/** Pauses before the second and third attempts. */
const BACKOFF_MS = [250, 1000];

export function mailTransport(env: Env): MailTransport {
  const { mail } = config(env);
  switch (mail.transport) {
    case 'mailbox':
      return mailboxTransport(database(env.DB));
    case 'send_email':
      return sendEmailTransport(env.MAIL, mail.from);
    case 'http':
      return httpTransport({ url: settings(env).MAIL_API_URL, key: settings(env).MAIL_API_KEY }, mail.from);
  }
}

/** Throws when the chosen transport lacks what it needs (for /readyz). */
export function mailReady(env: Env): void {
  const { transport } = config(env).mail;
  const s = settings(env);
  if (transport === 'http' && (!s.MAIL_API_URL || !s.MAIL_API_KEY))
    throw new Error('MAIL_TRANSPORT=http needs MAIL_API_URL and the secret MAIL_API_KEY');
  if (transport === 'send_email' && !env.MAIL)
    throw new Error('MAIL_TRANSPORT=send_email needs the MAIL binding');
}

/** True once the transport took the mail; false (logged) when it would not. */
export async function deliverMail(env: Env, mail: Mail): Promise<boolean> {
  const transport = mailTransport(env);
  for (let attempt = 1; ; attempt++) {
    try {
      await transport.send(mail);
      return true;
    } catch (err) {
      const retryable = err instanceof MailError ? err.retryable : true;
      const pause = BACKOFF_MS[attempt - 1];
      if (!retryable || pause === undefined) {
        // The mail id and kind find it again; the address and the token stay out of the logs.
        const error = String(errorFields(err).error).replaceAll(mail.to, '<recipient>');
        log('error', 'mail not sent', {
          mailId: mail.id,
          kind: mail.kind,
          transport: transport.name,
          attempts: attempt,
          error,
        });
        return false;
      }
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}
