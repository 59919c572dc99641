import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import ipaddr from 'ipaddr.js';
import type { TrustProxy } from '../config/config.ts';
import type { AppEnv } from './context.ts';

/**
 * The client's address: the socket's, or, behind trusted proxies, the entry of
 * X-Forwarded-For that the nearest untrusted hop was seen from. Each proxy appends the
 * address it received the request from, so only the right end of the header is
 * trustworthy; whatever a client writes into it itself lands on the left and is never used.
 */
export function clientIp(c: Context<AppEnv>): string {
  return clientAddress(socketAddress(c), c.req.header('x-forwarded-for'), c.get('deps').config.trustProxy);
}

function socketAddress(c: Context<AppEnv>): string {
  // In-process requests (tests, bench/e-pg-cpu.ts) have no socket: asked without one,
  // getConnInfo throws, and an exception per request is not free.
  const env = c.env as { incoming?: unknown; server?: { incoming?: unknown } } | undefined;
  if (!env?.incoming && !env?.server?.incoming) return 'unknown';
  return getConnInfo(c).remote.address ?? 'unknown';
}

/** The pure rule behind clientIp: the peer's address, the header as received, and the setting. */
export function clientAddress(peer: string, forwardedFor: string | undefined, trust: TrustProxy): string {
  if (trust.kind === 'none' || !forwardedFor) return peer;
  // The hops from the client towards us, the peer (the nearest proxy) last.
  const chain = [...forwardedFor.split(',').map((entry) => entry.trim()).filter(Boolean), peer];
  if (trust.kind === 'hops') {
    // With n proxies in front, the client is n entries left of the peer; a shorter chain
    // means fewer proxies than configured, and its leftmost entry is the furthest known hop.
    return chain[Math.max(0, chain.length - 1 - trust.hops)];
  }
  const trusted = trustedRanges(trust.ranges);
  for (let i = chain.length - 1; i > 0; i--) {
    if (!isTrusted(chain[i], trusted)) return chain[i];
  }
  return chain[0];
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

const parsedRanges = new Map<string, Range[]>();

function trustedRanges(ranges: string[]): Range[] {
  const key = ranges.join(',');
  let parsed = parsedRanges.get(key);
  if (!parsed) {
    parsed = ranges.map((range): Range => {
      if (range.includes('/')) return ipaddr.parseCIDR(range);
      const address = ipaddr.parse(range);
      return [address, address.kind() === 'ipv4' ? 32 : 128];
    });
    parsedRanges.set(key, parsed);
  }
  return parsed;
}

function isTrusted(address: string, ranges: Range[]): boolean {
  if (!ipaddr.isValid(address)) return false;
  // ::ffff:10.0.0.1 (an IPv4 peer on a dual-stack socket) is matched as 10.0.0.1.
  const parsed = ipaddr.process(address);
  return ranges.some(([base, bits]) => base.kind() === parsed.kind() && parsed.match(base, bits));
}
