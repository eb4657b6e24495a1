import { implement, noContent } from '../../../../lib/api.ts';
import { logout } from '../contract/sessions.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { revokeFamilyOf } from '../refresh-families.ts';

export const logoutHandler = implement(logout, async ({ body }, _caller, env: Env) => {
  await revokeFamilyOf(database(env.DB), body.refreshToken);
  return noContent;
});
