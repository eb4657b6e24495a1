/**
 * The auth service's side of the shared transactional outbox (queues/outbox.ts): an event is staged
 * in the same D1 batch as the change it reports and sent after the response.
 */
import type { EventData, EventType } from '../../../../queues/events.ts';
import { type StagedEvent, stageEvent } from '../../../../queues/outbox.ts';
import type { Caller } from '../../../lib/api.ts';
import type { Db } from './db/client.ts';

export { deliver, deliverLater, type StagedEvent, stageEventIf } from '../../../../queues/outbox.ts';

export const SOURCE = 'auth';

export function stage<T extends EventType>(
  db: Db,
  caller: Pick<Caller, 'traceparent'> | undefined,
  type: T,
  subject: string,
  data: EventData<T>,
): StagedEvent<T> {
  return stageEvent(db, SOURCE, type, subject, data, caller?.traceparent);
}
