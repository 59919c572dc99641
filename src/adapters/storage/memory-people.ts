import { DomainError } from '../../core/errors.ts';
import {
  emptyCounts,
  isAfterCursor,
  mergeFields,
  mergeManifestOf,
  mergeProblem,
  mergedFields,
  mergeTimeline,
  nameAndEmailReasons,
  sharedWebsiteReason,
  undoProblem,
  UNDO_MS,
  type DuplicateSuggestion,
  type MergedPersonRecord,
  type MergeManifest,
  type MergePreview,
  type PersonMerge,
  normaliseEmail,
  normaliseIdentity,
  normaliseUrl,
  timelineKinds,
  type IdentityKind,
  type PeopleCursor,
  type PeopleQuery,
  type PersonEvent,
  type PersonIdentity,
  type PersonLabel,
  type PersonNote,
  type PersonSummary,
  type PersonTrust,
  type TimelineEntry,
  type TimelinePage,
  type TimelineQuery,
} from '../../core/people.ts';
import type { Person, PersonRepository } from '../../core/store.ts';
import type { ForgetChoice, ForgetOutcome, PersonData } from '../../core/person-rights.ts';
import { memoryForget, memoryPersonData } from './memory-person-rights.ts';
import type { Tables } from './memory-store.ts';
import { relMeReason } from '../../core/who-is.ts';

/** What the memory store keeps for people beyond the `people` map (part of its tables, so transactions cover it). */
export interface MemoryPeopleTables {
  lastId: { identities: number; notes: number; labels: number; links: number; events: number };
  /** Trust and last interaction per person; a person without an entry is normal, last seen when created. */
  meta: Map<number, PersonTrust & { lastSeenAt: number }>;
  identities: Map<number, PersonIdentity>;
  notes: Map<number, PersonNote>;
  labels: Map<number, PersonLabel & { createdAt: number }>;
  labelLinks: Map<number, { id: number; personId: number; labelId: number }>;
  events: Map<number, PersonEvent>;
}

export function emptyPeopleTables(): MemoryPeopleTables {
  return { lastId: { identities: 0, notes: 0, labels: 0, links: 0, events: 0 }, meta: new Map(), identities: new Map(), notes: new Map(), labels: new Map(), labelLinks: new Map(), events: new Map() };
}

const copy = <T>(value: T): T => structuredClone(value);
const newestFirst = (a: { at: number; id: number }, b: { at: number; id: number }) => b.at - a.at || b.id - a.id;

/** The person repository in memory: the store's `people`. */
export class MemoryPeopleRepository implements PersonRepository {
  private readonly tables: () => Tables;
  private readonly nextPersonId: () => number;

  constructor(tables: () => Tables, nextPersonId: () => number) {
    this.tables = tables;
    this.nextPersonId = nextPersonId;
  }

  private get t(): MemoryPeopleTables {
    return this.tables().peopleBook;
  }

  /** People removed (the SQL foreign keys cascade) take their rows along. */
  private live(): MemoryPeopleTables {
    const people = this.tables().people;
    const t = this.t;
    for (const [id, i] of t.identities) if (!people.has(i.personId)) t.identities.delete(id);
    for (const [id, n] of t.notes) if (!people.has(n.personId)) t.notes.delete(id);
    for (const [id, e] of t.events) if (!people.has(e.personId)) t.events.delete(id);
    for (const [id, link] of t.labelLinks) if (!people.has(link.personId) || !t.labels.has(link.labelId)) t.labelLinks.delete(id);
    for (const id of t.meta.keys()) if (!people.has(id)) t.meta.delete(id);
    return t;
  }

  private meta(person: Person): PersonTrust & { lastSeenAt: number } {
    return this.t.meta.get(person.id) ?? { trust: 'normal', reason: null, mutedUntil: null, lastSeenAt: person.createdAt };
  }

