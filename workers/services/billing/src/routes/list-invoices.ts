import { eq } from 'drizzle-orm';
import { implement } from '../../../../lib/api.ts';
import { newestFirst } from '../../../../lib/paging.ts';
import type { Env } from '../config.ts';
import { listInvoices } from '../contract/subscriptions.ts';
import { database } from '../db/client.ts';
import { invoices } from '../db/schema.ts';
import { invoiceView } from '../subscriptions.ts';

export const listInvoicesHandler = implement(listInvoices, async (input, _caller, env: Env) => {
  const { rows, total } = await newestFirst(
    database(env.DB),
    invoices,
    { time: invoices.createdAt, id: invoices.id },
    { ...input.query, where: eq(invoices.userId, input.params.userId) },
  );
  return { status: 200, body: rows.map(invoiceView), total };
});
