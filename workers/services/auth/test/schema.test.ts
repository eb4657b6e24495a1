import { env } from 'cloudflare:workers';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as schema from '../src/db/schema.ts';

const tables = Object.values(schema as Record<string, unknown>).filter(
  (t): t is SQLiteTable => t instanceof SQLiteTable,
);

describe('the migration', () => {
  it.each(tables.map((t) => [getTableConfig(t).name, t] as const))(
    'creates %s with the columns and indexes of the Drizzle schema',
    async (name, table) => {
      const config = getTableConfig(table);
      const columns = await env.DB.prepare(`PRAGMA table_info(${name})`).all<{
        name: string;
        notnull: number;
      }>();
      expect(columns.results.map((c) => c.name).sort()).toEqual(config.columns.map((c) => c.name).sort());
      for (const column of config.columns) {
        const migrated = columns.results.find((c) => c.name === column.name)!;
        expect(Boolean(migrated.notnull), `${name}.${column.name} NOT NULL`).toBe(
          column.notNull || column.primary,
        );
      }
      const indexes = await env.DB.prepare(`PRAGMA index_list(${name})`).all<{ name: string }>();
      for (const index of config.indexes) {
        expect(indexes.results.map((i) => i.name)).toContain(index.config.name);
      }
    },
  );
});
