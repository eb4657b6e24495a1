import { implement, json } from '../../../../lib/api.ts';
import type { Env } from '../config.ts';
import { getEntitlement } from '../contract/subscriptions.ts';
import { entitlements } from '../entitlements.ts';

export const entitlementHandler = implement(getEntitlement, async (input, _caller, env: Env) =>
  json(200, await entitlements.get(env, input.params.userId)),
);
