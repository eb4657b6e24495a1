/** The runner protocol (runner-contract.ts): claim, heartbeat, and the three ways a claim ends. */
import { implement, json, noContent } from '../../../../lib/api.ts';
import type { Env } from '../config.ts';
import { claimJob, jobAborted, jobFailed, jobSucceeded, updateJob } from '../contract/runners.ts';
import { jobPayload } from '../job-payload.ts';
import { abortJob, claimNextJob, completeJob, extendLease, failJob } from '../jobs.ts';
import { requireRunner } from '../runner-auth.ts';

export const claimJobHandler = implement(claimJob, async (input, caller, env: Env) => {
  await requireRunner(input, env.RUNNER_TOKEN);
  // maxJobs is a capacity hint; each claim hands out one job, and runners with room ask again.
  const claim = await claimNextJob(env, input.body.runnerId);
  if (claim.kind !== 'job') return { status: 204 };
  return json(200, { job: await jobPayload(env, claim.job, claim.leaseToken, caller.origin) });
});

export const updateJobHandler = implement(updateJob, async (input, _caller, env: Env) => {
  await requireRunner(input, env.RUNNER_TOKEN);
  const { leaseToken, ...progress } = input.body;
  const leaseExpiresAt = await extendLease(env, input.params.jobId, leaseToken, progress);
  return json(200, { leaseExpiresAt: leaseExpiresAt.toISOString() });
});

export const jobSucceededHandler = implement(jobSucceeded, async (input, caller, env: Env, ctx) => {
  await requireRunner(input, env.RUNNER_TOKEN);
  const { leaseToken, ...result } = input.body;
  await completeJob(env, input.params.jobId, leaseToken, result, caller.origin, (p) => ctx.waitUntil(p));
  return noContent;
});

export const jobFailedHandler = implement(jobFailed, async (input, _caller, env: Env) => {
  await requireRunner(input, env.RUNNER_TOKEN);
  const { leaseToken, reason, retryable } = input.body;
  await failJob(env, input.params.jobId, leaseToken, { reason, retryable });
  return noContent;
});

export const jobAbortedHandler = implement(jobAborted, async (input, _caller, env: Env) => {
  await requireRunner(input, env.RUNNER_TOKEN);
  await abortJob(env, input.params.jobId, input.body.leaseToken, input.body.reason);
  return noContent;
});
