import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import { jsonResponse, problemResponses, Session } from './schemas.ts';

export const OAUTH_PROVIDERS = ['google', 'github'] as const;
const Provider = z.object({ provider: z.enum(OAUTH_PROVIDERS).openapi({ example: 'google' }) });

export const oauthStart = defineRoute({
  id: 'auth.oauthStart',
  service: 'auth',
  policy: { access: 'public', rateLimit: 'auth' },
  route: createRoute({
    method: 'get',
    path: '/auth/oauth/{provider}/start',
    tags: ['Auth'],
    summary: 'Start signing in with Google or GitHub (authorization code + PKCE).',
    description:
      'Redirects the browser to the provider and sets a short-lived cookie that ties the attempt to ' +
      'this browser. With `redirect_uri` (an allowed origin of the web app) the callback redirects ' +
      'there with the tokens in the URL fragment; without it the callback answers JSON.',
    request: {
      params: Provider,
      query: z.object({
        redirect_uri: z
          .url()
          .max(2048)
          .optional()
          .openapi({ example: 'http://127.0.0.1:8787/app/signed-in' }),
      }),
    },
    responses: {
      302: { description: "To the provider's authorization page." },
      400: { description: '`redirect_uri` is not on the allow-list.' },
      404: { description: 'The provider is not configured here.' },
      ...problemResponses,
    },
  }),
});

export const oauthCallback = defineRoute({
  id: 'auth.oauthCallback',
  service: 'auth',
  policy: { access: 'public', rateLimit: 'auth' },
  route: createRoute({
    method: 'get',
    path: '/auth/oauth/{provider}/callback',
    tags: ['Auth'],
    summary: 'Where the provider sends the browser back; signs in (or up) and answers tokens.',
    description:
      'Checks `state` against the attempt stored server-side and the browser cookie, exchanges the ' +
      'code with the PKCE verifier, validates the ID token (Google: issuer, audience, nonce, ' +
      'signature) or reads the verified primary email (GitHub). Accounts are linked by verified email.',
    request: {
      params: Provider,
      query: z.object({
        code: z.string().max(2048).optional(),
        state: z.string().max(512).optional(),
        error: z.string().max(256).optional(),
        error_description: z.string().max(1024).optional(),
      }),
    },
    responses: {
      200: jsonResponse(Session, 'Signed in.'),
      302: { description: 'To the `redirect_uri` given at start, tokens in the fragment.' },
      400: { description: 'Unknown, expired, reused or foreign `state`, or the provider refused.' },
      401: { description: 'The ID token failed validation.' },
      403: { description: 'The provider has no verified email for this account.' },
      ...problemResponses,
    },
  }),
});
