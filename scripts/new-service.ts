/**
 * `npm run new-service -- <name>`: writes a working, tested, empty service Worker with the service
 * kit and registers it with the gateway, so that adding a service touches nothing else by hand:
 *
 *   workers/services/<name>/   wrangler.jsonc (every environment; queue producers from the event
 *                              table, its own queue and dead-letter queue when it consumes one),
 *                              tsconfig.json, vitest.config.ts, src/, test/
 *   migrations/<name>/         0001_init.sql: the outbox and, for consumers, the event bookkeeping
 *   the gateway                its contract in the route table, its service binding in every
 *                              environment of wrangler.jsonc
 *   workers/lib/api.ts         the service's name and binding, when they are new
 *
 * then regenerates the Workers' Env types. `--root <dir>` writes into another checkout (tests).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { consumedQueue, producedQueues, queueBinding } from '../queues/routing.ts';
import type { ServiceName } from '../workers/lib/api.ts';
import { UPKEEP_CRON } from '../workers/lib/schedules.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { root: { type: 'string' } },
});
const ROOT = path.resolve(values.root ?? path.join(import.meta.dirname, '..'));
const name = positionals[0] ?? '';

if (!/^[a-z][a-z0-9]{1,30}$/.test(name)) {
  console.error('usage: npm run new-service -- <name>   (lower-case letters and digits, e.g. billing)');
  process.exit(2);
}
const dir = path.join(ROOT, 'workers/services', name);
if (existsSync(dir)) {
  console.error(`workers/services/${name} exists already`);
  process.exit(2);
}

const BINDING = name.toUpperCase();
const Name = `${name[0]!.toUpperCase()}${name.slice(1)}`;
const Class = `${Name}Service`;
const service = name as ServiceName;
const ENVIRONMENTS = ['staging', 'production'] as const;
const own = consumedQueue(service);
const produced = producedQueues(service);

function write(rel: string, text: string): void {
  const file = path.join(ROOT, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text.replace(/^\n/, ''));
  console.log(`  wrote ${rel}`);
}

function edit(rel: string, change: (text: string) => string): void {
  const file = path.join(ROOT, rel);
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  if (after === before) return;
  writeFileSync(file, after);
  console.log(`  edited ${rel}`);
}

// ── The Worker's config ─────────────────────────────────────────────────────────────────────────
function queues(suffix: string) {
  const producers = produced.map((q) => ({ binding: queueBinding(q), queue: `${q}${suffix}` }));
  const consumers = own
    ? [
        {
          queue: `${own}${suffix}`,
          max_batch_size: 10,
          max_batch_timeout: 1,
          max_retries: 5,
          dead_letter_queue: `${own}${suffix}-dlq`,
        },
        { queue: `${own}${suffix}-dlq`, max_batch_size: 10, max_batch_timeout: 1 },
      ]
    : [];
  return { ...(producers.length ? { producers } : {}), ...(consumers.length ? { consumers } : {}) };
}

function environment(env?: (typeof ENVIRONMENTS)[number]) {
  const suffix = env ? `-${env}` : '';
  const q = queues(suffix);
  return {
    vars: { ENVIRONMENT: env ?? 'development' },
    triggers: { crons: [UPKEEP_CRON] },
    d1_databases: [
      {
        binding: 'DB',
        database_name: `${name}${suffix}`,
        ...(env ? {} : { database_id: `local-${name}` }),
        migrations_dir: `../../../migrations/${name}`,
      },
    ],
    ...(Object.keys(q).length ? { queues: q } : {}),
  };
}

const config = {
  $schema: '../../../node_modules/wrangler/config-schema.json',
  name,
  main: 'src/index.ts',
  compatibility_date: '2026-11-01',
  compatibility_flags: ['nodejs_compat'],
  observability: { enabled: true },
  ...environment(),
  env: Object.fromEntries(ENVIRONMENTS.map((e) => [e, environment(e)])),
};

write(
  `workers/services/${name}/wrangler.jsonc`,
  `// The ${name} service. Bindings do not inherit into environments, so staging and production repeat them.
${JSON.stringify(config, null, 2)}
`,
);

write(
  `workers/services/${name}/tsconfig.json`,
  `${JSON.stringify(
    {
      extends: '../../../tsconfig.base.json',
      compilerOptions: { types: ['@cloudflare/workers-types', '@cloudflare/vitest-plugin/types'] },
      // The other services' generated Env too: a service binding is typed by the bound Worker's class.
      include: [
        'worker-configuration.d.ts',
        '../*/worker-configuration.d.ts',
        'src',
        'test',
        '../../lib',
        '../../../durable-objects',
        '../../../queues',
      ],
      exclude: ['../../../queues/test', 'vitest.config.ts'],
    },
    null,
    2,
  )}
