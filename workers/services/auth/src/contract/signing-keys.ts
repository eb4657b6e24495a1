import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import { jsonResponse, problemResponses } from './schemas.ts';

const Jwk = z
  .object({
    kty: z.literal('RSA'),
    kid: z.string(),
    alg: z.literal('RS256'),
    use: z.literal('sig'),
    n: z.string(),
    e: z.string(),
  })
  .openapi({ example: { kty: 'RSA', kid: 'Xr3...', alg: 'RS256', use: 'sig', n: '0vx7ag...', e: 'AQAB' } });

export const jwks = defineRoute({
  id: 'auth.jwks',
  service: 'auth',
  policy: { access: 'public', cache: { maxAge: 300, scope: 'public', staleWhileRevalidate: 60 } },
  route: createRoute({
    method: 'get',
    path: '/.well-known/jwks.json',
    tags: ['Auth'],
    summary: 'The public keys that verify access tokens (RFC 7517).',
    description:
      'Holds the current key, the next one (published before it signs anything) and retired keys ' +
      'until the tokens they signed have expired.',
    responses: {
      200: jsonResponse(z.object({ keys: z.array(Jwk) }).openapi('JWKS'), 'The key set.'),
      ...problemResponses,
    },
  }),
});

export const rotateSigningKeys = defineRoute({
  id: 'auth.rotateSigningKeys',
  service: 'auth',
  policy: { access: 'admin', rateLimit: 'auth' },
  route: createRoute({
    method: 'post',
    path: '/auth/keys/rotate',
    tags: ['Admin'],
    summary: 'Rotate the token signing key.',
    description:
      'The pre-published next key starts signing; the old key stays in the JWKS for the overlap ' +
      '(SIGNING_KEY_OVERLAP_SECONDS) so the tokens it signed stay valid; a new next key is published.',
    responses: {
      200: jsonResponse(
        z
          .object({
            current: z.string().openapi({ description: 'kid now signing' }),
            next: z.string().openapi({ description: 'kid published for the following rotation' }),
            retired: z.string().openapi({ description: 'kid that signed until now' }),
            retiredUntil: z.iso.datetime().openapi({ example: '2026-01-31T13:00:00.000Z' }),
          })
          .openapi('KeyRotation'),
        'Rotated.',
      ),
      409: { description: 'A concurrent rotation finished first.' },
      ...problemResponses,
    },
  }),
});
