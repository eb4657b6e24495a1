/** The runner protocol (workers/lib/runner-protocol.ts): claim, heartbeat, and the three ways a claim ends. */
import { implement, json, noContent } from '../../../../lib/api.ts';
import {
  abortJobRoute,
  claimJobRoute,
  completeJobRoute,
  failJobRoute,
  heartbeatJobRoute,
} from '../api/runners.ts';
import type { Env } from '../config.ts';
import { jobPayload } from '../job-payload.ts';
import { abortJob, claimJob, completeJob, failJob, heartbeatJob } from '../jobs.ts';
import { requireRunner } from '../runner-auth.ts';

export const claimJobHandler = implement(claimJobRoute, async (input, caller, env: Env) => {
  await requireRunner(input, env.RUNNER_TOKEN);
  const claim = await claimJob(env, input.body.runnerId);
  if (claim.kind !== 'job') return { status: 204 };
  return json(200, { job: await jobPayload(env, claim.job, claim.leaseToken, caller.origin) });
});

export const heartbeatJobHandler = implement(heartbeatJobRoute, async (input, _caller, env: Env) => {
  await requireRunner(input, env.RUNNER_TOKEN);
  const { leaseToken, ...progress } = input.body;
  const leaseExpiresAt = await heartbeatJob(env, input.params.jobId, leaseToken, progress);
  return json(200, { leaseExpiresAt: leaseExpiresAt.toISOString() });
});

export const completeJobHandler = implement(completeJobRoute, async (input, caller, env: Env, ctx) => {
  await requireRunner(input, env.RUNNER_TOKEN);
  const { leaseToken, ...outputs } = input.body;
  await completeJob(env, input.params.jobId, leaseToken, outputs, caller.origin, (p) => ctx.waitUntil(p));
  return noContent;
});

export const failJobHandler = implement(failJobRoute, async (input, _caller, env: Env) => {
  await requireRunner(input, env.RUNNER_TOKEN);
  const { leaseToken, reason, retryable } = input.body;
  await failJob(env, input.params.jobId, leaseToken, { reason, retryable });
  return noContent;
});

export const abortJobHandler = implement(abortJobRoute, async (input, _caller, env: Env) => {
  await requireRunner(input, env.RUNNER_TOKEN);
  await abortJob(env, input.params.jobId, input.body.leaseToken, input.body.reason);
  return noContent;
});