  async upsertByEmail(input: { name: string; email: string; website: string | null }, now: number): Promise<Person> {
    const email = normaliseEmail(input.email);
    const people = this.tables().people;
    let person = (await this.findByIdentity('email', email)) ?? (await this.findByPrimaryEmail(email));
    if (!person) {
      person = { id: this.nextPersonId(), name: input.name, email, website: input.website, createdAt: now };
      people.set(person.id, person);
    }
    const stored = people.get(person.id)!;
    stored.name = input.name;
    stored.website = stored.website ?? input.website;
    const meta = this.meta(stored);
    this.t.meta.set(stored.id, { ...meta, lastSeenAt: Math.max(meta.lastSeenAt, now) });
    this.touchIdentity(stored.id, 'email', email, false, now);
    const site = input.website ? normaliseUrl(input.website) : null;
    if (site) this.touchIdentity(stored.id, 'website', site, false, now);
    return copy(stored);
  }

  async createWithoutEmail(input: { name: string; website: string | null }, now: number): Promise<Person> {
    const person: Person = { id: this.nextPersonId(), name: input.name, email: null, website: input.website, createdAt: now };
    this.tables().people.set(person.id, person);
    this.t.meta.set(person.id, { ...this.meta(person), lastSeenAt: now });
    return copy(person);
  }

  async findById(id: number): Promise<Person | null> {
    const person = this.tables().people.get(id);
    return person ? copy(person) : null;
  }

  async findByEmail(email: string): Promise<Person | null> {
    const normalised = normaliseEmail(email);
    return (await this.findByIdentity('email', normalised)) ?? (await this.findByPrimaryEmail(normalised));
  }

  private async findByPrimaryEmail(email: string): Promise<Person | null> {
    const person = [...this.tables().people.values()].find((p) => p.email === email);
    return person ? copy(person) : null;
  }

  async findByIdentity(kind: IdentityKind, value: string): Promise<Person | null> {
    const normalised = normaliseIdentity(kind, value);
    if (normalised === null) return null;
    const found = [...this.live().identities.values()]
      .filter((i) => i.kind === kind && i.value === normalised)
      .sort((a, b) => Number(b.verified) - Number(a.verified) || a.personId - b.personId)[0];
    return found ? this.findById(found.personId) : null;
  }

  private touchIdentity(personId: number, kind: IdentityKind, value: string, verified: boolean, now: number): PersonIdentity {
    const t = this.live();
    const existing = [...t.identities.values()].find((i) => i.personId === personId && i.kind === kind && i.value === value);
    if (existing) {
      existing.lastSeen = now;
      if (verified) existing.verified = true;
      return copy(existing);
    }
    const identity: PersonIdentity = { id: ++t.lastId.identities, personId, kind, value, verified, firstSeen: now, lastSeen: now };
    t.identities.set(identity.id, identity);
    return copy(identity);
  }

  async holdIdentity(): Promise<void> {
    // Memory transactions run one at a time.
  }

  async identities(personId: number): Promise<PersonIdentity[]> {
    return [...this.live().identities.values()]
      .filter((i) => i.personId === personId)
      .sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .map(copy);
  }

  async addIdentity(personId: number, kind: IdentityKind, value: string, verified: boolean, now: number): Promise<PersonIdentity> {
    const normalised = normaliseIdentity(kind, value);
    if (normalised === null) throw new DomainError('validation_failed', `That is not a valid ${kind} identity.`, { value: 'Not valid.' });
    if (verified && [...this.live().identities.values()].some((i) => i.kind === kind && i.value === normalised && i.verified && i.personId !== personId)) {
      throw new DomainError('conflict', `${normalised} is already proven to belong to someone else.`);
    }
    return this.touchIdentity(personId, kind, normalised, verified, now);
  }

  async verifyEmail(email: string, now: number): Promise<void> {
    const value = normaliseEmail(email);
    const matching = [...this.live().identities.values()].filter((i) => i.kind === 'email' && i.value === value);
    if (matching.some((i) => i.verified)) return;
    const first = matching.sort((a, b) => a.personId - b.personId)[0];
    if (first) {
      first.verified = true;
      first.lastSeen = now;
    }
  }

  async trust(personId: number): Promise<PersonTrust> {
    const person = this.tables().people.get(personId);
    if (!person) return { trust: 'normal', reason: null, mutedUntil: null };
    const { trust, reason, mutedUntil } = this.meta(person);
    return { trust, reason, mutedUntil };
  }

