import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
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

  it('other methods: 405 with Allow', async () => {
    const res = await storage(await signed({}), { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, PUT');
  });
});
