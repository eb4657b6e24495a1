import type { EventData, EventType } from '../../../../queues/events.ts';
import { publish } from '../../../../queues/publish.ts';
import type { Caller } from '../../../lib/api.ts';
import { errorFields, log } from '../../../lib/log.ts';
import type { Env } from './env.ts';

/**
 * Publishes a domain event of the auth service. The state change it reports is already committed,
 * so a queue outage is logged rather than turned into a failed request.
 */
export async function announce<T extends EventType>(
  env: Env,
  caller: Pick<Caller, 'traceparent'> | undefined,
  type: T,
  subject: string,
  data: EventData<T>,
): Promise<void> {
  try {
    await publish(env, type, subject, data, { source: 'auth', traceparent: caller?.traceparent });
  } catch (err) {
    log('error', 'event not published', { type, subject, ...errorFields(err) });
  }
}