  async setTrust(personId: number, t: PersonTrust, actorId: number | null, now: number): Promise<void> {
    const person = this.tables().people.get(personId);
    if (!person) return;
    this.t.meta.set(personId, { ...this.meta(person), trust: t.trust, reason: t.reason, mutedUntil: t.trust === 'muted' ? t.mutedUntil : null });
    await this.addEvent({ personId, kind: 'trust', detail: { ...t }, actorId, createdAt: now });
  }

  async list(q: PeopleQuery): Promise<{ items: PersonSummary[]; next: PeopleCursor | null }> {
    const t = this.live();
    const text = q.text?.trim().toLowerCase();
    const rows = [...this.tables().people.values()]
      .map((p) => ({ p, meta: this.meta(p) }))
      .filter(({ p, meta }) => {
        if (text && !p.name.toLowerCase().includes(text) && ![...t.identities.values()].some((i) => i.personId === p.id && i.value.includes(text))) return false;
        if (q.labelId !== undefined && !this.linked(p.id, q.labelId)) return false;
        if (q.trust && meta.trust !== q.trust) return false;
        const after = q.after;
        if (after && !(meta.lastSeenAt < after.lastSeenAt || (meta.lastSeenAt === after.lastSeenAt && p.id < after.id))) return false;
        return true;
      })
      .sort((a, b) => b.meta.lastSeenAt - a.meta.lastSeenAt || b.p.id - a.p.id);
    const shown = rows.slice(0, q.limit);
    const items: PersonSummary[] = [];
    for (const { p } of shown) items.push(await this.summarise(p));
    const last = shown[shown.length - 1];
    return { items, next: rows.length > q.limit && last ? { lastSeenAt: last.meta.lastSeenAt, id: last.p.id } : null };
  }

  async summary(personId: number): Promise<PersonSummary | null> {
    const person = this.tables().people.get(personId);
    return person ? this.summarise(person) : null;
  }

  private async summarise(person: Person): Promise<PersonSummary> {
    const comments = [...this.tables().comments.values()];
    const theirs = comments.filter((c) => c.personId === person.id).sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
    const lastComment = theirs.find((c) => c.status === 'approved' || c.status === 'pending') ?? null;
    const theirIds = new Set(theirs.map((c) => c.id));
    const replies = comments.filter((r) => r.parentId !== null && theirIds.has(r.parentId) && r.userId !== null && r.status === 'approved').sort((a, b) => b.createdAt - a.createdAt);
    const latestApproved = theirs.find((c) => c.status === 'approved') ?? null;
    const waiting =
      latestApproved !== null &&
      latestApproved.source !== 'import' &&
      !comments.some((s) => s.rootId === latestApproved.rootId && s.userId !== null && s.status === 'approved' && s.createdAt >= latestApproved.createdAt && s.id !== latestApproved.id);
    const { trust, reason, mutedUntil, lastSeenAt } = this.meta(person);
    return {
      person: copy(person),
      trust: { trust, reason, mutedUntil },
      identities: await this.identities(person.id),
      labels: await this.labelsOf(person.id),
      lastSeenAt,
      hasNotes: [...this.live().notes.values()].some((n) => n.personId === person.id),
      lastComment: lastComment ? { id: lastComment.id, postId: lastComment.postId, createdAt: lastComment.createdAt } : null,
      lastReplyAt: replies[0]?.createdAt ?? null,
      waiting,
    };
  }

  async namesUsed(personId: number): Promise<string[]> {
    const seen = new Map<string, number>();
    for (const c of this.tables().comments.values()) if (c.personId === personId) seen.set(c.authorName, Math.max(seen.get(c.authorName) ?? 0, c.createdAt));
    for (const m of this.tables().webmentions.received.values()) {
      if (m.personId === personId && m.authorName !== null) seen.set(m.authorName, Math.max(seen.get(m.authorName) ?? 0, m.receivedAt));
    }
    const person = this.tables().people.get(personId);
    if (person && !seen.has(person.name)) seen.set(person.name, 0);
    return [...seen.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
  }

  async notes(personId: number): Promise<PersonNote[]> {
    return [...this.live().notes.values()]
      .filter((n) => n.personId === personId)
      .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)
      .map(copy);
  }