`,
);

write(
  `workers/services/${name}/vitest.config.ts`,
  `
import { serviceProject } from '../../../test/service-project.ts';

export default serviceProject({ dir: import.meta.dirname });
`,
);

// ── Source ──────────────────────────────────────────────────────────────────────────────────────
write(
  `workers/services/${name}/src/contract.ts`,
  `
/**
 * The public routes of the ${name} service; the gateway serves, validates and documents them. Only
 * schemas live here (the gateway bundles this file); the handlers are in src/routes/.
 */
import { defineContract } from '../../../lib/api.ts';

export const contract = defineContract('${name}', []);
`,
);

write(
  `workers/services/${name}/src/config.ts`,
  `
/**
 * The ${name} Worker's bindings and settings. Bindings are typed by \`wrangler types\` from
 * wrangler.jsonc (\`npm run env-types\`); every setting (var or secret) is read through one zod schema.
 */
import { z } from 'zod';
import { settingsReader } from '../../../lib/settings.ts';

export type Env = ${Name}Env;

const Settings = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'staging', 'production']).default('development'),
});

export const settings = settingsReader<Env, typeof Settings>('${name}', Settings);
`,
);

write(
  `workers/services/${name}/src/db/schema.ts`,
  `
/** The ${name} database (migrations/${name}/, checked against this schema by test/schema.test.ts). */

/** The transactional outbox, shared by every publishing service. */
export { outbox } from '../../../../../queues/outbox.ts';
`,
);

write(
  `workers/services/${name}/src/db/client.ts`,
  `
import { type DrizzleD1Database, drizzle } from 'drizzle-orm/d1';
import * as schema from './schema.ts';

export type Db = DrizzleD1Database<typeof schema>;

/** A Drizzle handle on the service's D1 database (cheap: one per request). */
export function database(d1: D1Database): Db {
  return drizzle(d1, { schema });
}
`,
);

if (own)
  write(
    `workers/services/${name}/src/consumer.ts`,
    `
/** The events the ${name} service consumes from its queue (${own}); see queues/routing.ts. */
import type { EventHandlers } from '../../../../queues/consume.ts';
import type { Env } from './config.ts';

export const ${name}Events: EventHandlers<Env> = {};
`,
  );

write(
  `workers/services/${name}/src/index.ts`,
  `
/** The ${name} service. The gateway calls \`handle(routeId, input, caller)\` for its public routes. */
import { defineService } from '../../../lib/service.ts';
import type { Env } from './config.ts';
${own ? `import { ${name}Events } from './consumer.ts';\n` : ''}import { contract } from './contract.ts';

export type { Env } from './config.ts';

export default class ${Class} extends defineService<Env>()({
  contract,
  handlers: {},
  db: (env) => env.DB,
  publishes: ${produced.length > 0},
${own ? `  events: ${name}Events,\n` : ''}  ready: (env) => ({
    d1: () => env.DB.prepare('SELECT 1 FROM outbox LIMIT 1').first(),
  }),
}) {}
`,
);

// ── Migrations ──────────────────────────────────────────────────────────────────────────────────
const outboxSql = readFileSync(path.join(ROOT, 'queues/outbox.sql'), 'utf8');
const bookkeepingSql = readFileSync(path.join(ROOT, 'queues/bookkeeping.sql'), 'utf8');
write(
  `migrations/${name}/0001_init.sql`,
  `-- The ${name} service's first schema: the event outbox${own ? ' and the consumer bookkeeping' : ''}.
${outboxSql}${own ? `\n${bookkeepingSql}` : ''}`,
);

// ── Tests ───────────────────────────────────────────────────────────────────────────────────────
write(
  `workers/services/${name}/test/env.d.ts`,
  `
import type { TestBindings } from '../../../lib/testing/bindings.ts';

