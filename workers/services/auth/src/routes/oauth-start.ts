import { implement } from '../../../../lib/api.ts';
import { config } from '../config.ts';
import { oauthStart } from '../contract/oauth.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { bindingCookie, purgeExpiredFlows, startFlow } from '../oauth/flows.ts';
import { callbackUrl, provider } from '../oauth/providers.ts';
import { allowedRedirect } from '../oauth/redirects.ts';

export const oauthStartHandler = implement(
  oauthStart,
  async ({ params, query, headers }, caller, env: Env, ctx) => {
    const cfg = config(env);
    const p = provider(env, params.provider);
    const db = database(env.DB);
    const redirectUri = allowedRedirect(query.redirect_uri, caller.origin, cfg.oauthRedirectOrigins);
    const flow = await startFlow(db, p.name, {
      cookieHeader: headers.cookie,
      redirectUri,
      ttlMs: cfg.oauthFlowTtlMs,
    });
    ctx.waitUntil(purgeExpiredFlows(db).catch(() => undefined));
    const url = new URL(p.authorizationUrl);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: p.clientId,
      redirect_uri: callbackUrl(caller.origin, p.name),
      scope: p.scope,
      state: flow.state,
      code_challenge: flow.codeChallenge,
      code_challenge_method: 'S256',
      ...(p.name === 'google' ? { nonce: flow.nonce } : {}),
    }).toString();
    return {
      status: 302,
      headers: {
        Location: url.toString(),
        'Set-Cookie': bindingCookie(flow.binding, caller.origin, Math.ceil(cfg.oauthFlowTtlMs / 1000)),
        'Cache-Control': 'no-store',
      },
    };
  },
);
