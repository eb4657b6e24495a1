import { eq } from 'drizzle-orm';
import { type Caller, implement, isAdmin, json, noContent } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { requireOwner, requireReader } from '../access.ts';
import type { Env } from '../config.ts';
import { deleteProfile, getProfile, updateProfile } from '../contract/profiles.ts';
import { database } from '../db/client.ts';
import { profiles } from '../db/schema.ts';
import { eraseUser, profileFromAccount, profileView } from '../profiles.ts';

const noProfile = (userId: string) =>
  Problem.notFound(`No profile for ${userId} (every account gets one at signup).`);

export const getProfileHandler = implement(getProfile, async (input, caller, env: Env) => {
  const { userId } = input.params;
  requireReader(caller, userId);
  const db = database(env.DB);
  const row =
    (await db.select().from(profiles).where(eq(profiles.userId, userId)).get()) ??
    (caller.userId === userId ? await profileFromAccount(env, db, caller) : undefined);
  if (!row) throw noProfile(userId);
  return json(200, profileView(row));
});

/** An avatar is an https URL, or a URL on the platform's own origin (which is http locally). */
function checkAvatar(url: string | null | undefined, caller: Caller): void {
  if (!url) return;
  const u = new URL(url);
  if (u.protocol === 'https:' || u.origin === new URL(caller.origin).origin) return;
  throw Problem.badRequest('The request body is invalid.', [
    { path: 'avatarUrl', message: "must be an https URL or one on the platform's own origin" },
  ]);
}

export const updateProfileHandler = implement(updateProfile, async (input, caller, env: Env) => {
  const { userId } = input.params;
  requireOwner(caller, userId);
  const { name, avatarUrl, preferences } = input.body;
  checkAvatar(avatarUrl, caller);
  const db = database(env.DB);
  if (!(await db.select({ userId: profiles.userId }).from(profiles).where(eq(profiles.userId, userId)).get()))
    await profileFromAccount(env, db, caller);
  const [row] = await db
    .update(profiles)
    .set({
      ...(name !== undefined ? { name } : {}),
      ...(avatarUrl !== undefined ? { avatarUrl } : {}),
      ...(preferences !== undefined ? { preferences } : {}),
      updatedAt: new Date(),
    })
    .where(eq(profiles.userId, userId))
    .returning();
  if (!row) throw noProfile(userId);
  return json(200, profileView(row));
});

export const deleteProfileHandler = implement(deleteProfile, async (input, caller, env: Env) => {
  if (!isAdmin(caller)) throw Problem.forbidden('This route is for admins only.');
  await eraseUser(database(env.DB), input.params.userId, false);
  return noContent;
});
