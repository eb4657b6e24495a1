/**
 * The public routes of the auth service; the gateway serves, validates and documents them. Only
 * schemas live here (the gateway bundles this file); the handlers are in src/routes/.
 */
import type { ApiRoute } from '../../../lib/api.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './contract/api-keys.ts';
import { oauthCallback, oauthStart } from './contract/oauth.ts';
import { outbox } from './contract/outbox.ts';
import { completePasswordReset, requestPasswordReset } from './contract/password-reset.ts';
import { login, logout, me, refresh, signup } from './contract/sessions.ts';
import { jwks, rotateSigningKeys } from './contract/signing-keys.ts';
import { setRoles } from './contract/users.ts';

export const routes: ApiRoute[] = [
  signup,
  login,
  refresh,
  logout,
  me,
  requestPasswordReset,
  completePasswordReset,
  oauthStart,
  oauthCallback,
  jwks,
  rotateSigningKeys,
  setRoles,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  outbox,
] as ApiRoute[];
