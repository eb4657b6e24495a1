import type { MiddlewareHandler } from 'hono';
import ipaddr from 'ipaddr.js';
import { Problem } from '../../../lib/problem.ts';
import { settings } from '../config.ts';
import type { GatewayBindings } from '../env.ts';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];
interface Rules {
  allow?: Range[];
  deny?: Range[];
}

let parsedFrom: string | undefined;
let parsed: Record<string, Rules> = {};

function parseRanges(list: string[] | undefined): Range[] | undefined {
  return list?.map((cidr) => (cidr.includes('/') ? ipaddr.parseCIDR(cidr) : hostRange(cidr)));
}
function hostRange(ip: string): Range {
  const a = ipaddr.parse(ip);
  return [a, a.kind() === 'ipv4' ? 32 : 128];
}

export function ipRules(raw: string | undefined): Record<string, Rules> {
  if (raw === parsedFrom) return parsed;
  const json = raw ? (JSON.parse(raw) as Record<string, { allow?: string[]; deny?: string[] }>) : {};
  const out: Record<string, Rules> = {};
  for (const [group, r] of Object.entries(json)) {
    const allow = parseRanges(r.allow);
    const deny = parseRanges(r.deny);
    out[group] = { ...(allow ? { allow } : {}), ...(deny ? { deny } : {}) };
  }
  parsedFrom = raw;
  parsed = out;
  return out;
}

function matches(ip: string, ranges: Range[]): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(ip); // IPv4-mapped IPv6 becomes IPv4
  } catch {
    return false;
  }
  return ranges.some(([net, bits]) => net.kind() === addr.kind() && addr.match([net, bits] as never));
}

/** Decides an address against a group: deny wins, then an allow-list (when present) must match. */
export function ipAllowed(ip: string, rules: Rules | undefined): boolean {
  if (!rules) return true;
  if (rules.deny && matches(ip, rules.deny)) return false;
  if (rules.allow && !matches(ip, rules.allow)) return false;
  return true;
}

/** The group of the operations routes under /internal/, whatever else a route names. */
export const INTERNAL_GROUP = 'internal';

/**
 * Applies the global group `*` and the route's own groups. The `internal` group fails closed: outside
 * local development, a deployment without an `internal` allow-list serves no internal route.
 */
export function ipFilter(groups: readonly string[]): MiddlewareHandler<GatewayBindings> {
  return async (c, next) => {
    const config = settings(c.env);
    const rules = ipRules(config.IP_RULES);
    if (
      groups.includes(INTERNAL_GROUP) &&
      !rules[INTERNAL_GROUP]?.allow?.length &&
      config.ENVIRONMENT !== 'development'
    ) {
      throw Problem.forbidden('Internal routes are closed: no internal network is configured (IP_RULES).');
    }
    const ip = c.get('ip');
    if (!ipAllowed(ip, rules['*']) || groups.some((g) => !ipAllowed(ip, rules[g]))) {
      throw Problem.forbidden('Requests from this address are not allowed here.');
    }
    await next();
  };
}
