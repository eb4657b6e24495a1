import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { base64url } from '../../lib/ids.ts';
import { type StorageGrant, signGrant, storageUrl } from '../../lib/storage-grant.ts';
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

describe('stored objects are served as what the platform says they are', () => {
  const read = async (key: string, init: RequestInit = {}) =>
    storage(await signed({ key }, undefined, key), init);
  const store = (key: string, contentType: string, body = 'x') =>
    env.MEDIA.put(key, body, { httpMetadata: { contentType } });

  it('a stored object uploaded as text/html is served as an attachment, never as a page', async () => {
    for (const key of [
      'renditions/vh/jh/720p/evil.html',
      'renditions/vh/jh/poster.svg',
      'masters/vh/upl_1',
    ]) {
      await store(key, 'text/html; charset=utf-8', '<script>alert(document.cookie)</script>');
      const res = await read(key);
      expect(res.status, key).toBe(200);
      expect(res.headers.get('content-type'), key).toBe('application/octet-stream');
      expect(res.headers.get('content-disposition'), key).toBe('attachment');
      expect(res.headers.get('x-content-type-options'), key).toBe('nosniff');
      expect(res.headers.get('cross-origin-resource-policy'), key).toBe('same-site');
      const head = await read(key, { method: 'HEAD' });
      expect(head.headers.get('content-type'), key).toBe('application/octet-stream');
      expect(head.headers.get('content-disposition'), key).toBe('attachment');
    }
  });

  it('the type comes from the key and its role, whatever type the object was uploaded with', async () => {
    const table: [string, string][] = [
      ['public/posters/vt/jt.jpg', 'image/jpeg'],
      ['renditions/vt/jt/storyboard.jpg', 'image/jpeg'],
      ['renditions/vt/jt/poster.webp', 'image/webp'],
      ['renditions/vt/jt/storyboard.vtt', 'text/vtt'],
      ['renditions/vt/jt/master.m3u8', 'application/vnd.apple.mpegurl'],
      ['renditions/vt/jt/720p/index.m3u8', 'application/vnd.apple.mpegurl'],
      ['renditions/vt/jt/720p/init.mp4', 'video/mp4'],
      ['renditions/vt/jt/720p/seg_00001.m4s', 'video/mp4'],
      ['renditions/vt/jt/audio_128k/init.mp4', 'audio/mp4'],
      ['renditions/vt/jt/audio_128k/seg_00001.m4s', 'audio/mp4'],
      ['renditions/vt/jt/720p/seg_00001.ts', 'video/mp2t'],
      ['renditions/vt/jt/thumbnails.json', 'application/json'],
    ];
    for (const [key, type] of table) {
      await store(key, 'text/html');
      const res = key.startsWith('public/')
        ? await storage(`http://gateway.test/storage/${key}`)
        : await read(key);
      expect(res.status, key).toBe(200);
      expect(res.headers.get('content-type'), key).toBe(type);
      expect(res.headers.get('content-disposition'), key).toBeNull();
      expect(res.headers.get('x-content-type-options'), key).toBe('nosniff');
    }
  });

  it('posters, storyboards and media may be shown by pages and players on other origins', async () => {
    for (const key of [
      'public/posters/vc/jc.jpg',
      'renditions/vc/jc/storyboard.jpg',
      'renditions/vc/jc/storyboard.vtt',
      'renditions/vc/jc/720p/seg_00001.m4s',
      'renditions/vc/jc/master.m3u8',
    ]) {
      await store(key, 'application/octet-stream');
      const res = key.startsWith('public/')
        ? await storage(`http://gateway.test/storage/${key}`)
        : await read(key);
      expect(res.headers.get('cross-origin-resource-policy'), key).toBe('cross-origin');
      // Opened on its own, the object shows in a document that loads it from here: no default-src 'none'.
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, key).toContain("img-src 'self'");
      expect(csp, key).toContain("media-src 'self'");
    }
    const data = await read('renditions/vt/jt/thumbnails.json');
    expect(data.headers.get('cross-origin-resource-policy')).toBe('same-site');
  });

  it('a runner that uploads a playlist as text/html cannot make R2 keep that type', async () => {
    const key = 'renditions/vu/ju/720p/index.m3u8';
    const url = await signed(
      { method: 'PUT', key: 'renditions/vu/ju/', prefix: true },
      undefined,
      'renditions/vu/ju/',
    );
    const res = await storage(`${url}720p/index.m3u8`, {
      method: 'PUT',
      body: '#EXTM3U\n',
      headers: { 'content-type': 'text/html', 'content-length': '8' },
    });
    expect(res.status).toBe(200);
    expect((await env.MEDIA.head(key))!.httpMetadata?.contentType).toBe('application/vnd.apple.mpegurl');
  });
});
