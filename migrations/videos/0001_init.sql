-- The videos service's schema (workers/services/videos/src/db/schema.ts; generated with
-- drizzle-kit generate --dialect sqlite, and checked against the schema by test/schema.test.ts).

CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text NOT NULL,
	`actor_type` text NOT NULL,
	`action` text NOT NULL,
	`video_id` text,
	`before` text,
	`after` text,
	`request_id` text,
	`ip` text
);

CREATE INDEX `audit_video` ON `audit_log` (`video_id`,`at`);
CREATE INDEX `audit_at` ON `audit_log` (`at`);
CREATE TABLE `job_claims` (
	`id` text PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`runner_id` text NOT NULL,
	`claimed_at` integer NOT NULL,
	`ended_at` integer,
	`outcome` text NOT NULL,
	`reason` text
);

CREATE INDEX `job_claims_job` ON `job_claims` (`job_id`,`claimed_at`);
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`video_id` text NOT NULL,
	`master_version` text NOT NULL,
	`master_key` text NOT NULL,
	`master_size` integer NOT NULL,
	`master_content_type` text,
	`state` text NOT NULL,
	`version` integer NOT NULL,
	`failures` integer NOT NULL,
	`max_attempts` integer NOT NULL,
	`not_before` integer NOT NULL,
	`runner_id` text,
	`lease_token_hash` text,
	`lease_expires_at` integer,
	`claim_id` text,
	`progress` real NOT NULL,
	`stage` text,
	`speed` real,
	`last_error` text,
	`result` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer
);

CREATE UNIQUE INDEX `jobs_video_master` ON `jobs` (`video_id`,`master_version`);
CREATE UNIQUE INDEX `jobs_claim` ON `jobs` (`claim_id`);
CREATE INDEX `jobs_claimable` ON `jobs` (`state`,`not_before`);
CREATE INDEX `jobs_lease` ON `jobs` (`state`,`lease_expires_at`);
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`subject` text NOT NULL,
	`envelope` text NOT NULL,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	`send_attempts` integer NOT NULL
);

CREATE INDEX `outbox_unsent` ON `outbox` (`sent_at`,`created_at`);
CREATE TABLE `runners` (
	`id` text PRIMARY KEY NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`drained_at` integer,
	`drained_by` text
);

CREATE TABLE `uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`video_id` text NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`multipart_id` text,
	`expected_size` integer,
	`part_size` integer,
	`content_type` text,
	`state` text NOT NULL,
	`event_id` text,
	`size` integer,
	`etag` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`stored_at` integer
);

CREATE INDEX `uploads_video` ON `uploads` (`video_id`,`created_at`);
CREATE TABLE `videos` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`description` text NOT NULL,
	`tags` text NOT NULL,
	`genres` text NOT NULL,
	`release_year` integer,
	`duration_sec` real,
	`maturity_rating` text,
	`thumbnail_url` text,
	`status` text NOT NULL,
	`failure_reason` text,
	`master_version` text,
	`master_key` text,
	`master_size` integer,
	`master_content_type` text,
	`master_etag` text,
	`current_job_id` text,
	`output_prefix` text,
	`master_playlist` text,
	`renditions` text NOT NULL,
	`poster_key` text,
	`storyboard` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);

CREATE INDEX `videos_status_created` ON `videos` (`status`,`created_at`);
CREATE INDEX `videos_created` ON `videos` (`created_at`);