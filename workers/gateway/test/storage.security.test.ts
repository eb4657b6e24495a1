import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { base64url } from '../../lib/ids.ts';
import { type StorageGrant, signGrant, storageUrl } from '../../services/videos/src/storage-token.ts';
import { createApp } from '../src/app.ts';

const app = createApp();
const KEY = 'renditions/vs/js/720p/index.m3u8';
const soon = () => Math.floor(Date.now() / 1000) + 600;

async function storage(url: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(url, init), env as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function signed(grant: Partial<StorageGrant>, secret = env.STORAGE_SIGNING_KEY, path = KEY) {
  const token = await signGrant(secret, { method: 'GET', key: KEY, exp: soon(), ...grant });
  return storageUrl('http://gateway.test', token, path);
}

async function expectDenied(res: Response, status = 403) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = (await res.json()) as { status: number; requestId: string };
  expect(body.status).toBe(status);
  expect(body.requestId).toBe(res.headers.get('x-request-id'));
}

/** A token over any payload text, signed with the real key: what a signing bug or a leaked key could make. */
async function signedPayload(text: string): Promise<string> {
  const payload = base64url(new TextEncoder().encode(text));
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(env.STORAGE_SIGNING_KEY),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`storage-url.v1.${payload}`));
  return `${payload}.${base64url(new Uint8Array(mac))}`;
}

beforeAll(async () => {
  await env.MEDIA.put(KEY, '#EXTM3U\n');
});

describe('storage URLs refuse what they were not signed for', () => {
  it('a valid URL reads the object (the baseline the other cases break)', async () => {
    expect((await storage(await signed({}))).status).toBe(200);
  });

  it('a tampered token: the payload changed after signing', async () => {
    const url = await signed({});
    const [, token] = /\/storage\/([^/]+)\//.exec(url)!;
    const [payload, mac] = token!.split('.');
    const grant = JSON.parse(atob(payload!.replaceAll('-', '+').replaceAll('_', '/')));
    const widened = btoa(JSON.stringify({ ...grant, key: 'renditions/', prefix: true }))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '');
    await expectDenied(await storage(url.replace(token!, `${widened}.${mac}`)));
  });

  it('a token signed with another key', async () => {
    await expectDenied(await storage(await signed({}, 'not-the-signing-key')));
  });

  it('an expired token', async () => {
    await expectDenied(await storage(await signed({ exp: Math.floor(Date.now() / 1000) - 1 })));
  });

  it('the wrong method: a GET URL cannot write, a PUT URL cannot read', async () => {
    const read = await signed({});
    await expectDenied(await storage(read, { method: 'PUT', body: 'x', headers: { 'content-length': '1' } }));
    expect(await (await env.MEDIA.get(KEY))!.text()).toBe('#EXTM3U\n');
    await expectDenied(await storage(await signed({ method: 'PUT' })));
  });

  it('another key than the one signed, including a prefix escape with ..', async () => {
    await expectDenied(await storage(await signed({}, undefined, 'renditions/vs/js/480p/index.m3u8')));
    const prefix = await signed({ key: 'renditions/vs/js/', prefix: true }, undefined, 'renditions/vs/js/');
    expect((await storage(`${prefix}720p/index.m3u8`)).status).toBe(200);
    const dotted = await storage(`${prefix}../other/secret`);
    expect([403, 404]).toContain(dotted.status);
    expect((await storage(`${prefix}..%2Fother%2Fsecret`)).status).toBe(404);
  });

  it('a malformed token', async () => {
    await expectDenied(await storage(`http://gateway.test/storage/not-a-token/${KEY}`));
    await expectDenied(await storage(`http://gateway.test/storage/a.b.c/${KEY}`));
  });

  it('a malformed storage token answers 403, not 500', async () => {
    const valid = /\/storage\/([^/]+)\//.exec(await signed({}))![1]!;
    const [payload, mac] = valid.split('.') as [string, string];
    const exp = soon();
    const tokens = [
      // truncated base64url, at every length of either half
      ...Array.from({ length: mac.length }, (_, n) => `${payload}.${mac.slice(0, n)}`),
      ...Array.from({ length: payload.length }, (_, n) => `${payload.slice(0, n)}.${mac}`),
      `${payload}.`,
      `.${mac}`,
      `${payload}.${mac}.`,
      `${payload}.${mac}=`,
      `${payload}=.${mac}`,
      `${payload}.${mac}a`,
      `${payload}.${'A'.repeat(8193)}`,
      'x'.repeat(20_000),
      // invalid percent-encoding and characters outside base64url
      `${payload}.%E0%A4%A`,
      `%zz.${mac}`,
      `${payload}.${mac}%`,
      `${payload}%00.${mac}`,
      `${encodeURIComponent('é')}.${mac}`,
      // correctly signed, but bad JSON, wrong types, huge values
      await signedPayload('{"method":"GET",'),
      await signedPayload(''),
      await signedPayload('null'),
      await signedPayload('[]'),
      await signedPayload('"GET"'),
      await signedPayload(JSON.stringify({ method: 'GET', key: 42, exp })),
      await signedPayload(JSON.stringify({ method: ['GET'], key: KEY, exp })),
      await signedPayload(JSON.stringify({ method: 'GET', key: KEY, exp: String(exp) })),
      await signedPayload(JSON.stringify({ method: 'GET', key: KEY, exp: exp + 0.5 })),
      await signedPayload(`{"method":"GET","key":"${KEY}","exp":1e400}`),
      await signedPayload(`{"method":"GET","key":"${KEY}","exp":${'9'.repeat(400)}}`),
      await signedPayload(JSON.stringify({ method: 'GET', key: 'k'.repeat(100_000), exp })),
      await signedPayload(JSON.stringify({ method: 'PUT', key: KEY, exp, maxBytes: -1 })),
      await signedPayload(`{"method":"PUT","key":"${KEY}","exp":${exp},"maxBytes":1e400}`),
      await signedPayload(
        JSON.stringify({ method: 'GET', key: KEY, exp, part: { uploadId: '', number: 0 } }),
      ),
      await signedPayload(`{"__proto__":{"method":"GET"},"key":"${KEY}","exp":${exp}}`),
    ];
    for (const token of tokens) {
      const res = await storage(`http://gateway.test/storage/${token}/${KEY}`);
      expect(res.status, token.slice(0, 80)).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('other methods: 405 with Allow', async () => {
    const res = await storage(await signed({}), { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, PUT');
  });
});
