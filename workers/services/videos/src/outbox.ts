/** The videos service's side of the shared transactional outbox (queues/outbox.ts). */
import type { SQL } from 'drizzle-orm';
import type { EventData, EventType } from '../../../../queues/events.ts';
import { type StagedEvent, stageEvent as stage, stageEventIf as stageIf } from '../../../../queues/outbox.ts';
import type { Db } from './db/client.ts';

export {
  deliver,
  deliverLater,
  redeliver,
  type StagedEvent,
  sweepOutbox,
} from '../../../../queues/outbox.ts';

export const SOURCE = 'videos';

export function stageEvent<T extends EventType>(
  db: Db,
  type: T,
  subject: string,
  data: EventData<T>,
  traceparent?: string,
): StagedEvent<T> {
  return stage(db, SOURCE, type, subject, data, traceparent);
}

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
