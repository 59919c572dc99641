import type { ArchivedPerson } from '../../core/archive.ts';
import { emailRateLimitKey } from '../../core/comment-service.ts';
import { notFound } from '../../core/errors.ts';
import { mailKeyPrefixesAbout } from '../../core/notification-service.ts';
import { normaliseEmail } from '../../core/people.ts';
import {
  emailsOf,
  websitesOf,
  emptyForgetCounts,
  forgetAuditDetail,
  FORGOTTEN_NAME,
  FORGOTTEN_REASON,
  REDACTED_MAIL,
  scrubbedEventDetail,
  staffPersonError,
  type ForgetChoice,
  type ForgetOutcome,
  type PersonData,
} from '../../core/person-rights.ts';
import type { AuditEntry } from '../../core/audit.ts';
import { WHO_IS_JOB } from '../../core/who-is.ts';
import type { Tables } from './memory-store.ts';

const copy = <T>(value: T): T => structuredClone(value);
const byTime = <T extends { id: number }>(at: (row: T) => number) => (a: T, b: T) => at(a) - at(b) || a.id - b.id;

function archivedPerson(t: Tables, personId: number): ArchivedPerson | null {
  const p = t.people.get(personId);
  if (!p) return null;
  const meta = t.peopleBook.meta.get(personId);
  return { ...copy(p), trust: meta?.trust ?? 'normal', trustReason: meta?.reason ?? null, mutedUntil: meta?.mutedUntil ?? null, lastSeenAt: meta?.lastSeenAt ?? p.createdAt };
}

