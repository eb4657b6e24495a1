/**
 * The public routes of the auth service; the gateway serves, validates and documents them. Only
 * schemas live here (the gateway bundles this file); the handlers are in src/routes/.
 */
import { defineContract } from '../../../lib/api.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './contract/api-keys.ts';
import { resendVerification, verifyEmail } from './contract/email-verification.ts';
import { mailbox } from './contract/mailbox.ts';
import { oauthCallback, oauthStart } from './contract/oauth.ts';
import { completePasswordReset, requestPasswordReset } from './contract/password-reset.ts';
import { login, logout, me, refresh, signup } from './contract/sessions.ts';
import { jwks, rotateSigningKeys } from './contract/signing-keys.ts';
import { deleteUser, setRoles } from './contract/users.ts';

export const contract = defineContract('auth', [
  signup,
  login,
  refresh,
  logout,
  me,
  requestPasswordReset,
  completePasswordReset,
  verifyEmail,
  resendVerification,
  oauthStart,
  oauthCallback,
  jwks,
  rotateSigningKeys,
  setRoles,
  deleteUser,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  mailbox,
]);
