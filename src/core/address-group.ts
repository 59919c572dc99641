import ipaddr from 'ipaddr.js';

/**
 * The unit per-address limits count: an IPv4 address as it is, an IPv6 address by its /64
 * network. One IPv6 subscriber is usually given a whole /64 (or more), so counting single
 * addresses would let anyone with an ordinary home connection rotate past every limit.
 * An IPv4-mapped IPv6 address counts as the IPv4 address it carries. Anything that is not
 * an address ("unknown" for in-process requests) is its own group.
 */
export function addressGroup(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${parsed.toString()}/64`);
  return `${network.toString()}/64`;
}
