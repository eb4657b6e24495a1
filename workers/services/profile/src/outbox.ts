/** The profile service's side of the shared transactional outbox (queues/outbox.ts). */
import { inArray } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Envelope } from '../../../../queues/events.ts';
import { deliverLater, outboxOf, type StagedEvent } from '../../../../queues/outbox.ts';
import type { WorkContext } from '../../../lib/api.ts';
import type { Env } from './config.ts';
import type { Db } from './db/client.ts';
import { outbox } from './db/schema.ts';

export const { stageEvent, stageEventIf } = outboxOf('profile');

type Item = BatchItem<'sqlite'> | StagedEvent;
const isStaged = (i: Item): i is StagedEvent => 'event' in i && 'insert' in i;

/**
 * Runs a change and its events, in the order given, as one D1 batch (a guarded event placed before
 * a statement sees the state before it), then sends after the response the events that the batch
 * really wrote: a guard may have held one back. Answers each item's result, in order.
 */
export async function commit(
  ctx: WorkContext,
  env: Env,
  db: Db,
  items: Item[],
): Promise<{ results: unknown[]; sent: Envelope[] }> {
  const staged = items.filter(isStaged);
  const ids = staged.map((s) => s.event.id);
  const written = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(inArray(outbox.id, ids.length ? ids : ['']));
  const statements = items.map((i) => (isStaged(i) ? i.insert : i));
  const all = (await db.batch([...statements, written] as unknown as [
    BatchItem<'sqlite'>,
    ...BatchItem<'sqlite'>[],
  ])) as unknown[];
  const present = new Set((all.at(-1) as { id: string }[]).map((r) => r.id));
  const sent = staged.map((s) => s.event).filter((e) => present.has(e.id));
  deliverLater(ctx, env, db, sent);
  return { results: all.slice(0, items.length), sent };
}
