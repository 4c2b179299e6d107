// Where a webhook may be sent: never to the API's own machine or network (SSRF). A destination is refused when its host
// is, or resolves to, an address of a special-purpose range (loopback, RFC 1918, CGNAT, link-local and the cloud metadata
// address, unique-local, multicast, unspecified, broadcast, documentation, benchmarking, reserved), in IPv4 or IPv6,
// whatever form the address is written in (integer, octal, hex, short, IPv4-mapped/compatible IPv6, NAT64, 6to4) —
// unless the operator's allow-list (WEBHOOK_ALLOWED_HOSTS) names the host, the address or a CIDR holding it.
//
// Checked twice: when subscribing (createWebhookSubscription), and by the worker at connect time, where the host is
// resolved once, every address is checked, and the connection goes to the checked address (so DNS rebinding fails).
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';

// ---------------------------------------------------------------------------------------------------- address parsing

/**
 * An IPv4 address in any form inet_aton accepts (and the WHATWG URL parser normalizes): dotted decimal, 1–4 parts, each
 * decimal, octal (leading 0) or hex (0x): 2130706433, 0177.0.0.1, 0x7f.1, 127.1. Null when it is not one.
 */
export function parseIPv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length === 0 || parts.length > 4 || parts.some((p) => p === '')) return null;
  const values: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0x[0-9a-f]*$/i.test(p)) v = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) v = parseInt(p.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(p)) v = Number(p);
    else return null;
    if (!Number.isFinite(v)) return null;
    values.push(v);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255)) return null;
  if (last >= 256 ** (4 - values.length)) return null;
  let n = 0;
  values.forEach((v, i) => (n += v * 256 ** (3 - i)));
  return n + last;
}

/** An IPv6 address (with an optional trailing dotted IPv4 part and zone id) as a 128-bit integer; null when it is not one. */
export function parseIPv6(text: string): bigint | null {
  let s = text.replace(/^\[|\]$/g, '');
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (isIP(s) !== 6) return null;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    // A trailing dotted IPv4 part (::ffff:127.0.0.1) becomes its two groups.
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, rest] = s.includes('::') ? s.split('::') : [s, undefined];
  const headGroups = head ? head.split(':') : [];
  const restGroups = rest ? rest.split(':') : [];
  const fill = rest === undefined ? 0 : 8 - headGroups.length - restGroups.length;
  if (fill < 0) return null;
  const all = [...headGroups, ...Array<string>(fill).fill('0'), ...restGroups].map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN));
  if (all.length !== 8 || all.some((g) => !Number.isInteger(g))) return null;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

// ---------------------------------------------------------------------------------------------------- classification

interface V4Range { base: number; bits: number; name: string }
interface V6Range { base: bigint; bits: number; name: string }

const v4 = (cidr: string, name: string): V4Range => {
  const [a, b] = cidr.split('/');
  return { base: parseIPv4(a!)!, bits: Number(b), name };
};
const v6 = (cidr: string, name: string): V6Range => {
  const [a, b] = cidr.split('/');
  return { base: parseIPv6(a!)!, bits: Number(b), name };
};

/** IANA's IPv4 special-purpose registry (RFC 6890 and successors), as far as a receiver can never be there. */
const V4_BLOCKED: V4Range[] = [
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'shared (CGNAT)'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'IETF protocol assignments'),
  v4('192.0.2.0/24', 'documentation'),
  v4('192.31.196.0/24', 'AS112'),
  v4('192.52.193.0/24', 'AMT'),
  v4('192.88.99.0/24', '6to4 relay'),
  v4('192.168.0.0/16', 'private'),
  v4('192.175.48.0/24', 'AS112'),
  v4('198.18.0.0/15', 'benchmarking'),
  v4('198.51.100.0/24', 'documentation'),
  v4('203.0.113.0/24', 'documentation'),
  v4('224.0.0.0/4', 'multicast'),
  v4('255.255.255.255/32', 'broadcast'),
  v4('240.0.0.0/4', 'reserved'),
];

const V6_BLOCKED: V6Range[] = [
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('64:ff9b:1::/48', 'NAT64 local use'),
  v6('100::/64', 'discard'),
  v6('2001::/23', 'IETF protocol assignments'),
  v6('2001:db8::/32', 'documentation'),
  v6('3fff::/20', 'documentation'),
  v6('5f00::/16', 'SRv6'),
  v6('fc00::/7', 'unique-local'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'site-local'),
  v6('ff00::/8', 'multicast'),
];

