import { implement, noContent } from '../../../../lib/api.ts';
import { errorFields, log } from '../../../../lib/log.ts';
import { completePasswordReset, requestPasswordReset } from '../contract/password-reset.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { completeReset, requestReset } from '../password-reset.ts';

export const requestPasswordResetHandler = implement(
  requestPasswordReset,
  async ({ body }, caller, env: Env, ctx) => {
    // The work runs after the answer, so its timing says nothing about whether the account exists.
    const work = requestReset(env, database(env.DB), {
      email: body.email,
      origin: caller.origin,
      traceparent: caller.traceparent,
    }).catch((err) =>
      log('error', 'password reset request failed', { requestId: caller.requestId, ...errorFields(err) }),
    );
    ctx.waitUntil(work);
    return { status: 202 };
  },
);

export const completePasswordResetHandler = implement(
  completePasswordReset,
  async ({ body }, caller, env: Env) => {
    await completeReset(env, database(env.DB), body.token, body.newPassword, caller.ip);
    return noContent;
  },
);
