/**
 * Turns a provider identity into an account: the identity's known account, else the account with
 * the same email, else a new viewer account without a password.
 *
 * Joining an existing account is account takeover unless both sides vouch for the address: the
 * provider says the email is verified, and the account proved it receives mail there (a spent
 * verification token or password reset). Otherwise anyone who registered the address first
 * (without owning it), or a provider account with an unproven address, would share the account.
 */
import { and, eq } from 'drizzle-orm';
import type { Envelope } from '../../../../../queues/events.ts';
import type { Caller } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import type { Db } from '../db/client.ts';
import { oauthIdentities, type User } from '../db/schema.ts';
import { createUser, findUser, findUserByEmail, registered } from '../users.ts';
import type { Identity } from './providers.ts';

const PROVIDER_NAMES = { google: 'Google', github: 'GitHub' } as const;

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
  if (!id.emailVerified)
    throw Problem.forbidden(`The ${PROVIDER_NAMES[id.provider]} account has no verified email address.`);
  let user = await findUserByEmail(db, id.email);
  let event: Envelope | undefined;
  if (user) {
    refuseUnverified(user, id);
  } else {
    try {
      ({ user, event } = await createUser(
        db,
        { email: id.email, name: id.name, passwordHash: null, emailVerified: true },
        registered(db, caller, id.provider),
        now,
      ));
    } catch (err) {
      // Someone signed up with this email a moment ago: that account, on the same terms.
      if (!(err instanceof Problem && err.code === 'conflict')) throw err;
      user = await findUserByEmail(db, id.email);
      if (!user) throw err;
      refuseUnverified(user, id);
    }
  }
  await db
    .insert(oauthIdentities)
    .values({ provider: id.provider, subject: id.subject, userId: user.id, email: id.email, createdAt: now })
    .onConflictDoNothing();
  return event ? { user, registered: event } : { user };
}

function refuseUnverified(user: User, id: Identity): void {
  if (user.emailVerifiedAt !== null) return;
  const provider = PROVIDER_NAMES[id.provider];
  throw Problem.conflict(
    `An account with this email address exists, but its email address is not verified, so this ` +
      `${provider} sign-in was not linked to it. Sign in with your password and verify your email ` +
      `address with the link we mailed you (or reset the password, which verifies it too), then sign ` +
      `in with ${provider} again.`,
  );
}
