import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { Problem } from '../../../lib/problem.ts';
import { database } from '../src/db/client.ts';
import { accountFor } from '../src/oauth/accounts.ts';
import type { Identity } from '../src/oauth/providers.ts';
import { call, mailFor, signup, uniqueEmail, userCaller } from './support/service.ts';

const db = () => database(env.DB);
const caller = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };

function identity(email: string, over: Partial<Identity> = {}): Identity {
  return {
    provider: 'google',
    subject: `sub-${crypto.randomUUID()}`,
    email,
    emailVerified: true,
    name: 'Via Google',
    ...over,
  };
}

async function signIn(id: Identity) {
  try {
    return await accountFor(db(), id, caller);
  } catch (err) {
    if (err instanceof Problem) return err;
    throw err;
  }
}

async function links(userId: string) {
  const { results } = await env.DB.prepare('SELECT provider, subject FROM oauth_identities WHERE user_id = ?')
    .bind(userId)
    .all();
  return results;
}

async function verified(userId: string) {
  const { token } = await mailFor(
    ((await call('auth.me', {}, userCaller(userId))).body as { email: string }).email,
    'email_verification',
  );
  expect((await call('auth.verifyEmail', { body: { token } })).status).toBe(204);
}

describe('linking a provider identity to an existing account', () => {
  it('signing in with Google cannot take over an account whose email is not verified', async () => {
    const victim = await signup();
    const outcome = await signIn(identity(victim.email));
    expect(outcome).toBeInstanceOf(Problem);
    const problem = outcome as Problem;
    expect(problem.status).toBe(409);
    expect(problem.message).toMatch(/not verified/);
    expect(problem.message).toMatch(/password/);
    expect(await links(victim.userId)).toEqual([]);
  });

  it('signing in with GitHub cannot take over an account whose email is not verified', async () => {
    const victim = await signup();
    const outcome = await signIn(identity(victim.email.toUpperCase(), { provider: 'github' }));
    expect((outcome as Problem).status).toBe(409);
    expect(await links(victim.userId)).toEqual([]);
  });

  it('a provider that does not vouch for the email cannot link even to a verified account', async () => {
    const owner = await signup();
    await verified(owner.userId);
    const outcome = await signIn(identity(owner.email, { emailVerified: false }));
    expect((outcome as Problem).status).toBe(403);
    expect(await links(owner.userId)).toEqual([]);
  });

  it('links when both the account and the provider vouch for the email', async () => {
    const owner = await signup();
    await verified(owner.userId);
    const id = identity(owner.email);
    const outcome = await signIn(id);
    expect(outcome).toMatchObject({ user: { id: owner.userId } });
    expect(await links(owner.userId)).toEqual([{ provider: 'google', subject: id.subject }]);
    // The link holds from then on.
    expect(await signIn(id)).toMatchObject({ user: { id: owner.userId } });
  });

  it('a new account made by a provider-verified sign-in is verified', async () => {
    const outcome = await signIn(identity(uniqueEmail('fresh-google')));
    const { user } = outcome as { user: { id: string } };
    const me = await call('auth.me', {}, userCaller(user.id));
    expect(me.body).toMatchObject({ emailVerified: true });
  });

  it('an unverified provider email creates no account', async () => {
    const email = uniqueEmail('unverified-google');
    const outcome = await signIn(identity(email, { emailVerified: false }));
    expect((outcome as Problem).status).toBe(403);
    const row = await env.DB.prepare('SELECT id FROM users WHERE email_normalized = ?').bind(email).first();
    expect(row).toBeNull();
  });
});
