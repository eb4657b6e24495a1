/**
 * The settings of outbound webhooks, read from the billing Worker's vars through their own zod
 * schema (the Durable Object reads them too, so they do not depend on the Worker's whole config).
 */
import { z } from 'zod';
import { settingsReader } from '../../../../lib/settings.ts';

const WebhookSettings = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'staging', 'production']).default('development'),
  /** An endpoint whose every attempt failed for this long is disabled (default 5 days). */
  WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().positive().default(120),
  /** How long one attempt may take, connection to last byte read. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(10_000),
});

export type WebhookSettings = z.output<typeof WebhookSettings>;

export const webhookSettings = settingsReader<object, typeof WebhookSettings>(
  'billing webhooks',
  WebhookSettings,
);
