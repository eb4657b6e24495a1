import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import { Email, jsonBody, MailedToken, NewPassword, problemResponses } from './schemas.ts';

const tags = ['Auth'];

export const requestPasswordReset = defineRoute({
  id: 'auth.requestPasswordReset',
  service: 'auth',
  policy: { access: 'public', rateLimit: 'auth', bodyLimit: 4096 },
  route: createRoute({
    method: 'post',
    path: '/auth/password-reset',
    tags,
    summary: 'Mail a single-use password reset link.',
    description:
      'Answers 202 whether or not the email belongs to an account. The mail is sent after the answer; ' +
      'in development it lands in `GET /internal/outbox` instead. Completing the reset also verifies ' +
      'the email address and lifts a sign-in lockout of the account.',
    request: { body: jsonBody(z.object({ email: Email }).openapi('PasswordResetRequest')) },
    responses: { 202: { description: 'Accepted.' }, ...problemResponses },
  }),
});

export const completePasswordReset = defineRoute({
  id: 'auth.completePasswordReset',
  service: 'auth',
  policy: { access: 'public', rateLimit: 'auth', bodyLimit: 4096 },
  route: createRoute({
    method: 'post',
    path: '/auth/password-reset/complete',
    tags,
    summary: 'Set a new password with a reset token; signs out every session of the account.',
    request: {
      body: jsonBody(
        z
          .object({
            token: MailedToken,
            newPassword: NewPassword,
          })
          .openapi('PasswordResetCompletion'),
      ),
    },
    responses: {
      204: { description: 'The password is changed and every session revoked.' },
      400: { description: 'The token is unknown, expired or already used.' },
      ...problemResponses,
    },
  }),
});