const inV4 = (n: number, r: V4Range) => r.bits === 0 || Math.floor(n / 2 ** (32 - r.bits)) === Math.floor(r.base / 2 ** (32 - r.bits));
const inV6 = (n: bigint, r: V6Range) => n >> BigInt(128 - r.bits) === r.base >> BigInt(128 - r.bits);

export type AddressVerdict = { blocked: false } | { blocked: true; range: string };

function classifyV4(n: number): AddressVerdict {
  const hit = V4_BLOCKED.find((r) => inV4(n, r));
  return hit ? { blocked: true, range: hit.name } : { blocked: false };
}

function classifyV6(n: bigint): AddressVerdict {
  const hit = V6_BLOCKED.find((r) => inV6(n, r));
  if (hit) return { blocked: true, range: hit.name };
  const low32 = Number(n & 0xffffffffn);
  // IPv4 inside IPv6: the v4 address decides (mapped ::ffff:a.b.c.d, translated ::ffff:0:a.b.c.d, compatible ::a.b.c.d,
  // NAT64 64:ff9b::a.b.c.d); 6to4 2002:AABB:CCDD::/16 carries it in bits 16–48.
  const embedded = (prefix: bigint, bits: number) => n >> BigInt(128 - bits) === prefix >> BigInt(128 - bits);
  if (embedded(0xffffn << 32n, 96) || embedded(0xffffn << 48n, 96) || embedded(0n, 96) || embedded(parseIPv6('64:ff9b::')!, 96)) {
    const inner = classifyV4(low32);
    return inner.blocked ? { blocked: true, range: `${inner.range} (IPv4 in IPv6)` } : inner;
  }
  if (embedded(0x2002n << 112n, 16)) {
    const inner = classifyV4(Number((n >> 80n) & 0xffffffffn));
    return inner.blocked ? { blocked: true, range: `${inner.range} (6to4)` } : inner;
  }
  return { blocked: false };
}

/** Whether an IP address (any IPv4 form, or IPv6 with or without brackets) may not receive webhooks; null when not an IP. */
export function classifyAddress(address: string): AddressVerdict | null {
  const a = parseIPv4(address);
  if (a !== null) return classifyV4(a);
  const b = parseIPv6(address);
  if (b !== null) return classifyV6(b);
  return null;
}

// ---------------------------------------------------------------------------------------------------- the allow-list

export interface DestinationAllowList {
  /** Host names, lower case, without a trailing dot. */
  hosts: readonly string[];
  /** Addresses and CIDRs, parsed. */
  v4: readonly V4Range[];
  v6: readonly V6Range[];
}

export const EMPTY_ALLOW_LIST: DestinationAllowList = Object.freeze({ hosts: [], v4: [], v6: [] });

