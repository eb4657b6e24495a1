/** The events the analytics service consumes from its queue (analytics-events); see queues/routing.ts. */
import type { EventHandlers } from '../../../../queues/consume.ts';
import type { Env } from './config.ts';

export const analyticsEvents: EventHandlers<Env> = {};
