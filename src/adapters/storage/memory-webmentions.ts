import type { Person } from '../../core/store.ts';
import { normaliseUrl } from '../../core/people.ts';
import type { ImportedMention, MentionVia, ReceivedMention, SentMention, SentPatch, VerificationPatch, WebmentionRepository } from '../../core/webmention-store.ts';
import type { Tables } from './memory-store.ts';

export interface MemoryWebmentionTables {
  lastReceivedId: number;
  lastSentId: number;
  received: Map<number, ReceivedMention>;
  sent: Map<number, SentMention>;
}

export const emptyWebmentionTables = (): MemoryWebmentionTables => ({ lastReceivedId: 0, lastSentId: 0, received: new Map(), sent: new Map() });

/** WebmentionRepository in memory; its rows live in the MemoryStore's tables so transactions cover them. */
export class MemoryWebmentionRepository implements WebmentionRepository {
  private readonly tables: () => Tables;
  private readonly nextPersonId: () => number;

  constructor(tables: () => Tables, nextPersonId: () => number) {
    this.tables = tables;
    this.nextPersonId = nextPersonId;
  }

  private get t(): MemoryWebmentionTables {
    return this.tables().webmentions;
  }

  async receive(input: { source: string; target: string; postId: number; via: MentionVia }, now: number): Promise<ReceivedMention> {
    const existing = [...this.t.received.values()].find((m) => m.source === input.source && m.target === input.target);
    if (existing) {
      Object.assign(existing, { receivedAt: now, updatedAt: now, via: input.via });
      return structuredClone(existing);
    }
    const row: ReceivedMention = {
      id: ++this.t.lastReceivedId, source: input.source, target: input.target, postId: input.postId, via: input.via, status: 'queued', reason: null, type: null,
      authorName: null, authorUrl: null, authorPhoto: null, content: null, url: null, publishedAt: null, commentId: null, personId: null, receivedAt: now, updatedAt: now, verifiedAt: null,
    };
    this.t.received.set(row.id, row);
    return structuredClone(row);
  }

  async findReceived(id: number): Promise<ReceivedMention | null> {
    const row = this.t.received.get(id);
    return row && this.tables().posts.has(row.postId) ? structuredClone(row) : null;
  }

  async updateReceived(id: number, patch: VerificationPatch, now: number): Promise<ReceivedMention> {
    const row = this.t.received.get(id);
    if (!row) throw new Error(`no webmention ${id}`);
    Object.assign(row, patch, { updatedAt: now });
    return structuredClone(row);
  }

  async listReceived(postId: number): Promise<ReceivedMention[]> {
    return [...this.t.received.values()]
      .filter((m) => m.postId === postId)
      .sort((a, b) => b.receivedAt - a.receivedAt || b.id - a.id)
      .map((m) => structuredClone(m));
  }

  async listVerified(postId: number): Promise<ReceivedMention[]> {
    return [...this.t.received.values()]
      .filter((m) => m.postId === postId && m.status === 'verified')
      .sort((a, b) => (a.verifiedAt ?? 0) - (b.verifiedAt ?? 0) || a.id - b.id)
      .map((m) => structuredClone(m));
  }

  async importReceived(input: ImportedMention, now: number): Promise<{ mention: ReceivedMention; created: boolean }> {
    const existing = [...this.t.received.values()].find((m) => m.source === input.source && m.target === input.target);
    if (existing) return { mention: structuredClone(existing), created: false };
    const row: ReceivedMention = { ...input, id: ++this.t.lastReceivedId, authorPhoto: null, commentId: null, personId: null, updatedAt: now };
    this.t.received.set(row.id, row);
    return { mention: structuredClone(row), created: true };
  }

  async replySources(postId: number): Promise<Array<{ commentId: number; source: string; url: string | null }>> {
    return [...this.t.received.values()]
      .filter((m) => m.postId === postId && m.commentId !== null)
      .sort((a, b) => a.id - b.id)
      .map((m) => ({ commentId: m.commentId!, source: m.source, url: m.url }));
  }

  /** The person an author URL belongs to (by identity: core/people.ts), else a new one; the URL is recorded as their claimed webmention identity. */
  async personForWebsite(input: { name: string; website: string }, now: number): Promise<Person> {
    const tables = this.tables();
    const people = tables.people;
    const value = normaliseUrl(input.website) ?? input.website;
    const byIdentity = [...tables.peopleBook.identities.values()]
      .filter((i) => i.value === value && (i.kind === 'webmention' || i.kind === 'website') && people.has(i.personId))
      .sort((a, b) => Number(b.verified) - Number(a.verified) || a.personId - b.personId)[0];
    let person = byIdentity ? people.get(byIdentity.personId) : [...people.values()].filter((p) => p.website === input.website).sort((a, b) => a.id - b.id)[0];
    if (!person) {
      person = { id: this.nextPersonId(), name: input.name, email: null, website: input.website, createdAt: now };
      people.set(person.id, person);
    }
    const book = tables.peopleBook;
    const meta = book.meta.get(person.id) ?? { trust: 'normal' as const, reason: null, mutedUntil: null, lastSeenAt: person.createdAt };
    book.meta.set(person.id, { ...meta, lastSeenAt: Math.max(meta.lastSeenAt, now) });
    const mine = [...book.identities.values()].find((i) => i.personId === person.id && i.kind === 'webmention' && i.value === value);
    if (mine) mine.lastSeen = now;
    else book.identities.set(++book.lastId.identities, { id: book.lastId.identities, personId: person.id, kind: 'webmention', value, verified: false, firstSeen: now, lastSeen: now });
    return structuredClone(person);
  }

  async recordSent(postId: number, target: string, patch: SentPatch, now: number): Promise<SentMention> {
    const { attempted, ...fields } = patch;
    let row = [...this.t.sent.values()].find((s) => s.postId === postId && s.target === target);
    if (!row) {
      row = { id: ++this.t.lastSentId, postId, target, endpoint: null, protocol: 'webmention', status: 'queued', httpStatus: null, error: null, attempts: 0, updatedAt: now };
      this.t.sent.set(row.id, row);
    }
    const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    Object.assign(row, defined, { updatedAt: now, attempts: row.attempts + (attempted ? 1 : 0) });
    return structuredClone(row);
  }

  async listSent(postId: number): Promise<SentMention[]> {
    return [...this.t.sent.values()].filter((s) => s.postId === postId && this.tables().posts.has(postId)).sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0)).map((s) => structuredClone(s));
  }
}
