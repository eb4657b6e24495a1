/** Registration tokens for runners (admin): created and shown once, listed without the token, revoked. */
import { implement, json, noContent } from '../../../../lib/api.ts';
import type { Env } from '../config.ts';
import {
  createRunnerRegistrationToken,
  listRunnerRegistrationTokens,
  revokeRunnerRegistrationToken,
} from '../contract/runners.ts';
import {
  createRegistrationToken,
  listRegistrationTokens,
  registrationTokenView,
  revokeRegistrationToken,
} from '../runners.ts';

export const createRegistrationTokenHandler = implement(
  createRunnerRegistrationToken,
  async (input, caller, env: Env) => {
    const { row, registrationToken } = await createRegistrationToken(env, input.body, caller);
    return json(201, { ...registrationTokenView(row), registrationToken });
  },
);

export const listRegistrationTokensHandler = implement(
  listRunnerRegistrationTokens,
  async (_input, _caller, env: Env) => {
    const now = new Date();
    return json(
      200,
      (await listRegistrationTokens(env)).map((row) => registrationTokenView(row, now)),
    );
  },
);

export const revokeRegistrationTokenHandler = implement(
  revokeRunnerRegistrationToken,
  async (input, caller, env: Env) => {
    await revokeRegistrationToken(env, input.params.tokenId, caller);
    return noContent;
  },
);
