import { markProcessed } from './interactions.ts';

/** UserDeleted: the account's interactions, cache version and precomputed lists go. */
export async function forgetUser(db: D1Database, eventId: string, userId: string): Promise<void> {
  await db.batch([
    db.prepare('DELETE FROM interactions WHERE user_id = ?').bind(userId),
    db.prepare('DELETE FROM user_versions WHERE user_id = ?').bind(userId),
    db.prepare('DELETE FROM model_user_recs WHERE user_id = ?').bind(userId),
    markProcessed(db, eventId),
  ]);
}
