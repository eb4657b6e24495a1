import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { applyDelete, applyMetadata, RANK, versionOf } from '../src/search/indexer.ts';

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

describe('migration 0003 (prefix indexes of 2, 3 and 4 characters)', () => {
  it('remakes the FTS table with the new prefixes and refills it from the documents as the indexer wrote them', async () => {
    const version = versionOf('2026-01-01T00:00:00.000Z', RANK.created);
    const doc = (videoId: string, title: string) => ({
      videoId,
      title,
      description: `About ${title}.`,
      tags: ['Noir', 'Heist'],
      genres: ['Crime'],
      releaseYear: 1999,
      status: 'ready',
    });
    await applyMetadata(env.DB, [
      { doc: doc('vid_mig_a', 'Mirrorland Keys'), version },
      { doc: doc('vid_mig_b', 'Gone Tomorrow'), version },
      { doc: { ...doc('vid_mig_c', 'Bare Tags'), tags: [], genres: [] }, version },
    ]);
    await applyDelete(env.DB, 'vid_mig_b', versionOf('2026-01-02T00:00:00.000Z', RANK.deleted));
    const rows = () =>
      env.DB.prepare('SELECT rowid, title, tags, description FROM docs_fts ORDER BY rowid').all();
    const before = (await rows()).results;
    expect(before.map((r) => r.title)).toEqual(['Mirrorland Keys', 'Bare Tags']);

    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0003'))!;
    for (const sql of migration.queries) await env.DB.prepare(sql).run();

    expect((await rows()).results).toEqual(before);
    const table = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE name = 'docs_fts'").first<{
      sql: string;
    }>();
    expect(table!.sql).toContain("prefix = '2 3 4'");
    const found = await env.DB.prepare('SELECT rowid FROM docs_fts WHERE docs_fts MATCH \'"mirr"*\'').all();
    expect(found.results).toHaveLength(1);
  });
});
