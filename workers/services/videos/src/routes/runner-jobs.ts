/** The runner protocol (workers/lib/runner-protocol.ts): claim, heartbeat, and the three ways a claim ends. */
import { json, noContent } from '../../../../lib/api.ts';
import {
  abortJobRoute,
  claimJobRoute,
  completeJobRoute,
  failJobRoute,
  heartbeatJobRoute,
} from '../contract/runner-jobs.ts';
import { jobPayload } from '../job-payload.ts';
import { abortJob, claimJob, completeJob, failJob, heartbeatJob } from '../jobs.ts';
import { implementRunnerRoute } from '../runner-access.ts';

export const claimJobHandler = implementRunnerRoute(claimJobRoute, async (_input, runner, caller, env) => {
  const claim = await claimJob(env, runner);
  if (claim.kind !== 'job') return { status: 204 };
  return json(200, { job: await jobPayload(env, claim.job, claim.leaseToken, caller.origin) });
});

export const heartbeatJobHandler = implementRunnerRoute(
  heartbeatJobRoute,
  async (input, runner, _caller, env) => {
    const { leaseToken, ...progress } = input.body;
    const lease = { runner, jobId: input.params.jobId, leaseToken };
    const leaseExpiresAt = await heartbeatJob(env, lease, progress);
    return json(200, { leaseExpiresAt: leaseExpiresAt.toISOString() });
  },
);

export const completeJobHandler = implementRunnerRoute(
  completeJobRoute,
  async (input, runner, caller, env, ctx) => {
    const { leaseToken, ...outputs } = input.body;
    const lease = { runner, jobId: input.params.jobId, leaseToken };
    await completeJob(env, lease, outputs, caller.origin, (p) => ctx.waitUntil(p));
    return noContent;
  },
);

export const failJobHandler = implementRunnerRoute(failJobRoute, async (input, runner, _caller, env, ctx) => {
  const { leaseToken, reason, retryable } = input.body;
  await failJob(env, { runner, jobId: input.params.jobId, leaseToken }, { reason, retryable }, (p) =>
    ctx.waitUntil(p),
  );
  return noContent;
});

export const abortJobHandler = implementRunnerRoute(abortJobRoute, async (input, runner, _caller, env) => {
  const { leaseToken, reason } = input.body;
  await abortJob(env, { runner, jobId: input.params.jobId, leaseToken }, reason);
  return noContent;
});
