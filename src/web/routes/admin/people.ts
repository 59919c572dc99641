import { Hono, type Context } from 'hono';
import { DomainError, notFound } from '../../../core/errors.ts';
import { toId } from '../../../core/ids.ts';
import { firstSeenAt, parsePeopleCursor, parseTimelineCursor, timelineKinds, trustStates, type PersonIdentity, type TimelineKind, type Trust } from '../../../core/people.ts';
import { labelName, labelProblem, noteProblem, noteText, peopleRefusal, peopleRoles, TRUST_REASON_MAX, trustProblem } from '../../../core/person-edits.ts';
import type { WebsiteProfile } from '../../../core/who-is.ts';
import { renderCommentMarkdown } from '../../../core/render-markdown.ts';
import type { Person, PostLink, User } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import type { SafeHtml } from '../../html.ts';
import { duplicatesView, mergeChooseView, mergePreviewView, peopleListView, personPageView, type PersonPageOptions } from '../../views/admin/people-view.ts';
import { allowRoles, currentUser, formFields, idParam } from './admin-request.ts';
import { writesPosts } from '../../views/admin/person-rights-view.ts';

const PER_PAGE = 30;
const TIMELINE_PAGE = 30;

/** The people to merge in, from `with` (repeated, or comma-separated in the confirm form). */
function otherIds(values: string[] | undefined): number[] {
  const ids: number[] = [];
  for (const value of values ?? []) for (const part of value.split(',')) {
    const id = toId(part.trim());
    if (id !== null) ids.push(id);
  }
  return ids;
}

const asTrust = (v: string | undefined): Trust | null => (trustStates.includes(v as Trust) ? (v as Trust) : null);
const asKind = (v: string | undefined): TimelineKind | null => (timelineKinds.includes(v as TimelineKind) ? (v as TimelineKind) : null);

async function personOr404(c: Context<AppEnv>) {
  const summary = await c.get('deps').store.people.summary(idParam(c));
  if (!summary) throw notFound('That person');
  return summary;
}

/** What their website says, for the page; a missing or stale profile is queued for the background job, never read here. */
async function profileShown(c: Context<AppEnv>, person: Person, identities: PersonIdentity[]): Promise<WebsiteProfile> {
  const { whoIs, logger } = c.get('deps');
  const current = await whoIs.websiteProfile(person, identities);
  try {
    await whoIs.refreshIfStale(current);
  } catch (error) {
    logger.error({ err: error, personId: person.id }, 'who is this: the look-up could not be queued');
  }
  return current;
}

