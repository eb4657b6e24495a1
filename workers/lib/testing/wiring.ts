/**
 * One check that a service's definition agrees with its contract and its wrangler config: a
 * handler for every route, a trigger for every cron, a consumer for every consumed queue, and every
 * binding the config declares present in the running Worker. Each service's test/wiring.test.ts
 * calls it; test/tooling/wiring.test.ts checks the configs against the event table.
 */
import { describe, expect, it } from 'vitest';
import { consumedQueue } from '../../../queues/routing.ts';
import type { Contract } from '../api.ts';
import { type ServiceClass, UPKEEP_CRON } from '../service.ts';
import type { TestBindings } from './bindings.ts';

interface WranglerConfig {
  triggers?: { crons?: string[] };
  d1_databases?: { binding: string }[];
  r2_buckets?: { binding: string }[];
  kv_namespaces?: { binding: string }[];
  services?: { binding: string }[];
  durable_objects?: { bindings: { name: string }[] };
  queues?: { producers?: { binding: string }[]; consumers?: { queue: string }[] };
  secrets?: { required?: string[] };
}

export function describeServiceWiring<E, C extends Contract>(
  Service: ServiceClass<E, C>,
  env: E & TestBindings,
): void {
  const { definition } = Service;
  const config = env.TEST_WRANGLER_CONFIG as WranglerConfig;

  describe(`the ${definition.contract.service} service's wiring`, () => {
    it('has a handler for every route of its contract, filed under that route', () => {
      const handlers = definition.handlers as Record<string, { routeId: string }>;
      expect(Object.keys(handlers).sort()).toEqual(definition.contract.routes.map((r) => r.id).sort());
      for (const [id, handler] of Object.entries(handlers)) expect(handler.routeId).toBe(id);
    });

    it('has a cron trigger for its upkeep and every cron job', () => {
      expect(config.triggers?.crons ?? []).toEqual(
        expect.arrayContaining([UPKEEP_CRON, ...Object.keys(definition.crons ?? {})]),
      );
    });

    it('consumes every queue its config delivers, and its own queue when it handles events', () => {
      const own = consumedQueue(definition.contract.service as never);
      for (const { queue } of config.queues?.consumers ?? []) {
        const handled = queue.startsWith(`${own}`) || definition.queues?.some((q) => q.accepts(queue));
        expect(handled, `nothing consumes ${queue}`).toBe(true);
      }
      if (definition.events) expect(own, 'events without a queue of its own').toBeDefined();
    });

    it('runs with every binding its config declares', () => {
      const names = [
        ...(config.d1_databases ?? []).map((b) => b.binding),
        ...(config.r2_buckets ?? []).map((b) => b.binding),
        ...(config.kv_namespaces ?? []).map((b) => b.binding),
        ...(config.services ?? []).map((b) => b.binding),
        ...(config.durable_objects?.bindings ?? []).map((b) => b.name),
        ...(config.queues?.producers ?? []).map((b) => b.binding),
        ...(config.secrets?.required ?? []),
      ];
      const missing = names.filter((n) => (env as Record<string, unknown>)[n] === undefined);
      expect(missing).toEqual([]);
      expect(definition.db(env)).toBeDefined();
    });
  });
}
