/**
 * Attacks on the gateway's front door, through the running platform: what storage serves, CORS,
 * malformed storage tokens, rate limits that credentials cannot dodge, what /readyz and the OpenAPI
 * document disclose, and who reaches /internal/*.
 */
import { createHmac, randomInt } from 'node:crypto';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { describe, expect, inject, it } from 'vitest';
import { ROOT, readConfig } from '../../scripts/platform.ts';
import { adminToken, client, clientIp, internalClient, signUp } from './support/auth-client.ts';
import { api, baseUrl } from './support/http.ts';

const signingKey = () => inject('secrets').STORAGE_SIGNING_KEY!;
const soon = () => Math.floor(Date.now() / 1000) + 600;
const tag = () => `e2e${randomInt(1 << 30).toString(36)}`;

/**
 * A storage token over any grant text, signed with the platform's local key as the videos service
 * signs them (HMAC-SHA256 over a domain tag and the base64url JSON): what a runner's job grant is.
 */
function signRaw(text: string): string {
  const payload = Buffer.from(text).toString('base64url');
  const mac = createHmac('sha256', signingKey()).update(`storage-url.v1.${payload}`).digest('base64url');
  return `${payload}.${mac}`;
}

function signedUrl(grant: { method: 'GET' | 'PUT'; key: string }): string {
  return `${baseUrl()}/storage/${signRaw(JSON.stringify({ ...grant, exp: soon() }))}/${grant.key}`;
}

