-- Search as you type: prefix indexes of 2, 3 and 4 characters (2 and 3 before), so a typed prefix of
-- up to four letters is one lookup instead of a merge of every term it starts. FTS5 cannot change
-- its options in place: the table is made again and filled from the catalog's own documents (the
-- same three columns the indexer writes: the title, the tags and then the genres joined by " · ",
-- the description), which every live video with metadata has.
DROP TABLE `docs_fts`;

CREATE VIRTUAL TABLE `docs_fts` USING fts5(
	title, tags, description,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3 4'
);

INSERT INTO `docs_fts` (rowid, title, tags, description)
SELECT d.rid, d.title,
	coalesce((SELECT group_concat(t.value, ' · ') FROM (
		SELECT value FROM json_each(d.tags) UNION ALL SELECT value FROM json_each(d.genres)
	) t), ''),
	d.description
FROM `docs` d
WHERE d.has_meta = 1 AND d.status <> 'deleted';

UPDATE `index_state` SET `version` = `version` + 1 WHERE `id` = 1;
