import { Hono } from 'hono';
import { DomainError, notFound } from '../../core/errors.ts';
import { toId } from '../../core/ids.ts';
import {
  firstSeenAt,
  formatPeopleCursor,
  formatTimelineCursor,
  mergeManifestOf,
  parsePeopleCursor,
  parseTimelineCursor,
  type PersonEvent,
  type PersonMerge,
  type PersonNote,
  type PersonSummary,
  type TimelineEntry,
  type TimelineKind,
} from '../../core/people.ts';
import { labelName, labelProblem, mayOpenPeople, noteProblem, noteText, peopleRefusal, trustProblem } from '../../core/person-edits.ts';
import { renderCommentMarkdown } from '../../core/render-markdown.ts';
import type { Comment } from '../../core/store.ts';
import type { AppEnv } from '../context.ts';
import {
  apiForgetInputSchema,
  apiMergeInputSchema,
  apiNoteInputSchema,
  apiPeopleQuerySchema,
  apiPersonQuerySchema,
  apiTimelineQuerySchema,
  apiTrustInputSchema,
  type ApiComment,
  type ApiMerge,
  type ApiMergePreview,
  type ApiNote,
  type ApiPerson,
  type ApiPersonDetail,
  type ApiTimelineEntry,
} from '../openapi-people.ts';
import { isoOrNull, limitBody, limitWrites, parseWith, readJson, requireScope, requireToken, type ApiContext } from './api-request.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

/** The person named by the path's `id`, or a 404. */
async function summaryOr404(c: ApiContext): Promise<PersonSummary> {
  const id = toId(c.req.param('id'));
  const summary = id === null ? null : await c.get('deps').store.people.summary(id);
  if (!summary) throw notFound('That person');
  return summary;
}

/** A note of the person in the path, or a 404 (a note of someone else is not found here). */
async function noteOr404(c: ApiContext, personId: number): Promise<PersonNote> {
  const id = toId(c.req.param('noteId'));
  const note = id === null ? null : await c.get('deps').store.people.findNote(id);
  if (!note || note.personId !== personId) throw notFound('That note');
  return note;
}

/** Looks each user up once per request: note authors and the team members behind events. */
function userNames(c: ApiContext): (id: number | null) => Promise<{ id: number; name: string } | null> {
  const seen = new Map<number, { id: number; name: string } | null>();
  return async (id) => {
    if (id === null) return null;
    if (!seen.has(id)) {
      const user = await c.get('deps').store.users.findById(id);
      seen.set(id, user ? { id: user.id, name: user.name } : null);
    }
    return seen.get(id)!;
  };
}

function personOut(s: PersonSummary): ApiPerson {
  return {
    id: s.person.id,
    name: s.person.name,
    email: s.person.email,
    website: s.person.website,
    trust: s.trust.trust,
    trust_reason: s.trust.reason,
    muted_until: isoOrNull(s.trust.mutedUntil),
    labels: s.labels.map((l) => l.name),
    identities: s.identities.map((i) => ({ kind: i.kind, value: i.value, verified: i.verified, first_seen: iso(i.firstSeen), last_seen: iso(i.lastSeen) })),
    has_notes: s.hasNotes,
    created_at: iso(s.person.createdAt),
    last_seen_at: iso(s.lastSeenAt),
    last_comment: s.lastComment ? { id: s.lastComment.id, post_id: s.lastComment.postId, created_at: iso(s.lastComment.createdAt) } : null,
    last_reply_at: isoOrNull(s.lastReplyAt),
    waiting: s.waiting,
  };
}

async function noteOut(note: PersonNote, user: ReturnType<typeof userNames>): Promise<ApiNote> {
  return {
    id: note.id,
    person_id: note.personId,
    markdown: note.markdown,
    html: note.html,
    author: await user(note.authorId),
    created_at: iso(note.createdAt),
    updated_at: iso(note.updatedAt),
  };
}

function mergeOut(m: PersonMerge): ApiMerge {
  return { event_id: m.eventId, survivor_id: m.survivorId, merged: m.merged, merged_at: iso(m.mergedAt), undo_until: iso(m.undoUntil) };
}

