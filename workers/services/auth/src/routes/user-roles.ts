import { implement, json } from '../../../../lib/api.ts';
import { requireAdmin } from '../access.ts';
import { setRoles } from '../contract/users.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { deliverLater } from '../events.ts';
import { changeRoles, userView } from '../users.ts';

export const setRolesHandler = implement(setRoles, async ({ params, body }, caller, env: Env, ctx) => {
  const db = database(env.DB);
  await requireAdmin(db, caller);
  const { user, event } = await changeRoles(db, params.userId, body.roles, {
    caller,
    changedBy: caller.userId ?? 'unknown',
  });
  if (event) deliverLater(ctx, env, db, [event]);
  return json(200, userView(user));
});
