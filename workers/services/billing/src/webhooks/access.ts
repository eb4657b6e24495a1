import type { Caller } from '../../../../lib/api.ts';
import { isAdmin } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';

/**
 * The gateway admits only admins (or `billing:admin` API keys) to the webhook routes; the handlers
 * check again, so a Worker reaching billing over its binding cannot skip the door.
 */
export function requireBillingAdmin(caller: Caller): void {
  if (isAdmin(caller) || caller.apiKey?.scopes.includes('billing:admin')) return;
  throw caller.userId || caller.apiKey
    ? Problem.forbidden('This is for admins only.')
    : Problem.unauthorized();
}
