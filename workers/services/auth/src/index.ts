/**
 * The auth service: users, credentials, refresh-token families, roles, API keys, JWKS. The gateway
 * calls `handle(routeId, input, caller)` for public routes, `jwks()`, `tokensNotBefore()` and
 * `verifyApiKey()` at the door, and `ready()` for /readyz.
 */

import type { Caller, Reply, RouteInput } from '../../../lib/api.ts';
import { log } from '../../../lib/log.ts';
import { defineService } from '../../../lib/service.ts';
import { seedAdminOnce } from './admin-seed.ts';
import { verifyApiKey } from './api-keys.ts';
import { config, settings } from './config.ts';
import { contract } from './contract.ts';
import { database } from './db/client.ts';
import type { Env } from './env.ts';
import { purgeExpired } from './housekeeping.ts';
import { wrappingKey } from './key-wrap.ts';
import { mailReady } from './mail/send.ts';
import { burnVerification } from './passwords.ts';
import { tokensNotBefore } from './revocation.ts';
import { createApiKeyHandler, listApiKeysHandler, revokeApiKeyHandler } from './routes/api-keys.ts';
import { deleteUserHandler } from './routes/delete-user.ts';
import { loginHandler } from './routes/login.ts';
import { logoutHandler } from './routes/logout.ts';
import { mailboxHandler } from './routes/mailbox.ts';
import { meHandler } from './routes/me.ts';
import { oauthCallbackHandler } from './routes/oauth-callback.ts';
import { oauthStartHandler } from './routes/oauth-start.ts';
import { completePasswordResetHandler, requestPasswordResetHandler } from './routes/password-reset.ts';
import { refreshHandler } from './routes/refresh.ts';
import { jwksHandler, rotateSigningKeysHandler } from './routes/signing-keys.ts';
import { signupHandler } from './routes/signup.ts';
import { setRolesHandler } from './routes/user-roles.ts';
import { resendVerificationHandler, verifyEmailHandler } from './routes/verify-email.ts';
import { ensureSigningKeys, keySet, type PublicJwk } from './signing-keys.ts';

export { LoginGuard } from '../../../../durable-objects/login-guard.ts';
export type { Env } from './env.ts';

const HOURLY = '17 * * * *';

export default class AuthService extends defineService<Env>()({
  contract,
  handlers: {
    'auth.signup': signupHandler,
    'auth.login': loginHandler,
    'auth.refresh': refreshHandler,
    'auth.logout': logoutHandler,
    'auth.me': meHandler,
    'auth.requestPasswordReset': requestPasswordResetHandler,
    'auth.completePasswordReset': completePasswordResetHandler,
    'auth.verifyEmail': verifyEmailHandler,
    'auth.resendVerification': resendVerificationHandler,
    'auth.oauthStart': oauthStartHandler,
    'auth.oauthCallback': oauthCallbackHandler,
    'auth.jwks': jwksHandler,
    'auth.rotateSigningKeys': rotateSigningKeysHandler,
    'auth.setRoles': setRolesHandler,
    'auth.deleteUser': deleteUserHandler,
    'auth.createApiKey': createApiKeyHandler,
    'auth.listApiKeys': listApiKeysHandler,
    'auth.revokeApiKey': revokeApiKeyHandler,
    'auth.mailbox': mailboxHandler,
  },
  db: (env) => env.DB,
  publishes: true,
  crons: {
    /** Forget expired records (the kit's every-minute upkeep re-sends held-back events). */
    [HOURLY]: async (env) => {
      const purged = await purgeExpired(database(env.DB), config(env).refreshTokenTtlMs);
      log('info', 'expired auth records purged', purged);
    },
  },
  ready: (env) => ({
    d1: () => env.DB.prepare('SELECT 1').first(),
    admin: () => seedAdminOnce(env),
    // Fails without KEY_ENCRYPTION_KEY: without it no token can be issued.
    signingKeys: async () =>
      ensureSigningKeys(database(env.DB), await wrappingKey(settings(env).KEY_ENCRYPTION_KEY)),
    // Mail can leave: the chosen transport has what it needs.
    mail: async () => mailReady(env),
    // Loads argon2 and makes the dummy hash, so the first unknown-email login costs no more.
    argon2: () => burnVerification('', config(env).argon2),
  }),
}) {
  override async handle(routeId: string, input: RouteInput, caller: Caller): Promise<Reply> {
    await seedAdminOnce(this.env).catch(() => undefined);
    return super.handle(routeId, input, caller);
  }

  /** The JWKS the gateway verifies access tokens with. */
  async jwks(): Promise<{ keys: PublicJwk[] }> {
    return keySet(database(this.env.DB), () => wrappingKey(settings(this.env).KEY_ENCRYPTION_KEY));
  }

  /**
   * The account's tokens-not-before (epoch ms), or null when it no longer exists: the gateway
   * refuses access tokens whose `tnb` is older (src/revocation.ts).
   */
  async tokensNotBefore(userId: string): Promise<number | null> {
    return tokensNotBefore(database(this.env.DB), userId);
  }

  /** What an `X-API-Key` stands for, or null when it is unknown, revoked, expired or orphaned. */
  async verifyApiKey(key: string) {
    const found = await verifyApiKey(database(this.env.DB), key);
    if (!found) return null;
    if (found.touch) this.ctx.waitUntil(found.touch.catch(() => undefined));
    return found.verified;
  }
}
