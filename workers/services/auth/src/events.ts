import type { EventData, EventType } from '../../../../queues/events.ts';
import { recordAndDeliver } from '../../../../queues/outbox.ts';
import type { Caller } from '../../../lib/api.ts';
import { errorFields, log } from '../../../lib/log.ts';
import { database } from './db/client.ts';
import type { Env } from './env.ts';

/**
 * Publishes a domain event of the auth service through the outbox. The state change it reports is
 * already committed, so a queue outage leaves the event for the scheduled sweep and never fails
 * the request.
 */
export async function announce<T extends EventType>(
  env: Env,
  caller: Pick<Caller, 'traceparent'> | undefined,
  type: T,
  subject: string,
  data: EventData<T>,
): Promise<void> {
  try {
    await recordAndDeliver(env, database(env.DB), 'auth', type, subject, data, caller?.traceparent);
  } catch (err) {
    log('error', 'event not published', { type, subject, ...errorFields(err) });
  }
}
