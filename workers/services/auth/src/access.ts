import type { Caller } from '../../../lib/api.ts';
import { Problem } from '../../../lib/problem.ts';
import type { Db } from './db/client.ts';
import { findUser, rolesOf } from './users.ts';

/**
 * Admin handlers decide on the roles the database holds now, never on those a token claims: a token
 * minted before a demotion still says admin until the gateway refuses it. An API key carries no
 * role; it passes only a route that names one of its scopes, and only while its owner is an admin.
 * The gateway applies each route's access rule first; this check keeps a Worker that reaches the
 * service over its binding from skipping the door.
 */
export async function requireAdmin(db: Db, caller: Caller, scopes: readonly string[] = []): Promise<void> {
  const key = caller.apiKey;
  const who = key ? (key.scopes.some((s) => scopes.includes(s)) ? key.ownerId : undefined) : caller.userId;
  const account = who ? await findUser(db, who) : undefined;
  if (account && rolesOf(account).includes('admin')) return;
  throw caller.userId || key ? Problem.forbidden('This is for admins only.') : Problem.unauthorized();
}
