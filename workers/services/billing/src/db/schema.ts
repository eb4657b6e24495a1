/** The billing database (migrations/billing/, checked against this schema by test/schema.test.ts). */

/** The transactional outbox, shared by every publishing service. */
export { outbox } from '../../../../../queues/outbox.ts';

/** Outbound webhooks: endpoints, their audit trail, events handed to their queues. */
export * from './webhook-tables.ts';