/** Stores `body` at `key` through a signed PUT, declaring `contentType`, as an uploader or runner would. */
async function upload(key: string, body: string, contentType: string): Promise<void> {
  const res = await fetch(signedUrl({ method: 'PUT', key }), {
    method: 'PUT',
    body,
    headers: { 'content-type': contentType },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** The rate-limit windows are whole minutes; start a burst where it cannot straddle two. */
async function awayFromWindowEdge(needMs: number) {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 100));
}

const corsHeaders = (h: Headers) => [...h.keys()].filter((k) => k.startsWith('access-control-'));

describe('media served safely', () => {
  it('a stored object uploaded as text/html is served as an attachment, never as a page', async () => {
    const key = `renditions/${tag()}/job/720p/evil.html`;
    await upload(key, '<script>alert(document.cookie)</script>', 'text/html');
    const res = await fetch(signedUrl({ method: 'GET', key }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toBe('attachment');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('a poster uploaded as text/html is still a JPEG that pages on other origins may show', async () => {
    const key = `public/posters/${tag()}/job.jpg`;
    await upload(key, '<html><script>alert(1)</script></html>', 'text/html');
    const res = await fetch(`${baseUrl()}/storage/${key}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('content-security-policy')).toContain("img-src 'self'");
  });

  it('playlists, segments and storyboards are typed by their key, not by the uploader', async () => {
    const prefix = `renditions/${tag()}/job/`;
    const table: [string, string][] = [
      ['master.m3u8', 'application/vnd.apple.mpegurl'],
      ['720p/init.mp4', 'video/mp4'],
      ['720p/seg_00001.m4s', 'video/mp4'],
      ['storyboard.vtt', 'text/vtt'],
      ['storyboard.jpg', 'image/jpeg'],
    ];
    for (const [name, type] of table) {
      await upload(prefix + name, 'x', 'text/html');
      const res = await fetch(signedUrl({ method: 'GET', key: prefix + name }));
      expect(res.headers.get('content-type'), name).toBe(type);
      expect(res.headers.get('cross-origin-resource-policy'), name).toBe('cross-origin');
    }
  });
});

describe('CORS', () => {
  const preflight = {
    'Access-Control-Request-Method': 'POST',
    'Access-Control-Request-Headers': 'authorization',
  };

  it('a disallowed origin gets no CORS headers at all', async () => {
    const Origin = 'https://evil.example';
    const read = await api('GET', '/videos', { headers: { Origin } });
    expect(read.status).toBe(200);
    expect(corsHeaders(read.headers)).toEqual([]);
    const pre = await api('OPTIONS', '/videos', { headers: { Origin, ...preflight } });
    expect(corsHeaders(pre.headers)).toEqual([]);
  });

  it("the platform's own origin, on whatever port it runs, passes a preflight that carries the security headers", async () => {
    for (const Origin of [baseUrl(), baseUrl().replace('127.0.0.1', 'localhost')]) {
      const res = await api('OPTIONS', '/videos', { headers: { Origin, ...preflight } });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(Origin);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('strict-transport-security')).toContain('max-age=');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });
});

describe('malformed storage tokens', () => {
  it('a malformed storage token answers 403, not 500', async () => {
    const key = `renditions/${tag()}/job/master.m3u8`;
    const token = /\/storage\/([^/]+)\//.exec(signedUrl({ method: 'GET', key }))![1]!;
    const [payload, mac] = token.split('.') as [string, string];
    const exp = soon();
    const tokens = [
      ...[1, 2, 5, 9, 21, 42].map((n) => `${payload}.${mac.slice(0, n)}`),
      ...[1, 2, 5, 13, 30].map((n) => `${payload.slice(0, n)}.${mac}`),
      `${payload}.`,
      `.${mac}`,
      `${payload}.${mac}.x`,
      `${payload}.${mac}=`,
      `${payload}.${'A'.repeat(4097)}`,
      'x'.repeat(8000),
      `${payload}.%E0%A4%A`,
      `%zz.${mac}`,
      `${payload}%00.${mac}`,
      `${encodeURIComponent('ü')}.${mac}`,
      signRaw('{"method":"GET",'),
      signRaw('null'),
      signRaw(JSON.stringify({ method: 'GET', key: 42, exp })),
      signRaw(JSON.stringify({ method: 'GET', key, exp: String(exp) })),
      signRaw(`{"method":"GET","key":"${key}","exp":1e400}`),
      signRaw(JSON.stringify({ method: 'GET', key: 'k'.repeat(5000), exp })),
      signRaw(`{"method":"PUT","key":"${key}","exp":${exp},"maxBytes":1e400}`),
    ];
    for (const t of tokens) {
      const res = await fetch(`${baseUrl()}/storage/${t}/${key}`);
      expect(res.status, t.slice(0, 80)).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });
});

describe('rate limits before credentials', () => {
  it('a flood of requests with forged tokens is rate limited', async () => {
    await awayFromWindowEdge(10_000);
    const c = client();
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++)
      statuses.push((await c.call('GET', '/auth/me', { token: `forged.${i}.token` })).status);
    expect(statuses.slice(0, 100).every((s) => s === 401)).toBe(true);
    expect(statuses[100]).toBe(429);
  });

  it('a flood of requests with guessed API keys is rate limited', async () => {
    await awayFromWindowEdge(10_000);
    const c = client();
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++)
      statuses.push(
        (await c.call('GET', '/auth/api-keys', { headers: { 'X-API-Key': `guess-${i}` } })).status,
      );
    expect(statuses.slice(0, 100).every((s) => s === 401)).toBe(true);
    expect(statuses[100]).toBe(429);
  });

  it('an IPv6 client cannot dodge the per-IP limit by rotating addresses in its /64', async () => {
    await awayFromWindowEdge(10_000);
    const [a, b] = [randomInt(1 << 16), randomInt(1 << 16)];
    const net = `2001:db8:${a.toString(16)}:${b.toString(16)}`;
    const host = () => Array.from({ length: 4 }, () => randomInt(1 << 16).toString(16)).join(':');
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++) {
      const res = await client(`${net}:${host()}`).call('POST', '/auth/refresh', {
        body: { refreshToken: `bogus-${i}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 100).every((s) => s === 401)).toBe(true);
    expect(statuses[100]).toBe(429);
    // The next /64 is another client.
    const other = await client(`2001:db8:${a.toString(16)}:${(b ^ 1).toString(16)}::1`).call(
      'POST',
      '/auth/refresh',
      { body: { refreshToken: 'bogus' } },
    );
    expect(other.status).toBe(401);
  });
});

describe('what the platform discloses', () => {
  it('/readyz tells an anonymous caller nothing about its dependencies', async () => {
    const anonymous = await api('GET', '/readyz');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ status: 'ready' });
    const viewer = await signUp(client());
    expect((await api('GET', '/readyz', { token: viewer.token })).body).toEqual({ status: 'ready' });
    expect(
      (await api('GET', '/readyz', { headers: { 'X-Metrics-Token': 'a guessed metrics token' } })).status,
    ).toBe(401);
  });

  it('an admin and the metrics token see every check of /readyz', async () => {
    const admin = await api('GET', '/readyz', { token: await adminToken(client()) });
    expect(admin.body.checks.auth.ok).toBe(true);
    const monitor = await api('GET', '/readyz', {
      headers: { 'X-Metrics-Token': inject('secrets').METRICS_TOKEN! },
    });
    expect(Object.keys(monitor.body.checks)).toEqual(expect.arrayContaining(['kv', 'auth', 'videos']));
  });

  it('the public OpenAPI document lists no internal or runner route', async () => {
    const paths = Object.keys((await api('GET', '/openapi.json')).body.paths);
    expect(paths.filter((p) => p.startsWith('/internal/') || p.startsWith('/runners/jobs'))).toEqual([]);
  });
});

describe('/internal/*', () => {
  it('an admin token from outside the internal networks cannot reach /internal/*', async () => {
    const outside = client(clientIp());
    const token = await adminToken(outside);
    expect((await outside.call('GET', '/internal/dlq/videos-events', { token })).status).toBe(403);
    const inside = internalClient();
    expect((await inside.call('GET', '/internal/dlq/videos-events', { token })).status).toBe(200);
  });

  it('every deployed environment restricts /internal/* to private and loopback networks', () => {
    const config = readConfig(path.join(ROOT, 'wrangler.jsonc')) as unknown as {
      env: Record<string, { vars: { IP_RULES?: string } }>;
    };
    for (const name of ['staging', 'production']) {
      const rules = JSON.parse(config.env[name]?.vars.IP_RULES ?? '{}') as Record<
        string,
        { allow?: string[] }
      >;
      const allow = rules.internal?.allow ?? [];
      expect(allow.length, name).toBeGreaterThan(0);
      for (const cidr of allow) {
        const [addr, bits] = ipaddr.parseCIDR(cidr);
        expect(['private', 'uniqueLocal', 'loopback'], `${name}: ${cidr}`).toContain(addr.range());
        expect(bits, `${name}: ${cidr}`).toBeGreaterThanOrEqual(addr.kind() === 'ipv4' ? 8 : 7);
      }
    }
  });
});
