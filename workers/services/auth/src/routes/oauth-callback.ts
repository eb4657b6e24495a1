import { implement, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { oauthCallback } from '../contract/oauth.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { deliverLater, stage } from '../events.ts';
import { accountFor } from '../oauth/accounts.ts';
import { spendFlow } from '../oauth/flows.ts';
import { githubIdentity } from '../oauth/github.ts';
import { googleIdentity } from '../oauth/google.ts';
import { callbackUrl, provider } from '../oauth/providers.ts';
import { openSession, TOKEN_HEADERS } from '../sessions.ts';

export const oauthCallbackHandler = implement(
  oauthCallback,
  async ({ params, query, headers }, caller, env: Env, ctx) => {
    const p = provider(env, params.provider);
    const db = database(env.DB);
    if (!query.state) throw Problem.badRequest('The callback carries no state.');
    const spent = await spendFlow(db, p.name, query.state, headers.cookie);
    if (!spent.ok) {
      throw Problem.badRequest(
        spent.reason === 'foreign_browser'
          ? 'This sign-in was started in another browser.'
          : 'The sign-in attempt is unknown, expired or already finished; start again.',
      );
    }
    if (query.error) throw Problem.badRequest(`The identity provider refused the sign-in (${query.error}).`);
    if (!query.code) throw Problem.badRequest('The callback carries no authorization code.');
    const { flow } = spent;
    const exchange = {
      code: query.code,
      redirectUri: callbackUrl(caller.origin, p.name),
      codeVerifier: flow.codeVerifier,
      nonce: flow.nonce,
    };
    const identity =
      p.name === 'google' ? await googleIdentity(p, exchange) : await githubIdentity(p, exchange);
    const { user, registered } = await accountFor(db, identity, caller);
    const loggedIn = stage(db, caller, 'UserLoggedIn', user.id, { userId: user.id, method: p.name });
    const session = await openSession(env, db, user, p.name, [loggedIn]);
    deliverLater(ctx, env, db, registered ? [registered, loggedIn.event] : [loggedIn.event]);
    const result = { userId: user.id, email: user.email, ...session };
    return flow.redirectUri ? redirectWithTokens(flow.redirectUri, result) : json(200, result, TOKEN_HEADERS);
  },
);

/** Tokens go in the fragment: browsers never send it to a server or put it in a Referer. */
function redirectWithTokens(to: string, result: Record<string, string | number>) {
  const fragment = new URLSearchParams(Object.entries(result).map(([k, v]) => [k, String(v)]));
  return {
    status: 302 as const,
    headers: { ...TOKEN_HEADERS, Location: `${to}#${fragment}`, 'Referrer-Policy': 'no-referrer' },
  };
}
