// The SSRF classifier of webhook destinations, table-driven: every address form, every special-purpose range, the
// allow-list, and the resolution rule (every address checked, the checked ones returned).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import {
  allowListOf,
  classifyAddress,
  DestinationNotAllowed,
  EMPTY_ALLOW_LIST,
  isAllowed,
  parseAllowList,
  parseIPv4,
  parseIPv6,
  resolveDestination,
  type Resolver,
} from '../src/webhooks/webhooks.destination.js';

/** [address as written, the range that refuses it] */
const REFUSED: [string, string][] = [
  // Loopback in every IPv4 spelling inet_aton and the URL parser accept.
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['2130706433', 'loopback'], // integer
  ['017700000001', 'loopback'], // octal integer
  ['0x7f000001', 'loopback'], // hex integer
  ['0177.0.0.1', 'loopback'], // octal parts
  ['0x7f.0.0.1', 'loopback'], // hex parts
  ['0x7f.1', 'loopback'], // hex, short
  ['127.1', 'loopback'], // short
  ['127.0.1', 'loopback'],
  ['0X7F.00.00.01', 'loopback'],
  // Private, CGNAT, link-local and the metadata address, unspecified, broadcast, multicast, documentation, reserved.
  ['10.0.0.1', 'private'],
  ['012.0.0.1', 'private'], // octal 10
  ['167772161', 'private'], // 10.0.0.1 as an integer
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['0xc0.0xa8.1.1', 'private'],
  ['100.64.0.1', 'shared (CGNAT)'],
  ['100.127.255.255', 'shared (CGNAT)'],
  ['169.254.169.254', 'link-local'],
  ['2852039166', 'link-local'], // 169.254.169.254 as an integer
  ['0.0.0.0', 'unspecified'],
  ['0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['255.255.255.255', 'broadcast'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.0.8', 'IETF protocol assignments'],
  ['192.0.2.10', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['192.88.99.1', '6to4 relay'],
  // IPv6.
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['::', 'unspecified'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456:789a::1', 'unique-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  ['fec0::1', 'site-local'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['100::1', 'discard'],
  ['2001::1', 'IETF protocol assignments'], // Teredo
  ['64:ff9b:1::1', 'NAT64 local use'],
  // IPv4 inside IPv6: mapped (both spellings), translated, compatible, NAT64 of a private v4, 6to4 of loopback.
  ['::ffff:127.0.0.1', 'loopback (IPv4 in IPv6)'],
  ['::ffff:7f00:1', 'loopback (IPv4 in IPv6)'],
  ['[::ffff:7f00:1]', 'loopback (IPv4 in IPv6)'],
  ['0:0:0:0:0:ffff:7f00:1', 'loopback (IPv4 in IPv6)'],
  ['::ffff:169.254.169.254', 'link-local (IPv4 in IPv6)'],
  ['::ffff:a9fe:a9fe', 'link-local (IPv4 in IPv6)'],
  ['::ffff:10.1.2.3', 'private (IPv4 in IPv6)'],
  ['::ffff:0:127.0.0.1', 'loopback (IPv4 in IPv6)'],
  ['::127.0.0.1', 'loopback (IPv4 in IPv6)'],
  ['::7f00:1', 'loopback (IPv4 in IPv6)'],
  ['64:ff9b::10.0.0.1', 'private (IPv4 in IPv6)'],
  ['64:ff9b::a00:1', 'private (IPv4 in IPv6)'],
  ['64:ff9b::127.0.0.1', 'loopback (IPv4 in IPv6)'],
  ['64:ff9b::192.168.0.1', 'private (IPv4 in IPv6)'],
  ['2002:7f00:1::', 'loopback (6to4)'],
  ['2002:a9fe:a9fe::1', 'link-local (6to4)'],
];

const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '134744072', // 8.8.8.8 as an integer
  '0x08.0x08.0x08.0x08',
  '100.63.255.255', // just below CGNAT
  '100.128.0.0', // just above
  '172.15.255.255', // just below 172.16/12
  '172.32.0.0', // just above
  '169.253.255.255',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2400:3200::1',
  '::ffff:8.8.8.8',
  '64:ff9b::8.8.8.8',
  '2002:0808:0808::1',
];

const NOT_AN_ADDRESS = ['example.com', '1.2.3.4.5', '256.1.1.1', '1.2.3.256', '1.16777216', '08.1.1.1', '0x1g.1.1.1', '1..1', '', ':::1', '1::2::3', '12345::1', 'fe80::1::'];

describe('classifyAddress', () => {
  it.each(REFUSED)('refuses %s (%s)', (address, range) => {
    expect(classifyAddress(address)).toEqual({ blocked: true, range });
  });
  it.each(PUBLIC)('allows the public address %s', (address) => {
    expect(classifyAddress(address)).toEqual({ blocked: false });
  });
  it.each(NOT_AN_ADDRESS)('%j is not an address', (text) => {
    expect(classifyAddress(text)).toBeNull();
  });
  it('reads each IPv4 form to the same number as the URL parser', () => {
    for (const form of ['2130706433', '0177.0.0.1', '0x7f.1', '127.1', '127.0.0.1', '0x7f000001', '017700000001']) {
      expect(parseIPv4(form), form).toBe(2130706433);
      expect(new URL(`http://${form}/`).hostname).toBe('127.0.0.1');
    }
    expect(parseIPv6('::ffff:127.0.0.1')).toBe(parseIPv6('::ffff:7f00:1'));
    expect(parseIPv6('1:2:3:4:5:6:7:8')!.toString(16)).toBe('10002000300040005000600070008');
  });
});

describe('the allow-list (WEBHOOK_ALLOWED_HOSTS)', () => {
  const allow = parseAllowList(' receiver.internal , 127.0.0.1, 10.20.0.0/16, fd00:1::/64, Hooks.Example.');
  it.each([
    ['receiver.internal', true],
    ['RECEIVER.internal.', true],
    ['hooks.example', true],
    ['other.internal', false],
    ['127.0.0.1', true],
    ['::ffff:127.0.0.1', true], // mapped form of an allowed v4
    ['127.0.0.2', false],
    ['10.20.255.1', true],
    ['10.21.0.1', false],
    ['fd00:1::5', true],
    ['[fd00:1::5]', true],
    ['fd00:2::5', false],
  ] as const)('%s → %s', (host, expected) => {
    expect(isAllowed(allow, host)).toBe(expected);
  });
  it('refuses bad entries at startup, naming them', () => {
    for (const bad of ['10.0.0.0/33', 'fd00::/129', 'http://x', 'a b', '1.2.3.4/8/1', 'host/8']) {
      expect(() => parseAllowList(bad), bad).toThrow();
      expect(() => loadConfig({ WEBHOOK_ALLOWED_HOSTS: bad }), bad).toThrow(/WEBHOOK_ALLOWED_HOSTS/);
    }
    expect(loadConfig({}).WEBHOOK_ALLOWED_HOSTS).toEqual([]);
    expect(allowListOf(loadConfig({}).WEBHOOK_ALLOWED_HOSTS)).toEqual(EMPTY_ALLOW_LIST);
    const configured = loadConfig({ WEBHOOK_ALLOWED_HOSTS: ' receiver.internal, 127.0.0.1 ,10.20.0.0/16,fd00:1::/64' }).WEBHOOK_ALLOWED_HOSTS;
    expect(configured).toEqual(['receiver.internal', '127.0.0.1', '10.20.0.0/16', 'fd00:1::/64']);
    expect(allowListOf(configured)).toEqual(parseAllowList('receiver.internal,127.0.0.1,10.20.0.0/16,fd00:1::/64'));
  });
});

describe('resolveDestination: resolve once, check every address', () => {
  const resolver = (answers: Record<string, string[]>): Resolver => async (host) => {
    const found = answers[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  const dns = resolver({
    'public.test': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    'mixed.test': ['93.184.215.14', '10.0.0.7'],
    'metadata.test': ['169.254.169.254'],
    'mapped.test': ['::ffff:127.0.0.1'],
    'nat64.test': ['64:ff9b::c0a8:1'],
    'receiver.internal': ['10.20.0.5'],
  });

  it('returns the checked addresses of a public name', async () => {
    expect(await resolveDestination('public.test', EMPTY_ALLOW_LIST, dns)).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
  });
  it.each(['mixed.test', 'metadata.test', 'mapped.test', 'nat64.test', 'receiver.internal', 'localhost', 'api.localhost', 'printer.local'])(
    'refuses %s (one internal address is enough)',
    async (host) => {
      const refused = await resolveDestination(host, EMPTY_ALLOW_LIST, dns).catch((e) => e);
      expect(refused).toBeInstanceOf(DestinationNotAllowed);
      // The message never names the address or the range (the delivery log shows it); the detail is for the operator's log.
      expect(refused.message).toBe('destination not allowed');
    },
  );
  it.each(['127.0.0.1', '2130706433', '0177.0.0.1', '0x7f.1', '127.1', '[::1]', '[::ffff:7f00:1]', '[::ffff:127.0.0.1]', '[64:ff9b::a00:1]', '169.254.169.254', '0.0.0.0'])(
    'refuses the literal %s without resolving',
    async (host) => {
      const never: Resolver = async () => {
        throw new Error('resolved a literal');
      };
      await expect(resolveDestination(host, EMPTY_ALLOW_LIST, never)).rejects.toBeInstanceOf(DestinationNotAllowed);
    },
  );
  it('lets the allow-list name a host, an address or a CIDR', async () => {
    expect(await resolveDestination('receiver.internal', parseAllowList('receiver.internal'), dns)).toEqual([{ address: '10.20.0.5', family: 4 }]);
    expect(await resolveDestination('receiver.internal', parseAllowList('10.20.0.0/16'), dns)).toEqual([{ address: '10.20.0.5', family: 4 }]);
    expect(await resolveDestination('2130706433', parseAllowList('127.0.0.1'), dns)).toEqual([{ address: '127.0.0.1', family: 4 }]);
    // An allowed address does not allow its neighbours, nor a name that resolves to several addresses of which one is not allowed.
    await expect(resolveDestination('127.0.0.2', parseAllowList('127.0.0.1'), dns)).rejects.toBeInstanceOf(DestinationNotAllowed);
    await expect(resolveDestination('mixed.test', parseAllowList('10.0.0.8'), dns)).rejects.toBeInstanceOf(DestinationNotAllowed);
  });
  it('passes on the resolver’s error for a name that does not resolve', async () => {
    await expect(resolveDestination('nowhere.test', EMPTY_ALLOW_LIST, dns)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
