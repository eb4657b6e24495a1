/**
 * Mail through an HTTP mail API: one JSON POST to MAIL_API_URL with the bearer secret MAIL_API_KEY,
 * `{ from, to: [..], subject, text }`, the shape Resend and several others take. The mail id is
 * the Idempotency-Key, so a retry after a lost answer does not send twice.
 */
import { type Mail, MailError, type MailTransport, type Sender } from './interface.ts';

export interface MailApi {
  url: string | undefined;
  key: string | undefined;
}

export function httpTransport(api: MailApi, from: Sender): MailTransport {
  return {
    name: 'http',
    async send(mail: Mail) {
      if (!api.url || !api.key)
        throw new MailError('MAIL_TRANSPORT=http without MAIL_API_URL and MAIL_API_KEY', false);
      let res: Response;
      try {
        res = await fetch(api.url, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${api.key}`,
            'Content-Type': 'application/json',
            'Idempotency-Key': mail.id,
          },
          body: JSON.stringify({
            from: `${from.name} <${from.address}>`,
            to: [mail.to],
            subject: mail.subject,
            text: mail.text,
          }),
          signal: AbortSignal.timeout(10_000),
        });
      } catch (err) {
        throw new MailError(`the mail API could not be reached: ${(err as Error).message}`, true);
      }
      await res.body?.cancel();
      if (res.ok) return;
      // Throttled or failing: worth another try. Anything else (bad key, bad request) is not.
      throw new MailError(`the mail API answered ${res.status}`, res.status === 429 || res.status >= 500);
    },
  };
}
