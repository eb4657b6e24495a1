import { DurableObject } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { deliver, outboxOf } from '../queues/outbox.ts';
import { errorFields, log } from '../workers/lib/log.ts';

/** The host Worker's database, whose outbox announces the sessions that lapsed. */
interface HostEnv {
  DB: D1Database;
}

const { stageEvent } = outboxOf('playback');

/** A session frees its slot this long after its last heartbeat (or manifest request). */
export const SESSION_TTL_MS = 2 * 60 * 1000;

export interface StreamSession {
  userId: string;
  sessionId: string;
  videoId: string;
  startedAt: number;
  lastSeen: number;
}

export type OpenResult =
  | { ok: true; session: StreamSession; created: boolean; active: number }
  | { ok: false; active: number; limit: number };

/**
 * The active streams of one account; the playback Worker names one object per user. A manifest
 * request opens (or refreshes) a session, heartbeats keep it, DELETE ends it, and a session with no
 * heartbeat for SESSION_TTL_MS is dropped by the alarm (and on every call). Hosted by playback.
 */
export class StreamSessions extends DurableObject<HostEnv> {
  private async live(now: number): Promise<Map<string, StreamSession>> {
    const all = await this.ctx.storage.list<StreamSession>({ prefix: 's:' });
    const live = new Map<string, StreamSession>();
    const stale: StreamSession[] = [];
    for (const s of all.values()) {
      if (s.lastSeen + SESSION_TTL_MS <= now) stale.push(s);
      else live.set(s.sessionId, s);
    }
    if (stale.length) {
      await this.ctx.storage.delete(stale.map((s) => `s:${s.sessionId}`));
      await this.announceLapsed(stale);
    }
    return live;
  }

  /** PlaybackEnded for sessions that lapsed without a DELETE, through the host's outbox. */
  private async announceLapsed(sessions: StreamSession[]): Promise<void> {
    try {
      const db = drizzle(this.env.DB);
      const staged = sessions.map((s) =>
        stageEvent(db, 'PlaybackEnded', s.videoId, {
          userId: s.userId,
          videoId: s.videoId,
          sessionId: s.sessionId,
          watchedSec: Math.max(0, (s.lastSeen - s.startedAt) / 1000),
        }),
      );
      for (const { insert } of staged) await insert;
      this.ctx.waitUntil(
        deliver(
          this.env,
          db,
          staged.map((e) => e.event),
        ),
      );
    } catch (err) {
      log('error', 'could not announce lapsed playback sessions', errorFields(err));
    }
  }

  private async schedule(sessions: Iterable<StreamSession>): Promise<void> {
    let next = Number.POSITIVE_INFINITY;
    for (const s of sessions) next = Math.min(next, s.lastSeen + SESSION_TTL_MS);
    if (Number.isFinite(next)) await this.ctx.storage.setAlarm(next);
    else await this.ctx.storage.deleteAlarm();
  }

  /** Opens a session for `videoId` (or refreshes `sessionId` if it is live), within `maxStreams`. */
  async open(
    userId: string,
    sessionId: string,
    videoId: string,
    maxStreams: number,
    now = Date.now(),
  ): Promise<OpenResult> {
    const live = await this.live(now);
    const existing = live.get(sessionId);
    if (existing && existing.videoId === videoId) {
      existing.lastSeen = now;
      await this.ctx.storage.put(`s:${sessionId}`, existing);
      await this.schedule(live.values());
      return { ok: true, session: existing, created: false, active: live.size };
    }
    if (live.size >= maxStreams) return { ok: false, active: live.size, limit: maxStreams };
    const session: StreamSession = { userId, sessionId, videoId, startedAt: now, lastSeen: now };
    live.set(sessionId, session);
    await this.ctx.storage.put(`s:${sessionId}`, session);
    await this.schedule(live.values());
    return { ok: true, session, created: true, active: live.size };
  }

  /** Keeps a live session; null when it is unknown or has already lapsed. */
  async heartbeat(sessionId: string, now = Date.now()): Promise<StreamSession | null> {
    const live = await this.live(now);
    const s = live.get(sessionId);
    if (!s) return null;
    s.lastSeen = now;
    await this.ctx.storage.put(`s:${sessionId}`, s);
    await this.schedule(live.values());
    return s;
  }

  /** Ends a session and frees its slot; null when it is unknown or has already lapsed. */
  async close(sessionId: string, now = Date.now()): Promise<StreamSession | null> {
    const live = await this.live(now);
    const s = live.get(sessionId);
    if (!s) return null;
    live.delete(sessionId);
    await this.ctx.storage.delete(`s:${sessionId}`);
    await this.schedule(live.values());
    return s;
  }

  /** The live sessions. */
  async list(now = Date.now()): Promise<StreamSession[]> {
    return [...(await this.live(now)).values()];
  }

  override async alarm(): Promise<void> {
    const live = await this.live(Date.now());
    await this.schedule(live.values());
  }
}