declare global {
  namespace Cloudflare {
    interface Env extends TestBindings {}
  }
}
`,
);

write(
  `workers/services/${name}/test/support/service.ts`,
  `
/** Calls the ${name} Worker as the gateway does, with the shared RPC test client. */
import { exports } from 'cloudflare:workers';
import type { Caller, RouteInput } from '../../../../lib/api.ts';
import { rpcClient, testCaller } from '../../../../lib/testing/rpc-client.ts';
import { contract } from '../../src/contract.ts';
import type ${Class} from '../../src/index.ts';

export const service = (exports as unknown as { default: ${Class} }).default;
export const ORIGIN = 'http://platform.test';
export const admin = testCaller(ORIGIN, 'usr_admin', ['admin']);
export const viewer = testCaller(ORIGIN, 'usr_viewer', ['viewer']);
export const anonymous = testCaller(ORIGIN);

const client = rpcClient(contract, () => service);

export function call(routeId: Parameters<typeof client.call>[0], input: Partial<RouteInput> = {}, who: Caller = admin) {
  return client.call(routeId, input, who);
}
`,
);

write(
  `workers/services/${name}/test/wiring.test.ts`,
  `
import { env } from 'cloudflare:workers';
import { describeServiceWiring } from '../../../lib/testing/wiring.ts';
import ${Class} from '../src/index.ts';

describeServiceWiring(${Class}, env);
`,
);

write(
  `workers/services/${name}/test/schema.test.ts`,
  `
import { env } from 'cloudflare:workers';
import { describeMigratedSchema } from '../../../lib/testing/schema-check.ts';
import * as schema from '../src/db/schema.ts';

describeMigratedSchema(schema, () => env.DB);
`,
);

write(
  `workers/services/${name}/test/ready.test.ts`,
  `
import { describe, expect, it } from 'vitest';
import { service } from './support/service.ts';

describe('readiness', () => {
  it('reports every dependency ready', async () => {
    const report = await service.ready();
    expect(report.ok, JSON.stringify(report.checks)).toBe(true);
  });
});
`,
);

// ── Registration ────────────────────────────────────────────────────────────────────────────────
edit('workers/lib/api.ts', (text) => {
  if (new RegExp(`^  '${name}',$`, 'm').test(text)) return text;
  return text
    .replace(/(export const SERVICES = \[\n(?: {2}'[a-z0-9]+',\n)*)/, `$1  '${name}',\n`)
    .replace(
      /(export const SERVICE_BINDING: Record<ServiceName, string> = \{\n(?: {2}[a-z0-9]+: '[A-Z0-9]+',\n)*)/,
      `$1  ${name}: '${BINDING}',\n`,
    );
});

edit('workers/gateway/src/routes/table.ts', (text) =>
  text
    .replace(
      '// new-service: import',
      `import { contract as ${name} } from '../../../services/${name}/src/contract.ts';\n// new-service: import`,
    )
    .replace('  // new-service: contract', `  ${name},\n  // new-service: contract`),
);

edit('wrangler.jsonc', (text) =>
  // Every `"services": [ … ]` array (one per environment) gets the binding, suffixed like its siblings.
  text.replace(/"services": (\[[^\]]*\])/g, (_whole, array: string) => {
    const bound = JSON.parse(array) as { binding: string; service: string }[];
    const suffix = /-(staging|production)$/.exec(bound[0]?.service ?? '')?.[0] ?? '';
    bound.push({ binding: BINDING, service: `${name}${suffix}` });
    return `"services": ${JSON.stringify(bound)}`;
  }),
);

// Formatting and the generated Env types, so that the tree is as a commit would leave it.
const bin = path.join(ROOT, 'node_modules/.bin');
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
for (const [cmd, args] of [
  [
    'biome',
    [
      'check',
      '--write',
      `workers/services/${name}`,
      'wrangler.jsonc',
      'workers/lib/api.ts',
      'workers/gateway/src/routes/table.ts',
    ],
  ],
  [process.execPath, ['scripts/env-types.ts']],
] as const) {
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    process.exit(1);
  }
}
console.log(`
The ${name} service is ready: add routes to src/contract.ts and their handlers to src/index.ts.
  npx vitest run --project ${name}     its tests
  npm start                            runs it with the rest of the platform`);
