import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { isPublicAddress } from '../safe-fetch.ts';

/**
 * Whether the blog may deliver to these inboxes. Fedify posts deliveries with the global
 * `fetch`, not through safe-fetch.ts, so an actor whose inbox names a private or loopback
 * address (`http://169.254.169.254/…`, `http://localhost:5432/`) would turn the blog into a
 * client of the site's own network. Checked when a follower, a mover or a reply's author is
 * recorded: each inbox must be https (http too only with FEDIVERSE_ALLOW_PRIVATE, for
 * tests) on a host whose every address is public. A name that resolves to nothing is refused.
 */
export async function inboxesArePublic(inboxes: ReadonlyArray<string | null>, allowPrivate: boolean): Promise<boolean> {
  for (const inbox of inboxes) {
    if (inbox === null) continue;
    let url: URL;
    try {
      url = new URL(inbox);
    } catch {
      return false;
    }
    if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) return false;
    if (allowPrivate) continue;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(host)) {
      if (!isPublicAddress(host)) return false;
      continue;
    }
    try {
      const addresses = await lookup(host, { all: true });
      if (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a.address))) return false;
    } catch {
      return false;
    }
  }
  return true;
}
