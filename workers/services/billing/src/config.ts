/**
 * The billing Worker's bindings and settings. Bindings are typed by `wrangler types` from
 * wrangler.jsonc (`npm run env-types`); every setting (var or secret) is read through one zod schema.
 */
import { z } from 'zod';
import { settingsReader } from '../../../lib/settings.ts';

export type Env = BillingEnv;

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** `1,3,5,7` → [1, 3, 5, 7]: days after the first failed renewal on which payment is retried. */
const days = z
  .string()
  .regex(/^\d+(\.\d+)?(,\d+(\.\d+)?)*$/, 'comma-separated days, e.g. 1,3,5,7')
  .transform((s) => s.split(',').map(Number))
  .refine((xs) => xs.every((x, i) => i === 0 || x > xs[i - 1]!), 'days must increase');

const Settings = z
  .object({
    ENVIRONMENT: z.enum(['development', 'test', 'staging', 'production']).default('development'),
    /** `local`: an offline Stripe stand-in (no keys, no network). `stripe`: Stripe itself. */
    BILLING_PROVIDER: z.enum(['local', 'stripe']).default('local'),
    STRIPE_SECRET_KEY: z.string().startsWith('sk_').optional(),
    /** Verifies incoming webhooks (Stripe-Signature); the local provider signs with it too. */
    STRIPE_WEBHOOK_SECRET: z.string().min(8),
    /** Where the Stripe SDK sends requests (tests point it at a stand-in); Stripe's API otherwise. */
    STRIPE_API_URL: z.url({ protocol: /^https?$/ }).optional(),
    STRIPE_MAX_NETWORK_RETRIES: int(0, 5, 2),
    STRIPE_TIMEOUT_MS: int(100, 80_000, 20_000),
    /** How old a webhook's signature may be (Stripe's default tolerance). */
    WEBHOOK_TOLERANCE_SECONDS: int(1, 3600, 300),
    /**
     * Retries of a failed renewal, in days after the first failure; after the last one fails the
     * subscription is canceled. The local provider follows it; on Stripe, Smart Retries (configured
     * in the dashboard) decide, and this only documents the intent.
     */
    DUNNING_RETRY_DAYS: days.default([1, 3, 5, 7]),
    /** Access continues this long after the first failed renewal. */
    DUNNING_GRACE_DAYS: z.coerce.number().min(0).max(60).default(3),
    /**
     * Access past the end of a period that renews: covers the time the provider takes to charge the
     * renewal and tell us (Stripe finalizes renewal invoices about an hour after the period ends).
     */
    RENEWAL_LEEWAY_MINUTES: int(0, 7 * 24 * 60, 120),
    /** How stale an isolate's entitlement cache may get about changes made in another isolate. */
    ENTITLEMENT_REFRESH_MS: int(0, 60_000, 1000),
    /** A create that is still `incomplete` this long after it began is settled from the provider. */
    RESERVATION_TIMEOUT_SECONDS: int(10, 24 * 3600, 600),
  })
  .refine((s) => s.BILLING_PROVIDER !== 'stripe' || s.STRIPE_SECRET_KEY, {
    message: 'BILLING_PROVIDER=stripe needs STRIPE_SECRET_KEY',
    path: ['STRIPE_SECRET_KEY'],
  });

export type Settings = z.output<typeof Settings>;

export const settings = settingsReader<Env, typeof Settings>('billing', Settings);

export const DAY_MS = 24 * 3600 * 1000;
