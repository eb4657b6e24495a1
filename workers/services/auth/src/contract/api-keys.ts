import { createRoute, z } from '@hono/zod-openapi';
import { API_KEY_SCOPES, defineRoute } from '../../../../lib/api.ts';
import { plainText } from '../../../../lib/text.ts';
import { jsonBody, jsonResponse, Paging, problemResponses, UserId } from './schemas.ts';

/** Routes that change privileges or read mail name no scope, so no key passes them. */
export { API_KEY_SCOPES, type ApiKeyScope } from '../../../../lib/api.ts';

const Scope = z.enum(API_KEY_SCOPES).openapi({ example: 'videos:read' });
const iso = z.iso.datetime().openapi({ example: '2026-01-31T12:00:00.000Z' });

const ApiKey = z
  .object({
    id: z.string().openapi({ example: 'key_01jd2x8k4m7q9c3v5b6n8p0r2t' }),
    name: z.string().openapi({ example: 'catalog importer' }),
    prefix: z.string().openapi({ description: 'The visible start of the key.', example: 'evk_ab12cd34' }),
    scopes: z.array(Scope),
    ownerId: UserId,
    createdAt: iso,
    expiresAt: iso.nullable(),
    lastUsedAt: iso.nullable(),
    revokedAt: iso.nullable(),
  })
  .openapi('ApiKey');

export const createApiKey = defineRoute({
  id: 'auth.createApiKey',
  service: 'auth',
  policy: { access: 'admin', rateLimit: 'auth', bodyLimit: 4096 },
  route: createRoute({
    method: 'post',
    path: '/auth/api-keys',
    tags: ['Admin'],
    summary: 'Issue an API key for a third-party client (shown once).',
    description:
      'Only an admin signed in with an access token may issue keys; the key is sent as `X-API-Key` ' +
      'and passes exactly the routes that name one of its scopes (no key can change roles, delete ' +
      'accounts, issue or revoke keys, rotate signing keys or read mail). It stops working when ' +
      'revoked, when it expires, or when its owner is no longer an admin.',
    request: {
      body: jsonBody(
        z
          .object({
            name: plainText({ min: 1, max: 100 }).openapi({ example: 'catalog importer' }),
            scopes: z.array(Scope).min(1).max(API_KEY_SCOPES.length),
            expiresInDays: z.number().int().min(1).max(3650).optional().openapi({ example: 90 }),
          })
          .openapi('ApiKeyRequest'),
      ),
    },
    responses: {
      201: jsonResponse(
        ApiKey.extend({
          key: z.string().openapi({
            description: 'The secret; it is not stored and cannot be shown again.',
            example: 'evk_ab12cd34_Vq3xW8mN2pR5tV7yB1cD4fG6hJ9kL0oS3uX5zA7bC9e',
          }),
        }).openapi('IssuedApiKey'),
        'The key, with its secret.',
      ),
      ...problemResponses,
    },
  }),
});

export const listApiKeys = defineRoute({
  id: 'auth.listApiKeys',
  service: 'auth',
  // Operations tooling may audit keys; the listing never holds a secret.
  policy: { access: 'admin', scopes: ['ops'], rateLimit: 'auth' },
  route: createRoute({
    method: 'get',
    path: '/auth/api-keys',
    tags: ['Admin'],
    summary: 'Every API key, newest first, without secrets.',
    request: { query: Paging },
    responses: {
      200: jsonResponse(z.array(ApiKey), 'A page of keys; X-Total-Count and Link.'),
      ...problemResponses,
    },
  }),
});

export const revokeApiKey = defineRoute({
  id: 'auth.revokeApiKey',
  service: 'auth',
  policy: { access: 'admin', rateLimit: 'auth' },
  route: createRoute({
    method: 'delete',
    path: '/auth/api-keys/{keyId}',
    tags: ['Admin'],
    summary: 'Revoke an API key.',
    request: { params: z.object({ keyId: z.string().min(1).max(64) }) },
    responses: {
      204: { description: 'Revoked (also when it already was).' },
      404: { description: 'No such key.' },
      ...problemResponses,
    },
  }),
});
