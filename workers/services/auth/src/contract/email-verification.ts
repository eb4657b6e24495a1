import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import { jsonBody, MailedToken, problemResponses } from './schemas.ts';

const tags = ['Auth'];

export const verifyEmail = defineRoute({
  id: 'auth.verifyEmail',
  service: 'auth',
  policy: { access: 'public', rateLimit: 'auth', bodyLimit: 4096 },
  route: createRoute({
    method: 'post',
    path: '/auth/verify-email',
    tags,
    summary: 'Confirm the account’s email address with the token mailed at signup.',
    description:
      'The token is single use and expires (24 h by default). A verified address is what lets a ' +
      'Google or GitHub sign-in with the same address join the account.',
    request: {
      body: jsonBody(
        z
          .object({
            token: MailedToken,
          })
          .openapi('EmailVerification'),
      ),
    },
    responses: {
      204: { description: 'The address is verified (`emailVerified` on `GET /auth/me`).' },
      400: { description: 'The token is unknown, expired or already used.' },
      ...problemResponses,
    },
  }),
});

export const resendVerification = defineRoute({
  id: 'auth.resendVerification',
  service: 'auth',
  policy: { access: 'user', rateLimit: 'strict' },
  route: createRoute({
    method: 'post',
    path: '/auth/verify-email/resend',
    tags,
    summary: 'Mail the signed-in user a new verification token.',
    description:
      'Answers 202 in every case; nothing is sent when the address is already verified or the ' +
      'account had 3 verification mails in the last hour.',
    responses: { 202: { description: 'Accepted.' }, ...problemResponses },
  }),
});
