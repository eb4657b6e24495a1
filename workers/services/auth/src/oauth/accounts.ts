/**
 * Turns a provider identity into an account: the identity's known account, else the account with
 * the same (provider-verified) email, else a new viewer account without a password.
 */
import { and, eq } from 'drizzle-orm';
import type { Envelope } from '../../../../../queues/events.ts';
import type { Caller } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import type { Db } from '../db/client.ts';
import { oauthIdentities, type User } from '../db/schema.ts';
import { createUser, findUser, findUserByEmail, registered } from '../users.ts';
import type { Identity } from './providers.ts';

/** The account of a provider identity; `registered` is the UserRegistered event of a new one. */
export async function accountFor(
  db: Db,
  id: Identity,
  caller: Pick<Caller, 'traceparent'>,
  now = Date.now(),
): Promise<{ user: User; registered?: Envelope }> {
  const linked = await db.query.oauthIdentities.findFirst({
    where: and(eq(oauthIdentities.provider, id.provider), eq(oauthIdentities.subject, id.subject)),
  });
  if (linked) {
    const user = await findUser(db, linked.userId);
    if (user) return { user };
  }
  let user = await findUserByEmail(db, id.email);
  let event: Envelope | undefined;
  if (!user) {
    try {
      ({ user, event } = await createUser(
        db,
        { email: id.email, name: id.name, passwordHash: null },
        registered(db, caller, id.provider),
        now,
      ));
    } catch (err) {
      // Someone signed up with this email a moment ago: link to that account instead.
      if (!(err instanceof Problem && err.code === 'conflict')) throw err;
      user = await findUserByEmail(db, id.email);
      if (!user) throw err;
    }
  }
  await db
    .insert(oauthIdentities)
    .values({ provider: id.provider, subject: id.subject, userId: user.id, email: id.email, createdAt: now })
    .onConflictDoNothing();
  return event ? { user, registered: event } : { user };
}
