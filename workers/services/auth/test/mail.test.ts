import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Caller } from '../../../lib/api.ts';
import { Problem } from '../../../lib/problem.ts';
import { settings } from '../src/config.ts';
import type { Env } from '../src/env.ts';
import type { Mail } from '../src/mail/interface.ts';
import { plainTextMessage } from '../src/mail/mime.ts';
import { deliverMail, mailReady } from '../src/mail/send.ts';
import { mailboxHandler } from '../src/routes/mailbox.ts';
import { requestPasswordResetHandler } from '../src/routes/password-reset.ts';
import { admin, anonymous, signup, uniqueEmail } from './support/service.ts';

const HTTP = {
  MAIL_TRANSPORT: 'http',
  MAIL_API_URL: 'https://mail.test/emails',
  MAIL_API_KEY: 'test-mail-api-key',
};

/** The service's env with other settings, as another deployment would configure it. */
function envWith(over: Record<string, unknown>): Env {
  return { ...env, ...over } as Env;
}

function mail(to: string, over: Partial<Mail> = {}): Mail {
  return {
    id: `mail_${crypto.randomUUID()}`,
    to,
    kind: 'password_reset',
    subject: 'Reset your password',
    text: 'Hello,\nopen this link: https://example.com/#token=SECRET-TOKEN\n',
    token: 'SECRET-TOKEN',
    ...over,
  };
}

interface Received {
  mail: { from: string; to: string[]; subject: string; text: string };
  attempt: number;
  idempotencyKey: string;
  contentType: string;
}

async function receivedBy(to: string): Promise<Received[]> {
  const all = (await (await env.MAIL_API.fetch('http://mail.test/received')).json()) as Received[];
  return all.filter((r) => r.mail.to.includes(to));
}

async function mailboxRows(to: string, kind = 'password_reset') {
  const { results } = await env.DB.prepare('SELECT id FROM mailbox WHERE to_email = ? AND kind = ?')
    .bind(to, kind)
    .all();
  return results;
}

/** A WorkContext that keeps what the handler left to run after its answer. */
function workContext() {
  const pending: Promise<unknown>[] = [];
  return { pending, ctx: { waitUntil: (p: Promise<unknown>) => void pending.push(p) } };
}

afterEach(() => vi.restoreAllMocks());

describe('the http mail transport', () => {
  it('posts the mail to the configured API with the bearer secret, shaped like the common providers', async () => {
    const to = uniqueEmail('http');
    const m = mail(to);
    expect(await deliverMail(envWith(HTTP), m)).toBe(true);
    const [got] = await receivedBy(to);
    expect(got?.mail).toEqual({
      from: 'Edge Video <no-reply@edge-video.dev>',
      to: [to],
      subject: 'Reset your password',
      text: m.text,
    });
    expect(got?.idempotencyKey).toBe(m.id);
    expect(got?.contentType).toMatch(/^application\/json/);
    // Sent, not kept: nothing reaches the development mailbox.
    expect(await mailboxRows(to)).toEqual([]);
  });

  it('a failed attempt is retried with the same idempotency key', async () => {
    const to = uniqueEmail('flaky');
    expect(await deliverMail(envWith(HTTP), mail(to))).toBe(true);
    const got = await receivedBy(to);
    expect(got.map((r) => r.attempt)).toEqual([2]);
  });

  it('a mail the API keeps refusing is logged, never thrown, and the log holds neither address nor token', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const to = uniqueEmail('always-fails');
    const m = mail(to);
    expect(await deliverMail(envWith(HTTP), m)).toBe(false);
    const logged = errors.mock.calls.map((c) => String(c[0])).join('\n');
    expect(logged).toContain('mail not sent');
    expect(logged).toContain(m.id);
    expect(logged).not.toContain(to);
    expect(logged).not.toContain('SECRET-TOKEN');
  });

  it('a mail the API refuses as invalid is not retried', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const fetches = vi.spyOn(globalThis, 'fetch');
    expect(await deliverMail(envWith(HTTP), mail(uniqueEmail('rejected')))).toBe(false);
    expect(fetches).toHaveBeenCalledTimes(1);
  });

  it('a wrong API key is a failed send, logged', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const to = uniqueEmail('http');
    expect(await deliverMail(envWith({ ...HTTP, MAIL_API_KEY: 'wrong' }), mail(to))).toBe(false);
    expect(errors).toHaveBeenCalled();
    expect(await receivedBy(to)).toEqual([]);
  });

  it('a password reset answers 202 before the mail goes out; the mail holds the token, D1 does not', async () => {
    const user = await signup();
    const e = envWith(HTTP);
    const { pending, ctx } = workContext();
    const input = { params: {}, query: {}, headers: {}, body: { email: user.email } };
    const reply = await requestPasswordResetHandler.run(input, anonymous(), e, ctx);
    expect(reply).toEqual({ status: 202 });
    expect(await receivedBy(user.email)).toEqual([]);
    await Promise.all(pending);
    const [got] = await receivedBy(user.email);
    const token = /token: (\S+)/.exec(got!.mail.text)?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await mailboxRows(user.email.toLowerCase())).toEqual([]);
  });

  it('a reset for an unknown email and one whose mail fails look the same: 202', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failing = await signup({ email: uniqueEmail('always-fails') });
    for (const email of [failing.email, uniqueEmail('ghost')]) {
      const { pending, ctx } = workContext();
      const input = { params: {}, query: {}, headers: {}, body: { email } };
      expect(await requestPasswordResetHandler.run(input, anonymous(), envWith(HTTP), ctx)).toEqual({
        status: 202,
      });
      await Promise.all(pending);
    }
  });
});

