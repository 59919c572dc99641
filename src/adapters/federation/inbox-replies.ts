import { inboxesArePublic } from './inbox-address.ts';
import type { InboxContext, RequestContext, UnverifiedActivityReason } from '@fedify/fedify';
import { Create, Delete, Hashtag, Link, Mention, Note, PUBLIC_COLLECTION, type Activity, type Actor, type Update } from '@fedify/fedify/vocab';
import { FediverseReplies, type IncomingNote } from '../../core/fediverse-replies.ts';
import type { NoteVisibility, RemoteAuthor } from '../../core/fediverse-reply-store.ts';
import type { FederationDeps } from './federation.ts';

/**
 * The inbox listeners for replies (issue 12, point 4). They only translate: a Create or
 * Update of a Note becomes an `IncomingNote` for `FediverseReplies` (core), a Delete names
 * the object and the actor who sent it. What becomes a comment, a private mention or
 * nothing is decided there. Every check that needs the activity itself is made here:
 * the signature proved the actor; the Note must be attributed to that actor and live on
 * the actor's own server, so no one can put words in someone else's mouth.
 */
export function replyListeners(deps: Pick<FederationDeps, 'store' | 'clock' | 'comments' | 'siteUrl' | 'handle' | 'site' | 'publish' | 'allowPrivate'>) {
  const replies = new FediverseReplies({ store: deps.store, clock: deps.clock, comments: deps.comments, siteUrl: deps.siteUrl, handle: deps.handle, siteTitle: async () => (await deps.site()).title, publish: deps.publish });
  return {
    replies,

    async create(ctx: InboxContext<void>, create: Create): Promise<void> {
      const note = await incomingNote(ctx, create, ctx.getActorUri(deps.handle), deps.allowPrivate);
      if (note) await replies.received(note);
    },

    async update(ctx: InboxContext<void>, update: Update): Promise<void> {
      const note = await incomingNote(ctx, update, ctx.getActorUri(deps.handle), deps.allowPrivate);
      if (note) await replies.updated(note);
    },

    /** Delete names its object by id, a Tombstone or (Pleroma) a bare URI: never fetched, it is gone. */
    async delete(_ctx: InboxContext<void>, del: Delete): Promise<void> {
      const objectId = del.objectIds[0];
      if (del.actorId === null || !objectId) return;
      await replies.deleted(objectId.href, del.actorId.href);
    },

    /**
     * A deleted account's Delete cannot be verified: its key is gone with it. Its own server
     * answering 410 Gone for the key — the actor's document, fetched by us from the actor's
     * own address — is the proof, so a Delete of that actor by itself is honoured (and
     * acknowledged, so the sender stops retrying). Nothing else unverified is.
     */
    async unverified(_ctx: RequestContext<void>, activity: Activity, reason: UnverifiedActivityReason): Promise<Response | void> {
      if (!(activity instanceof Delete) || activity.actorId === null || reason.type !== 'keyFetchError') return;
      if (!('status' in reason.result) || reason.result.status !== 410) return;
      const keyDocument = new URL(reason.keyId);
      keyDocument.hash = '';
      const actor = activity.actorId.href;
      if (keyDocument.href !== actor || activity.objectIds[0]?.href !== actor) return;
      await replies.actorDeleted(actor);
      return new Response(null, { status: 202 });
    },
  };
}

const isPublic = (url: URL) => url.href === PUBLIC_COLLECTION.href || url.href === 'as:Public' || url.href === 'Public';

/**
 * The Note of a Create or Update, as the core wants it, or null when it is not a Note its
 * sender wrote: attributed to someone else, or kept on another server than the sender's.
 */
async function incomingNote(ctx: InboxContext<void>, activity: Create | Update, blogActor: URL, allowPrivate: boolean): Promise<IncomingNote | null> {
  const actorId = activity.actorId;
  if (actorId === null) return null;
  const object = await activity.getObject(ctx);
  if (!(object instanceof Note) || object.id === null) return null;
  if (object.attributionId?.href !== actorId.href || object.id.origin !== actorId.origin) return null;
  const actor = await activity.getActor(ctx);
  if (!actor || actor.id?.href !== actorId.href) return null;
  const author = remoteAuthor(actor);
  // The author's answer is delivered to their inbox: never to a private address (inbox-address.ts).
  if (!author || !(await inboxesArePublic([author.inbox, author.sharedInbox], allowPrivate))) return null;

  const tagNames: string[] = [];
  let mentionsBlog = false;
  for await (const tag of object.getTags(ctx)) {
    if (!(tag instanceof Link)) continue;
    const name = tag.name?.toString() ?? '';
    if (tag instanceof Mention) {
      if (tag.href?.href === blogActor.href) mentionsBlog = true;
      if (name) tagNames.push(name);
    } else if (tag instanceof Hashtag && name) tagNames.push(name);
  }
  // Some servers address only the activity, some only the object: both count.
  const to = [...activity.toIds, ...object.toIds];
  const cc = [...activity.ccIds, ...object.ccIds];
  const followers = actor.followersId?.href;
  const visibility: NoteVisibility = to.some(isPublic) ? 'public' : cc.some(isPublic) ? 'unlisted' : followers && [...to, ...cc].some((u) => u.href === followers) ? 'followers' : 'direct';
  const url = object.url instanceof URL ? object.url : object.url instanceof Link ? object.url.href : null;
  // "via" links to the original's page only on the Note's own server (as a webmention's u-url must be on its source's site).
  const page = url && /^https?:$/.test(url.protocol) && url.origin === object.id.origin ? url : object.id;
  return {
    noteId: object.id.href,
    author,
    inReplyTo: object.replyTargetId?.href ?? null,
    html: object.content?.toString() ?? '',
    summary: object.summary?.toString() ?? null,
    url: page.href,
    visibility,
    addressesBlog: mentionsBlog || [...to, ...cc].some((u) => u.href === blogActor.href),
    tagNames,
  };
}

/** The sender as the core keeps them; no inbox, no one to answer. */
function remoteAuthor(actor: Actor): RemoteAuthor | null {
  if (!actor.id || !actor.inboxId) return null;
  const username = actor.preferredUsername?.toString();
  const page = actor.url instanceof URL ? actor.url : actor.url instanceof Link ? actor.url.href : null;
  return {
    actorUri: actor.id.href,
    handle: username ? `@${username}@${actor.id.host}`.toLowerCase() : null,
    name: actor.name?.toString() ?? null,
    profileUrl: page && /^https?:$/.test(page.protocol) ? page.href : actor.id.href,
    inbox: actor.inboxId.href,
    sharedInbox: actor.endpoints?.sharedInbox?.href ?? null,
  };
}
