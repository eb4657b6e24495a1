import { describe, expect, it } from 'vitest';
import { gateway } from './support/fixture.ts';
import { signToken } from './support/tokens.ts';

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status: res.status });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(body.requestId).toBe(res.headers.get('X-Request-Id'));
  return body;
}

async function post(path: string, body: BodyInit | null, headers: Record<string, string> = {}) {
  const token = await signToken();
  return gateway(path, { method: 'POST', body, headers: { authorization: `Bearer ${token}`, ...headers } });
}

describe('errors are problem+json', () => {
  it('404 for an unknown route', async () => {
    const res = await gateway('/no/such/route');
    expect(res.status).toBe(404);
    await problem(res);
  });

  it('405 with Allow for a known path and a wrong method', async () => {
    const res = await gateway('/fixture/items', { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('OPTIONS, POST');
    await problem(res);
  });

  it('400 for an unknown version in the path or the header', async () => {
    const a = await gateway('/v2/fixture/public');
    expect(a.status).toBe(400);
    expect((await problem(a)).type).toContain('unknown-version');
    const b = await gateway('/fixture/public', { headers: { 'API-Version': '7' } });
    expect(b.status).toBe(400);
    await problem(b);
  });

  it('400 with every failing field', async () => {
    const res = await post('/fixture/items', JSON.stringify({ name: '', count: -1.5 }), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(400);
    const body = await problem(res);
    const paths = new Set((body.errors as { path: string }[]).map((e) => e.path));
    expect([...paths].sort()).toEqual(['count', 'name']);
  });

  it('400 for a query that fails validation', async () => {
    const res = await gateway('/fixture/list?limit=1000');
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect((body.errors as { path: string }[])[0]!.path).toBe('query.limit');
  });

  it('400 for malformed JSON', async () => {
    const res = await post('/fixture/items', '{"name": "x", ', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect((await problem(res)).type).toContain('malformed-json');
  });

  it('415 for a body that is not JSON', async () => {
    const res = await post('/fixture/items', 'name=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(415);
    await problem(res);
  });

  it('413 for a body over the route limit', async () => {
    const res = await post('/fixture/items', JSON.stringify({ name: 'x'.repeat(2000), count: 1 }), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(413);
    await problem(res);
  });

  it('5xx leaks nothing of the failure and carries the request id', async () => {
    const res = await gateway('/fixture/boom');
    expect(res.status).toBeGreaterThanOrEqual(500);
    const body = await problem(res);
    expect(JSON.stringify(body)).not.toContain('hunter2');
    expect(JSON.stringify(body)).not.toContain('at ');
  });
});
