/**
 * One check that a service's migrations build exactly the Drizzle schema its code uses: the same
 * tables (besides the kit's own), columns, types, nullability and indexes.
 */
import { getTableColumns, getTableName, is } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';

/** Tables that are not in a service's Drizzle schema: SQLite's, D1's and the consumer bookkeeping. */
const NOT_IN_SCHEMA = /^(sqlite_|_cf_|d1_migrations$|_events_processed$|_dead_letters$)/;

/** `virtualTables` names tables Drizzle does not model (e.g. an FTS5 table and its shadow tables). */
export function describeMigratedSchema(
  schema: Record<string, unknown>,
  db: () => D1Database,
  virtualTables?: RegExp,
): void {
  const tables = Object.values(schema).filter((v): v is SQLiteTable => is(v, SQLiteTable));

  describe('the migrations build the schema the code uses', () => {
    it('create every table of the schema, and no other', async () => {
      const { results } = await db()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all<{ name: string }>();
      const migrated = results
        .map((r) => r.name)
        .filter((n) => !NOT_IN_SCHEMA.test(n) && !virtualTables?.test(n));
      expect(migrated.sort()).toEqual(tables.map((t) => getTableName(t)).sort());
    });

    for (const table of tables) {
      it(`${getTableName(table)}: same columns, types, nullability and indexes`, async () => {
        const name = getTableName(table);
        const { results } = await db().prepare(`PRAGMA table_info(${name})`).all<{
          name: string;
          type: string;
          notnull: number;
          pk: number;
        }>();
        const migrated = Object.fromEntries(
          results.map((c) => [
            c.name,
            { type: c.type.toLowerCase(), notNull: c.notnull === 1 || c.pk === 1 },
          ]),
        );
        const declared = Object.fromEntries(
          Object.values(getTableColumns(table)).map((c) => [
            c.name,
            { type: c.getSQLType().toLowerCase(), notNull: c.notNull || c.primary },
          ]),
        );
        expect(migrated).toEqual(declared);
        const { results: idx } = await db().prepare(`PRAGMA index_list(${name})`).all<{
          name: string;
          unique: number;
          origin: string;
        }>();
        const created = idx.filter((i) => i.origin === 'c').map((i) => `${i.name}:${i.unique}`);
        const config = getTableConfig(table);
        const wanted = [
          ...config.indexes.map((i) => `${i.config.name}:${i.config.unique ? 1 : 0}`),
          // Columns declared `.unique()` get an index of their own.
          ...config.columns.filter((c) => c.isUnique).map((c) => `${c.uniqueName}:1`),
        ];
        expect(created.sort()).toEqual(wanted.sort());
      });
    }
  });
}
