/** One page of a table, newest first, with the total for X-Total-Count (the contract's paging). */
import { count, desc, type SQL } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';

export interface PageQuery {
  page: number;
  limit: number;
}

export async function newestFirst<T extends SQLiteTable>(
  // biome-ignore lint/suspicious/noExplicitAny: any service's schema
  db: DrizzleD1Database<any>,
  table: T,
  order: { time: SQLiteColumn; id: SQLiteColumn },
  q: PageQuery & { where?: SQL | undefined },
): Promise<{ rows: T['$inferSelect'][]; total: number }> {
  const [rows, [counted]] = await Promise.all([
    db
      .select()
      .from(table as SQLiteTable)
      .where(q.where)
      .orderBy(desc(order.time), desc(order.id))
      .limit(q.limit)
      .offset((q.page - 1) * q.limit),
    db
      .select({ n: count() })
      .from(table as SQLiteTable)
      .where(q.where),
  ]);
  return { rows: rows as T['$inferSelect'][], total: counted?.n ?? 0 };
}
