/**
 * Calls a service Worker in its own vitest project the way the gateway does: RPC `handle` with the
 * input parsed by the route's own zod schemas (defaults applied, strings coerced) and a resolved
 * Caller. Every service's test/support uses this one client.
 */
import type { Caller, Contract, Reply, Role, RouteIdOf, RouteInput } from '../api.ts';

export const TEST_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

let ipCounter = 0;
/** A fresh client address per call site, so per-IP guards of one test do not touch another. */
export function freshIp(): string {
  ipCounter += 1;
  const r = crypto.getRandomValues(new Uint8Array(2));
  return `10.${r[0]}.${r[1]}.${ipCounter % 250}`;
}

/** A Caller as the gateway resolves it; `roles` empty and no `userId` is an anonymous caller. */
export function testCaller(
  origin: string,
  userId?: string,
  roles: Role[] = userId ? ['viewer'] : [],
  over: Partial<Caller> = {},
): Caller {
  return {
    requestId: `req-${crypto.randomUUID()}`,
    traceparent: TEST_TRACEPARENT,
    ip: freshIp(),
    roles,
    origin,
    ...(userId ? { userId } : {}),
    ...over,
  };
}

type Schema = { parse(v: unknown): unknown } | undefined;

export interface RpcTarget {
  handle(routeId: string, input: RouteInput, caller: Caller): Promise<Reply>;
}

export function rpcClient<C extends Contract>(contract: C, target: () => RpcTarget) {
  /** The input as the gateway hands it over, parsed by the route's schemas. */
  function asGatewayWould(routeId: RouteIdOf<C>, input: Partial<RouteInput>): RouteInput {
    const route = contract.routes.find((r) => r.id === routeId);
    if (!route) throw new Error(`no route ${routeId} in the ${contract.service} contract`);
    const request = route.route.request as
      | {
          params?: Schema;
          query?: Schema;
          body?: { content: { 'application/json': { schema: Schema | Record<string, unknown> } } };
        }
      | undefined;
    const bodySchema = request?.body?.content['application/json'].schema;
    return {
      params: (request?.params?.parse(input.params ?? {}) ?? input.params ?? {}) as Record<string, string>,
      query: (request?.query?.parse(input.query ?? {}) ?? {}) as Record<string, unknown>,
      // A body declared with a plain OpenAPI schema (rawBody routes) reaches the service unparsed.
      body:
        bodySchema && 'parse' in bodySchema && input.body !== undefined
          ? (bodySchema as NonNullable<Schema>).parse(input.body)
          : input.body,
      headers: input.headers ?? {},
    };
  }

  /** Calls a route; the reply's body is loosely typed, as a test reads it. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read replies of every shape
  type LooseReply = Reply & { body: any };
  async function call(
    routeId: RouteIdOf<C>,
    input: Partial<RouteInput>,
    caller: Caller,
    on: RpcTarget = target(),
  ): Promise<LooseReply> {
    return (await on.handle(routeId, asGatewayWould(routeId, input), caller)) as LooseReply;
  }

  return { call, asGatewayWould };
}
