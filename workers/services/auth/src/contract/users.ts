import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import { jsonBody, jsonResponse, problemResponses, RoleName, UserId, UserView } from './schemas.ts';

export const setRoles = defineRoute({
  id: 'auth.setRoles',
  service: 'auth',
  policy: { access: 'admin', rateLimit: 'auth', bodyLimit: 4096 },
  route: createRoute({
    method: 'put',
    path: '/auth/users/{userId}/roles',
    tags: ['Admin'],
    summary: "Replace a user's roles (every account keeps viewer).",
    description:
      'Takes effect on the next refresh; access tokens already issued keep their roles until they ' +
      'expire (at most 15 minutes). The last admin cannot lose the admin role.',
    request: {
      params: z.object({ userId: UserId }),
      body: jsonBody(
        z
          .object({
            roles: z
              .array(RoleName)
              .min(1)
              .max(2)
              .openapi({ example: ['viewer', 'admin'] }),
          })
          .openapi('RoleChange'),
      ),
    },
    responses: {
      200: jsonResponse(UserView, 'The user with the new roles.'),
      404: { description: 'No such user.' },
      409: { description: 'Refused: it would leave no admin.' },
      ...problemResponses,
    },
  }),
});
