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
      "Takes effect at once: the user's access tokens issued before the change are refused within " +
      'a few seconds, and the next refresh carries the new roles. The last admin cannot lose the ' +
      'admin role. Only an admin signed in with an access token may change roles; no API key can.',
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

export const deleteUser = defineRoute({
  id: 'auth.deleteUser',
  service: 'auth',
  policy: { access: 'admin', rateLimit: 'auth' },
  route: createRoute({
    method: 'delete',
    path: '/auth/users/{userId}',
    tags: ['Admin'],
    summary: 'Delete an account with its sessions and API keys.',
    description:
      "The user's access tokens are refused within a few seconds and the other services are told " +
      '(UserDeleted). The last admin cannot be deleted. Only an admin signed in with an access ' +
      'token may delete accounts; no API key can.',
    request: { params: z.object({ userId: UserId }) },
    responses: {
      204: { description: 'Deleted.' },
      404: { description: 'No such user.' },
      409: { description: 'Refused: it would leave no admin.' },
      ...problemResponses,
    },
  }),
});
