/** The analytics database (migrations/analytics/, checked against this schema by test/schema.test.ts). */

/** The transactional outbox, shared by every publishing service. */
export { outbox } from '../../../../../queues/outbox.ts';
