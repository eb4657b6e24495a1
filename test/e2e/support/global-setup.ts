import { rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ROOT, type RunningPlatform, startPlatform } from '../../../scripts/platform.ts';
import { type ClickHouseInfo, startAnalyticsClickHouse } from './analytics-clickhouse.ts';
import { startIdentityProviders } from './identity-providers.ts';
import { type FakeStripeServer, startFakeStripe } from './stripe-server.ts';

export const ADMIN = { email: 'admin@example.com', password: 'admin-password-e2e' };

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    secrets: Record<string, string>;
    admin: { email: string; password: string };
    stateDir: string;
    stripe: { url: string; secretKey: string; webhookSecret: string };
    clickhouse: ClickHouseInfo;
  }
}

/** Billing runs on the Stripe provider end to end, against a Stripe-compatible stand-in. */
const STRIPE_WEBHOOK_SECRET = 'whsec_e2e_billing_webhook_secret';

let platform: RunningPlatform | undefined;
let identityProviders: Awaited<ReturnType<typeof startIdentityProviders>> | undefined;
let stripe: FakeStripeServer | undefined;
let clickhouse: Awaited<ReturnType<typeof startAnalyticsClickHouse>> | undefined;

export async function setup(project: TestProject) {
  const port = Number(process.env.E2E_PORT ?? 8877);
  const stateDir = path.join(ROOT, '.e2e-state', String(port));
  rmSync(stateDir, { recursive: true, force: true });
  identityProviders = await startIdentityProviders(`http://127.0.0.1:${port}`);
  stripe = await startFakeStripe({
    url: `http://127.0.0.1:${port}/billing/webhooks/stripe`,
    secret: STRIPE_WEBHOOK_SECRET,
  });
  clickhouse = await startAnalyticsClickHouse(stateDir);
  platform = await startPlatform({
    port,
    stateDir,
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
    runner: process.env.E2E_RUNNER !== '0',
    output: process.env.E2E_VERBOSE ? 'inherit' : 'ignore',
    // A short lease keeps the runner-crash test fast.
    vars: {
      ...identityProviders.vars,
      RUNNER_LEASE_SECONDS: '10',
      BILLING_PROVIDER: 'stripe',
      STRIPE_API_URL: stripe.url,
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_WEBHOOK_SECRET,
      CLICKHOUSE_URL: clickhouse.url,
    },
    // Idle for the whole auth suite, the runner would otherwise poll only every 15 s by then.
    runnerVars: { POLL_MAX_INTERVAL_MS: '2000' },
    log: () => undefined,
  });
  project.provide('baseUrl', platform.url);
  project.provide('secrets', platform.secrets);
  project.provide('admin', ADMIN);
  project.provide('stateDir', stateDir);
  project.provide('stripe', {
    url: stripe.url,
    secretKey: stripe.secretKey,
    webhookSecret: STRIPE_WEBHOOK_SECRET,
  });
  project.provide('idp', identityProviders.info);
  project.provide('clickhouse', { url: clickhouse.url, dir: clickhouse.dir });
}

export async function teardown() {
  await platform?.stop();
  await identityProviders?.stop();
  await stripe?.stop();
  await clickhouse?.stop();
}
