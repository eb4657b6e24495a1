import { type Caller, isAdmin } from '../../../lib/api.ts';
import { Problem } from '../../../lib/problem.ts';

/**
 * The gateway enforces each route's access rule before calling; admin handlers check again, so a
 * Worker that reaches this service over its binding cannot skip the door. API keys pass with the
 * `admin` scope or one of the route's own scopes.
 */
export function requireAdmin(caller: Caller, scopes: readonly string[] = []): void {
  if (isAdmin(caller)) return;
  if (caller.apiKey?.scopes.some((s) => scopes.includes(s))) return;
  throw caller.userId || caller.apiKey
    ? Problem.forbidden('This is for admins only.')
    : Problem.unauthorized();
}
