/**
 * Helpers of the auth end-to-end tests. Each scenario speaks from its own client address
 * (CF-Connecting-IP): the local runtime sets that header only when the client did not, so the
 * scenarios do not share the per-IP limits (`auth`: 100/min) that the whole suite would otherwise
 * exhaust from 127.0.0.1. In production Cloudflare overwrites it; X-Forwarded-For never counts.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { api, type Call } from './http.ts';

/**
 * A random client address in 100.64.0.0/10 (shared address space: outside the internal networks
 * of the gateway's IP rules, and 4 million addresses, so scenarios of one run do not collide).
 */
export function clientIp(): string {
  const n = randomInt(1, 1 << 22);
  return `100.${64 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

export function uniqueEmail(tag = 'e2e'): string {
  return `${tag}-${randomUUID().slice(0, 12)}@example.com`;
}

export interface Client {
  ip: string;
  call(method: string, path: string, opts?: Parameters<typeof api>[2]): Promise<Call>;
}

/** A client with its own address; every request it makes carries it. */
export function client(ip = clientIp()): Client {
  return {
    ip,
    call: (method, path, opts = {}) =>
      api(method, path, { ...opts, headers: { 'CF-Connecting-IP': ip, ...opts.headers } }),
  };
}

export interface Account {
  userId: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

export async function signUp(
  c: Client = client(),
  over: Partial<{ email: string; password: string; name: string }> = {},
) {
  const body = { email: uniqueEmail(), password: 'e2e correct horse', name: 'E2E User', ...over };
  const res = await c.call('POST', '/auth/signup', { body });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...body, ...res.body } as Account;
}

export async function adminToken(c: Client = client()): Promise<string> {
  const { email, password } = inject('admin');
  const res = await c.call('POST', '/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

export function decodeJwt(token: string): { header: Record<string, any>; claims: Record<string, any> } {
  const [h, p] = token.split('.');
  const parse = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  return { header: parse(h!), claims: parse(p!) };
}

/** A client on an internal network (10.0.0.0/8), where the gateway serves /internal/* routes. */
export function internalClient(): Client {
  const n = randomInt(1, 1 << 24);
  return client(`10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`);
}

export interface OutboxMail {
  to: string;
  subject: string;
  text: string;
  token: string;
}

/**
 * The newest mail of a kind to `email` in the development mailbox, read as the admin; the service
 * writes it after answering.
 */
export async function newestMailTo(
  email: string,
  kind: 'password_reset' | 'email_verification' = 'password_reset',
): Promise<OutboxMail> {
  const ops = internalClient();
  const token = await adminToken(ops);
  const query = new URLSearchParams({ to: email, kind });
  for (let i = 0; i < 100; i++) {
    const res = await ops.call('GET', `/internal/outbox?${query}`, { token });
    if (res.status !== 200) throw new Error(`mailbox: ${res.status} ${JSON.stringify(res.body)}`);
    if (res.body[0]) return res.body[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no mail to ${email}`);
}
