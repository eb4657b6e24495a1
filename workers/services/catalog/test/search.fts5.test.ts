import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('FTS5 in D1', () => {
  it('the migrated index is an FTS5 table with diacritics folded', async () => {
    await env.DB.prepare(
      "INSERT INTO docs_fts (rowid, title, tags, description) VALUES (999999, 'Amélie', '', '')",
    ).run();
    const row = await env.DB.prepare('SELECT rowid FROM docs_fts WHERE docs_fts MATCH \'"amelie"\'').first();
    expect(row).toEqual({ rowid: 999999 });
    await env.DB.prepare('DELETE FROM docs_fts WHERE rowid = 999999').run();
  });
});
