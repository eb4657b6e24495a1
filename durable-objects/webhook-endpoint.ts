import { DurableObject } from 'cloudflare:workers';
import { newId } from '../workers/lib/ids.ts';
import { errorFields, log } from '../workers/lib/log.ts';
import { database } from '../workers/services/billing/src/db/client.ts';
import {
  disableFailingEndpoint,
  loadDeliveryTarget,
} from '../workers/services/billing/src/webhooks/endpoints.ts';
import { retryDelay, withinRetryWindow } from '../workers/services/billing/src/webhooks/schedule.ts';
import { type AttemptOutcome, postWebhook } from '../workers/services/billing/src/webhooks/send.ts';
import { webhookSettings } from '../workers/services/billing/src/webhooks/settings.ts';
import { signatureHeaders } from '../workers/services/billing/src/webhooks/signing.ts';
import { checkEndpointUrl } from '../workers/services/billing/src/webhooks/url-policy.ts';

/** The bindings the object uses; the hosting billing Worker's Env has them. */
export interface WebhookEndpointEnv {
  DB: D1Database;
}

export type DeliveryTrigger = 'event' | 'manual' | 'test';
export type MessageState = 'pending' | 'delivered' | 'failed';

/** A message to queue: the body is sent byte for byte on every attempt, `eventId` as `webhook-id`. */
export interface OutboundMessage {
  eventId: string;
  eventType: string;
  body: string;
}

export interface QueueStatus {
  pending: number;
  nextAttemptAt: number | null;
  failingSince: number | null;
  lastSuccessAt: number | null;
  /** A round of attempts is running now. */
  delivering: boolean;
}

export interface DeliveryRecord {
  deliveryId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  trigger: DeliveryTrigger;
  attemptedAt: number;
  succeeded: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseBody: string | null;
  nextRetryAt: number | null;
  messageState: MessageState;
}

export type Redelivery =
  | { found: false }
  | { found: true; eventId: string; state: 'pending'; pendingAhead: number };

type MessageRow = {
  seq: number;
  event_id: string;
  event_type: string;
  body: string;
  trigger: DeliveryTrigger;
  state: MessageState;
  attempts: number;
  streak: number;
  first_attempt_at: number | null;
  next_attempt_at: number;
};

