import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type Cidr = [Address, number];

/**
 * Ranges a direct tunnel may not reach (Coder's list, `aibridgeproxyd.go`), plus `::/128`,
 * which Linux routes to the local host. IPv4-mapped IPv6 addresses are checked as IPv4.
 */
export const BLOCKED_RANGES: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '240.0.0.0/4',
  '::1/128',
  '::/128',
  '64:ff9b::/96',
  '64:ff9b:1::/48',
  '2002::/16',
  'fc00::/7',
  'fe80::/10',
];

const blocked: Cidr[] = BLOCKED_RANGES.map((r) => ipaddr.parseCIDR(r));

/** Parses CIDRs (a bare address is a single-host range); returns the ranges and every bad entry. */
export function parseCidrs(list: readonly string[]): { cidrs: Cidr[]; problems: string[] } {
  const cidrs: Cidr[] = [];
  const problems: string[] = [];
  for (const raw of list) {
    const entry = raw.trim();
    if (!entry) continue;
    try {
      // Strict dotted-quad / IPv6 only: ipaddr.js would also take shorthands such as 10.0.0.
      if (isIP(entry.split('/', 1)[0]) === 0) throw new Error('not an address');
      if (entry.includes('/')) {
        cidrs.push(ipaddr.parseCIDR(entry));
      } else {
        const addr = normalize(ipaddr.parse(entry));
        cidrs.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
      }
    } catch {
      problems.push(`proxy.allowedPrivateCidrs: "${entry}" is not a CIDR (e.g. 10.0.0.0/8 or fd00::/8)`);
    }
  }
  return { cidrs, problems };
}

function normalize(addr: Address): Address {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

function inRange(addr: Address, [range, bits]: Cidr): boolean {
  return addr.kind() === range.kind() && addr.match(range, bits);
}

/**
 * Whether a resolved address is off limits for a direct tunnel: inside a blocked range and
 * not inside an allowed exception. An address that does not parse is refused.
 */
export function isBlockedAddress(ip: string, exceptions: readonly Cidr[] = []): boolean {
  let addr: Address;
  try {
    addr = normalize(ipaddr.parse(ip.replace(/%.*$/, '')));
  } catch {
    return true;
  }
  if (!blocked.some((r) => inRange(addr, r))) return false;
  return !exceptions.some((r) => inRange(addr, r));
}