describe('the send_email transport', () => {
  it('hands the binding a well-formed MIME message it accepts', async () => {
    const e = envWith({ MAIL_TRANSPORT: 'send_email' });
    const to = uniqueEmail('binding');
    expect(await deliverMail(e, mail(to))).toBe(true);
    expect(await mailboxRows(to)).toEqual([]);
  });

  it('builds plain text MIME: CRLF headers, encoded non-ASCII subject, base64 body', () => {
    const raw = plainTextMessage({
      from: { name: 'Edge Video', address: 'no-reply@edge-video.dev' },
      to: 'ada@example.com',
      subject: 'Vérifiez votre adresse',
      text: 'Bonjour Zoë,\nline two\n',
      messageId: '<mail_1@edge-video.dev>',
      date: new Date('2026-01-31T12:00:00Z'),
    });
    const [head, body] = raw.split('\r\n\r\n');
    const headers = head!.split('\r\n');
    expect(headers).toEqual(
      expect.arrayContaining([
        'From: "Edge Video" <no-reply@edge-video.dev>',
        'To: <ada@example.com>',
        `Subject: =?UTF-8?B?${btoa(String.fromCharCode(...new TextEncoder().encode('Vérifiez votre adresse')))}?=`,
        'Message-ID: <mail_1@edge-video.dev>',
        'Date: Sat, 31 Jan 2026 12:00:00 +0000',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
      ]),
    );
    const lines = body!.trim().split('\r\n');
    expect(lines.every((l) => l.length <= 76)).toBe(true);
    const bytes = Uint8Array.from(atob(lines.join('')), (c) => c.charCodeAt(0));
    expect(new TextDecoder().decode(bytes)).toBe('Bonjour Zoë,\r\nline two\r\n');
  });

  it('refuses header injection through the recipient or subject', () => {
    const base = {
      from: { name: 'Edge Video', address: 'no-reply@edge-video.dev' },
      to: 'ada@example.com',
      subject: 'Hi',
      text: 'x',
      messageId: '<m@edge-video.dev>',
      date: new Date(),
    };
    expect(() => plainTextMessage({ ...base, to: 'ada@example.com\r\nBcc: all@example.com' })).toThrow();
    expect(() => plainTextMessage({ ...base, subject: 'Hi\nBcc: all@example.com' })).toThrow();
  });
});

describe('the mailbox outside development', () => {
  it('in staging and production the mailbox route answers 404: no route serves reset tokens', async () => {
    const caller: Caller = await admin();
    const input = { params: {}, query: { page: 1, limit: 20 }, headers: {}, body: undefined };
    for (const over of [HTTP, { MAIL_TRANSPORT: 'send_email' }]) {
      const outcome = await mailboxHandler
        .run(input, caller, envWith(over), workContext().ctx)
        .catch((e) => e);
      expect(outcome).toBeInstanceOf(Problem);
      expect((outcome as Problem).status).toBe(404);
    }
  });

  it('readiness fails while the chosen transport lacks what it needs', () => {
    expect(() => mailReady(envWith({ MAIL_TRANSPORT: 'http' }))).toThrow(/MAIL_API_URL/);
    expect(() => mailReady(envWith(HTTP))).not.toThrow();
    expect(() => mailReady(envWith({ MAIL_TRANSPORT: 'send_email' }))).not.toThrow();
  });

  it('staging and production refuse the mailbox transport', () => {
    for (const ENVIRONMENT of ['staging', 'production']) {
      expect(() => settings(envWith({ ENVIRONMENT, MAIL_TRANSPORT: 'mailbox' }))).toThrow(/mailbox/);
      expect(() => settings(envWith({ ENVIRONMENT, MAIL_TRANSPORT: undefined }))).toThrow(/mailbox/);
    }
  });
});