  async findNote(id: number): Promise<PersonNote | null> {
    const note = this.live().notes.get(id);
    return note ? copy(note) : null;
  }

  async addNote(note: Omit<PersonNote, 'id' | 'updatedAt'>): Promise<PersonNote> {
    if (!this.tables().people.has(note.personId)) throw new Error('FOREIGN KEY constraint failed: person_notes.person_id');
    const t = this.live();
    const stored: PersonNote = { ...note, id: ++t.lastId.notes, authorId: note.authorId !== null && this.tables().users.has(note.authorId) ? note.authorId : null, updatedAt: note.createdAt };
    t.notes.set(stored.id, stored);
    return copy(stored);
  }

  async updateNote(id: number, markdown: string, html: string, now: number): Promise<PersonNote | null> {
    const note = this.live().notes.get(id);
    if (!note) return null;
    Object.assign(note, { markdown, html, updatedAt: now });
    return copy(note);
  }

  async deleteNote(id: number): Promise<boolean> {
    return this.live().notes.delete(id);
  }

  async withNotes(personIds: number[]): Promise<Set<number>> {
    const wanted = new Set(personIds);
    return new Set([...this.live().notes.values()].filter((n) => wanted.has(n.personId)).map((n) => n.personId));
  }

  private linked(personId: number, labelId: number): boolean {
    return [...this.t.labelLinks.values()].some((l) => l.personId === personId && l.labelId === labelId);
  }

