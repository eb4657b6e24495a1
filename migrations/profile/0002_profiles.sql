-- Profiles, watchlists, resume points and ratings; the service's own projection of videos (from
-- video events); per-user cache versions; idempotency records of history and rating writes.

CREATE TABLE `profiles` (
	`user_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`avatar_url` text,
	`preferences` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);

-- Accounts deleted at auth (UserDeleted): late events and writes never bring their data back.
CREATE TABLE `deleted_users` (
	`user_id` text PRIMARY KEY NOT NULL,
	`deleted_at` integer NOT NULL
);

-- What the profile service knows of each video, from VideoCreated/Updated/Transcoded/Deleted.
-- `meta_at` and `state_at` are the times of the events the title and the status/duration came
-- from, so that an older event delivered late never overwrites a newer one; a deleted video stays
-- as a tombstone so that a late VideoCreated does not bring it back.
CREATE TABLE `videos` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`status` text NOT NULL,
	`duration_sec` real,
	`thumbnail_url` text,
	`meta_at` integer NOT NULL,
	`state_at` integer NOT NULL,
	`deleted_at` integer
);

CREATE TABLE `watchlist` (
	`user_id` text NOT NULL,
	`video_id` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `video_id`)
);

CREATE INDEX `watchlist_user_added` ON `watchlist` (`user_id`,`added_at`,`video_id`);
CREATE INDEX `watchlist_video` ON `watchlist` (`video_id`);

-- One resume point per (user, video).
CREATE TABLE `history` (
	`user_id` text NOT NULL,
	`video_id` text NOT NULL,
	`progress` real NOT NULL,
	`watched_at` integer NOT NULL,
	`finished` integer NOT NULL,
	PRIMARY KEY(`user_id`, `video_id`)
);

CREATE INDEX `history_user_watched` ON `history` (`user_id`,`watched_at`,`video_id`);
CREATE INDEX `history_video` ON `history` (`video_id`);

-- One rating per (user, video); a second one replaces the first.
CREATE TABLE `ratings` (
	`user_id` text NOT NULL,
	`video_id` text NOT NULL,
	`rating` integer NOT NULL,
	`comment` text,
	`rated_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `video_id`)
);

CREATE INDEX `ratings_user_rated` ON `ratings` (`user_id`,`rated_at`,`video_id`);
CREATE INDEX `ratings_video_rated` ON `ratings` (`video_id`,`rated_at`);

-- Bumped in the same batch as every change to a user's cached lists: cache keys carry it.
CREATE TABLE `cache_versions` (
	`user_id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);

-- The first answer to each Idempotency-Key of a user, written in the batch of the change itself.
CREATE TABLE `idempotency_keys` (
	`user_id` text NOT NULL,
	`key` text NOT NULL,
	`fingerprint` text NOT NULL,
	`claim` text NOT NULL,
	`reply` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `key`)
);

CREATE INDEX `idempotency_keys_created` ON `idempotency_keys` (`created_at`);
