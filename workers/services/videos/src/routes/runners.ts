/** The admin's view of the runner fleet: who is registered, what each holds, draining and revoking one. */
import { implement, json } from '../../../../lib/api.ts';
import type { Env } from '../config.ts';
import { drainRunner, listRunners, revokeRunner, undrainRunner } from '../contract/runners.ts';
import { database } from '../db/client.ts';
import type { RunnerRow } from '../runner-access.ts';
import {
  heldJobs,
  listRunners as registeredRunners,
  revokeRunner as revoke,
  runnerView,
  setDrained,
} from '../runners.ts';

async function view(env: Env, row: RunnerRow) {
  return json(200, runnerView(row, await heldJobs(database(env.DB))));
}

export const listRunnersHandler = implement(listRunners, async (_input, _caller, env: Env) => {
  const db = database(env.DB);
  const [rows, holding] = await Promise.all([registeredRunners(db), heldJobs(db)]);
  return json(
    200,
    rows.map((r) => runnerView(r, holding)),
  );
});

export const revokeRunnerHandler = implement(revokeRunner, async (input, caller, env: Env) =>
  view(env, await revoke(env, input.params.runnerId, caller)),
);

export const drainRunnerHandler = implement(drainRunner, async (input, caller, env: Env) =>
  view(env, await setDrained(env, input.params.runnerId, true, caller)),
);

export const undrainRunnerHandler = implement(undrainRunner, async (input, caller, env: Env) =>
  view(env, await setDrained(env, input.params.runnerId, false, caller)),
);
