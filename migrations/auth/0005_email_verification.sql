-- Email verification: when an account proved it receives mail at its address (null: not yet), and
-- the single-use tokens mailed to prove it (stored only as SHA-256 digests, with an expiry).
ALTER TABLE `users` ADD `email_verified_at` integer;

CREATE TABLE `email_verification_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`email` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);

CREATE INDEX `email_verification_tokens_user` ON `email_verification_tokens` (`user_id`,`created_at`);
