/**
 * A plain text mail as RFC 5322 / MIME, for the send_email binding. By hand rather than with a
 * library: one text part needs a dozen header lines, an RFC 2047 subject and a base64 body.
 */
import type { Sender } from './interface.ts';

export interface PlainTextMail {
  from: Sender;
  to: string;
  subject: string;
  text: string;
  /** `<id@domain>` */
  messageId: string;
  date: Date;
}

const CRLF = '\r\n';

/** Header values never carry line breaks: a CR or LF would let a value add headers of its own. */
function headerSafe(value: string, what: string): string {
  if (/[\r\n\0]/.test(value)) throw new Error(`a line break in the mail's ${what}`);
  return value;
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** RFC 2047 encoded word when the text is not plain printable ASCII. */
function encodedWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${base64(new TextEncoder().encode(text))}?=`;
}

function mailbox(address: string, name?: string): string {
  headerSafe(address, 'address');
  if (!/^[^\s<>@"]+@[^\s<>@"]+$/.test(address)) throw new Error('not a mail address');
  if (!name) return `<${address}>`;
  const display = /^[\x20-\x7e]*$/.test(name)
    ? `"${headerSafe(name, 'sender name').replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
    : encodedWord(headerSafe(name, 'sender name'));
  return `${display} <${address}>`;
}

/** RFC 5322 date, always in UTC. */
function mailDate(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

export function plainTextMessage(m: PlainTextMail): string {
  const body = base64(new TextEncoder().encode(m.text.replace(/\r?\n/g, CRLF)));
  const lines = body.match(/.{1,76}/g) ?? [];
  const headers = [
    `From: ${mailbox(m.from.address, m.from.name)}`,
    `To: ${mailbox(m.to)}`,
    `Subject: ${encodedWord(headerSafe(m.subject, 'subject'))}`,
    `Date: ${mailDate(m.date)}`,
    `Message-ID: ${headerSafe(m.messageId, 'Message-ID')}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
  ];
  return `${headers.join(CRLF)}${CRLF}${CRLF}${lines.join(CRLF)}${CRLF}`;
}