function commentOut(comment: Comment): ApiComment {
  return {
    id: comment.id,
    post_id: comment.postId,
    parent_id: comment.parentId,
    status: comment.status,
    source: comment.source,
    author_name: comment.authorName,
    author_url: comment.authorUrl,
    markdown: comment.markdown,
    html: comment.html,
    moderation_reasons: comment.moderationReasons,
    created_at: iso(comment.createdAt),
    edited_at: isoOrNull(comment.editedAt),
  };
}

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** An event's detail on the wire: snake_case names and ISO times; of a merge, who and until when (not the undo manifest). */
function eventDetail(event: PersonEvent): Record<string, unknown> {
  const manifest = mergeManifestOf(event);
  if (manifest) return { merged: manifest.merged, undo_until: iso(manifest.undoUntil), undone_at: manifest.undoneAt === undefined ? null : iso(manifest.undoneAt) };
  return Object.fromEntries(Object.entries(event.detail).map(([key, value]) => [snakeCase(key), key === 'mutedUntil' && typeof value === 'number' ? iso(value) : value]));
}

async function entryOut(e: TimelineEntry, user: ReturnType<typeof userNames>): Promise<ApiTimelineEntry> {
  const at = iso(e.at);
  switch (e.kind) {
    case 'comment':
      return { kind: e.kind, at, id: e.id, comment: commentOut(e.comment) };
    case 'reply':
      return { kind: e.kind, at, id: e.id, comment: commentOut(e.comment), to_id: e.toId };
    case 'webmention':
      return { kind: e.kind, at, id: e.id, source: e.source, post_id: e.postId, type: e.type, status: e.status };
    case 'subscription':
      return { kind: e.kind, at, id: e.id, subscription: e.subscription, post_id: e.postId, unsubscribed_at: isoOrNull(e.unsubscribedAt) };
    case 'mail':
      return { kind: e.kind, at, id: e.id, subject: e.subject, status: e.status, sent_at: isoOrNull(e.sentAt) };
    case 'event':
      return { kind: e.kind, at, id: e.id, event: { kind: e.event.kind, actor: await user(e.event.actorId), detail: eventDetail(e.event) } };
    case 'note':
      return { kind: e.kind, at, id: e.id, note: await noteOut(e.note, user) };
  }
}

/** One person with everything but the timeline (and their notes when asked). */
async function personDetail(c: ApiContext, summary: PersonSummary, withNotes: boolean): Promise<ApiPersonDetail> {
  const { store, clock } = c.get('deps');
  const id = summary.person.id;
  const [names, merges, notes] = await Promise.all([store.people.namesUsed(id), store.people.merges(id, clock.now()), withNotes ? store.people.notes(id) : Promise.resolve(null)]);
  const user = userNames(c);
  return {
    ...personOut(summary),
    first_seen_at: iso(firstSeenAt(summary)),
    names,
    merges: merges.map(mergeOut),
    ...(notes ? { notes: await Promise.all(notes.map((n) => noteOut(n, user))) } : {}),
  };
}

/** Takes a note from a JSON body through the same rules as Admin → People: 422 with the reason, nothing saved. */
async function noteInput(c: ApiContext): Promise<string> {
  const { markdown } = parseWith(apiNoteInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"markdown": "Met at the tweetup."}');
  const text = noteText(markdown);
  const problem = noteProblem(text);
  if (problem) throw new DomainError('validation_failed', problem, { markdown: problem });
  return text;
}

/**
 * People in the JSON API, mounted at /api/people (issue 11 point 10): the list, a person,
 * their timeline, notes, labels, trust, merge and undo. For tokens of staff who may open
 * People (the owner and moderators); the writes are Admin → People's, through the same
 * core rules (core/person-edits.ts) and the store. The contract is openapi-people.ts.
 */
