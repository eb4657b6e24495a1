-- Billing: plans, provider prices and customers, subscriptions, invoices, incoming webhook events,
-- Idempotency-Key records, the entitlement change feed and the audit log
-- (workers/services/billing/src/db/schema.ts, checked against it by test/schema.test.ts), the event
-- bookkeeping of a consuming service (queues/bookkeeping.sql: billing consumes its own webhook work),
-- and the first plans.

CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text NOT NULL,
	`actor_type` text NOT NULL,
	`action` text NOT NULL,
	`subject_id` text NOT NULL,
	`before` text,
	`after` text,
	`request_id` text,
	`ip` text
);

CREATE INDEX `audit_subject` ON `audit_log` (`subject_id`,`at`);
CREATE TABLE `customers` (
	`user_id` text NOT NULL,
	`provider` text NOT NULL,
	`customer_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `provider`)
);

CREATE TABLE `entitlement_changes` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` text NOT NULL,
	`at` integer NOT NULL
);

CREATE INDEX `entitlement_changes_at` ON `entitlement_changes` (`at`);
CREATE TABLE `idempotency_keys` (
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`fingerprint` text NOT NULL,
	`status` integer,
	`reply` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`scope`, `key`)
);

CREATE INDEX `idempotency_keys_created` ON `idempotency_keys` (`created_at`);
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`subscription_id` text NOT NULL,
	`user_id` text NOT NULL,
	`status` text NOT NULL,
	`amount_due` integer NOT NULL,
	`amount_paid` integer NOT NULL,
	`currency` text NOT NULL,
	`billing_reason` text,
	`attempt_count` integer NOT NULL,
	`next_payment_attempt` integer,
	`period_start` integer,
	`period_end` integer,
	`lines` text NOT NULL,
	`created_at` integer NOT NULL,
	`synced_at` integer NOT NULL
);

CREATE INDEX `invoices_user_created` ON `invoices` (`user_id`,`created_at`);
CREATE TABLE `plan_prices` (
	`price_id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`plan_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`interval` text NOT NULL,
	`created_at` integer NOT NULL
);

CREATE UNIQUE INDEX `plan_prices_terms` ON `plan_prices` (`provider`,`plan_id`,`amount`,`currency`,`interval`);
CREATE TABLE `plans` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`price` integer NOT NULL,
	`currency` text NOT NULL,
	`interval` text NOT NULL,
	`max_resolution` integer NOT NULL,
	`max_streams` integer NOT NULL,
	`trial_days` integer NOT NULL,
	`active` integer NOT NULL,
	`version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);

CREATE TABLE `provider_events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`object_id` text NOT NULL,
	`received_at` integer NOT NULL,
	`processed_at` integer
);

CREATE INDEX `provider_events_received` ON `provider_events` (`received_at`);
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`plan_id` text NOT NULL,
	`status` text NOT NULL,
	`provider` text NOT NULL,
	`customer_id` text,
	`provider_subscription_id` text,
	`current_period_start` integer,
	`current_period_end` integer,
	`trial_end` integer,
	`cancel_at_period_end` integer NOT NULL,
	`canceled_at` integer,
	`ended_at` integer,
	`past_due_since` integer,
	`failure_reason` text,
	`synced_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);

CREATE UNIQUE INDEX `subscriptions_one_live_per_user` ON `subscriptions` (`user_id`) WHERE status IN ('incomplete', 'trialing', 'active', 'past_due', 'unpaid', 'paused');
CREATE UNIQUE INDEX `subscriptions_provider_id` ON `subscriptions` (`provider_subscription_id`);
CREATE INDEX `subscriptions_user_created` ON `subscriptions` (`user_id`,`created_at`);
CREATE INDEX `subscriptions_status_period` ON `subscriptions` (`status`,`current_period_end`);

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

-- The first catalogue: three plans that differ in resolution and streams (prices in cents).
INSERT INTO `plans` (`id`, `name`, `price`, `currency`, `interval`, `max_resolution`, `max_streams`, `trial_days`, `active`, `version`, `created_at`, `updated_at`) VALUES
	('basic', 'Basic', 799, 'usd', 'month', 480, 1, 0, 1, 1, 1767225600000, 1767225600000),
	('standard', 'Standard', 1399, 'usd', 'month', 1080, 2, 7, 1, 1, 1767225600000, 1767225600000),
	('premium', 'Premium', 1999, 'usd', 'month', 2160, 4, 0, 1, 1, 1767225600000, 1767225600000);
