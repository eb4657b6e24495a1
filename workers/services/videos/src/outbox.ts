/** The videos service's side of the shared transactional outbox (queues/outbox.ts). */
import { outboxOf } from '../../../../queues/outbox.ts';

export {
  deliver,
  deliverLater,
  redeliver,
  type StagedEvent,
  sweepOutbox,
} from '../../../../queues/outbox.ts';

const SOURCE = 'videos';

export const { stageEvent, stageEventIf } = outboxOf(SOURCE);