export function apiPeopleRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Reading (and previewing a merge) needs the read scope; every change, moderate.
  app.use('*', async (c, next) => {
    if (!mayOpenPeople(requireToken(c))) throw new DomainError('forbidden', peopleRefusal);
    requireScope(c, c.req.method === 'GET' || c.req.path.endsWith('/merge/preview') ? 'read' : 'moderate');
    await next();
  });

  app.get('/', async (c) => {
    const { store } = c.get('deps');
    const query = parseWith(apiPeopleQuerySchema, c.req.query(), 'query parameters');
    const text = query.q?.trim();
    let labelId: number | undefined;
    if (query.label !== undefined) {
      const wanted = labelName(query.label);
      const label = (await store.people.labels()).find((l) => l.name === wanted);
      // Nobody has a label that does not exist.
      if (!label) return c.json({ people: [], next_cursor: null });
      labelId = label.id;
    }
    const after = query.cursor ? parsePeopleCursor(query.cursor) : null;
    const page = await store.people.list({ text: text || undefined, labelId, trust: query.trust, limit: query.per_page, after });
    return c.json({ people: page.items.map(personOut), next_cursor: page.next ? formatPeopleCursor(page.next) : null });
  });

  app.get('/labels', async (c) => c.json({ labels: (await c.get('deps').store.people.labels()).map((l) => l.name) }));

  app.get('/:id{[0-9]+}', async (c) => {
    const query = parseWith(apiPersonQuerySchema, c.req.query(), 'query parameters');
    return c.json(await personDetail(c, await summaryOr404(c), query.include === 'notes'));
  });

  app.get('/:id{[0-9]+}/timeline', async (c) => {
    const query = parseWith(apiTimelineQuerySchema, c.req.query(), 'query parameters');
    const summary = await summaryOr404(c);
    const kinds = query.kinds ? ([...new Set(query.kinds.split(','))] as TimelineKind[]) : undefined;
    const before = query.cursor ? parseTimelineCursor(query.cursor) : null;
    const page = await c.get('deps').store.people.timeline(summary.person.id, { kinds, limit: query.per_page, before });
    const user = userNames(c);
    const entries: ApiTimelineEntry[] = [];
    for (const e of page.entries) entries.push(await entryOut(e, user));
    return c.json({ entries, next_cursor: page.next ? formatTimelineCursor(page.next) : null });
  });

  app.get('/:id{[0-9]+}/notes', async (c) => {
    const summary = await summaryOr404(c);
    const user = userNames(c);
    const notes = await c.get('deps').store.people.notes(summary.person.id);
    return c.json({ notes: await Promise.all(notes.map((n) => noteOut(n, user))) });
  });

  app.post('/:id{[0-9]+}/notes', limitWrites, limitBody, async (c) => {
    const { store, clock, config } = c.get('deps');
    const text = await noteInput(c);
    const person = (await summaryOr404(c)).person;
    const note = await store.people.addNote({ personId: person.id, markdown: text, html: await renderCommentMarkdown(text), authorId: requireToken(c).id, createdAt: clock.now() });
    c.header('Location', `${config.siteUrl}/api/people/${person.id}/notes`);
    return c.json(await noteOut(note, userNames(c)), 201);
  });

  app.patch('/:id{[0-9]+}/notes/:noteId{[0-9]+}', limitWrites, limitBody, async (c) => {
    const { store, clock } = c.get('deps');
    const text = await noteInput(c);
    const note = await noteOr404(c, (await summaryOr404(c)).person.id);
    const saved = await store.people.updateNote(note.id, text, await renderCommentMarkdown(text), clock.now());
    if (!saved) throw notFound('That note');
    return c.json(await noteOut(saved, userNames(c)));
  });

  app.delete('/:id{[0-9]+}/notes/:noteId{[0-9]+}', limitWrites, async (c) => {
    const note = await noteOr404(c, (await summaryOr404(c)).person.id);
    if (!(await c.get('deps').store.people.deleteNote(note.id))) throw notFound('That note');
    return c.body(null, 204);
  });

  app.put('/:id{[0-9]+}/labels/:name', limitWrites, async (c) => {
    const { store, clock } = c.get('deps');
    const person = (await summaryOr404(c)).person;
    const name = labelName(c.req.param('name'));
    const problem = labelProblem(name);
    if (problem) throw new DomainError('validation_failed', problem, { name: problem });
    await store.people.addLabel(person.id, name, requireToken(c).id, clock.now());
    return c.json({ labels: (await store.people.labelsOf(person.id)).map((l) => l.name) });
  });

  app.delete('/:id{[0-9]+}/labels/:name', limitWrites, async (c) => {
    const { store, clock } = c.get('deps');
    const person = (await summaryOr404(c)).person;
    const name = labelName(c.req.param('name'));
    const label = (await store.people.labelsOf(person.id)).find((l) => l.name === name);
    if (!label || !(await store.people.removeLabel(person.id, label.id, requireToken(c).id, clock.now()))) {
      throw new DomainError('not_found', `This person has no label “${name}”.`);
    }
    return c.body(null, 204);
  });

  app.put('/:id{[0-9]+}/trust', limitWrites, limitBody, async (c) => {
    const { store, clock } = c.get('deps');
    const input = parseWith(apiTrustInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"trust": "muted", "reason": "heated", "muted_until": "2031-01-31T00:00:00Z"}');
    const summary = await summaryOr404(c);
    const trust = { trust: input.trust, reason: input.reason?.trim() || null, mutedUntil: input.muted_until ? Date.parse(input.muted_until) : null };
    const problem = trustProblem(trust, clock.now());
    if (problem) throw new DomainError('validation_failed', problem.message, { [problem.field === 'mutedUntil' ? 'muted_until' : problem.field]: problem.message });
    await store.people.setTrust(summary.person.id, trust, requireToken(c).id, clock.now());
    return c.json(await personDetail(c, (await store.people.summary(summary.person.id)) ?? summary, false));
  });

  app.post('/:id{[0-9]+}/merge/preview', limitBody, async (c) => {
    const input = parseWith(apiMergeInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"others": [12, 34]}');
    const survivor = (await summaryOr404(c)).person;
    const preview = await c.get('deps').store.people.previewMerge(survivor.id, input.others);
    const ref = (p: typeof survivor) => ({ id: p.id, name: p.name, email: p.email, website: p.website });
    const field = (f: { value: string | null; fromId: number }) => ({ value: f.value, from_id: f.fromId });
    const body: ApiMergePreview = {
      survivor: ref(preview.survivor),
      others: preview.others.map(ref),
      fields: { name: field(preview.fields.name), email: field(preview.fields.email), website: field(preview.fields.website) },
      moves: preview.moves,
    };
    return c.json(body);
  });

  app.post('/:id{[0-9]+}/merge', limitWrites, limitBody, async (c) => {
    const { store, clock } = c.get('deps');
    const input = parseWith(apiMergeInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"others": [12, 34]}');
    const survivor = (await summaryOr404(c)).person;
    const event = await store.people.merge(survivor.id, input.others, requireToken(c).id, clock.now());
    const manifest = mergeManifestOf(event)!;
    const after = (await store.people.summary(survivor.id))!;
    return c.json({
      merge: mergeOut({ eventId: event.id, survivorId: survivor.id, merged: manifest.merged, mergedAt: event.createdAt, undoUntil: manifest.undoUntil, undoneAt: null }),
      person: await personDetail(c, after, false),
    });
  });

  // Their data, their rights (issue 11, point 9): the same core as the admin's download and "Forget this person".
  app.get('/:id{[0-9]+}/export', async (c) => {
    const id = toId(c.req.param('id'));
    if (id === null) throw notFound('That person');
    return c.json(await c.get('deps').personRights.exportOf(id));
  });

  app.post('/:id{[0-9]+}/forget', limitWrites, limitBody, async (c) => {
    const input = parseWith(apiForgetInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"comments": "anonymise"}');
    const id = toId(c.req.param('id'));
    if (id === null) throw notFound('That person');
    const outcome = await c.get('deps').personRights.forget(id, input.comments, requireToken(c));
    return c.json({ person_id: outcome.personId, comments: outcome.choice, counts: outcome.counts, audit_id: outcome.audit.id });
  });

  app.post('/merges/:eventId{[0-9]+}/undo', limitWrites, async (c) => {
    const { store, clock } = c.get('deps');
    const eventId = toId(c.req.param('eventId'));
    if (eventId === null) throw new DomainError('not_found', 'That merge was not found.');
    await store.people.undoMerge(eventId, requireToken(c).id, clock.now());
    return c.body(null, 204);
  });

  return app;
}
