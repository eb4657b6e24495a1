-- Runner credentials, as PeerTube does it: an admin creates a registration token, a runner
-- registers with it and receives its own runner token, kept here only as a SHA-256. Runners used
-- to name themselves and share one secret; those rows carry no credential and can never
-- authenticate again, so the table is made anew rather than altered.

DROP TABLE `runners`;
CREATE TABLE `runners` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`registration_token_id` text NOT NULL,
	`registered_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`drained_at` integer,
	`drained_by` text,
	`revoked_at` integer,
	`revoked_by` text
);

CREATE UNIQUE INDEX `runners_token` ON `runners` (`token_hash`);
CREATE TABLE `runner_registration_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`description` text,
	`max_uses` integer NOT NULL,
	`uses` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	`revoked_by` text
);

CREATE UNIQUE INDEX `runner_registration_tokens_token` ON `runner_registration_tokens` (`token_hash`);
