import { implement, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { type Env, settings } from '../config.ts';
import { getSubscription } from '../contract/subscriptions.ts';
import { database } from '../db/client.ts';
import { requirePlan } from '../plans.ts';
import { currentSubscription, subscriptionView } from '../subscriptions.ts';

export const getSubscriptionHandler = implement(getSubscription, async (input, _caller, env: Env) => {
  const db = database(env.DB);
  const row = await currentSubscription(db, input.params.userId);
  if (!row) throw Problem.notFound('This user has no subscription.');
  const plan = await requirePlan(db, row.planId);
  return json(200, subscriptionView(row, plan, settings(env).DUNNING_GRACE_DAYS));
});
