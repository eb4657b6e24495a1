-- The embedded event store (used when CLICKHOUSE_URL is unset). The event id is the key: a repeated
-- event is ignored on insert (INSERT OR IGNORE), so every count is exact.
CREATE TABLE `analytics_events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`event_type` text NOT NULL,
	`user_id` text NOT NULL,
	`video_id` text NOT NULL,
	`view_id` text NOT NULL,
	`time_ms` integer NOT NULL,
	`source` text NOT NULL,
	`watch_ms` integer NOT NULL,
	`rebuffer_ms` integer NOT NULL,
	`metadata` text NOT NULL,
	`received_ms` integer NOT NULL
);

-- Counts read one type over a range; view metrics read the player's events of a range by view.
CREATE INDEX `analytics_events_type_time` ON `analytics_events` (`event_type`, `time_ms`);
CREATE INDEX `analytics_events_view` ON `analytics_events` (`view_id`, `time_ms`);
