import { getTableColumns, getTableName, is } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as schema from '../src/db/schema.ts';
import { testEnv } from './support/service.ts';

const tables = Object.values(schema as Record<string, unknown>).filter((v): v is SQLiteTable =>
  is(v, SQLiteTable),
);

describe('the migrations build the schema the code uses', () => {
  it('covers every table', () => {
    expect(tables.map((t) => getTableName(t)).sort()).toEqual(
      [
        'audit_log',
        'job_claims',
        'jobs',
        'outbox',
        'runner_registration_tokens',
        'runners',
        'uploads',
        'videos',
      ].sort(),
    );
  });

  for (const table of tables) {
    it(`${getTableName(table)}: same columns, types, nullability and indexes`, async () => {
      const name = getTableName(table);
      const { results } = await testEnv.DB.prepare(`PRAGMA table_info(${name})`).all<{
        name: string;
        type: string;
        notnull: number;
        pk: number;
      }>();
      const migrated = Object.fromEntries(
        results.map((c) => [c.name, { type: c.type.toLowerCase(), notNull: c.notnull === 1 || c.pk === 1 }]),
      );
      const declared = Object.fromEntries(
        Object.values(getTableColumns(table)).map((c) => [
          c.name,
          { type: c.getSQLType().toLowerCase(), notNull: c.notNull || c.primary },
        ]),
      );
      expect(migrated).toEqual(declared);
      const { results: idx } = await testEnv.DB.prepare(`PRAGMA index_list(${name})`).all<{
        name: string;
        unique: number;
        origin: string;
      }>();
      const created = idx.filter((i) => i.origin === 'c').map((i) => `${i.name}:${i.unique}`);
      const wanted = getTableConfig(table).indexes.map((i) => `${i.config.name}:${i.config.unique ? 1 : 0}`);
      expect(created.sort()).toEqual(wanted.sort());
    });
  }
});
