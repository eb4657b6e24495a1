import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProblemDetails } from '../../lib/openapi.ts';
import { createApp } from '../src/app.ts';
import { SERVICE_ROUTES } from '../src/routes/table.ts';

interface Response {
  description: string;
  headers?: Record<string, { $ref: string }>;
  content?: Record<string, { schema: { $ref?: string } }>;
}
interface Operation {
  operationId: string;
  security: Record<string, string[]>[];
  responses: Record<string, Response>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, { type: string; scheme?: string; in?: string; name?: string }>;
    headers: Record<string, unknown>;
    schemas: Record<string, unknown>;
  };
}

/** The gateway with the real route table, as deployed. */
const app = createApp();

async function call(path: string): Promise<globalThis.Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://gateway.test${path}`), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

let doc: Document;
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );
const op = (method: string, path: string) => doc.paths[path]![method]!;
const headerNames = (r: Response | undefined) => Object.keys(r?.headers ?? {});

beforeAll(async () => {
  doc = (await (await call('/openapi.json')).json()) as Document;
});

describe('the published OpenAPI document', () => {
  it('names every operation with a unique operationId, the camelCased route id', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.every((id) => /^[a-z][A-Za-z0-9]*$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(op('post', '/videos').operationId).toBe('videosCreate');
    expect(op('get', '/auth/api-keys').operationId).toBe('authListApiKeys');
  });

  it("derives security from each route's policy and declares both schemes", () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.apiKey).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
    });
    for (const { policy, route } of SERVICE_ROUTES) {
      const security = doc.paths[route.path]?.[route.method]?.security;
      if (!security) continue; // not published
      if (policy.access === 'public') expect(security).toEqual([]);
      else expect(security[0]).toEqual({ bearer: [] });
      expect(security.slice(1)).toEqual((policy.scopes ?? []).map((s) => ({ apiKey: [s] })));
    }
    expect(op('get', '/videos').security).toEqual([]);
    expect(op('post', '/videos').security).toEqual([{ bearer: [] }, { apiKey: ['videos:write'] }]);
    // No scopes in the policy: no API key, whatever the contract once said.
    expect(op('post', '/auth/keys/rotate').security).toEqual([{ bearer: [] }]);
  });

  it('gives every success answer a schema (only 202, 204, 304 and redirects may have no body)', () => {
    const bare = operations().flatMap(({ path, method, op }) =>
      Object.entries(op.responses)
        .filter(([status]) => /^2\d\d$/.test(status) && status !== '202' && status !== '204')
        .filter(([, r]) => !Object.values(r.content ?? {}).some((c) => c.schema))
        .map(([status]) => `${method.toUpperCase()} ${path} ${status}`),
    );
    expect(bare).toEqual([]);
  });

  it('leaves internal and runner routes out, though they are still served', async () => {
    const paths = Object.keys(doc.paths);
    expect(paths.filter((p) => p.startsWith('/internal/'))).toEqual([]);
    expect(paths.filter((p) => p.startsWith('/runners/jobs'))).toEqual([]);
    expect(paths).toContain('/runners'); // the admin view of the fleet is public API
    expect((await call('/internal/outbox')).status).toBe(401);
  });

  it('describes every 4xx and default answer as a Problem in application/problem+json', () => {
    for (const { op } of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (status !== 'default' && !status.startsWith('4')) continue;
        expect(response.content?.['application/problem+json']?.schema.$ref).toBe(
          '#/components/schemas/Problem',
        );
      }
    }
    const create = op('post', '/videos').responses;
    expect(Object.keys(create)).toEqual(
      expect.arrayContaining(['400', '401', '403', '413', '415', '429', 'default']),
    );
    expect(Object.keys(op('get', '/videos/{id}').responses)).toEqual(expect.arrayContaining(['404']));
    expect(op('get', '/videos/{id}').responses['401']).toBeUndefined();
    expect(op('get', '/healthz').responses['429']).toBeUndefined();
    // A contract's own wording of an error stays.
    expect(op('post', '/auth/signup').responses['409']!.description).toContain('email');
  });

  it('the Problem schema matches what the gateway answers', async () => {
    const res = await call('/no-such-route');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(ProblemDetails.safeParse(await res.json()).success).toBe(true);
  });

  it('documents paging, caching, rate-limit and request-id headers', () => {
    expect(Object.keys(doc.components.headers)).toEqual(
      expect.arrayContaining(['X-Request-Id', 'X-Total-Count', 'Link', 'ETag', 'Retry-After']),
    );
    for (const { op } of operations())
      for (const response of Object.values(op.responses))
        expect(headerNames(response)).toContain('X-Request-Id');
    for (const path of ['/videos', '/auth/api-keys', '/audit-log'])
      expect(headerNames(op('get', path).responses['200'])).toEqual(
        expect.arrayContaining([
          'X-Total-Count',
          'Link',
          'RateLimit-Limit',
          'RateLimit-Remaining',
          'RateLimit-Reset',
        ]),
      );
    expect(headerNames(op('get', '/videos/{id}').responses['200'])).toContain('ETag');
    expect(headerNames(op('get', '/videos/{id}').responses['200'])).not.toContain('X-Total-Count');
    expect(headerNames(op('post', '/videos').responses['429'])).toContain('Retry-After');
    expect(headerNames(op('get', '/healthz').responses['200'])).not.toContain('RateLimit-Limit');
  });
});
