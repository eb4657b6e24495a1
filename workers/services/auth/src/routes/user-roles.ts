import { implement, json } from '../../../../lib/api.ts';
import { requireAdmin } from '../access.ts';
import { setRoles } from '../contract/users.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { announce } from '../events.ts';
import { changeRoles, rolesOf, userView } from '../users.ts';

export const setRolesHandler = implement<Env, typeof setRoles.route>(
  setRoles,
  async ({ params, body }, caller, env) => {
    requireAdmin(caller);
    const { user, changed } = await changeRoles(database(env.DB), params.userId, body.roles);
    if (changed) {
      await announce(env, caller, 'UserRoleChanged', user.id, {
        userId: user.id,
        roles: rolesOf(user),
        changedBy: caller.userId ?? caller.apiKey?.id ?? 'unknown',
      });
    }
    return json(200, userView(user));
  },
);
