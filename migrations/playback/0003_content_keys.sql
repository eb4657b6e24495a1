-- Content keys (src/keys.ts): one AES-128 key per video for HLS AES-128 encryption, stored wrapped
-- with AES-GCM under the CONTENT_KEY_MASTER keyring entry `master_version`.
CREATE TABLE `content_keys` (
	`video_id` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`wrapped_key` text NOT NULL,
	`wrap_iv` text NOT NULL,
	`iv_hex` text NOT NULL,
	`master_version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`rewrapped_at` integer
);

CREATE UNIQUE INDEX `content_keys_key_id` ON `content_keys` (`key_id`);
CREATE INDEX `content_keys_master_version` ON `content_keys` (`master_version`);
