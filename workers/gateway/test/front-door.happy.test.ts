import { describe, expect, it, vi } from 'vitest';
import { calls, gateway } from './support/fixture.ts';
import { signToken } from './support/tokens.ts';

describe('routing and versioning', () => {
  it('serves a route unversioned, under /v1 and with API-Version: 1', async () => {
    for (const [path, headers] of [
      ['/fixture/public', {}],
      ['/v1/fixture/public', {}],
      ['/fixture/public', { 'API-Version': '1' }],
    ] as const) {
      const res = await gateway(path, { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('API-Version')).toBe('1');
      expect(((await res.json()) as { routeId: string }).routeId).toBe('fixture.public');
    }
  });

  it('answers healthz', async () => {
    const res = await gateway('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('readyz reports each dependency it checked to an admin', async () => {
    const res = await gateway('/readyz', {
      headers: { authorization: `Bearer ${await signToken({ roles: ['admin'] })}` },
    });
    const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(res.status).toBe(200);
    expect(body.status).toBe('ready');
    expect(Object.keys(body.checks)).toEqual(expect.arrayContaining(['kv', 'rateLimiter', 'videos', 'auth']));
  });

  it('passes the validated body and the verified caller to the service', async () => {
    const token = await signToken({ sub: 'usr_alice' });
    const res = await gateway('/fixture/items', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', count: 2 }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ name: 'x', count: 2, by: 'usr_alice' });
    const call = calls.at(-1)!;
    expect(call.caller.userId).toBe('usr_alice');
    expect(call.caller.roles).toEqual(['viewer']);
  });

  it('hands a rawBody route the exact body text and the headers it names', async () => {
    // Spacing and key order a JSON round trip would change: a signature covers these bytes.
    const text = '{ "b":1,  "a" : [2,3] }\n';
    const res = await gateway('/fixture/signed', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': 't=1,v1=abc', 'x-other': 'kept out' },
      body: text,
    });
    expect(res.status).toBe(200);
    const { input } = calls.at(-1)!;
    expect(input.body).toBe(text);
    expect(input.headers['x-signature']).toBe('t=1,v1=abc');
    expect(input.headers['x-other']).toBeUndefined();
  });

  it('still checks the media type and size of a rawBody route', async () => {
    const post = (body: string, type = 'application/json') =>
      gateway('/fixture/signed', { method: 'POST', headers: { 'content-type': type }, body });
    expect((await post('plain', 'text/plain')).status).toBe(415);
    expect((await post(JSON.stringify({ pad: 'x'.repeat(300) }))).status).toBe(413);
  });

  it('pages lists with X-Total-Count and Link', async () => {
    const res = await gateway('/fixture/list?page=2&limit=20');
    expect(res.headers.get('X-Total-Count')).toBe('45');
    const link = res.headers.get('Link')!;
    expect(link).toContain('</fixture/list?page=3&limit=20>; rel="next"');
    expect(link).toContain('</fixture/list?page=1&limit=20>; rel="prev"');
    expect(((await res.json()) as unknown[]).length).toBe(20);
  });

  it('generates a request id, echoes a sent one, and continues the trace', async () => {
    const fresh = await gateway('/fixture/public');
    expect(fresh.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await gateway('/fixture/public', {
      headers: { 'X-Request-Id': 'client-req-42', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.headers.get('X-Request-Id')).toBe('client-req-42');
    const tp = res.headers.get('traceparent')!;
    expect(tp.startsWith(`00-${traceId}-`)).toBe(true);
    expect(tp).not.toContain('00f067aa0ba902b7');
    expect(calls.at(-1)!.caller.traceparent.split('-')[1]).toBe(traceId);
  });

  it('writes one structured access-log line per request', async () => {
    const spy = vi.spyOn(console, 'log');
    const token = await signToken({ sub: 'usr_logged' });
    const res = await gateway('/fixture/users/usr_logged', { headers: { authorization: `Bearer ${token}` } });
    const lines = spy.mock.calls
      .map(([l]) => (typeof l === 'string' && l.startsWith('{') ? JSON.parse(l) : null))
      .filter((l) => l?.msg === 'request');
    spy.mockRestore();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      method: 'GET',
      route: '/fixture/users/{userId}',
      status: 200,
      user: 'usr_logged',
      requestId: res.headers.get('X-Request-Id'),
      traceId: res.headers.get('traceparent')!.split('-')[1],
    });
    expect(typeof lines[0].durationMs).toBe('number');
  });

  it('sets cache headers and an ETag on cacheable public routes, and answers 304 to a match', async () => {
    const res = await gateway('/fixture/public');
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=60');
    const tag = res.headers.get('ETag')!;
    expect(tag).toBeTruthy();
    const again = await gateway('/fixture/public', { headers: { 'If-None-Match': tag } });
    expect(again.status).toBe(304);
  });

  it('publishes an OpenAPI 3.1 document and a docs page', async () => {
    const res = await gateway('/openapi.json');
    const doc = (await res.json()) as { openapi: string; paths: Record<string, object> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/fixture/items',
        '/fixture/users/{userId}',
        '/healthz',
        '/storage/{token}/{key}',
      ]),
    );
    const docs = await gateway('/docs');
    expect(docs.headers.get('content-type')).toContain('text/html');
    // The page may load its own script and nothing else; data responses may load nothing at all.
    expect(docs.headers.get('Content-Security-Policy')).toContain("script-src 'self'");
    expect(docs.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
    expect(await docs.text()).toContain('/docs.js');
    expect((await gateway('/docs.js')).status).toBe(200);
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const allowed = await gateway('/fixture/items', {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example.com');
    const denied = await gateway('/fixture/items', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(denied.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('sets the security headers on every response', async () => {
    for (const path of ['/fixture/public', '/nowhere']) {
      const res = await gateway(path);
      expect(res.headers.get('Strict-Transport-Security')).toContain('max-age=');
      expect(res.headers.get('Content-Security-Policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(res.headers.get('Referrer-Policy')).toBe('strict-origin-when-cross-origin');
    }
  });
});
