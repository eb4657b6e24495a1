import { implement, json } from '../../../../lib/api.ts';
import type { Env } from '../config.ts';
import { registerRunnerRoute } from '../contract/runner-jobs.ts';
import { registerRunner } from '../runners.ts';

/** Public at the gateway: the registration token in the body is the credential. */
export const registerRunnerHandler = implement(registerRunnerRoute, async (input, caller, env: Env) => {
  const { runner, runnerToken } = await registerRunner(env, input.body, caller);
  return json(201, { runnerId: runner.id, runnerToken });
});
