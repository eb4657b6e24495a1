import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import { plainText } from '../../../../lib/text.ts';
import {
  Email,
  jsonBody,
  jsonResponse,
  NewPassword,
  problemResponses,
  REFRESH_EXAMPLE,
  Session,
  TokenPair,
  UserView,
} from './schemas.ts';

const tags = ['Auth'];

export const signup = defineRoute({
  id: 'auth.signup',
  service: 'auth',
  policy: { access: 'public', rateLimit: 'auth', bodyLimit: 4096 },
  route: createRoute({
    method: 'post',
    path: '/auth/signup',
    tags,
    summary: 'Create an account (role viewer) and sign it in; a verification mail goes to the email.',
    request: {
      body: jsonBody(
        z
          .object({
            email: Email,
            password: NewPassword,
            name: plainText({ min: 1, max: 100 }).openapi({ example: 'Ada Lovelace' }),
          })
          .openapi('SignupRequest'),
      ),
    },
    responses: {
      201: jsonResponse(Session, 'The account exists and is signed in.'),
      409: { description: 'An account with this email (compared case-insensitively) exists.' },
      ...problemResponses,
    },
  }),
});

export const login = defineRoute({
  id: 'auth.login',
  service: 'auth',
  policy: { access: 'public', rateLimit: 'auth', bodyLimit: 4096 },
  route: createRoute({
    method: 'post',
    path: '/auth/login',
    tags,
    summary: 'Sign in with email and password.',
    description:
      'A wrong email and a wrong password answer the same 401. After repeated failures from one ' +
      'address (for one email, or for any), that address is refused with 429 and Retry-After for a ' +
      'growing time; an email that many addresses failed for is refused everywhere until the lock ' +
      'expires or a password reset lifts it.',
    request: {
      body: jsonBody(
        z
          .object({
            email: Email,
            password: z.string().min(1).max(256).openapi({ example: 'correct horse battery staple' }),
          })
          .openapi('LoginRequest'),
      ),
    },
    responses: {
      200: jsonResponse(Session, 'Signed in.'),
      401: { description: 'Wrong email or password.' },
      429: { description: 'Locked out after repeated failures; see Retry-After.' },
      ...problemResponses,
    },
  }),
});

const RefreshRequest = z
  .object({ refreshToken: z.string().min(1).max(512).openapi({ example: REFRESH_EXAMPLE }) })
  .openapi('RefreshRequest');

export const refresh = defineRoute({
  id: 'auth.refresh',
  service: 'auth',
  policy: { access: 'public', rateLimit: 'auth', bodyLimit: 4096 },
  route: createRoute({
    method: 'post',
    path: '/auth/refresh',
    tags,
    summary: 'Exchange a refresh token for a new access token and a new refresh token.',
    description:
      'The presented refresh token is spent. Presenting a spent token again revokes every token of ' +
      'its sign-in (family).',
    request: { body: jsonBody(RefreshRequest) },
    responses: {
      200: jsonResponse(TokenPair, 'A new pair; the old refresh token is spent.'),
      401: { description: 'Unknown, expired, spent or revoked refresh token.' },
      ...problemResponses,
    },
  }),
});

export const logout = defineRoute({
  id: 'auth.logout',
  service: 'auth',
  policy: { access: 'public', rateLimit: 'auth', bodyLimit: 4096 },
  route: createRoute({
    method: 'post',
    path: '/auth/logout',
    tags,
    summary: 'Sign out: revoke the sign-in (refresh family) the token belongs to.',
    request: { body: jsonBody(RefreshRequest) },
    responses: { 204: { description: 'Signed out (also for an unknown token).' }, ...problemResponses },
  }),
});

export const me = defineRoute({
  id: 'auth.me',
  service: 'auth',
  policy: { access: 'user', rateLimit: 'auth' },
  route: createRoute({
    method: 'get',
    path: '/auth/me',
    tags,
    summary: 'The signed-in user.',
    responses: { 200: jsonResponse(UserView, 'The account behind the access token.'), ...problemResponses },
  }),
});
