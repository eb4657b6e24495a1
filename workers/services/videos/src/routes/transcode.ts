import { implement, json } from '../../../../lib/api.ts';
import type { Env } from '../config.ts';
import { retryTranscode } from '../contract/videos.ts';
import { retryTranscode as requeue } from '../jobs.ts';
import { jobView } from '../videos.ts';

export const retryTranscodeHandler = implement(retryTranscode, async (input, caller, env: Env) => {
  const job = await requeue(env, input.params.id, caller);
  return json(202, jobView(job));
});