  async labels(): Promise<PersonLabel[]> {
    return [...this.t.labels.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(({ id, name }) => ({ id, name }));
  }

  async labelsOf(personId: number): Promise<PersonLabel[]> {
    this.live();
    return (await this.labels()).filter((l) => this.linked(personId, l.id));
  }

  async addLabel(personId: number, name: string, actorId: number | null, now: number): Promise<PersonLabel> {
    const t = this.live();
    let label = [...t.labels.values()].find((l) => l.name === name);
    if (!label) {
      label = { id: ++t.lastId.labels, name, createdAt: now };
      t.labels.set(label.id, label);
    }
    if (!this.linked(personId, label.id)) {
      const id = ++t.lastId.links;
      t.labelLinks.set(id, { id, personId, labelId: label.id });
      await this.addEvent({ personId, kind: 'label-added', detail: { label: name }, actorId, createdAt: now });
    }
    return { id: label.id, name: label.name };
  }

  async removeLabel(personId: number, labelId: number, actorId: number | null, now: number): Promise<boolean> {
    const t = this.live();
    const link = [...t.labelLinks.values()].find((l) => l.personId === personId && l.labelId === labelId);
    const removed = link !== undefined && t.labelLinks.delete(link.id);
    const label = t.labels.get(labelId);
    if (removed && label) await this.addEvent({ personId, kind: 'label-removed', detail: { label: label.name }, actorId, createdAt: now });
    return removed;
  }

  async addEvent(event: Omit<PersonEvent, 'id'>): Promise<PersonEvent> {
    const t = this.live();
    const stored: PersonEvent = { ...copy(event), id: ++t.lastId.events, actorId: event.actorId !== null && this.tables().users.has(event.actorId) ? event.actorId : null };
    t.events.set(stored.id, stored);
    return copy(stored);
  }

  async timeline(personId: number, q: TimelineQuery): Promise<TimelinePage> {
    const kinds = new Set(q.kinds && q.kinds.length > 0 ? q.kinds : timelineKinds);
    const tables = this.tables();
    const t = this.live();
    const emails = new Set((await this.identities(personId)).filter((i) => i.kind === 'email').map((i) => i.value));
    const comments = [...tables.comments.values()];
    const theirIds = new Set(comments.filter((c) => c.personId === personId).map((c) => c.id));
    const all: TimelineEntry[] = [];
    if (kinds.has('comment')) for (const c of comments) if (c.personId === personId) all.push({ kind: 'comment', at: c.createdAt, id: c.id, comment: copy(c) });
    if (kinds.has('reply')) for (const r of comments) if (r.userId !== null && r.parentId !== null && theirIds.has(r.parentId)) all.push({ kind: 'reply', at: r.createdAt, id: r.id, comment: copy(r), toId: r.parentId });
    if (kinds.has('webmention')) {
      for (const m of tables.webmentions.received.values()) if (m.personId === personId) all.push({ kind: 'webmention', at: m.receivedAt, id: m.id, source: m.source, postId: m.postId, type: m.type, status: m.status });
    }
    if (kinds.has('subscription')) {
      for (const s of tables.subscriptions.values()) if (emails.has(normaliseEmail(s.email))) all.push({ kind: 'subscription', at: s.createdAt, id: s.id, subscription: s.kind, postId: s.postId, unsubscribedAt: s.unsubscribedAt });
    }
    if (kinds.has('mail')) for (const m of tables.outbox.values()) if (emails.has(normaliseEmail(m.to))) all.push({ kind: 'mail', at: m.createdAt, id: m.id, subject: m.subject, status: m.status, sentAt: m.sentAt });
    if (kinds.has('event')) for (const e of t.events.values()) if (e.personId === personId) all.push({ kind: 'event', at: e.createdAt, id: e.id, event: copy(e) });
    if (kinds.has('note')) for (const n of t.notes.values()) if (n.personId === personId) all.push({ kind: 'note', at: n.createdAt, id: n.id, note: copy(n) });
    const after = all.filter((e) => isAfterCursor(e, q.before)).sort(newestFirst);
    return mergeTimeline([after], q.limit);
  }

  // ---------------------------------------------------------------- merge and undo

  /** What belongs to one person. Subscriptions and mails in memory carry no person: they follow the email identities. */
  private rowsOf(personId: number) {
    const t = this.live();
    const tables = this.tables();
    const emails = new Set([...t.identities.values()].filter((i) => i.personId === personId && i.kind === 'email').map((i) => i.value));
    const ids = <T extends { id: number }>(rows: Iterable<T>, mine: (row: T) => boolean) => [...rows].filter(mine).map((r) => r.id).sort((a, b) => a - b);
    return {
      identities: [...t.identities.values()].filter((i) => i.personId === personId).sort((a, b) => a.id - b.id),
      comments: ids(tables.comments.values(), (c) => c.personId === personId),
      webmentions: ids(tables.webmentions.received.values(), (m) => m.personId === personId),
      notes: ids(t.notes.values(), (n) => n.personId === personId),
      labels: [...t.labelLinks.values()].filter((l) => l.personId === personId).map((l) => l.labelId).sort((a, b) => a - b),
      subscriptions: ids(tables.subscriptions.values(), (s) => emails.has(normaliseEmail(s.email))),
      mails: ids(tables.outbox.values(), (m) => emails.has(normaliseEmail(m.to))),
      events: ids(t.events.values(), (e) => e.personId === personId),
    };
  }

  async previewMerge(survivorId: number, otherIds: readonly number[]): Promise<MergePreview> {
    const problem = mergeProblem(survivorId, otherIds);
    if (problem) throw problem;
    const survivor = await this.findById(survivorId);
    if (!survivor) throw new DomainError('not_found', 'That person was not found.');
    const others: Person[] = [];
    for (const id of otherIds) {
      const other = await this.findById(id);
      if (!other) throw new DomainError('not_found', `Person ${id} was not found.`);
      others.push(other);
    }
    const moves = emptyCounts();
    for (const other of others) {
      const rows = this.rowsOf(other.id);
      moves.identities += rows.identities.length;
      moves.comments += rows.comments.length;
      moves.webmentions += rows.webmentions.length;
      moves.notes += rows.notes.length;
      moves.labels += rows.labels.length;
      moves.subscriptions += rows.subscriptions.length;
      moves.mails += rows.mails.length;
      moves.events += rows.events.length;
    }
    return { survivor, others, fields: mergedFields(survivor, others), moves };
  }

  /** Everything is read and checked before the first write, so a refusal changes nothing. */
  async merge(survivorId: number, otherIds: readonly number[], actorId: number | null, now: number): Promise<PersonEvent> {
    const preview = await this.previewMerge(survivorId, otherIds);
    const tables = this.tables();
    const t = this.live();
    const survivor = tables.people.get(survivorId)!;
    const survivorBefore = { name: survivor.name, email: survivor.email, website: survivor.website };
    let lastSeenAt = this.meta(survivor).lastSeenAt;
    const records: MergedPersonRecord[] = [];
    for (const other of preview.others) {
      const person = tables.people.get(other.id)!;
      const meta = this.meta(person);
      const rows = this.rowsOf(other.id);
      const record: MergedPersonRecord = {
        person: copy(person), trust: { trust: meta.trust, reason: meta.reason, mutedUntil: meta.mutedUntil }, lastSeenAt: meta.lastSeenAt,
        identities: [], droppedIdentities: [], verifiedOnSurvivor: [],
        comments: rows.comments, webmentions: rows.webmentions, notes: rows.notes, labelsMoved: [], labelsDropped: [],
        subscriptions: rows.subscriptions, mails: rows.mails, events: rows.events,
      };
      lastSeenAt = Math.max(lastSeenAt, meta.lastSeenAt);
      for (const identity of rows.identities) {
        const same = [...t.identities.values()].find((i) => i.personId === survivorId && i.kind === identity.kind && i.value === identity.value);
        if (!same) {
          record.identities.push(identity.id);
          identity.personId = survivorId;
          continue;
        }
        record.droppedIdentities.push(copy(identity));
        t.identities.delete(identity.id);
        if (identity.verified && !same.verified) {
          record.verifiedOnSurvivor.push(same.id);
          same.verified = true;
        }
      }
      const survivorLabels = new Set([...t.labelLinks.values()].filter((l) => l.personId === survivorId).map((l) => l.labelId));
      for (const link of [...t.labelLinks.values()].filter((l) => l.personId === other.id)) {
        if (survivorLabels.has(link.labelId)) {
          record.labelsDropped.push(link.labelId);
          t.labelLinks.delete(link.id);
        } else {
          record.labelsMoved.push(link.labelId);
          link.personId = survivorId;
        }
      }
      for (const id of rows.comments) tables.comments.get(id)!.personId = survivorId;
      for (const id of rows.webmentions) tables.webmentions.received.get(id)!.personId = survivorId;
      for (const id of rows.notes) t.notes.get(id)!.personId = survivorId;
      for (const id of rows.events) t.events.get(id)!.personId = survivorId;
      tables.people.delete(other.id);
      t.meta.delete(other.id);
      records.push(record);
    }
    for (const field of mergeFields) (survivor as unknown as Record<string, string | null>)[field] = preview.fields[field].value;
    this.t.meta.set(survivorId, { ...this.meta(survivor), lastSeenAt });
    const manifest: MergeManifest = { merged: preview.others.map((p) => ({ id: p.id, name: p.name })), survivorId, survivorBefore, records, undoUntil: now + UNDO_MS };
    return this.addEvent({ personId: survivorId, kind: 'merged', detail: manifest as unknown as Record<string, unknown>, actorId, createdAt: now });
  }

  async undoMerge(mergeEventId: number, actorId: number | null, now: number): Promise<void> {
    const t = this.live();
    const tables = this.tables();
    const event = t.events.get(mergeEventId) ?? null;
    const manifest = event ? mergeManifestOf(event) : null;
    const problem = undoProblem(manifest, now);
    if (problem || !event || !manifest) throw problem;
    const survivorId = event.personId;
    const survivor = tables.people.get(survivorId);
    if (survivor && manifest.survivorId === survivorId) Object.assign(survivor, manifest.survivorBefore);
    for (const r of manifest.records) {
      const id = r.person.id;
      tables.people.set(id, copy(r.person));
      t.meta.set(id, { ...r.trust, lastSeenAt: r.lastSeenAt });
      const back = <T extends { personId: number | null }>(rows: Map<number, T>, ids: number[]) => {
        for (const rowId of ids) {
          const row = rows.get(rowId);
          if (row && row.personId === survivorId) row.personId = id;
        }
      };
      for (const sid of r.verifiedOnSurvivor) {
        const same = t.identities.get(sid);
        if (same) same.verified = false;
      }
      back(t.identities, r.identities);
      for (const i of r.droppedIdentities) t.identities.set(i.id, copy(i));
      for (const link of t.labelLinks.values()) if (link.personId === survivorId && r.labelsMoved.includes(link.labelId)) link.personId = id;
      for (const labelId of r.labelsDropped) {
        if (!t.labels.has(labelId)) continue;
        const linkId = ++t.lastId.links;
        t.labelLinks.set(linkId, { id: linkId, personId: id, labelId });
      }
      back(tables.comments, r.comments);
      back(tables.webmentions.received, r.webmentions);
      back(t.notes, r.notes);
      back(t.events, r.events);
    }
    event.detail = { ...manifest, undoneAt: now } as unknown as Record<string, unknown>;
    await this.addEvent({ personId: survivorId, kind: 'split', detail: { mergeEventId, restored: manifest.merged }, actorId, createdAt: now });
  }

  async merges(personId: number, now: number): Promise<PersonMerge[]> {
    return [...this.live().events.values()]
      .filter((e) => e.personId === personId && e.kind === 'merged')
      .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)
      .flatMap((event) => {
        const m = mergeManifestOf(event);
        if (!m || m.undoneAt !== undefined || now > m.undoUntil) return [];
        return [{ eventId: event.id, survivorId: personId, merged: m.merged, mergedAt: event.createdAt, undoUntil: m.undoUntil, undoneAt: null }];
      });
  }

