import { implement, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import type { Env } from '../config.ts';
import { getTrainJob, train } from '../contract.ts';
import { createJob, getJob, runJob, TrainingBusy } from '../training.ts';

export const trainHandler = implement(train, async (input, _caller, env: Env, ctx) => {
  let jobId: string;
  try {
    jobId = await createJob(env.DB, input.body.modelType, 'api');
  } catch (err) {
    if (err instanceof TrainingBusy) throw Problem.conflict(err.message);
    throw err;
  }
  const job = (await getJob(env.DB, jobId))!;
  // Training runs after the answer; its outcome is the job's status.
  ctx.waitUntil(runJob(env, jobId));
  return json(202, job, { Location: `/recs/train/${jobId}` });
});

export const trainJobHandler = implement(getTrainJob, async (input, _caller, env: Env) => {
  const job = await getJob(env.DB, input.params.jobId);
  if (!job) throw Problem.notFound(`No training job ${input.params.jobId}.`);
  return json(200, job);
});
