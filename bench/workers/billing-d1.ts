/**
 * D1 on raw workerd, for the billing benchmark: workerd has no D1 binding of its own (wrangler and
 * miniflare add one), so a Durable Object's SQLite stands in, behind the subset of D1's API that
 * Drizzle and the service kit use (prepare/bind/all/raw/first/run, batch as one transaction). Like
 * local D1 it runs in the same process; production D1 adds a network round trip to every query.
 */
import { DurableObject } from 'cloudflare:workers';

type Row = Record<string, SqlStorageValue>;
interface Query {
  sql: string;
  params: unknown[];
}
interface Result {
  results: Row[];
  columns: string[];
  rows: SqlStorageValue[][];
  changes: number;
}

export class SqlStore extends DurableObject {
  private run(q: Query): Result {
    const cursor = this.ctx.storage.sql.exec(q.sql, ...(q.params as SqlStorageValue[]));
    const rows = [...cursor.raw()];
    const columns = cursor.columnNames;
    const results = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]!])));
    return { results, columns, rows, changes: cursor.rowsWritten };
  }

  query(q: Query): Result {
    return this.run(q);
  }

  batch(qs: Query[]): Result[] {
    return this.ctx.storage.transactionSync(() => qs.map((q) => this.run(q)));
  }

  /** Runs a migration file: its statements one by one, comments left out. */
  migrate(text: string): void {
    const statements = text
      .split('\n')
      .filter((l) => !l.trim().startsWith('--'))
      .join('\n')
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean);
    this.ctx.storage.transactionSync(() => {
      for (const sql of statements) this.ctx.storage.sql.exec(sql);
    });
  }
}

const meta = (r: Result) => ({
  changes: r.changes,
  last_row_id: 0,
  duration: 0,
  rows_read: 0,
  rows_written: r.changes,
});

class Statement {
  constructor(
    private readonly store: DurableObjectStub<SqlStore>,
    readonly sql: string,
    readonly params: unknown[] = [],
  ) {}
  bind(...params: unknown[]) {
    return new Statement(this.store, this.sql, params);
  }
  private exec() {
    return this.store.query({ sql: this.sql, params: this.params }) as unknown as Promise<Result>;
  }
  async all() {
    const r = await this.exec();
    return { results: r.results, success: true, meta: meta(r) };
  }
  async raw(opts?: { columnNames?: boolean }) {
    const r = await this.exec();
    return opts?.columnNames ? [r.columns, ...r.rows] : r.rows;
  }
  async first(column?: string) {
    const row = (await this.exec()).results[0] ?? null;
    return column && row ? row[column] : row;
  }
  async run() {
    const r = await this.exec();
    return { results: [], success: true, meta: meta(r) };
  }
}

/** A D1Database over the SqlStore object. */
export function d1Over(store: DurableObjectStub<SqlStore>): D1Database {
  return {
    prepare: (sql: string) => new Statement(store, sql),
    async batch(statements: Statement[]) {
      const results = (await store.batch(
        statements.map((s) => ({ sql: s.sql, params: s.params })),
      )) as unknown as Result[];
      return results.map((r) => ({ results: r.results, success: true, meta: meta(r) }));
    },
    exec: async () => {
      throw new Error('not used');
    },
    dump: async () => {
      throw new Error('not used');
    },
    withSession: () => {
      throw new Error('not used');
    },
  } as unknown as D1Database;
}
