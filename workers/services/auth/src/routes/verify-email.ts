import { implement, noContent } from '../../../../lib/api.ts';
import { errorFields, log } from '../../../../lib/log.ts';
import { Problem } from '../../../../lib/problem.ts';
import { resendVerification, verifyEmail } from '../contract/email-verification.ts';
import { database } from '../db/client.ts';
import { sendVerification, verifyEmail as spendVerification } from '../email-verification.ts';
import type { Env } from '../env.ts';
import { findUser } from '../users.ts';

export const verifyEmailHandler = implement(verifyEmail, async ({ body }, _caller, env: Env) => {
  await spendVerification(database(env.DB), body.token);
  return noContent;
});

export const resendVerificationHandler = implement(
  resendVerification,
  async (_input, caller, env: Env, ctx) => {
    const db = database(env.DB);
    const user = caller.userId ? await findUser(db, caller.userId) : undefined;
    if (!user) throw Problem.unauthorized('The account behind this token no longer exists.');
    ctx.waitUntil(
      sendVerification(env, db, user, caller.origin).catch((err) =>
        log('error', 'verification mail failed', { requestId: caller.requestId, ...errorFields(err) }),
      ),
    );
    return { status: 202 };
  },
);
