/** The billing service's side of the shared transactional outbox (queues/outbox.ts). */
import type { Envelope } from '../../../../queues/events.ts';
import { deliver, outboxOf } from '../../../../queues/outbox.ts';
import type { WorkContext } from '../../../lib/api.ts';
import { errorFields, log } from '../../../lib/log.ts';
import type { Env } from './config.ts';
import type { Db } from './db/client.ts';
import { notifyEndpoints } from './notify.ts';

export type { StagedEvent } from '../../../../queues/outbox.ts';

export const { stageEventIf } = outboxOf('billing');

/**
 * After the batch that staged them committed: sends the events to their queues after the response
 * (a failed send stays in the outbox for the sweep), then hands them to the outbound webhooks.
 */
export function publish(ctx: WorkContext, env: Env, db: Db, events: Envelope[]): void {
  if (!events.length) return;
  ctx.waitUntil(
    deliver(env, db, events)
      .then(() => notifyEndpoints(env, events))
      .catch((err) => log('error', 'outbound webhook hand-off failed', errorFields(err))),
  );
}
