import { describe, expect, inject, it } from 'vitest';
import { api, baseUrl } from './support/http.ts';

describe('the platform behind the gateway', () => {
  it('is live and ready, with every service it binds', async () => {
    expect((await api('GET', '/healthz')).status).toBe(200);
    const ready = await api('GET', '/readyz', {
      headers: { 'X-Metrics-Token': inject('secrets').METRICS_TOKEN! },
    });
    expect(ready.status).toBe(200);
    expect(ready.body.checks.auth.ok).toBe(true);
    expect(ready.body.checks.videos.ok).toBe(true);
  });

  it('answers unknown routes and versions with problem+json', async () => {
    const missing = await api('GET', '/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(missing.body.requestId).toBe(missing.headers.get('x-request-id'));
    const version = await api('GET', '/healthz', { headers: { 'API-Version': '3' } });
    expect(version.status).toBe(400);
  });

  it('serves the OpenAPI document of every route', async () => {
    const doc = await api('GET', '/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toContain('/readyz');
  });

  it('rate-limits real routes per client address and announces it', async () => {
    const ip = '100.127.1.1';
    const first = await api('GET', '/videos', {
      headers: { 'CF-Connecting-IP': ip, 'X-Forwarded-For': '10.9.9.9' },
    });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('600');
    const remaining = Number(first.headers.get('ratelimit-remaining'));
    const second = await api('GET', '/videos', {
      headers: { 'CF-Connecting-IP': ip, 'X-Forwarded-For': '10.9.9.8' },
    });
    expect(Number(second.headers.get('ratelimit-remaining'))).toBe(remaining - 1);
  });

  it('answers a cross-origin preflight only for allowed origins', async () => {
    // The allow-list follows the port the platform runs on.
    const local = baseUrl().replace('127.0.0.1', 'localhost');
    const ok = await api('OPTIONS', '/videos', {
      headers: { Origin: local, 'Access-Control-Request-Method': 'POST' },
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe(local);
    const evil = await api('OPTIONS', '/videos', {
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("passes the trace on: the response continues the caller's trace id", async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const res = await api('GET', '/videos', {
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    expect(res.headers.get('traceparent')?.split('-')[1]).toBe(traceId);
  });

  it('gates the dead-letter routes to admins', async () => {
    const res = await api('GET', '/internal/dlq/videos-events');
    expect(res.status).toBe(401);
  });
});
