import { implement, noContent } from '../../../../lib/api.ts';
import { requireAdmin } from '../access.ts';
import { deleteUser } from '../contract/users.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { deliverLater } from '../events.ts';
import { deleteUser as deleteAccount } from '../users.ts';

export const deleteUserHandler = implement(deleteUser, async ({ params }, caller, env: Env, ctx) => {
  const db = database(env.DB);
  await requireAdmin(db, caller);
  deliverLater(ctx, env, db, [await deleteAccount(db, params.userId, caller)]);
  return noContent;
});
