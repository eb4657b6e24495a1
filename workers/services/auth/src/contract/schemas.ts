/** Schemas shared by several auth routes. They define bodies, types, validation and OpenAPI at once. */
import { z } from '@hono/zod-openapi';

export {
  jsonBody,
  jsonResponse,
  Paging,
  problemResponses,
} from '../../../../lib/openapi.ts';

export const Email = z.email().max(254).openapi({ example: 'ada@example.com' });

export const NewPassword = z
  .string()
  .min(8, 'The password must be at least 8 characters long.')
  .max(256)
  .openapi({ example: 'correct horse battery staple' });

/** A single-use secret the service mailed (password reset, email verification). */
export const MailedToken = z
  .string()
  .min(1)
  .max(512)
  .openapi({ example: 'Zq3xW8mN2pR5tV7yB1cD4fG6hJ9kL0oS3uX5zA7bC9e' });

export const UserId = z.string().min(1).max(64).openapi({ example: 'usr_01jd2x8k4m7q9c3v5b6n8p0r2t' });

export const ROLE_NAMES = ['viewer', 'admin'] as const;
export const RoleName = z.enum(ROLE_NAMES).openapi({ example: 'viewer' });

export const JWT_EXAMPLE = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjNmQ...';
export const REFRESH_EXAMPLE = 'k3J9mXw2pQ7rT1vY5zA8bC4dE6fG0hH2jK4lM6nN8oP';

export const TokenPair = z
  .object({
    token: z.string().openapi({ description: 'RS256 access token (JWT).', example: JWT_EXAMPLE }),
    refreshToken: z
      .string()
      .openapi({ description: 'Opaque, single use, rotated on every refresh.', example: REFRESH_EXAMPLE }),
    expiresIn: z.number().int().openapi({ description: 'Seconds until `token` expires.', example: 900 }),
  })
  .openapi('TokenPair');

export const Session = TokenPair.extend({
  userId: UserId,
  email: Email,
}).openapi('Session');

export const UserView = z
  .object({
    userId: UserId,
    email: Email,
    name: z.string().openapi({ example: 'Ada Lovelace' }),
    roles: z.array(RoleName).openapi({ example: ['viewer'] }),
    emailVerified: z.boolean().openapi({
      description: 'Whether the account proved it receives mail at `email`.',
      example: true,
    }),
  })
  .openapi('User');
