/** A session is a refresh family plus the access tokens minted from it. */

import { Problem } from '../../../lib/problem.ts';
import { config, settings } from './config.ts';
import type { Db } from './db/client.ts';
import type { LoginMethod, User } from './db/schema.ts';
import type { Env } from './env.ts';
import type { StagedEvent } from './events.ts';
import { wrappingKey } from './key-wrap.ts';
import { rotate, startFamily } from './refresh-families.ts';
import { currentSigningKey } from './signing-keys.ts';
import { signAccessToken } from './tokens.ts';
import { findUser, rolesOf } from './users.ts';

export interface TokenPair {
  token: string;
  refreshToken: string;
  expiresIn: number;
}

/** RFC 6749 §5.1: responses carrying tokens must not be cached. */
export const TOKEN_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

async function accessToken(env: Env, db: Db, user: User, sessionId: string) {
  const s = settings(env);
  const key = await currentSigningKey(db, await wrappingKey(s.KEY_ENCRYPTION_KEY));
  return signAccessToken(
    key,
    { userId: user.id, roles: rolesOf(user), sessionId, tokensNotBefore: user.tokensNotBefore },
    { issuer: s.JWT_ISSUER, audience: s.JWT_AUDIENCE, ttlSec: config(env).accessTokenTtlSec },
  );
}

/** Starts a refresh family; `alongside` are events written in the same batch (e.g. UserLoggedIn). */
export async function openSession(
  env: Env,
  db: Db,
  user: User,
  method: LoginMethod,
  alongside: StagedEvent[] = [],
): Promise<TokenPair> {
  const { familyId, refreshToken } = await startFamily(
    db,
    user.id,
    method,
    config(env).refreshTokenTtlMs,
    alongside,
  );
  const { token, expiresIn } = await accessToken(env, db, user, familyId);
  return { token, refreshToken, expiresIn };
}

/** Spends the refresh token and answers a new pair; roles are read fresh from the account. */
export async function refreshSession(env: Env, db: Db, presented: string): Promise<TokenPair> {
  const spent = await rotate(db, presented, config(env).refreshTokenTtlMs);
  const user = await findUser(db, spent.userId);
  if (!user) throw Problem.unauthorized('The account of this session no longer exists.');
  const { token, expiresIn } = await accessToken(env, db, user, spent.familyId);
  return { token, refreshToken: spent.refreshToken, expiresIn };
}
