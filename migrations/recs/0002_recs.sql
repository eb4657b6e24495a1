-- Interactions, the video projection, train jobs and versioned models of the recs service.

-- One row per (user, video): the latest state of each signal, so replaying an event changes nothing.
CREATE TABLE `interactions` (
	`user_id` text NOT NULL,
	`video_id` text NOT NULL,
	`weight` real NOT NULL,
	`progress` real NOT NULL DEFAULT 0,
	`finished` integer NOT NULL DEFAULT 0,
	`started` integer NOT NULL DEFAULT 0,
	`rating` integer,
	`watchlisted` integer NOT NULL DEFAULT 0,
	`removed` integer NOT NULL DEFAULT 0,
	`updated_at` integer NOT NULL,
	PRIMARY KEY (`user_id`, `video_id`)
);
CREATE INDEX `interactions_video` ON `interactions` (`video_id`);
CREATE INDEX `interactions_updated` ON `interactions` (`updated_at`);

-- Bumped on every interaction of the user: part of the recommendation cache key.
CREATE TABLE `user_versions` (
	`user_id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`updated_at` integer NOT NULL
);

-- The recs view of the catalogue, from video events: what may be recommended and why.
CREATE TABLE `videos` (
	`video_id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`status` text NOT NULL,
	`genres` text NOT NULL,
	`tags` text NOT NULL,
	`deleted` integer NOT NULL DEFAULT 0,
	`updated_at` integer NOT NULL
);
CREATE INDEX `videos_ready` ON `videos` (`status`, `deleted`);

CREATE TABLE `train_jobs` (
	`job_id` text PRIMARY KEY NOT NULL,
	`model_type` text NOT NULL,
	`status` text NOT NULL,
	`trigger` text NOT NULL,
	`version_id` text,
	`error` text,
	`stats` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer
);
CREATE INDEX `train_jobs_created` ON `train_jobs` (`created_at`);

-- A model version is `building` while its rows are written, `ready` once complete, `failed` or
-- `retired` after; only `ready` versions are ever pointed at.
CREATE TABLE `model_versions` (
	`version_id` text PRIMARY KEY NOT NULL,
	`model_type` text NOT NULL,
	`status` text NOT NULL,
	`source` text NOT NULL,
	`trained_at` integer NOT NULL,
	`data_until` integer NOT NULL,
	`stats` text NOT NULL,
	`expected` text,
	`created_at` integer NOT NULL,
	`finished_at` integer
);
CREATE INDEX `model_versions_type` ON `model_versions` (`model_type`, `status`);

-- item → neighbours ([[videoId, similarity], …]), one row per item.
CREATE TABLE `model_neighbours` (
	`version_id` text NOT NULL,
	`video_id` text NOT NULL,
	`list` text NOT NULL,
	PRIMARY KEY (`version_id`, `video_id`)
);

-- Precomputed top-N of active users ([[videoId, score, reason], …]).
CREATE TABLE `model_user_recs` (
	`version_id` text NOT NULL,
	`user_id` text NOT NULL,
	`list` text NOT NULL,
	PRIMARY KEY (`version_id`, `user_id`)
);

-- Decayed popularity overall (genre '') and per genre ([[videoId, score], …]).
CREATE TABLE `model_popular` (
	`version_id` text NOT NULL,
	`genre` text NOT NULL,
	`list` text NOT NULL,
	PRIMARY KEY (`version_id`, `genre`)
);

-- The serving pointer per model type, moved in one statement once a version is complete.
CREATE TABLE `active_models` (
	`model_type` text PRIMARY KEY NOT NULL,
	`version_id` text NOT NULL,
	`switched_at` integer NOT NULL
);
