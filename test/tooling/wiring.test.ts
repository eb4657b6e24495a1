/**
 * The Workers' configs agree with the code's tables: each service produces onto exactly the queues
 * its events go to (queues/routing.ts) and consumes its own queue with a dead-letter queue; the
 * gateway binds every service whose contract it serves; and every binding declared for local
 * development is declared in staging and production too (bindings do not inherit).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { consumedQueue, producedQueues, queueBinding } from '../../queues/routing.ts';
import { ROOT, readConfig } from '../../scripts/platform.ts';
import { SERVICE_BINDING, type ServiceName } from '../../workers/lib/api.ts';

interface WorkerConfig {
  name: string;
  vars?: Record<string, string>;
  secrets?: { required?: string[] };
  triggers?: { crons?: string[] };
  d1_databases?: { binding: string }[];
  r2_buckets?: { binding: string }[];
  kv_namespaces?: { binding: string }[];
  services?: { binding: string; service: string }[];
  durable_objects?: { bindings: { name: string }[] };
  queues?: {
    producers?: { binding: string; queue: string }[];
    consumers?: { queue: string; dead_letter_queue?: string }[];
  };
  env?: Record<string, WorkerConfig>;
}

const ENVIRONMENTS = ['staging', 'production'] as const;
const load = (file: string) => readConfig(file) as unknown as WorkerConfig;
const services = readdirSync(path.join(ROOT, 'workers/services')).sort() as ServiceName[];
const serviceConfig = (name: string) => load(path.join(ROOT, 'workers/services', name, 'wrangler.jsonc'));
const gateway = load(path.join(ROOT, 'wrangler.jsonc'));

/**
 * The config of one environment: top level for development, `env.<name>` otherwise. Triggers are
 * inherited by environments that do not name their own; bindings and vars are not.
 */
function inEnv(config: WorkerConfig, env?: string): WorkerConfig {
  if (!env) return config;
  const own = config.env?.[env] ?? { name: config.name };
  return { ...own, triggers: own.triggers ?? config.triggers };
}
const suffix = (env?: string) => (env ? `-${env}` : '');

function bindingNames(c: WorkerConfig): string[] {
  return [
    ...(c.d1_databases ?? []).map((b) => `d1:${b.binding}`),
    ...(c.r2_buckets ?? []).map((b) => `r2:${b.binding}`),
    ...(c.kv_namespaces ?? []).map((b) => `kv:${b.binding}`),
    ...(c.services ?? []).map((b) => `service:${b.binding}`),
    ...(c.durable_objects?.bindings ?? []).map((b) => `do:${b.name}`),
    ...(c.queues?.producers ?? []).map((b) => `queue:${b.binding}`),
    ...Object.keys(c.vars ?? {}).map((v) => `var:${v}`),
    ...(c.triggers?.crons ?? []).map((t) => `cron:${t}`),
  ].sort();
}

describe('Worker configs', () => {
  for (const service of services) {
    describe(service, () => {
      const config = serviceConfig(service);

      it('is named after its folder', () => expect(config.name).toBe(service));

      for (const env of [undefined, ...ENVIRONMENTS]) {
        const where = env ?? 'development';
        it(`${where}: produces onto exactly the queues its events go to`, () => {
          const producers = inEnv(config, env).queues?.producers ?? [];
          // A consumer may also produce onto its own queue (analytics queues what POST /events takes).
          const own = consumedQueue(service);
          const onOwn = own && `${queueBinding(own)}=${own}${suffix(env)}`;
          const declared = producers.map((p) => `${p.binding}=${p.queue}`);
          const extra = own && !producedQueues(service).includes(own) ? [onOwn] : [];
          expect(declared.filter((p) => !extra.includes(p)).sort()).toEqual(
            producedQueues(service)
              .map((q) => `${queueBinding(q)}=${q}${suffix(env)}`)
              .sort(),
          );
        });

        it(`${where}: consumes its own queue, with a dead-letter queue`, () => {
          const own = consumedQueue(service);
          const consumers = inEnv(config, env).queues?.consumers ?? [];
          if (!own) return expect(consumers.filter((c) => c.dead_letter_queue)).toEqual([]);
          const queue = `${own}${suffix(env)}`;
          const main = consumers.find((c) => c.queue === queue);
          expect(main?.dead_letter_queue, `${queue} needs a dead-letter queue`).toBe(`${queue}-dlq`);
          expect(consumers.map((c) => c.queue)).toContain(`${queue}-dlq`);
        });
      }

      for (const env of ENVIRONMENTS) {
        it(`${env}: declares every binding, var and cron that development does`, () => {
          expect(bindingNames(inEnv(config, env))).toEqual(expect.arrayContaining(bindingNames(config)));
        });
      }
    });
  }

  describe('the gateway', () => {
    for (const env of [undefined, ...ENVIRONMENTS]) {
      it(`${env ?? 'development'}: binds every service Worker under its binding name`, () => {
        const bound = (inEnv(gateway, env).services ?? []).map((s) => `${s.binding}=${s.service}`).sort();
        expect(bound).toEqual(services.map((s) => `${SERVICE_BINDING[s]}=${s}${suffix(env)}`).sort());
      });
    }

    for (const env of ENVIRONMENTS) {
      it(`${env}: declares every binding and var that development does`, () => {
        expect(bindingNames(inEnv(gateway, env))).toEqual(expect.arrayContaining(bindingNames(gateway)));
      });
    }
  });
});
