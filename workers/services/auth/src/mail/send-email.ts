/** Mail through Cloudflare's `send_email` binding (Email Service; the sender's domain on Cloudflare). */
import { EmailMessage } from 'cloudflare:email';
import { type Mail, MailError, type MailTransport, type Sender } from './interface.ts';
import { plainTextMessage } from './mime.ts';

export function sendEmailTransport(binding: SendEmail | undefined, from: Sender): MailTransport {
  return {
    name: 'send_email',
    async send(mail: Mail) {
      if (!binding) throw new MailError('MAIL_TRANSPORT=send_email without a MAIL send_email binding', false);
      const domain = from.address.split('@')[1];
      const raw = plainTextMessage({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: `<${mail.id}@${domain}>`,
        date: new Date(),
      });
      try {
        await binding.send(new EmailMessage(from.address, mail.to, raw));
      } catch (err) {
        throw new MailError(`send_email refused the mail: ${(err as Error).message}`, true);
      }
    },
  };
}
