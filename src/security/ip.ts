/**
 * Client addresses and CIDR rules, IPv4 and IPv6, with IPv4-mapped IPv6 addresses
 * (::ffff:10.0.0.1) treated as the IPv4 address they carry. X-Forwarded-For is believed only
 * when the connection comes from a trusted proxy (ASVS 5 §15.3.4), and then only up to the first
 * address that is not itself a trusted proxy.
 *
 * @module
 */
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Parse an address, unwrapping IPv4-mapped IPv6; `undefined` when it is not an address. */
export function parseAddress(text: string | undefined): Address | undefined {
  if (!text) return undefined;
  const trimmed = text.trim().replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(trimmed)) return undefined;
  const addr = ipaddr.parse(trimmed);
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

/** Canonical text of an address (so one client is one key everywhere). */
export function canonicalAddress(text: string | undefined): string | undefined {
  return parseAddress(text)?.toString();
}

export interface CidrSet {
  readonly size: number;
  contains(address: string | undefined): boolean;
}

/** A set of CIDRs (or single addresses); throws on an entry that is neither. */
export function cidrSet(entries: readonly string[]): CidrSet {
  const ranges = entries.map((entry) => {
    const text = entry.trim();
    if (text.includes('/')) {
      const [addr, bits] = ipaddr.parseCIDR(text);
      const unwrapped = addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
      const prefix = unwrapped.kind() === 'ipv4' && addr.kind() === 'ipv6' ? bits - 96 : bits;
      return [unwrapped, prefix] as [Address, number];
    }
    const single = parseAddress(text);
    if (!single) throw new Error(`not an IP address or CIDR: ${text}`);
    return [single, single.kind() === 'ipv4' ? 32 : 128] as [Address, number];
  });
  return {
    size: ranges.length,
    contains(address) {
      const addr = parseAddress(address);
      if (!addr) return false;
      return ranges.some(([range, bits]) => range.kind() === addr.kind() && addr.match(range, bits));
    },
  };
}

/** One X-Forwarded-For entry: an address, optionally with a port (`192.0.2.1:443`, `[2001:db8::1]:443`). */
function forwardedAddress(entry: string): string | undefined {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) return canonicalAddress(bracketed[1]);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(text);
  return canonicalAddress(v4WithPort ? v4WithPort[1] : text);
}

/**
 * The client's address: the socket peer, unless that peer is a trusted proxy; then the rightmost
 * X-Forwarded-For entry that is not a trusted proxy. The walk stops at an entry it cannot read
 * (`unknown`, an obfuscated name): everything left of it was written by someone we cannot vouch
 * for, so the last trusted hop stands for the client rather than an address the client chose.
 */
export function resolveClientIp(socketAddress: string | undefined, forwardedFor: string | undefined, trusted: CidrSet): string {
  const peer = canonicalAddress(socketAddress) ?? 'unknown';
  if (!forwardedFor || !trusted.contains(peer)) return peer;
  let nearestTrusted = peer;
  const entries = forwardedFor.split(',');
  for (let i = entries.length - 1; i >= 0; i--) {
    const hop = forwardedAddress(entries[i]!);
    if (!hop) return nearestTrusted;
    if (!trusted.contains(hop)) return hop;
    nearestTrusted = hop;
  }
  return nearestTrusted;
}
