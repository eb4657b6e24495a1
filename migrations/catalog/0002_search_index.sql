-- The search index: one row per video the catalog has heard of (deleted ones stay as tombstones, so
-- a late event about them changes nothing), the FTS5 index of the searchable text, the filter and
-- facet tables, the vocabulary that typo tolerance draws on, and the engagement behind popularity
-- and co-watching.
CREATE TABLE `docs` (
	`rid` integer PRIMARY KEY NOT NULL,
	`video_id` text NOT NULL,
	`title` text NOT NULL,
	`description` text NOT NULL,
	`tags` text NOT NULL,
	`genres` text NOT NULL,
	`release_year` integer,
	`status` text NOT NULL,
	`has_meta` integer NOT NULL,
	`terms` text NOT NULL,
	`popularity` real NOT NULL,
	`meta_version` text NOT NULL,
	`status_version` text NOT NULL,
	`rebuild_mark` text,
	`updated_at` text NOT NULL
);

CREATE UNIQUE INDEX `docs_video_id` ON `docs` (`video_id`);
CREATE INDEX `docs_status_popularity` ON `docs` (`status`,`popularity`);
CREATE INDEX `docs_release_year` ON `docs` (`release_year`);

-- Title above tags above description (bm25 weights in src/search.ts); diacritics folded; prefix
-- indexes of 2 and 3 characters keep search-as-you-type fast.
CREATE VIRTUAL TABLE `docs_fts` USING fts5(
	title, tags, description,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3'
);

CREATE TABLE `doc_genres` (
	`genre_key` text NOT NULL,
	`rid` integer NOT NULL,
	`genre` text NOT NULL,
	PRIMARY KEY(`genre_key`, `rid`)
) WITHOUT ROWID;

CREATE INDEX `doc_genres_rid` ON `doc_genres` (`rid`);

CREATE TABLE `doc_tags` (
	`tag_key` text NOT NULL,
	`rid` integer NOT NULL,
	PRIMARY KEY(`tag_key`, `rid`)
) WITHOUT ROWID;

CREATE INDEX `doc_tags_rid` ON `doc_tags` (`rid`);

-- Every term of the indexed text with the number of live documents holding it.
CREATE TABLE `terms` (
	`term` text PRIMARY KEY NOT NULL,
	`docs` integer NOT NULL
);

-- Deletion neighbourhoods (SymSpell): each term of 4+ letters under its one-letter deletions, and of
-- 7+ letters under its two-letter deletions too, so a query word finds its corrections by lookup.
CREATE TABLE `term_variants` (
	`variant` text NOT NULL,
	`term` text NOT NULL,
	PRIMARY KEY(`variant`, `term`)
) WITHOUT ROWID;

-- One row per (user, video): the latest VideoWatched of a user for a video.
CREATE TABLE `watches` (
	`video_id` text NOT NULL,
	`user_id` text NOT NULL,
	`completed` integer NOT NULL,
	`at` text NOT NULL,
	PRIMARY KEY(`video_id`, `user_id`)
) WITHOUT ROWID;

CREATE INDEX `watches_user` ON `watches` (`user_id`,`at`);

-- One rating per (user, video); a newer VideoRated replaces the older one.
CREATE TABLE `ratings` (
	`video_id` text NOT NULL,
	`user_id` text NOT NULL,
	`rating` integer NOT NULL,
	`at` text NOT NULL,
	PRIMARY KEY(`video_id`, `user_id`)
) WITHOUT ROWID;

-- Single-row state: the index version (cache keys carry it) and a running rebuild.
CREATE TABLE `index_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`rebuild_id` text,
	`rebuild_cursor` text,
	`rebuild_started_at` text,
	`rebuild_indexed` integer NOT NULL,
	`rebuild_finished_at` text,
	`rebuild_lease_until` text
);

INSERT INTO `index_state` (`id`, `version`, `rebuild_indexed`) VALUES (1, 0, 0);
