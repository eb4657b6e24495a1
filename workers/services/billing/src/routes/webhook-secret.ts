import { implement, json } from '../../../../lib/api.ts';
import type { Env } from '../config.ts';
import { rotateWebhookSecret } from '../contract/webhooks.ts';
import { database } from '../db/client.ts';
import { requireBillingAdmin } from '../webhooks/access.ts';
import { rotateSecret } from '../webhooks/endpoints.ts';

export const rotateWebhookSecretHandler = implement(rotateWebhookSecret, async (input, caller, env: Env) => {
  requireBillingAdmin(caller);
  return json(200, await rotateSecret(database(env.DB), input.params.id, caller));
});
