/** The analytics database (migrations/analytics/, checked against this schema by test/schema.test.ts). */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** The transactional outbox, shared by every publishing service. */
export { outbox } from '../../../../../queues/outbox.ts';

/** The embedded event store (src/store/d1.ts writes and reads it in plain SQL). */
export const analyticsEvents = sqliteTable(
  'analytics_events',
  {
    eventId: text('event_id').primaryKey(),
    eventType: text('event_type').notNull(),
    userId: text('user_id').notNull(),
    videoId: text('video_id').notNull(),
    viewId: text('view_id').notNull(),
    timeMs: integer('time_ms').notNull(),
    source: text('source').notNull(),
    watchMs: integer('watch_ms').notNull(),
    rebufferMs: integer('rebuffer_ms').notNull(),
    metadata: text('metadata').notNull(),
    receivedMs: integer('received_ms').notNull(),
  },
  (t) => [
    index('analytics_events_type_time').on(t.eventType, t.timeMs),
    index('analytics_events_view').on(t.viewId, t.timeMs),
  ],
);