type AttemptRow = {
  id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  trigger: DeliveryTrigger;
  attempted_at: number;
  ok: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  response_body: string | null;
  next_retry_at: number | null;
  state: MessageState;
};

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    body TEXT NOT NULL,
    trigger TEXT NOT NULL,
    state TEXT NOT NULL,
    enqueued_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    streak INTEGER NOT NULL DEFAULT 0,
    first_attempt_at INTEGER,
    next_attempt_at INTEGER NOT NULL,
    finished_at INTEGER
  )`,
  'CREATE INDEX IF NOT EXISTS messages_state ON messages (state, seq)',
  'CREATE INDEX IF NOT EXISTS messages_event ON messages (event_id)',
  `CREATE TABLE IF NOT EXISTS attempts (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    seq INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    trigger TEXT NOT NULL,
    attempted_at INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    status_code INTEGER,
    duration_ms INTEGER NOT NULL,
    error TEXT,
    response_body TEXT,
    next_retry_at INTEGER
  )`,
  'CREATE INDEX IF NOT EXISTS attempts_seq ON attempts (seq)',
  'CREATE INDEX IF NOT EXISTS attempts_event ON attempts (event_id)',
];

/** Delivered and failed messages, with their attempts, are kept this long for the log. */
const LOG_RETENTION_MS = 30 * 24 * 3600 * 1000;
/** One alarm run sends at most this many messages, then hands over to the next alarm. */
const ROUND_MESSAGES = 200;
const ROUND_MS = 20_000;
const ROUND_RETRY_MS = 30_000;
const BACKSTOP_MS = 30_000;

/** Longer than the longest retry delay (10 h + jitter). */
const IDLE_ENDS_FAILING_RUN_MS = 24 * 3600 * 1000;

const KEY = {
  endpointId: 'endpointId',
  failingSince: 'failingSince',
  lastFailureAt: 'lastFailureAt',
  lastSuccessAt: 'lastSuccessAt',
};

/**
 * The delivery queue of one webhook endpoint (the billing Worker names one object per endpoint id).
 * Messages wait in the object's SQLite in arrival order and only the head is ever in flight, so a
 * receiver sees them in order; a failed head is retried from the alarm on the schedule of
 * workers/services/billing/src/webhooks/schedule.ts while the ones behind it wait. Every attempt is
 * logged. An endpoint whose every attempt has failed for WEBHOOK_DISABLE_AFTER_HOURS is disabled in
 * D1, with the reason and an audit entry; its pending messages wait until it is enabled again.
 * The endpoint's URL and secrets are read from D1 before each round, so changes apply at once.
 */
export class WebhookEndpoint extends DurableObject<WebhookEndpointEnv> {
  private rounds: Promise<unknown> = Promise.resolve();
  private delivering = 0;
  /** Bumped by destroy(), so a round in flight does not write into the emptied storage. */
  private generation = 0;

  constructor(ctx: DurableObjectState, env: WebhookEndpointEnv) {
    super(ctx, env);
    for (const statement of SCHEMA) ctx.storage.sql.exec(statement);
  }

  /** Queues messages behind the pending ones; an event id already queued or sent is skipped. */
  async enqueue(
    endpointId: string,
    messages: OutboundMessage[],
    trigger: DeliveryTrigger = 'event',
  ): Promise<{ queued: number; duplicates: number }> {
    this.remember(endpointId);
    const wasIdle = this.head() === undefined;
    const now = Date.now();
    let queued = 0;
    for (const m of messages) {
      const seen = this.sql('SELECT 1 AS x FROM messages WHERE event_id = ? LIMIT 1', m.eventId).length;
      if (seen) continue;
      this.ctx.storage.sql.exec(
        `INSERT INTO messages (event_id, event_type, body, trigger, state, enqueued_at, next_attempt_at)
         VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
        m.eventId,
        m.eventType,
        m.body,
        trigger,
        now,
        now,
      );
      queued++;
    }
    if (queued && wasIdle) await this.wake();
    // A queue that lost its alarm (a round that kept failing) is woken by its next message.
    else if (queued && (await this.ctx.storage.getAlarm()) === null) await this.armAt(now);
    return { queued, duplicates: messages.length - queued };
  }

  /**
   * Sends the message of an attempt again with the same id and body: a pending one is tried now
   * with a fresh retry window, a delivered or failed one is queued again behind the pending ones.
   */
  async redeliver(endpointId: string, deliveryId: string): Promise<Redelivery> {
    this.remember(endpointId);
    const [m] = this.sql<MessageRow>(
      'SELECT m.* FROM attempts a JOIN messages m ON m.seq = a.seq WHERE a.id = ?',
      deliveryId,
    );
    if (!m) return { found: false };
    const now = Date.now();
    let seq = m.seq;
    if (m.state === 'pending') {
      this.ctx.storage.sql.exec(
        'UPDATE messages SET next_attempt_at = ?, first_attempt_at = NULL, streak = 0 WHERE seq = ?',
        now,
        seq,
      );
    } else {
      const [row] = this.sql<{ seq: number }>(
        `INSERT INTO messages (event_id, event_type, body, trigger, state, enqueued_at, next_attempt_at)
         VALUES (?, ?, ?, 'manual', 'pending', ?, ?) RETURNING seq`,
        m.event_id,
        m.event_type,
        m.body,
        now,
        now,
      );
      seq = row!.seq;
    }
    const [ahead] = this.sql<{ n: number }>(
      "SELECT count(*) AS n FROM messages WHERE state = 'pending' AND seq < ?",
      seq,
    );
    if (ahead!.n === 0) await this.wake();
    return { found: true, eventId: m.event_id, state: 'pending', pendingAhead: ahead!.n };
  }

  /**
   * The endpoint was enabled again or moved: pending messages get a fresh retry window and the
   * head is tried now.
   */
  async resume(endpointId: string): Promise<void> {
    this.remember(endpointId);
    this.ctx.storage.kv.delete(KEY.failingSince);
    const now = Date.now();
    this.ctx.storage.sql.exec(
      "UPDATE messages SET first_attempt_at = NULL, streak = 0, next_attempt_at = ? WHERE state = 'pending'",
      now,
    );
    if (this.head()) await this.wake();
  }

  status(): QueueStatus {
    const head = this.head();
    const [count] = this.sql<{ n: number }>("SELECT count(*) AS n FROM messages WHERE state = 'pending'");
    return {
      pending: count!.n,
      nextAttemptAt: head?.next_attempt_at ?? null,
      failingSince: this.ctx.storage.kv.get<number>(KEY.failingSince) ?? null,
      lastSuccessAt: this.ctx.storage.kv.get<number>(KEY.lastSuccessAt) ?? null,
      delivering: this.delivering > 0,
    };
  }

  /** Attempts, newest first. */
  deliveries(q: { page: number; limit: number; eventId?: string | undefined }): {
    rows: DeliveryRecord[];
    total: number;
  } {
    const where = q.eventId === undefined ? '' : 'WHERE a.event_id = ?';
    const args = q.eventId === undefined ? [] : [q.eventId];
    const rows = this.sql<AttemptRow>(
      `SELECT a.*, m.state FROM attempts a JOIN messages m ON m.seq = a.seq ${where}
       ORDER BY a.n DESC LIMIT ? OFFSET ?`,
      ...args,
      q.limit,
      (q.page - 1) * q.limit,
    );
    const [count] = this.sql<{ n: number }>(`SELECT count(*) AS n FROM attempts a ${where}`, ...args);
    return {
      total: count!.n,
      rows: rows.map((r) => ({
        deliveryId: r.id,
        eventId: r.event_id,
        eventType: r.event_type,
        attempt: r.attempt,
        trigger: r.trigger,
        attemptedAt: r.attempted_at,
        succeeded: r.ok === 1,
        statusCode: r.status_code,
        durationMs: r.duration_ms,
        error: r.error,
        responseBody: r.response_body,
        nextRetryAt: r.next_retry_at,
        messageState: r.state,
      })),
    };
  }

  /** The endpoint was deleted: forget everything. */
  async destroy(): Promise<void> {
    this.generation++;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // The object may still be asked (a late hand-over, the log): it answers as an empty queue.
    for (const statement of SCHEMA) this.ctx.storage.sql.exec(statement);
  }

  override async alarm(): Promise<void> {
    await this.round();
  }

  /** Runs a round of attempts after any running one: rounds never overlap. */
  private round(): Promise<void> {
    const round = this.rounds.then(() => this.deliverDue());
    this.rounds = round.catch(() => undefined);
    return round;
  }

  /**
   * A message became due on an idle queue: a round starts at once rather than when the alarm
   * fires; the alarm, set a little later, takes over should this round be cut short.
   */
  private async wake(): Promise<void> {
    await this.armAt(Date.now() + BACKSTOP_MS);
    void this.round().catch(() => undefined);
  }

  private async deliverDue(): Promise<void> {
    const endpointId = this.ctx.storage.kv.get<string>(KEY.endpointId);
    if (!endpointId) return;
    const first = this.head();
    if (!first) return this.armForPruning();
    if (first.next_attempt_at > Date.now()) return await this.ctx.storage.setAlarm(first.next_attempt_at);
    const generation = this.generation;
    const destroyed = () => this.generation !== generation;
    this.delivering++;
    try {
      const db = database(this.env.DB);
      const target = await loadDeliveryTarget(db, endpointId);
      if (!target) return await this.destroy();
      // Disabled: the queue waits; resume() restarts it.
      if (!target.enabled) return;
      const settings = webhookSettings(this.env);
      const started = Date.now();
      for (let sent = 0; ; sent++) {
        if (destroyed()) return;
        const head = this.head();
        if (!head) return this.armForPruning();
        if (head.next_attempt_at > Date.now()) return await this.ctx.storage.setAlarm(head.next_attempt_at);
        if (sent >= ROUND_MESSAGES || Date.now() - started > ROUND_MS)
          return await this.ctx.storage.setAlarm(Date.now());

        const attemptedAt = Date.now();
        const verdict = checkEndpointUrl(target.url, settings.ENVIRONMENT);
        const outcome: AttemptOutcome = verdict.ok
          ? await postWebhook(
              verdict.url,
              { ...signatureHeaders(head.event_id, new Date(attemptedAt), head.body, target.secrets) },
              head.body,
              settings.WEBHOOK_TIMEOUT_MS,
            )
          : {
              ok: false,
              statusCode: null,
              durationMs: 0,
              error: `URL refused: it ${verdict.reason}`,
              responseBody: null,
            };
        if (destroyed()) return;
        const retryAt = this.record(head, outcome, attemptedAt);
        if (outcome.ok) continue;

        const failingSince = this.failingRun(attemptedAt);
        const disableAfterMs = settings.WEBHOOK_DISABLE_AFTER_HOURS * 3600 * 1000;
        if (Date.now() - failingSince >= disableAfterMs) {
          const reason =
            `Every delivery attempt failed since ${new Date(failingSince).toISOString()} ` +
            `(${settings.WEBHOOK_DISABLE_AFTER_HOURS} h); the last one: ${outcome.error}.`;
          const disabled = await disableFailingEndpoint(db, endpointId, reason);
          if (disabled) log('warn', 'webhook endpoint disabled', { endpointId, reason, failingSince });
          return;
        }
        // A message out of retries was marked failed: the next one is tried now.
        if (retryAt !== null) return await this.ctx.storage.setAlarm(retryAt);
      }
    } catch (err) {
      // D1 or the object's storage failed: try again shortly rather than leave it to the runtime's
      // few alarm retries, after which the queue would sleep until its next message.
      log('error', 'webhook delivery round failed; retrying in 30 s', { endpointId, ...errorFields(err) });
      await this.ctx.storage.setAlarm(Date.now() + ROUND_RETRY_MS);
    } finally {
      this.delivering--;
    }
  }

  /** Logs the attempt and moves the message on; answers when it is tried next (null: not again). */
  private record(m: MessageRow, outcome: AttemptOutcome, at: number): number | null {
    const now = Date.now();
    const attempt = m.attempts + 1;
    const first = m.first_attempt_at ?? at;
    let retryAt: number | null = null;
    let state: MessageState = 'delivered';
    if (!outcome.ok) {
      const next = now + retryDelay(m.streak + 1);
      if (withinRetryWindow(first, next)) {
        retryAt = next;
        state = 'pending';
      } else state = 'failed';
    }
    const sql = this.ctx.storage.sql;
    sql.exec(
      `INSERT INTO attempts (id, seq, event_id, event_type, attempt, trigger, attempted_at, ok, status_code,
         duration_ms, error, response_body, next_retry_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      newId('wha', at),
      m.seq,
      m.event_id,
      m.event_type,
      attempt,
      m.trigger,
      at,
      outcome.ok ? 1 : 0,
      outcome.statusCode,
      outcome.durationMs,
      outcome.error,
      outcome.responseBody,
      retryAt,
    );
    sql.exec(
      `UPDATE messages SET state = ?, attempts = ?, streak = ?, first_attempt_at = ?, next_attempt_at = ?,
         finished_at = ? WHERE seq = ?`,
      state,
      attempt,
      outcome.ok ? 0 : m.streak + 1,
      first,
      retryAt ?? m.next_attempt_at,
      state === 'pending' ? null : now,
      m.seq,
    );
    if (outcome.ok) {
      this.ctx.storage.kv.delete(KEY.failingSince);
      this.ctx.storage.kv.put(KEY.lastSuccessAt, now);
    } else if (state === 'failed') {
      log('warn', 'webhook message failed for good', {
        endpointId: this.ctx.storage.kv.get<string>(KEY.endpointId),
        eventId: m.event_id,
        attempts: attempt,
        error: outcome.error,
      });
    }
    return retryAt;
  }

  /**
   * When the current run of failed attempts began. A gap longer than any retry delay means the
   * queue was idle in between, which says nothing about the endpoint, so a new run begins.
   */
  private failingRun(at: number): number {
    const since = this.ctx.storage.kv.get<number>(KEY.failingSince);
    const last = this.ctx.storage.kv.get<number>(KEY.lastFailureAt);
    const run =
      since !== undefined && last !== undefined && at - last <= IDLE_ENDS_FAILING_RUN_MS ? since : at;
    this.ctx.storage.kv.put(KEY.failingSince, run);
    this.ctx.storage.kv.put(KEY.lastFailureAt, at);
    return run;
  }

  /** Drops what the log no longer keeps and wakes up when the next entry expires. */
  private armForPruning(): void {
    const cutoff = Date.now() - LOG_RETENTION_MS;
    const old = this.sql<{ seq: number }>(
      "SELECT seq FROM messages WHERE state != 'pending' AND finished_at < ?",
      cutoff,
    );
    for (const { seq } of old) {
      this.ctx.storage.sql.exec('DELETE FROM attempts WHERE seq = ?', seq);
      this.ctx.storage.sql.exec('DELETE FROM messages WHERE seq = ?', seq);
    }
    const [oldest] = this.sql<{ at: number | null }>(
      "SELECT min(finished_at) AS at FROM messages WHERE state != 'pending'",
    );
    if (oldest?.at != null) void this.ctx.storage.setAlarm(oldest.at + LOG_RETENTION_MS);
  }

  private head(): MessageRow | undefined {
    return this.sql<MessageRow>("SELECT * FROM messages WHERE state = 'pending' ORDER BY seq LIMIT 1")[0];
  }

  /** Wakes the queue at `at` unless it is due to wake earlier (RPCs; a round sets its own alarm). */
  private async armAt(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private remember(endpointId: string): void {
    if (this.ctx.storage.kv.get<string>(KEY.endpointId) !== endpointId)
      this.ctx.storage.kv.put(KEY.endpointId, endpointId);
  }

  private sql<T extends Record<string, SqlStorageValue>>(query: string, ...args: SqlStorageValue[]): T[] {
    return this.ctx.storage.sql.exec<T>(query, ...args).toArray();
  }
}
