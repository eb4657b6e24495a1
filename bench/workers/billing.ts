/**
 * The billing Worker as deployed (its entrypoint class and code), on raw workerd for the billing
 * benchmark: D1 is a Durable Object's SQLite (billing-d1.ts) and the event queues are sinks, since
 * workerd has neither binding by itself. It adds one method for the benchmark's setup.
 */
import BillingService from '../../workers/services/billing/src/index.ts';
import { d1Over, type SqlStore } from './billing-d1.ts';

export { SqlStore } from './billing-d1.ts';

interface BenchEnv {
  SQL: DurableObjectNamespace<SqlStore>;
  [name: string]: unknown;
}

const sink = { send: async () => undefined, sendBatch: async () => undefined };

function store(env: BenchEnv) {
  return env.SQL.get(env.SQL.idFromName('billing'));
}

export default class BenchBilling extends BillingService {
  constructor(ctx: ExecutionContext, env: BenchEnv) {
    super(ctx, {
      ...env,
      DB: d1Over(store(env)),
      Q_ANALYTICS_EVENTS: sink,
      Q_BILLING_EVENTS: sink,
    } as unknown as ConstructorParameters<typeof BillingService>[1]);
  }

  /** Applies a migration file to the stand-in database. */
  async migrate(text: string): Promise<void> {
    await store(this.env as unknown as BenchEnv).migrate(text);
  }

  /** Subscribes users directly in the database: `count` active subscriptions of a plan. */
  async seed(prefix: string, count: number, planId: string): Promise<void> {
    const now = Date.now();
    const end = now + 30 * 24 * 3600 * 1000;
    const rows: string[] = [];
    for (let i = 0; i < count; i++)
      rows.push(
        `('sub_${prefix}_${i}', 'usr_${prefix}_${i}', '${planId}', 'active', 'local', 'cus_${prefix}_${i}', 'sub_p_${prefix}_${i}', ${now}, ${end}, 0, ${now}, ${now}, ${now})`,
      );
    for (let i = 0; i < rows.length; i += 200) {
      await this.env.DB.prepare(
        `INSERT INTO subscriptions (id, user_id, plan_id, status, provider, customer_id, provider_subscription_id,
           current_period_start, current_period_end, cancel_at_period_end, synced_at, created_at, updated_at)
         VALUES ${rows.slice(i, i + 200).join(', ')}`,
      ).run();
    }
  }
}
