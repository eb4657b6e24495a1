/** The playback service's side of the shared transactional outbox (queues/outbox.ts). */
import type { EventData, EventType } from '../../../../queues/events.ts';
import { deliverLater, outboxOf } from '../../../../queues/outbox.ts';
import type { WorkContext } from '../../../lib/api.ts';
import type { Env } from './config.ts';
import { database } from './db/client.ts';

const { stageEvent } = outboxOf('playback');

/** Records a playback event in the outbox and sends it after the response. */
export async function publishEvent<T extends EventType>(
  env: Env,
  ctx: WorkContext,
  type: T,
  subject: string,
  data: EventData<T>,
  traceparent?: string,
): Promise<void> {
  const db = database(env.DB);
  const staged = stageEvent(db, type, subject, data, traceparent);
  await staged.insert;
  deliverLater(ctx, env as never, db as never, [staged.event]);
}
