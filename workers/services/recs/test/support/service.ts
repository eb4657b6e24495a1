/** Calls the recs Worker as the gateway does, with the shared RPC test client. */
import { exports } from 'cloudflare:workers';
import type { Caller, RouteInput } from '../../../../lib/api.ts';
import { rpcClient, testCaller } from '../../../../lib/testing/rpc-client.ts';
import { contract } from '../../src/contract.ts';
import type RecsService from '../../src/index.ts';

export const service = (exports as unknown as { default: RecsService }).default;
export const ORIGIN = 'http://platform.test';
export const admin = testCaller(ORIGIN, 'usr_admin', ['admin']);
export const viewer = testCaller(ORIGIN, 'usr_viewer', ['viewer']);
export const anonymous = testCaller(ORIGIN);

const client = rpcClient(contract, () => service);

export function call(
  routeId: Parameters<typeof client.call>[0],
  input: Partial<RouteInput> = {},
  who: Caller = admin,
) {
  return client.call(routeId, input, who);
}
