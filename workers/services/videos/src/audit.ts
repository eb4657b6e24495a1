/**
 * The audit log: who did what to which video, when, with the record before and after. Each entry is
 * written in the same D1 batch as the change, so there is no change without its entry.
 */

import { and, eq, type SQL } from 'drizzle-orm';
import type { Caller } from '../../../lib/api.ts';
import { newId } from '../../../lib/ids.ts';
import { newestFirst } from '../../../lib/paging.ts';
import type { Db } from './db/client.ts';
import { auditLog } from './db/schema.ts';

export type AuditAction =
  | 'video.create'
  | 'video.update'
  | 'video.delete'
  | 'video.upload_url'
  | 'video.multipart_create'
  | 'video.multipart_complete'
  | 'video.multipart_abort'
  | 'video.master_stored'
  | 'video.transcode_retry'
  | 'runner.drain'
  | 'runner.undrain'
  | 'runner.register'
  | 'runner.revoke'
  | 'runner.registration_token_create'
  | 'runner.registration_token_revoke';

export interface Actor {
  id: string;
  type: 'user' | 'api_key' | 'runner' | 'system';
}

export function actorOf(caller: Caller): Actor {
  if (caller.userId) return { id: caller.userId, type: 'user' };
  if (caller.apiKey) return { id: caller.apiKey.id, type: 'api_key' };
  return { id: 'system', type: 'system' };
}

export interface AuditInput {
  action: AuditAction;
  actor: Actor;
  videoId?: string | null;
  before?: unknown;
  after?: unknown;
  caller?: Pick<Caller, 'requestId' | 'ip'>;
  at?: Date;
}

/** The statement that records one entry; put it in the change's batch. */
export function auditEntry(db: Db, input: AuditInput) {
  return db.insert(auditLog).values({
    id: newId('aud'),
    at: input.at ?? new Date(),
    actorId: input.actor.id,
    actorType: input.actor.type,
    action: input.action,
    videoId: input.videoId ?? null,
    before: input.before ?? null,
    after: input.after ?? null,
    requestId: input.caller?.requestId ?? null,
    ip: input.caller?.ip ?? null,
  });
}

export interface AuditQuery {
  videoId?: string;
  actorId?: string;
  action?: string;
  page: number;
  limit: number;
}

export async function listAudit(db: Db, q: AuditQuery) {
  const conditions: SQL[] = [];
  if (q.videoId) conditions.push(eq(auditLog.videoId, q.videoId));
  if (q.actorId) conditions.push(eq(auditLog.actorId, q.actorId));
  if (q.action) conditions.push(eq(auditLog.action, q.action));
  const where = conditions.length ? and(...conditions) : undefined;
  const { rows, total } = await newestFirst(
    db,
    auditLog,
    { time: auditLog.at, id: auditLog.id },
    { ...q, where },
  );
  return {
    total,
    entries: rows.map((r) => ({
      auditId: r.id,
      at: r.at.toISOString(),
      actor: { id: r.actorId, type: r.actorType },
      action: r.action,
      videoId: r.videoId,
      before: r.before,
      after: r.after,
      requestId: r.requestId,
      ip: r.ip,
    })),
  };
}
