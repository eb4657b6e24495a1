-- The playback service's first schema: the event outbox.
-- The transactional outbox of a publishing service (queues/outbox.ts); the scheduled sweep re-sends what waits.
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
