/**
 * Waiting for the videos service's event queue to catch up, by an observable fact rather than a
 * sleep. A redelivered event leaves nothing behind (its id was processed already, so the consumer
 * just acknowledges it), so a marker follows it through the same queue: a throwaway video's
 * VideoDeleted, sent after everything the test is waiting on. The local queue hands messages to
 * the consumer in order, one batch after the other, so once the marker's processed-event record
 * exists in the videos database, everything sent before it has been processed too.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { expect, inject } from 'vitest';
import { api } from './http.ts';
import { adminToken, createVideo } from './videos-api.ts';

function withVideosDb<T>(read: (db: DatabaseSync) => T): T {
  const dir = path.join(inject('stateDir'), 'v3', 'd1', 'miniflare-D1DatabaseObject');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite')) {
    const db = new DatabaseSync(path.join(dir, file), { readOnly: true });
    try {
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'videos'").get()) return read(db);
    } finally {
      db.close();
    }
  }
  throw new Error('no videos database in the local state');
}

/** How many times the outbox sent the events of this type about this subject (re-sends included). */
export function timesSent(type: string, subject: string): number {
  return withVideosDb((db) => {
    const row = db
      .prepare('SELECT coalesce(sum(send_attempts), 0) AS n FROM outbox WHERE type = ? AND subject = ?')
      .get(type, subject) as { n: number };
    return Number(row.n);
  });
}

/** Resolves once every event sent to the videos-events queue before the call has been processed. */
export async function videoEventsProcessed(timeoutMs = 30_000): Promise<void> {
  const { videoId } = await createVideo({ title: 'queue marker' });
  const removed = await api('DELETE', `/videos/${videoId}`, { token: await adminToken() });
  expect(removed.status).toBe(204);
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const processed = withVideosDb((db) => {
      // The consumer creates its processed-events table on its first batch.
      if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = '_events_processed'").get()) return false;
      return Boolean(
        db
          .prepare(
            `SELECT 1 FROM outbox o JOIN _events_processed p ON p.event_id = o.id AND p.queue = 'videos-events'
             WHERE o.type = 'VideoDeleted' AND o.subject = ?`,
          )
          .get(videoId),
      );
    });
    if (processed) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the videos-events queue did not reach the marker (video ${videoId}) in ${timeoutMs} ms`);
}
