/**
 * The one vitest project factory for service Workers: tests run inside workerd with the Worker's
 * real bindings from its wrangler.jsonc, its D1 migrations applied before the first test (by
 * workers/lib/testing/setup.ts), and its parsed config at hand for the wiring checks.
 */
import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { QUEUE_NAMES, queueBinding } from '../queues/routing.ts';
import { ROOT, readConfig } from '../scripts/platform.ts';

type CloudflareOptions = Parameters<typeof cloudflareTest>[0];
type Miniflare = NonNullable<Extract<CloudflareOptions, { miniflare?: unknown }>['miniflare']>;

export interface ServiceProject {
  /** The service's folder, `import.meta.dirname` of its vitest.config.ts. */
  dir: string;
  /** Bindings beyond the config's: test secrets and tunables. */
  bindings?: Record<string, unknown>;
  /**
   * Where published events go. `sink` (the default): to queues nobody consumes, so tests read them
   * from the outbox and hand them to queue() themselves. `real`: to the queues of the config.
   */
  events?: 'sink' | 'real';
  /** Further miniflare options (auxiliary workers, outbound stand-ins, …). */
  miniflare?: Omit<Miniflare, 'bindings'>;
  /** Extra setup files, run after the migrations. */
  setupFiles?: string[];
}

export function serviceProject(p: ServiceProject) {
  const configPath = path.join(p.dir, 'wrangler.jsonc');
  const config = readConfig(configPath) as ReturnType<typeof readConfig> & {
    d1_databases?: { migrations_dir?: string }[];
  };
  const migrationsDir = config.d1_databases?.[0]?.migrations_dir;
  return defineConfig(async () => ({
    plugins: [
      cloudflareTest({
        wrangler: { configPath },
        miniflare: {
          ...(p.events === 'real'
            ? {}
            : {
                queueProducers: Object.fromEntries(
                  QUEUE_NAMES.map((q) => [queueBinding(q), `test-sink-${q}`]),
                ),
              }),
          ...p.miniflare,
          bindings: {
            ENVIRONMENT: 'test',
            TEST_WRANGLER_CONFIG: config,
            TEST_MIGRATIONS: migrationsDir ? await readD1Migrations(path.resolve(p.dir, migrationsDir)) : [],
            ...p.bindings,
          },
        },
      }),
    ],
    test: {
      name: config.name,
      include: ['test/**/*.test.ts'],
      setupFiles: [path.join(ROOT, 'workers/lib/testing/setup.ts'), ...(p.setupFiles ?? [])],
      // Worker logs only for failing tests.
      silent: 'passed-only' as const,
    },
  }));
}
