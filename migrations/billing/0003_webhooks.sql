-- Outbound webhooks: registered endpoints, their audit trail, and the billing events already fanned
-- out to them (workers/services/billing/src/db/schema.ts; each endpoint's queue and delivery log
-- live in its WebhookEndpoint Durable Object).
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`description` text NOT NULL,
	`event_types` text NOT NULL,
	`enabled` integer NOT NULL,
	`disabled_reason` text,
	`disabled_at` integer,
	`secret` text NOT NULL,
	`previous_secret` text,
	`previous_secret_expires_at` integer,
	`secret_rotated_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);

CREATE INDEX `webhook_endpoints_created` ON `webhook_endpoints` (`created_at`);

CREATE TABLE `webhook_audit` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text NOT NULL,
	`actor_type` text NOT NULL,
	`action` text NOT NULL,
	`endpoint_id` text NOT NULL,
	`detail` text,
	`request_id` text
);

CREATE INDEX `webhook_audit_endpoint` ON `webhook_audit` (`endpoint_id`,`at`);

CREATE TABLE `webhook_notified` (
	`event_id` text PRIMARY KEY NOT NULL,
	`notified_at` integer NOT NULL
);

CREATE INDEX `webhook_notified_at` ON `webhook_notified` (`notified_at`);
