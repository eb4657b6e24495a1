/**
 * The billing audit log: who changed which plan or subscription, when, with the record before and
 * after. Each entry is written in the same D1 batch as the change.
 */
import type { Caller } from '../../../lib/api.ts';
import { newId } from '../../../lib/ids.ts';
import type { Db } from './db/client.ts';
import { auditLog } from './db/schema.ts';

export type AuditAction =
  | 'plan.create'
  | 'plan.update'
  | 'subscription.create'
  | 'subscription.cancel'
  | 'subscription.change'
  | 'subscription.payment_method';

export interface AuditInput {
  action: AuditAction;
  caller: Caller;
  subjectId: string;
  before?: unknown;
  after?: unknown;
  at: Date;
}

/** The statement that records one entry; put it in the change's batch. */
export function auditEntry(db: Db, input: AuditInput) {
  const { caller } = input;
  const actor = caller.userId
    ? { id: caller.userId, type: 'user' }
    : caller.apiKey
      ? { id: caller.apiKey.id, type: 'api_key' }
      : { id: 'system', type: 'system' };
  return db.insert(auditLog).values({
    id: newId('aud'),
    at: input.at,
    actorId: actor.id,
    actorType: actor.type,
    action: input.action,
    subjectId: input.subjectId,
    before: input.before ?? null,
    after: input.after ?? null,
    requestId: caller.requestId,
    ip: caller.ip,
  });
}
