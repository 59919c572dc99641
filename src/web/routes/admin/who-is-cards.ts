import { normaliseEmail, normaliseUrl } from '../../../core/people.ts';
import type { Comment } from '../../../core/store.ts';
import type { WebDeps } from '../../context.ts';
import type { InboxWhoIs } from '../../views/admin/who-is-view.ts';

/**
 * "Who is this?" for the inbox: for each held comment whose writer has no approved comment
 * yet, their website's profile (a look-up is queued when it is missing or stale, never
 * run here), their other identities, and their other comments and mentions counted.
 * Only for staff who may open People (the caller checks): it crosses every post.
 */
export async function inboxWhoIs(deps: Pick<WebDeps, 'store' | 'whoIs' | 'logger'>, comments: Comment[]): Promise<Map<number, InboxWhoIs>> {
  const { store, whoIs } = deps;
  const out = new Map<number, InboxWhoIs>();
  const newcomers = new Map<number, boolean>();
  for (const comment of comments) {
    const personId = comment.personId;
    if (comment.status !== 'pending' || personId === null || comment.userId !== null) continue;
    if (!newcomers.has(personId)) newcomers.set(personId, !(await store.comments.hasApproved(personId)));
    if (!newcomers.get(personId)) continue;
    const person = await store.people.findById(personId);
    if (!person) continue;
    const identities = await store.people.identities(personId);
    const website = await whoIs.websiteProfile(person, identities);
    try {
      await whoIs.refreshIfStale(website);
    } catch (error) {
      deps.logger.error({ err: error, personId }, 'who is this: the look-up could not be queued');
    }
    const counts = await store.whoIs.interactions(personId);
    counts.comments[comment.status] = Math.max(0, counts.comments[comment.status] - 1);
    const email = comment.authorEmail ? normaliseEmail(comment.authorEmail) : null;
    const url = comment.authorUrl ? normaliseUrl(comment.authorUrl) : null;
    const otherIdentities = identities.filter((i) => !(i.kind === 'email' && i.value === email) && !((i.kind === 'website' || i.kind === 'webmention') && i.value === url));
    out.set(comment.id, { personId, website, otherIdentities, others: counts });
  }
  return out;
}
