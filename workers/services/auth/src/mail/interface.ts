/**
 * Mail leaves the auth service through one interface. Which implementation sends it is
 * configuration (`MAIL_TRANSPORT`): the development mailbox (kept in D1, read at GET
 * /internal/outbox), Cloudflare's `send_email` binding, or an HTTP mail API.
 */
import type { MAIL_KINDS } from '../contract/mailbox.ts';

export type MailKind = (typeof MAIL_KINDS)[number];

export interface Mail {
  /** Stable across retries: the Message-ID and the HTTP API's Idempotency-Key. */
  id: string;
  to: string;
  kind: MailKind;
  subject: string;
  text: string;
  /** The secret the mail carries; only the development mailbox keeps it in a column of its own. */
  token?: string;
}

export type MailTransportName = 'mailbox' | 'send_email' | 'http';

export interface MailTransport {
  readonly name: MailTransportName;
  /** Sends or throws; a MailError says whether trying again may help. */
  send(mail: Mail): Promise<void>;
}

export class MailError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.name = 'MailError';
    this.retryable = retryable;
  }
}

export interface Sender {
  name: string;
  address: string;
}
