import { describe, expect, it } from 'vitest';
import { canonicalAddress, cidrSet, resolveClientIp } from '../../src/security/ip.ts';

const proxies = cidrSet(['10.0.0.0/8', '2001:db8:ffff::/48']);

describe('the client address', () => {
  it('is the socket peer when the peer is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(resolveClientIp('203.0.113.9', '198.51.100.1', proxies)).toBe('203.0.113.9');
  });

  it('is the rightmost X-Forwarded-For entry that is not a trusted proxy', () => {
    expect(resolveClientIp('10.0.0.2', '198.51.100.66, 203.0.113.7, 10.0.0.5', proxies)).toBe('203.0.113.7');
    expect(resolveClientIp('::ffff:10.0.0.2', '203.0.113.7', proxies)).toBe('203.0.113.7');
    expect(resolveClientIp('2001:db8:ffff::1', '2001:db8:1::5', proxies)).toBe('2001:db8:1::5');
  });

  it('reads entries with ports, as some proxies write them', () => {
    expect(resolveClientIp('10.0.0.2', '198.51.100.66, 203.0.113.77:5555', proxies)).toBe('203.0.113.77');
    expect(resolveClientIp('10.0.0.2', '[2001:db8:1::5]:443', proxies)).toBe('2001:db8:1::5');
  });

  it('never takes an address from left of an entry it cannot read: the last trusted hop stands for the client', () => {
    // The trusted proxy at 10.0.0.5 wrote "unknown"; what is left of it came from the client.
    expect(resolveClientIp('10.0.0.2', '198.51.100.66, unknown, 10.0.0.5', proxies)).toBe('10.0.0.5');
    expect(resolveClientIp('10.0.0.2', '198.51.100.66, _hidden', proxies)).toBe('10.0.0.2');
  });

  it('is the leftmost hop when every hop is a trusted proxy', () => {
    expect(resolveClientIp('10.0.0.2', '10.1.1.1, 10.0.0.5', proxies)).toBe('10.1.1.1');
  });

  it('writes one address one way, so one client is one key', () => {
    expect(canonicalAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalAddress('2001:DB8:0:0::1')).toBe('2001:db8::1');
    expect(canonicalAddress('not an address')).toBeUndefined();
  });
});

describe('CIDR sets', () => {
  it('match IPv4, IPv6 and IPv4-mapped addresses against their ranges', () => {
    const set = cidrSet(['192.0.2.0/24', '2001:db8::/32', '::ffff:198.51.100.0/120']);
    expect(set.contains('192.0.2.200')).toBe(true);
    expect(set.contains('::ffff:192.0.2.200')).toBe(true);
    expect(set.contains('198.51.100.7')).toBe(true);
    expect(set.contains('2001:db8:5::1')).toBe(true);
    expect(set.contains('192.0.3.1')).toBe(false);
    expect(set.contains('2001:db9::1')).toBe(false);
    expect(set.contains('garbage')).toBe(false);
  });

  it('refuse an entry that is neither an address nor a CIDR', () => {
    expect(() => cidrSet(['10.0.0.0/8', 'example.com'])).toThrow(/not an IP address or CIDR/);
  });
});