  // ---------------------------------------------------------------- export and forget (memory-person-rights.ts)

  async dataOf(personId: number): Promise<PersonData | null> {
    this.live();
    return memoryPersonData(this.tables(), personId);
  }

  async forget(personId: number, choice: ForgetChoice, actorId: number | null, now: number): Promise<ForgetOutcome> {
    this.live();
    return memoryForget(this.tables(), personId, choice, actorId, now);
  }

  async duplicates(personId: number | null, limit: number): Promise<DuplicateSuggestion[]> {
    const t = this.live();
    const people = [...this.tables().people.values()].sort((a, b) => a.id - b.id);
    const identitiesOf = (id: number) => [...t.identities.values()].filter((i) => i.personId === id);
    const out: DuplicateSuggestion[] = [];
    for (const a of people) {
      for (const b of people) {
        if (a.id >= b.id || (personId !== null && a.id !== personId && b.id !== personId)) continue;
        const reasons: string[] = [];
        const ia = identitiesOf(a.id);
        const ib = identitiesOf(b.id);
        for (const x of ia) for (const y of ib) {
          if ((x.kind === 'website' || x.kind === 'webmention') && (y.kind === 'website' || y.kind === 'webmention') && x.value === y.value) {
            const reason = sharedWebsiteReason(x.value, x.kind, y.kind);
            if (!reasons.includes(reason)) reasons.push(reason);
          }
        }
        for (const [from, to] of [[ia, ib], [ib, ia]]) for (const x of from) {
          if (x.kind !== 'website' && x.kind !== 'webmention') continue;
          const links = this.tables().publicProfiles.get(x.value)?.relMe ?? [];
          for (const y of to) if ((y.kind === 'website' || y.kind === 'webmention' || y.kind === 'fediverse') && links.includes(y.value)) {
            const reason = relMeReason(x.value, y.value);
            if (!reasons.includes(reason)) reasons.push(reason);
          }
        }
        const emails = (list: PersonIdentity[]) => list.filter((i) => i.kind === 'email').map((i) => i.value);
        for (const reason of nameAndEmailReasons({ person: a, emails: emails(ia) }, { person: b, emails: emails(ib) })) if (!reasons.includes(reason)) reasons.push(reason);
        if (reasons.length > 0) out.push({ a: copy(a), b: copy(b), reasons });
        if (out.length >= limit) return out;
      }
    }
    return out;
  }
}
