import type { Context, MiddlewareHandler } from 'hono';
import type { Store } from '../core/store.ts';
import { clientIp } from './client-ip.ts';
import type { AppEnv } from './context.ts';

/** Addresses that are Fedify's whoever asks: discovery, the actor and its collections, the shared inbox. */
const federationPath = /^\/(?:\.well-known\/(?:webfinger|nodeinfo)$|nodeinfo\/|@[^/]+(?:\/|$)|ap\/)/;

/** What servers put in Accept to get ActivityStreams (browsers never do). */
const activityAccept = /application\/(?:activity\+json|ld\+json)/i;

/** A request asking for ActivityStreams: never answered from, or stored in, the page cache. */
export function wantsActivityJson(accept: string | undefined | null): boolean {
  return accept !== undefined && accept !== null && activityAccept.test(accept);
}

/** Whether this request is for Fedify: its own addresses, or any page asked for as ActivityStreams. */
export function isFederationRequest(method: string, path: string, accept: string | undefined): boolean {
  if (federationPath.test(path)) return true;
  return (method === 'GET' || method === 'HEAD') && wantsActivityJson(accept);
}

/**
 * Hands federation requests to Fedify (`federation.fetch`), loading it on the first one.
 * What Fedify has nothing for (onNotFound) or cannot answer in the format asked
 * (onNotAcceptable: a browser) goes on to the normal routes, so one address serves HTML to
 * browsers and JSON-LD to servers. A browser opening the actor is sent to the home page,
 * the blog's profile.
 */
export const federationMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  const fediverse = c.get('deps').fediverse;
  if (!fediverse || !isFederationRequest(c.req.method, c.req.path, c.req.header('accept'))) return next();
  if (c.req.method === 'POST') {
    const retryAfter = await inboxRateLimited(c);
    if (retryAfter !== null) return c.text('Too many activities from your server; send them again later.', 429, { 'Retry-After': String(retryAfter) });
    if (await fromBlockedActor(c.req.raw, c.get('deps').store)) return c.text('This account or its server is blocked here.', 403);
    if (!signatureCoversBody(c.req.raw.headers)) return c.text('The HTTP signature must cover the body’s digest (Digest, or Content-Digest for RFC 9421).', 401);
  }
  const federation = await fediverse.federation();
  let passOn: 'not-found' | 'not-acceptable' | null = null;
  const response = await federation.fetch(c.req.raw, {
    contextData: undefined,
    onNotFound: () => {
      passOn = 'not-found';
      return new Response(null, { status: 404 });
    },
    onNotAcceptable: () => {
      passOn = 'not-acceptable';
      return new Response(null, { status: 406 });
    },
  });
  if (passOn === 'not-acceptable' && c.req.path.toLowerCase() === `/@${fediverse.handle.toLowerCase()}`) return c.redirect('/', 303);
  if (passOn) return next();
  // Fedify answers 400 to an activity of a type it does not know (an extension). Signed by
  // its actor, it is acknowledged and ignored, as every activity the blog has no use for is.
  // (Fedify reads clones of the request: its own body is still there to check.)
  if (c.req.method === 'POST' && response.status === 400 && !c.req.raw.bodyUsed && (await fediverse.signedByItsActor(c.req.raw))) return c.body(null, 202);
  return response;
};

/**
 * Whether a POSTed activity's actor (or its domain) is on the block list: refused with 403
 * before Fedify fetches its key, so a blocked server costs no outgoing request. A body
 * that is not JSON is left to Fedify, which refuses it.
 */
async function fromBlockedActor(request: Request, store: Store): Promise<boolean> {
  let activity: unknown;
  try {
    activity = JSON.parse(await request.clone().text());
  } catch {
    return false;
  }
  const actor = (activity as { actor?: unknown } | null)?.actor;
  const actorUri = typeof actor === 'string' ? actor : typeof (actor as { id?: unknown } | null)?.id === 'string' ? (actor as { id: string }).id : null;
  return actorUri !== null && (await store.fediverseBlocks.isBlocked(actorUri));
}

/**
 * Counts an inbox POST against its server's budget (FEDIVERSE_INBOX_LIMIT a minute) and
 * returns the seconds to wait when it is spent, or null. The server is the host of the key
 * that signed the request (its keyId, in either signature format), or the client's address
 * when it is unsigned; this runs before any signature is checked or key fetched, so a flood
 * costs one counter update per request.
 */
async function inboxRateLimited(c: Context<AppEnv>): Promise<number | null> {
  const { store, clock, config } = c.get('deps');
  const result = await store.rateLimits.hit(`fediverse-inbox:${signingHost(c.req.raw.headers) ?? clientIp(c)}`, 60_000, config.fediverseInboxLimit, clock.now());
  return result.allowed ? null : Math.max(1, Math.ceil(result.retryAfterMs / 1000));
}

/** The host named by the signature's key id (`Signature` of draft-cavage, `Signature-Input` of RFC 9421). */
export function signingHost(headers: Headers): string | null {
  const keyId = /keyid="([^"]+)"/i.exec(`${headers.get('signature-input') ?? ''} ${headers.get('signature') ?? ''}`)?.[1];
  if (!keyId) return null;
  try {
    return new URL(keyId).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * Whether the request's HTTP signature, if it has one, covers the body's digest. Fedify
 * checks a Digest or Content-Digest header against the body, but accepts a signature that
 * leaves that header out, and then the body could be anything. Like Mastodon, an inbox
 * POST whose signature does not cover `digest` (draft-cavage) or `content-digest`
 * (RFC 9421, each signature) is refused. Unsigned requests are Fedify's to judge (an
 * activity with an integrity proof needs no HTTP signature).
 */
export function signatureCoversBody(headers: Headers): boolean {
  const input = headers.get('signature-input');
  if (input !== null) {
    const covered = [...input.matchAll(/(?:^|,)\s*[\w.*-]+=\(([^)]*)\)/g)].map((m) => [...m[1].matchAll(/"([^"]+)"/g)].map((c) => c[1].toLowerCase()));
    return covered.length > 0 && covered.every((components) => components.includes('content-digest'));
  }
  const draft = headers.get('signature');
  if (draft === null) return true;
  const signed = /(?:^|,)\s*headers="([^"]*)"/i.exec(draft)?.[1];
  return signed !== undefined && signed.toLowerCase().split(/\s+/).includes('digest');
}
