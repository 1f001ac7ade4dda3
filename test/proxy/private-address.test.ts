import { describe, expect, it } from 'vitest';
import { isBlockedAddress, parseCidrs } from '../../src/proxy/private-address.js';

describe('isBlockedAddress', () => {
  it.each([
    ['0.0.0.0', true],
    ['10.1.2.3', true],
    ['100.64.0.1', true],
    ['100.128.0.1', false],
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['169.254.169.254', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.0.0.8', true],
    ['192.168.1.1', true],
    ['198.18.0.1', true],
    ['198.20.0.1', false],
    ['240.0.0.1', true],
    ['255.255.255.255', true],
    ['8.8.8.8', false],
    ['1.1.1.1', false],
    ['::1', true],
    ['::', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:10.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['64:ff9b::a00:1', true],
    ['64:ff9b:1::1', true],
    ['2002:a00:1::1', true],
    ['fc00::1', true],
    ['fd12:3456::1', true],
    ['fe80::1', true],
    ['fe80::1%eth0', true],
    ['2606:4700:4700::1111', false],
    ['not an address', true],
  ])('%s → blocked %s', (ip, blocked) => {
    expect(isBlockedAddress(ip)).toBe(blocked);
  });

  it('lets an allowed CIDR through and nothing else', () => {
    const { cidrs } = parseCidrs(['10.0.0.0/8', 'fd00::/8']);
    expect(isBlockedAddress('10.9.9.9', cidrs)).toBe(false);
    expect(isBlockedAddress('::ffff:10.9.9.9', cidrs)).toBe(false);
    expect(isBlockedAddress('fd00::5', cidrs)).toBe(false);
    expect(isBlockedAddress('192.168.0.1', cidrs)).toBe(true);
    expect(isBlockedAddress('127.0.0.1', cidrs)).toBe(true);
  });

  it('treats a bare address exception as a single host', () => {
    const { cidrs } = parseCidrs(['192.168.1.10']);
    expect(isBlockedAddress('192.168.1.10', cidrs)).toBe(false);
    expect(isBlockedAddress('192.168.1.11', cidrs)).toBe(true);
  });
});

describe('parseCidrs', () => {
  it.each([['10.0.0.0/33'], ['10.0.0/8'], ['banana'], ['fd00::/129'], ['10.0.0.0/8/8']])('reports %s', (bad) => {
    const { cidrs, problems } = parseCidrs([bad]);
    expect(cidrs).toEqual([]);
    expect(problems).toEqual([`proxy.allowedPrivateCidrs: "${bad}" is not a CIDR (e.g. 10.0.0.0/8 or fd00::/8)`]);
  });
});
