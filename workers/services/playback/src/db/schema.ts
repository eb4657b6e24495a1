/** The playback database (migrations/playback/, checked against this schema by test/schema.test.ts). */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** The transactional outbox, shared by every publishing service. */
export { outbox } from '../../../../../queues/outbox.ts';

const ms = (name: string) => integer(name, { mode: 'timestamp_ms' });

/**
 * One AES-128 content key per video (src/keys.ts). The key itself is never stored in clear:
 * `wrapped_key` is AES-GCM(master key `master_version`, key) with `wrap_iv`, bound to the video and
 * key id as additional data. `iv_hex` is the HLS IV the segments were encrypted with (not secret).
 */
export const contentKeys = sqliteTable(
  'content_keys',
  {
    videoId: text('video_id').primaryKey(),
    keyId: text('key_id').notNull(),
    wrappedKey: text('wrapped_key').notNull(),
    wrapIv: text('wrap_iv').notNull(),
    ivHex: text('iv_hex').notNull(),
    masterVersion: integer('master_version').notNull(),
    createdAt: ms('created_at').notNull(),
    rewrappedAt: ms('rewrapped_at'),
  },
  (t) => [
    uniqueIndex('content_keys_key_id').on(t.keyId),
    index('content_keys_master_version').on(t.masterVersion),
  ],
);