/** Where "Look again" returns: the inbox (any of its views) or this person's page. */
function lookAgainBack(value: string | undefined, personId: number): string {
  const back = value ?? '';
  if (/^\/admin\/comments(\?[^#\s]*)?$/.test(back) || back === `/admin/people/${personId}`) return back;
  return `/admin/people/${personId}`;
}

async function renderPerson(c: Context<AppEnv>, personId: number, extra: Pick<PersonPageOptions, 'problem' | 'replied'> = {}, status: 422 | 200 = 200) {
  const { store, clock } = c.get('deps');
  const summary = await store.people.summary(personId);
  if (!summary) throw notFound('That person');
  const kind = asKind(c.req.query('kind'));
  const before = parseTimelineCursor(c.req.query('before') ?? '');
  const [merges, duplicates, names, notes, allLabels, page, latest] = await Promise.all([
    store.people.merges(personId, clock.now()),
    store.people.duplicates(personId, 10),
    store.people.namesUsed(personId),
    store.people.notes(personId),
    store.people.labels(),
    store.people.timeline(personId, { kinds: kind ? [kind] : undefined, limit: TIMELINE_PAGE, before }),
    summary.lastComment ? store.comments.findById(summary.lastComment.id) : Promise.resolve(null),
  ]);
  const postIds = new Set<number>();
  const userIds = new Set<number>();
  for (const e of page.entries) {
    if (e.kind === 'comment' || e.kind === 'reply') postIds.add(e.comment.postId);
    if (e.kind === 'webmention' || e.kind === 'subscription') postIds.add(e.postId);
    if (e.kind === 'note' && e.note.authorId !== null) userIds.add(e.note.authorId);
    if (e.kind === 'event' && e.event.actorId !== null) userIds.add(e.event.actorId);
  }
  for (const n of notes) if (n.authorId !== null) userIds.add(n.authorId);
  if (latest) postIds.add(latest.postId);
  // Only what the links to them need: not their text, nor their tags.
  const posts = new Map<number, PostLink>((await store.posts.links([...postIds])).map((post) => [post.id, post]));
  const users = new Map<number, User>();
  for (const id of userIds) {
    const user = await store.users.findById(id);
    if (user) users.set(id, user);
  }
  const firstSeen = firstSeenAt(summary);
  const profile = await profileShown(c, summary.person, summary.identities);
  const view = personPageView(c, {
    summary, names, notes, allLabels, timeline: page.entries, next: page.next, kind, paged: before !== null, posts, users,
    latest, latestPost: latest ? (posts.get(latest.postId) ?? null) : null, firstSeen, now: clock.now(), merges, duplicates, profile, ...extra,
    canWritePosts: writesPosts(currentUser(c).role), token: c.get('session')!.csrfToken,
  });
  return htmlBytes(c, view, status);
}

/**
 * A page answered as its UTF-8 bytes, encoded piece by piece (`SafeHtml.toBuffer`): a
 * person page is ~115 KB of a few thousand pieces, some with characters beyond Latin-1,
 * and as one string it was flattened into a two-byte rope, measured (Buffer.byteLength)
 * and encoded again when written — about a third of the page's CPU.
 */
function htmlBytes(c: Context<AppEnv>, page: SafeHtml, status: 422 | 200 = 200): Response {
  return c.body(page.toBuffer(), status, { 'Content-Type': 'text/html; charset=UTF-8' });
}

/**
 * Admin → People (issue 11): everyone who wrote, mentioned or subscribed; each person's
 * identities, trust, labels, private notes and timeline. Staff who see every conversation
 * (owner, moderators) only: a person's timeline crosses every post.
 */
export function peopleRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', allowRoles([...peopleRoles], peopleRefusal));

  app.get('/', async (c) => {
    const { store, clock } = c.get('deps');
    const q = (c.req.query('q') ?? '').trim().slice(0, 200);
    const label = toId(c.req.query('label') ?? '');
    const trust = asTrust(c.req.query('trust'));
    const after = parsePeopleCursor(c.req.query('after') ?? '');
    const [page, labels] = await Promise.all([store.people.list({ text: q || undefined, labelId: label ?? undefined, trust: trust ?? undefined, limit: PER_PAGE, after }), store.people.labels()]);
    return htmlBytes(c, peopleListView(c, { people: page.items, labels, filters: { q, label, trust }, next: page.next, paged: after !== null, now: clock.now() }));
  });

  app.get('/duplicates', async (c) => {
    const suggestions = await c.get('deps').store.people.duplicates(null, 100);
    return c.html(duplicatesView(c, suggestions).value);
  });

  // Merge: choose the others (search), then a preview of what moves, then a POST that merges.
  app.get('/:id{[0-9]+}/merge', async (c) => {
    const { store } = c.get('deps');
    const summary = await personOr404(c);
    const others = otherIds(c.req.queries('with'));
    if (others.length > 0) {
      const preview = await store.people.previewMerge(summary.person.id, others);
      return c.html(mergePreviewView(c, preview).value);
    }
    const q = (c.req.query('q') ?? '').trim().slice(0, 200);
    const found = q ? (await store.people.list({ text: q, limit: PER_PAGE })).items.filter((s) => s.person.id !== summary.person.id) : [];
    return c.html(mergeChooseView(c, { summary, q, found }).value);
  });

  app.post('/:id{[0-9]+}/merge', async (c) => {
    const { store, clock } = c.get('deps');
    const survivor = (await personOr404(c)).person;
    const form = await formFields(c);
    await store.people.merge(survivor.id, otherIds([form.with ?? '']), currentUser(c).id, clock.now());
    return c.redirect(`/admin/people/${survivor.id}?notice=merged`, 303);
  });

  app.post('/:id{[0-9]+}/merges/:event{[0-9]+}/undo', async (c) => {
    const { store, clock } = c.get('deps');
    const person = (await personOr404(c)).person;
    const merge = (await store.people.merges(person.id, clock.now())).find((m) => m.eventId === idParam(c, 'event'));
    if (!merge) throw new DomainError('conflict', 'This merge can no longer be undone: it was undone already, or its 30 days are over.');
    await store.people.undoMerge(merge.eventId, currentUser(c).id, clock.now());
    return c.redirect(`/admin/people/${person.id}?notice=split`, 303);
  });

  app.get('/:id{[0-9]+}', async (c) => renderPerson(c, idParam(c), { replied: c.req.query('done') === 'reply' }));

  // "Who is this?": read their website again now (in the background job queue).
  app.post('/:id{[0-9]+}/look-again', async (c) => {
    const { whoIs } = c.get('deps');
    const summary = await personOr404(c);
    const form = await formFields(c);
    await whoIs.lookAgainAt(summary.person, summary.identities);
    const back = new URL(lookAgainBack(form.back, summary.person.id), 'http://x');
    back.searchParams.set('notice', 'lookup-queued');
    return c.redirect(back.pathname + back.search, 303);
  });

  app.post('/:id{[0-9]+}/trust', async (c) => {
    const { store, clock } = c.get('deps');
    const person = (await personOr404(c)).person;
    const form = await formFields(c);
    const trust = asTrust(form.trust);
    const reason = (form.reason ?? '').trim().slice(0, TRUST_REASON_MAX) || null;
    if (!trust) return renderPerson(c, person.id, { problem: { form: 'trust', message: 'Choose one of the trust settings.' } }, 422);
    let mutedUntil: number | null = null;
    if (trust === 'muted' && form.until) {
      // Muted until the start of that day (UTC): from then on their comments are treated normally again.
      mutedUntil = /^\d{4}-\d{2}-\d{2}$/.test(form.until) ? Date.parse(`${form.until}T00:00:00Z`) : NaN;
      if (Number.isNaN(mutedUntil)) return renderPerson(c, person.id, { problem: { form: 'trust', message: 'Choose the day the mute ends.' } }, 422);
    }
    const problem = trustProblem({ trust, reason, mutedUntil }, clock.now());
    if (problem) return renderPerson(c, person.id, { problem: { form: 'trust', message: problem.message } }, 422);
    await store.people.setTrust(person.id, { trust, reason, mutedUntil }, currentUser(c).id, clock.now());
    return c.redirect(`/admin/people/${person.id}?notice=saved`, 303);
  });

  app.post('/:id{[0-9]+}/labels', async (c) => {
    const { store, clock } = c.get('deps');
    const person = (await personOr404(c)).person;
    const name = labelName((await formFields(c)).name ?? '');
    const problem = labelProblem(name);
    if (problem) return renderPerson(c, person.id, { problem: { form: 'label', message: problem, value: name } }, 422);
    await store.people.addLabel(person.id, name, currentUser(c).id, clock.now());
    return c.redirect(`/admin/people/${person.id}?notice=saved`, 303);
  });

  app.post('/:id{[0-9]+}/labels/:label{[0-9]+}/delete', async (c) => {
    const { store, clock } = c.get('deps');
    const person = (await personOr404(c)).person;
    await store.people.removeLabel(person.id, idParam(c, 'label'), currentUser(c).id, clock.now());
    return c.redirect(`/admin/people/${person.id}?notice=saved`, 303);
  });

  app.post('/:id{[0-9]+}/notes', async (c) => {
    const { store, clock } = c.get('deps');
    const person = (await personOr404(c)).person;
    const body = noteText((await formFields(c)).body ?? '');
    const problem = noteProblem(body);
    if (problem) return renderPerson(c, person.id, { problem: { form: 'note', message: problem, value: body } }, 422);
    await store.people.addNote({ personId: person.id, markdown: body, html: await renderCommentMarkdown(body), authorId: currentUser(c).id, createdAt: clock.now() });
    return c.redirect(`/admin/people/${person.id}?notice=saved`, 303);
  });

  app.post('/:id{[0-9]+}/notes/:note{[0-9]+}', async (c) => {
    const { store, clock } = c.get('deps');
    const person = (await personOr404(c)).person;
    const note = await store.people.findNote(idParam(c, 'note'));
    if (!note || note.personId !== person.id) throw notFound('That note');
    const body = noteText((await formFields(c)).body ?? '');
    const problem = noteProblem(body);
    if (problem) return renderPerson(c, person.id, { problem: { form: `note-${note.id}`, message: problem, value: body } }, 422);
    await store.people.updateNote(note.id, body, await renderCommentMarkdown(body), clock.now());
    return c.redirect(`/admin/people/${person.id}?notice=saved`, 303);
  });

  app.post('/:id{[0-9]+}/notes/:note{[0-9]+}/delete', async (c) => {
    const { store } = c.get('deps');
    const person = (await personOr404(c)).person;
    const note = await store.people.findNote(idParam(c, 'note'));
    if (!note || note.personId !== person.id) throw notFound('That note');
    await store.people.deleteNote(note.id);
    return c.redirect(`/admin/people/${person.id}?notice=saved`, 303);
  });

  return app;
}