/** The allow-list from its entries (config.WEBHOOK_ALLOWED_HOSTS, checked at startup) or as parsed already. */
export function allowListOf(value: DestinationAllowList | readonly string[] | undefined): DestinationAllowList {
  if (value === undefined) return EMPTY_ALLOW_LIST;
  return Array.isArray(value) ? parseAllowList(value as readonly string[]) : (value as DestinationAllowList);
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/**
 * Parses WEBHOOK_ALLOWED_HOSTS: comma-separated host names (exact match), IP addresses and CIDRs
 * ("receiver.internal, 127.0.0.1, 10.20.0.0/16, fd00:1::/64"). Throws an Error naming the first bad entry.
 */
export function parseAllowList(text: string | readonly string[] | undefined): DestinationAllowList {
  const hosts: string[] = [];
  const v4s: V4Range[] = [];
  const v6s: V6Range[] = [];
  for (const raw of typeof text === 'string' || text === undefined ? (text ?? '').split(',') : text) {
    const entry = raw.trim().toLowerCase().replace(/\.$/, '');
    if (!entry) continue;
    const [addr, bitsText, extra] = entry.split('/');
    if (extra !== undefined) throw new Error(`not a host, address or CIDR: ${raw.trim()}`);
    const bits = bitsText === undefined ? undefined : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
    if (isIP(addr!) === 4) {
      if (bits !== undefined && !(bits >= 0 && bits <= 32)) throw new Error(`bad IPv4 prefix length: ${raw.trim()}`);
      v4s.push({ base: parseIPv4(addr!)!, bits: bits ?? 32, name: entry });
    } else if (isIP(addr!.replace(/^\[|\]$/g, '')) === 6) {
      if (bits !== undefined && !(bits >= 0 && bits <= 128)) throw new Error(`bad IPv6 prefix length: ${raw.trim()}`);
      v6s.push({ base: parseIPv6(addr!)!, bits: bits ?? 128, name: entry });
    } else if (bits === undefined && parseIPv4(entry) !== null) {
      // 2130706433, 0x7f.1 …: the address it spells, as everywhere else.
      v4s.push({ base: parseIPv4(entry)!, bits: 32, name: entry });
    } else if (bits === undefined && HOSTNAME.test(entry)) {
      hosts.push(entry);
    } else {
      throw new Error(`not a host, address or CIDR: ${raw.trim()}`);
    }
  }
  return { hosts, v4: v4s, v6: v6s };
}

function normalHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/** Whether the operator allows this host name or address. */
export function isAllowed(allow: DestinationAllowList, hostOrAddress: string): boolean {
  const h = normalHost(hostOrAddress);
  if (allow.hosts.includes(h)) return true;
  const a = parseIPv4(h);
  if (a !== null) {
    if (allow.v4.some((r) => inV4(a, r))) return true;
    // ::ffff:a.b.c.d in an allowed v6 range is checked below; a v4 address also matches a v6 entry of its mapped form.
    return allow.v6.some((r) => inV6((0xffffn << 32n) | BigInt(a), r));
  }
  const b = parseIPv6(h);
  if (b === null) return false;
  if (allow.v6.some((r) => inV6(b, r))) return true;
  // An IPv4-mapped address is allowed by its IPv4 entry.
  if (b >> 32n === 0xffffn) return allow.v4.some((r) => inV4(Number(b & 0xffffffffn), r));
  return false;
}

// ---------------------------------------------------------------------------------------------------- resolution

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/** Thrown when a destination may not receive webhooks; its message is the generic one the delivery log records. */
export class DestinationNotAllowed extends Error {
  readonly code = 'EDESTINATION';
  constructor(readonly detail: string) {
    super('destination not allowed');
    this.name = 'DestinationNotAllowed';
  }
}

/** Host names that are local by definition (RFC 6761), refused without asking DNS. */
const LOCAL_NAME = /(^|\.)(localhost|localdomain|local|internal|home\.arpa)$/;

/**
 * Resolves a URL's host once and checks every address. Returns the addresses to connect to (in resolver order), or
 * throws DestinationNotAllowed (or the resolver's error when the name does not resolve).
 */
export async function resolveDestination(hostname: string, allow: DestinationAllowList, resolver: Resolver = systemResolver): Promise<{ address: string; family: 4 | 6 }[]> {
  const host = normalHost(hostname);
  if (!host) throw new DestinationNotAllowed('empty host');
  const literal = classifyAddress(host);
  if (literal !== null) {
    if (literal.blocked && !isAllowed(allow, host)) throw new DestinationNotAllowed(`${host}: ${literal.range}`);
    const a4 = parseIPv4(host);
    return [a4 !== null ? { address: [a4 >>> 24, (a4 >>> 16) & 255, (a4 >>> 8) & 255, a4 & 255].join('.'), family: 4 } : { address: host, family: 6 }];
  }
  const hostAllowed = allow.hosts.includes(host);
  // A local name (localhost, *.local, *.internal …) counts as internal whatever it resolves to: only an allowed address
  // or CIDR lets it through, and failing to resolve it is a refusal, not a name that may exist later.
  const localName = !hostAllowed && LOCAL_NAME.test(host);
  let addresses: { address: string; family: number }[];
  try {
    addresses = await resolver(host);
  } catch (error) {
    if (localName) throw new DestinationNotAllowed(`${host}: a local name`);
    throw error;
  }
  if (addresses.length === 0) throw new DestinationNotAllowed(`${host}: no address`);
  const checked: { address: string; family: 4 | 6 }[] = [];
  for (const { address } of addresses) {
    const verdict = classifyAddress(address);
    if (verdict === null) throw new DestinationNotAllowed(`${host}: unparsable address`);
    const internal = verdict.blocked || localName;
    if (internal && !hostAllowed && !isAllowed(allow, address)) throw new DestinationNotAllowed(`${host} → ${address}: ${verdict.blocked ? verdict.range : 'a local name'}`);
    checked.push({ address, family: parseIPv4(address) !== null && isIP(address) === 4 ? 4 : 6 });
  }
  return checked;
}

/** Why a host name could not be resolved (it may exist later: registration accepts it, delivery fails and retries). */
export function isUnresolvable(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA' || code === 'ESERVFAIL' || code === 'ETIMEOUT';
}
