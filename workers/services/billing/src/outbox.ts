/** The billing service's side of the shared transactional outbox (queues/outbox.ts). */
import type { SQL } from 'drizzle-orm';
import type { Envelope, EventData, EventType } from '../../../../queues/events.ts';
import {
  deliver,
  type StagedEvent,
  stageEvent as stage,
  stageEventIf as stageIf,
} from '../../../../queues/outbox.ts';
import type { WorkContext } from '../../../lib/api.ts';
import { errorFields, log } from '../../../lib/log.ts';
import type { Env } from './config.ts';
import type { Db } from './db/client.ts';
import { notifyEndpoints } from './notify.ts';

export type { StagedEvent } from '../../../../queues/outbox.ts';

export const SOURCE = 'billing';

export function stageEvent<T extends EventType>(
  db: Db,
  type: T,
  subject: string,
  data: EventData<T>,
  traceparent?: string,
): StagedEvent<T> {
  return stage(db, SOURCE, type, subject, data, traceparent);
}

/** Staged only if `guard` holds when the batch runs (e.g. the state change it reports applied). */
export function stageEventIf<T extends EventType>(
  db: Db,
  guard: SQL,
  type: T,
  subject: string,
  data: EventData<T>,
  traceparent?: string,
): StagedEvent<T> {
  return stageIf(db, SOURCE, guard, type, subject, data, traceparent);
}

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
