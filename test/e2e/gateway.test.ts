import { describe, expect, it } from 'vitest';
import { api } from './support/http.ts';

describe('the platform behind the gateway', () => {
  it('is live and ready, with every service it binds', async () => {
    expect((await api('GET', '/healthz')).status).toBe(200);
    const ready = await api('GET', '/readyz');
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

  it('gates the dead-letter routes to admins', async () => {
    const res = await api('GET', '/internal/dlq/videos-events');
    expect(res.status).toBe(401);
  });
});
