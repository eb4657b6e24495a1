import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import { Email, jsonResponse, Paging, problemResponses } from './schemas.ts';

/** What the service mails. */
export const MAIL_KINDS = ['password_reset', 'email_verification'] as const;

const Mail = z
  .object({
    id: z.string(),
    to: Email,
    kind: z.enum(MAIL_KINDS),
    subject: z.string().openapi({ example: 'Reset your password' }),
    text: z.string(),
    token: z
      .string()
      .nullable()
      .openapi({ description: 'The secret the mail carries (reset or verification token).' }),
    createdAt: z.iso.datetime(),
  })
  .openapi('Mail');

export const mailbox = defineRoute({
  id: 'auth.mailbox',
  service: 'auth',
  policy: { access: 'admin', ipGroup: 'internal' },
  route: createRoute({
    method: 'get',
    path: '/internal/outbox',
    tags: ['Operations'],
    summary: 'The development mailbox (mails with their tokens), newest first.',
    description:
      'Where mail goes instead of being sent when `MAIL_TRANSPORT=mailbox` (development only); ' +
      'elsewhere 404. Admin only, from the internal networks.',
    request: { query: Paging.extend({ to: Email.optional(), kind: z.enum(MAIL_KINDS).optional() }) },
    responses: { 200: jsonResponse(z.array(Mail), 'A page of mails.'), ...problemResponses },
  }),
});