/** Everything the memory store holds about one person (core/person-rights.ts, PersonData). Subscriptions and mails in memory carry no person: they are found by address. */
export function memoryPersonData(t: Tables, personId: number): PersonData | null {
  const person = archivedPerson(t, personId);
  if (!person) return null;
  const identities = [...t.peopleBook.identities.values()].filter((i) => i.personId === personId).sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  const emails = new Set(emailsOf(person, identities));
  const actors = new Set(identities.filter((i) => i.kind === 'fediverse').map((i) => i.value));
  const comments = [...t.comments.values()].filter((c) => c.personId === personId).sort(byTime((c) => c.createdAt));
  const commentIds = new Set(comments.map((c) => c.id));
  const labelIds = new Set([...t.peopleBook.labelLinks.values()].filter((l) => l.personId === personId).map((l) => l.labelId));
  return {
    person,
    fediverseComments: [...t.fediverseReplies.comments.values()].filter((f) => commentIds.has(f.commentId)).sort((a, b) => a.commentId - b.commentId).map(copy),
    privateMentions: [...t.fediverseReplies.mentions.values()].filter((m) => actors.has(m.actorUri)).sort(byTime((m) => m.createdAt)).map(copy),
    websiteProfiles: websitesOf(person, identities).flatMap((site) => (t.publicProfiles.has(site) ? [copy(t.publicProfiles.get(site)!)] : [])),
    identities: identities.map(copy),
    comments: comments.map(copy),
    commentRevisions: [...t.commentRevisions.values()].filter((r) => commentIds.has(r.commentId)).sort(byTime((r) => r.createdAt)).map(copy),
    webmentions: [...t.webmentions.received.values()].filter((m) => m.personId === personId).sort(byTime((m) => m.receivedAt)).map(copy),
    subscriptions: [...t.subscriptions.values()].filter((s) => emails.has(normaliseEmail(s.email))).sort(byTime((s) => s.createdAt)).map(copy),
    mails: [...t.outbox.values()]
      .filter((m) => emails.has(normaliseEmail(m.to)))
      .sort(byTime((m) => m.createdAt))
      .map((m) => ({ id: m.id, kind: m.kind, to: m.to, subject: m.subject, status: m.status, createdAt: m.createdAt, sentAt: m.sentAt })),
    notes: [...t.peopleBook.notes.values()].filter((n) => n.personId === personId).sort(byTime((n) => n.createdAt)).map(copy),
    labels: [...t.peopleBook.labels.values()].filter((l) => labelIds.has(l.id)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(({ id, name }) => ({ id, name })),
    events: [...t.peopleBook.events.values()].filter((e) => e.personId === personId).sort(byTime((e) => e.createdAt)).map(copy),
    follows: [...t.followers.rows.values()].filter((f) => actors.has(f.actorUri)).sort((a, b) => a.id - b.id).map(copy),
    postIdeas: [...t.personRights.postSources.values()]
      .filter((s) => t.posts.has(s.postId) && (s.personId === personId || (s.commentId !== null && commentIds.has(s.commentId))))
      .sort((a, b) => a.createdAt - b.createdAt || a.postId - b.postId)
      .map(copy),
  };
}

/** Forgets a person (core/person-rights.ts, PersonRightsRepository.forget) in memory: every check before the first write, so a refusal changes nothing. */
export function memoryForget(t: Tables, personId: number, choice: ForgetChoice, actorId: number | null, now: number): ForgetOutcome {
  const person = archivedPerson(t, personId);
  if (!person) throw notFound('That person');
  const book = t.peopleBook;
  const identities = [...book.identities.values()].filter((i) => i.personId === personId);
  const emails = new Set(emailsOf(person, identities));
  const staff = [...t.users.values()].sort((a, b) => a.id - b.id).find((u) => emails.has(normaliseEmail(u.email)));
  if (staff) throw staffPersonError(staff);
  const actors = new Set(identities.filter((i) => i.kind === 'fediverse').map((i) => i.value));
  const counts = emptyForgetCounts();

  const comments = [...t.comments.values()].filter((c) => c.personId === personId);
  const commentIds = new Set(comments.map((c) => c.id));
  counts.comments = comments.length;
  for (const [id, r] of t.commentRevisions) {
    if (!commentIds.has(r.commentId)) continue;
    t.commentRevisions.delete(id);
    counts.revisions++;
  }
  for (const c of comments) {
    Object.assign(c, { authorName: FORGOTTEN_NAME, authorEmail: '', authorUrl: null, ip: null, userAgent: null, editTokenHash: null, personId: null, moderationReasons: [], updatedAt: now });
    if (choice === 'trash' && c.status !== 'trash') Object.assign(c, { status: 'trash', statusChangedAt: now, moderationReasons: [FORGOTTEN_REASON] });
  }
  for (const m of t.webmentions.received.values()) {
    if (m.personId !== personId) continue;
    Object.assign(m, { authorName: null, authorUrl: null, authorPhoto: null, personId: null, updatedAt: now }, choice === 'trash' ? { status: 'deleted', reason: FORGOTTEN_REASON } : {});
    counts.webmentions++;
  }

  for (const [id, s] of t.subscriptions) {
    if (!emails.has(normaliseEmail(s.email))) continue;
    t.subscriptions.delete(id);
    counts.subscriptions++;
  }
  const prefixes = [...commentIds].flatMap(mailKeyPrefixesAbout);
  for (const [id, m] of t.outbox) {
    if (emails.has(normaliseEmail(m.to))) {
      t.outbox.delete(id);
      counts.mails++;
    } else if (prefixes.some((prefix) => m.idempotencyKey.startsWith(prefix))) {
      if (m.status !== 'sent') {
        t.outbox.delete(id);
        counts.mails++;
      } else {
        Object.assign(m, { subject: REDACTED_MAIL.subject, text: REDACTED_MAIL.body, html: `<p>${REDACTED_MAIL.body}</p>` });
        counts.mailsRedacted++;
      }
    }
  }
  const limits = new Set([...emails].map(emailRateLimitKey));
  for (const key of [...t.rateLimits.keys()]) if (limits.has(key.toLowerCase())) t.rateLimits.delete(key);
  const others = new Set<string>();
  for (const i of book.identities.values()) if (i.kind === 'email' && i.personId !== personId) others.add(i.value);
  for (const p of t.people.values()) if (p.id !== personId && p.email) others.add(p.email);
  for (const email of emails) if (!others.has(email)) t.emailAddresses.delete(email);
  for (const [id, f] of t.followers.rows) {
    if (!actors.has(f.actorUri)) continue;
    t.followers.rows.delete(id);
    counts.follows++;
  }
  for (const [id, m] of t.fediverseReplies.mentions) {
    if (!actors.has(m.actorUri)) continue;
    t.fediverseReplies.mentions.delete(id);
    counts.privateMentions++;
  }
  for (const [id, f] of t.fediverseReplies.comments) if (commentIds.has(f.commentId) || actors.has(f.actorUri)) t.fediverseReplies.comments.delete(id);
  for (const s of t.personRights.postSources.values()) {
    if (s.personId !== personId) continue;
    s.personId = null;
    counts.postIdeas++;
  }

  for (const site of websitesOf(person, identities)) {
    if ([...book.identities.values()].some((i) => i.personId !== personId && i.value === site && (i.kind === 'website' || i.kind === 'webmention'))) continue;
    if (t.publicProfiles.delete(site)) counts.profiles++;
    for (const [id, job] of t.jobs.rows) if (job.kind === WHO_IS_JOB && job.key.startsWith(`${WHO_IS_JOB}:${site}:`)) t.jobs.rows.delete(id);
  }

  const drop = <R extends { personId: number }>(rows: Map<number, R>): number => {
    let n = 0;
    for (const [id, row] of rows) if (row.personId === personId && rows.delete(id)) n++;
    return n;
  };
  counts.notes = drop(book.notes);
  counts.labels = drop(book.labelLinks);
  counts.events = drop(book.events);
  counts.identities = drop(book.identities);
  for (const event of book.events.values()) {
    const detail = scrubbedEventDetail(event, personId);
    if (detail) event.detail = detail;
  }
  t.people.delete(personId);
  book.meta.delete(personId);

  const audit: AuditEntry = { id: ++t.personRights.lastAuditId, action: 'person-forgotten', detail: forgetAuditDetail(personId, choice, counts, actorId), actorId: actorId !== null && t.users.has(actorId) ? actorId : null, createdAt: now };
  t.personRights.audit.set(audit.id, audit);
  return { personId, choice, counts, audit: copy(audit) };
}
