/**
 * Which URLs an endpoint may have, so that an admin (or a stolen admin token) cannot point the
 * delivery queue at the platform's own network. Checked when an endpoint is saved and again before
 * every attempt.
 *
 * - `https` only, except in development, where `http` is allowed too.
 * - Outside development the host must be a public name or a public address: no loopback, private,
 *   link-local (169.254.169.254, the cloud metadata address), carrier-grade NAT, multicast,
 *   reserved or documentation ranges; IPv6 literals must be global unicast (2000::/3) and not one
 *   of the ranges that embed an IPv4 address (6to4, Teredo, NAT64, IPv4-mapped or -compatible);
 *   names must have a dot and must not be `localhost` or end in `.localhost`, `.local`,
 *   `.internal`, `.lan`, `.home.arpa` or other `.arpa`.
 * - Development allows loopback (http://127.0.0.1:8080) for local receivers, never link-local.
 * - No credentials in the URL and no fragment.
 *
 * Address forms are judged after the WHATWG URL parser has normalized them, so decimal, hex and
 * octal IPv4 (`2130706433`, `0x7f.1`, `0177.0.0.1`) and IPv6 spellings cannot slip past. A public
 * name that *resolves* to a private address (DNS rebinding, nip.io-style names) is not caught here:
 * Workers cannot resolve names before fetching. Cloudflare's network refuses to connect a Worker's
 * fetch to private addresses, which is the layer that covers it in production.
 */
import ipaddr from 'ipaddr.js';

export type Environment = 'development' | 'test' | 'staging' | 'production';

export type UrlVerdict = { ok: true; url: string } | { ok: false; reason: string };

const LOCAL_SUFFIXES = ['.localhost', '.local', '.internal', '.lan', '.localdomain', '.home.arpa', '.arpa'];

function refuse(reason: string): UrlVerdict {
  return { ok: false, reason };
}

/** The range name of a literal address, or undefined for a host name. */
function addressRange(hostname: string): { kind: 'ipv4' | 'ipv6'; range: string } | undefined {
  const literal = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (!ipaddr.isValid(literal)) return undefined;
  // ipaddr.js accepts shorthand IPv4 forms the URL parser has already normalized; only judge the
  // strings the parser produces (dotted quads and bracketed IPv6).
  if (!hostname.startsWith('[') && !ipaddr.IPv4.isValidFourPartDecimal(literal)) return undefined;
  let addr = ipaddr.parse(literal);
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) addr = v6.toIPv4Address();
    else {
      const range = v6.range();
      const globalUnicast = (v6.parts[0]! & 0xe000) === 0x2000;
      return { kind: 'ipv6', range: range === 'unicast' && !globalUnicast ? 'non-global' : range };
    }
  }
  return { kind: 'ipv4', range: addr.range() };
}

export function checkEndpointUrl(raw: string, environment: Environment): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('not a valid URL');
  }
  const development = environment === 'development';
  if (url.protocol !== 'https:' && !(development && url.protocol === 'http:'))
    return refuse(development ? 'must be http or https' : 'must use https');
  if (url.username || url.password) return refuse('must not carry credentials');
  if (url.hash) return refuse('must not have a fragment');

  const hostname = url.hostname.toLowerCase().replace(/\.$/, '');
  const address = addressRange(hostname);
  if (address) {
    if (address.range === 'unicast') return { ok: true, url: url.href };
    if (development && address.range === 'loopback') return { ok: true, url: url.href };
    // ipaddr.js names ranges in camelCase (linkLocal, carrierGradeNat).
    const range = address.range.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
    return refuse(`must not point at a ${range} address`);
  }
  if (hostname === 'localhost' || LOCAL_SUFFIXES.some((s) => hostname.endsWith(s))) {
    return development && (hostname === 'localhost' || hostname.endsWith('.localhost'))
      ? { ok: true, url: url.href }
      : refuse('must not point at a local or internal host name');
  }
  if (!hostname.includes('.')) return refuse('must name a fully qualified public host');
  return { ok: true, url: url.href };
}
