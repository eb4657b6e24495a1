/** The events the recs service consumes from its queue (recs-events); see queues/routing.ts. */
import type { EventHandlers } from '../../../../queues/consume.ts';
import type { Env } from './config.ts';

export const recsEvents: EventHandlers<Env> = {};
