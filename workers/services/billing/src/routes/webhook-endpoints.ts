/** Admins register, read, change and delete outbound webhook endpoints. */
import { implement, json, noContent } from '../../../../lib/api.ts';
import { errorFields, log } from '../../../../lib/log.ts';
import type { Env } from '../config.ts';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  replaceWebhookEndpoint,
  updateWebhookEndpoint,
} from '../contract/webhooks.ts';
import { database } from '../db/client.ts';
import { requireBillingAdmin } from '../webhooks/access.ts';
import {
  allowedUrl,
  changeEndpoint,
  createEndpoint,
  deleteEndpoint,
  type EndpointChanges,
  endpointView,
  findEndpoint,
  listEndpoints,
} from '../webhooks/endpoints.ts';
import { endpointQueue } from '../webhooks/queue.ts';
import { webhookSettings } from '../webhooks/settings.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const createWebhookEndpointHandler = implement(
  createWebhookEndpoint,
  async (input, caller, env: Env) => {
    requireBillingAdmin(caller);
    const url = allowedUrl(input.body.url, webhookSettings(env).ENVIRONMENT);
    const { row, secret } = await createEndpoint(database(env.DB), { ...input.body, url }, caller);
    return json(201, { ...endpointView(row), secret });
  },
);

export const listWebhookEndpointsHandler = implement(
  listWebhookEndpoints,
  async (input, caller, env: Env) => {
    requireBillingAdmin(caller);
    const { endpoints, total } = await listEndpoints(database(env.DB), input.query);
    return { status: 200, body: endpoints, total };
  },
);

export const getWebhookEndpointHandler = implement(getWebhookEndpoint, async (input, caller, env: Env) => {
  requireBillingAdmin(caller);
  const row = await findEndpoint(database(env.DB), input.params.id);
  const queue = await endpointQueue(env, row.id).status();
  return json(200, {
    ...endpointView(row),
    queue: {
      pending: queue.pending,
      nextAttemptAt: iso(queue.nextAttemptAt),
      failingSince: iso(queue.failingSince),
      lastSuccessAt: iso(queue.lastSuccessAt),
    },
  });
});

/** Saves the changes; a queue that may deliver again (enabled, or moved to a new URL) resumes now. */
async function applyChanges(
  env: Env,
  id: string,
  changes: EndpointChanges,
  caller: Parameters<typeof changeEndpoint>[3],
) {
  if (changes.url !== undefined) changes.url = allowedUrl(changes.url, webhookSettings(env).ENVIRONMENT);
  const { before, after } = await changeEndpoint(database(env.DB), id, changes, caller);
  if (after.enabled && (!before.enabled || before.url !== after.url)) await endpointQueue(env, id).resume(id);
  return json(200, endpointView(after));
}

export const updateWebhookEndpointHandler = implement(
  updateWebhookEndpoint,
  async (input, caller, env: Env) => {
    requireBillingAdmin(caller);
    return applyChanges(env, input.params.id, { ...input.body }, caller);
  },
);

export const replaceWebhookEndpointHandler = implement(
  replaceWebhookEndpoint,
  async (input, caller, env: Env) => {
    requireBillingAdmin(caller);
    return applyChanges(env, input.params.id, { ...input.body }, caller);
  },
);

export const deleteWebhookEndpointHandler = implement(
  deleteWebhookEndpoint,
  async (input, caller, env: Env) => {
    requireBillingAdmin(caller);
    const id = input.params.id;
    await deleteEndpoint(database(env.DB), id, caller);
    // Without its row the queue forgets itself at its next alarm anyway.
    await endpointQueue(env, id)
      .destroy()
      .catch((err: unknown) =>
        log('warn', 'webhook queue not cleared', { endpointId: id, ...errorFields(err) }),
      );
    return noContent;
  },
);
