-- The profile service's first schema: the event outbox and the consumer bookkeeping.
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

-- A consuming service's event bookkeeping (queues/consume.ts): the ids it has processed (pruned
-- after a retention window by the kit's upkeep) and its dead letters (replayed with `npm run dlq`).
-- Every consuming service's migrations carry these statements; `npm run new-service` copies them.
CREATE TABLE IF NOT EXISTS `_events_processed` (
	`event_id` text NOT NULL,
	`queue` text NOT NULL,
	`processed_at` text NOT NULL,
	PRIMARY KEY (`event_id`, `queue`)
);

CREATE INDEX IF NOT EXISTS `_events_processed_at` ON `_events_processed` (`processed_at`);
CREATE TABLE IF NOT EXISTS `_dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`queue` text NOT NULL,
	`body` text NOT NULL,
	`reason` text NOT NULL,
	`attempts` integer NOT NULL,
	`received_at` text NOT NULL,
	`replayed_at` text
);

CREATE INDEX IF NOT EXISTS `_dead_letters_queue` ON `_dead_letters` (`queue`, `replayed_at`);
