/**
 * Who may use a user's profile data. The gateway's route policy lets the owner and admins through;
 * the service checks again (a caller reaching it by another path is held to the same rule), and
 * keeps writes to the owner: an admin reads any profile but changes none but their own.
 */
import { type Caller, isAdmin } from '../../../lib/api.ts';
import { Problem } from '../../../lib/problem.ts';

export function requireReader(caller: Caller, userId: string): void {
  if (caller.userId === userId && !caller.apiKey) return;
  if (isAdmin(caller)) return;
  throw Problem.forbidden('You may only read your own profile.');
}

export function requireOwner(caller: Caller, userId: string): void {
  if (caller.userId === userId && !caller.apiKey) return;
  throw Problem.forbidden('You may only change your own profile.');
}
