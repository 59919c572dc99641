import { archiveKey, compareKeys, type ArchiveKey, type ArchiveRecords, type ArchiveRepository, type ArchiveTable, type ArchivedPost } from '../../core/archive.ts';
import { plainText } from '../../core/text.ts';
import { isProtected } from '../../core/store.ts';
import type { Tables } from './memory-store.ts';
import { emptyPeopleTables } from './memory-people.ts';
import { emptyPersonRightsTables } from './memory-post-sources.ts';
import { emptyBlockTable, emptyFollowerTable } from './memory-followers.ts';
import { emptyFediverseReplyTables } from './memory-fediverse-replies.ts';
import { emptyReactionTables } from './memory-reactions.ts';

const copy = <T>(value: T): T => structuredClone(value);

/** ArchiveRepository in memory; it reads and writes the MemoryStore's tables, so transactions cover it. */
export class MemoryArchiveRepository implements ArchiveRepository {
  private readonly tables: () => Tables;

  constructor(tables: () => Tables) {
    this.tables = tables;
  }

  /** Every record of a table, unordered. */
  private all<T extends ArchiveTable>(table: T): Array<ArchiveRecords[T]> {
    const t = this.tables();
    const records: Record<ArchiveTable, () => unknown[]> = {
      settings: () => [...t.settings].map(([key, value]) => ({ key, value })),
      users: () => [...t.users.values()],
      apiTokens: () => [...t.apiTokens.values()],
      tags: () => [...t.tags.values()],
      posts: () =>
        [...t.posts.values()].map(({ searchText: _searchText, creationKey: _creationKey, ...post }) => ({
          ...post,
          // Bytewise, as the SQL stores read them.
          oldSlugs: [...t.oldSlugs].filter(([, postId]) => postId === post.id).map(([slug]) => slug).sort(compareKeys),
        })),
      people: () =>
        [...t.people.values()].map((p) => {
          const meta = t.peopleBook.meta.get(p.id);
          return { ...p, trust: meta?.trust ?? 'normal', trustReason: meta?.reason ?? null, mutedUntil: meta?.mutedUntil ?? null, lastSeenAt: meta?.lastSeenAt ?? p.createdAt };
        }),
      comments: () => [...t.comments.values()],
      commentRevisions: () => [...t.commentRevisions.values()],
      emailAddresses: () => [...t.emailAddresses.values()],
      subscriptions: () => [...t.subscriptions.values()],
      uploads: () => [...t.uploads.values()],
      spamTotals: () => (['spam', 'ham'] as const).map((label) => ({ label, documents: t.spamTotals[label] })),
      spamTokens: () => [...t.spamTokens].map(([token, counts]) => ({ token, ...counts })),
      webmentions: () => [...t.webmentions.received.values()],
      webmentionsSent: () => [...t.webmentions.sent.values()],
      importKeys: () =>
        [...t.importKeys].map(([key, localId]) => {
          const [source, kind, externalId] = JSON.parse(key) as [string, ArchiveRecords['importKeys']['kind'], string];
          return { source, kind, externalId, localId };
        }),
      legacyPaths: () => [...t.legacyPaths].map(([path, postId]) => ({ path, postId })),
      postRevisions: () => [...t.revisions.rows.values()],
      personIdentities: () => [...t.peopleBook.identities.values()].filter((i) => t.people.has(i.personId)),
      personLabels: () => [...t.peopleBook.labels.values()],
      personLabelLinks: () => [...t.peopleBook.labelLinks.values()].filter((l) => t.people.has(l.personId)),
      personNotes: () => [...t.peopleBook.notes.values()].filter((n) => t.people.has(n.personId)),
      personEvents: () => [...t.peopleBook.events.values()].filter((e) => t.people.has(e.personId)),
      postSources: () =>
        [...t.personRights.postSources.values()]
          .filter((s) => t.posts.has(s.postId))
          .map((s) => ({ ...s, commentId: s.commentId !== null && t.comments.has(s.commentId) ? s.commentId : null, personId: s.personId !== null && t.people.has(s.personId) ? s.personId : null })),
      auditLog: () => [...t.personRights.audit.values()].map((e) => ({ ...e, actorId: e.actorId !== null && t.users.has(e.actorId) ? e.actorId : null })),
      fediverseFollowers: () => [...t.followers.rows.values()],
      fediverseBlocks: () => [...t.fediverseBlocks.rows.values()],
      fediverseComments: () => [...t.fediverseReplies.comments.values()].filter((l) => t.comments.has(l.commentId)),
      fediversePrivateMentions: () => [...t.fediverseReplies.mentions.values()],
      fediverseReactions: () => [...t.reactions.rows.values()],
      fediverseQuoteAuthorizations: () => [...t.reactions.quotes.values()],
      embedSites: () => [...t.embeds.sites.values()].map((s) => ({ ...s, createdBy: s.createdBy !== null && t.users.has(s.createdBy) ? s.createdBy : null })),
      embedThreads: () => [...t.embeds.threads.values()].filter((x) => t.posts.has(x.postId)),
    };
    return records[table]() as Array<ArchiveRecords[T]>;
  }

  async read<T extends ArchiveTable>(table: T, after: ArchiveKey | null, limit: number): Promise<Array<ArchiveRecords[T]>> {
    return this.all(table)
      .filter((r) => after === null || compareKeys(archiveKey(table, r), after) > 0)
      .sort((a, b) => compareKeys(archiveKey(table, a), archiveKey(table, b)))
      .slice(0, limit)
      .map(copy);
  }

  async write<T extends ArchiveTable>(table: T, records: Array<ArchiveRecords[T]>): Promise<void> {
    const t = this.tables();
    const raise = (name: keyof Tables['lastId'], id: number) => (t.lastId[name] = Math.max(t.lastId[name], id));
    /** Puts back a People record with its id, and moves that table's id counter past it. */
    const keepPersonRecord = <R extends { id: number }>(rows: Map<number, R>, counter: keyof Tables['peopleBook']['lastId'], record: R) => {
      rows.set(record.id, record);
      t.peopleBook.lastId[counter] = Math.max(t.peopleBook.lastId[counter], record.id);
    };
    for (const given of records.map(copy)) {
      const r = given as never;
      switch (table) {
        case 'settings': {
          const { key, value } = given as ArchiveRecords['settings'];
          t.settings.set(key, value);
          break;
        }
        case 'users':
          t.users.set((r as ArchiveRecords['users']).id, r);
          raise('users', (r as ArchiveRecords['users']).id);
          break;
        case 'apiTokens':
          t.apiTokens.set((r as ArchiveRecords['apiTokens']).id, r);
          raise('apiTokens', (r as ArchiveRecords['apiTokens']).id);
          break;
        case 'tags':
          t.tags.set((r as ArchiveRecords['tags']).id, r);
          raise('tags', (r as ArchiveRecords['tags']).id);
          break;
        case 'posts': {
          const { oldSlugs, ...post } = given as ArchivedPost;
          t.posts.set(post.id, { ...post, searchText: isProtected(post) ? '' : plainText(post.html) });
          for (const slug of oldSlugs) t.oldSlugs.set(slug, post.id);
          raise('posts', post.id);
          break;
        }
        case 'people': {
          const { trust, trustReason, mutedUntil, lastSeenAt, ...person } = given as ArchiveRecords['people'];
          t.people.set(person.id, person);
          t.peopleBook.meta.set(person.id, { trust, reason: trustReason, mutedUntil, lastSeenAt });
          raise('people', person.id);
          break;
        }
        case 'personIdentities':
          keepPersonRecord(t.peopleBook.identities, 'identities', given as ArchiveRecords['personIdentities']);
          break;
        case 'personLabels':
          keepPersonRecord(t.peopleBook.labels, 'labels', given as ArchiveRecords['personLabels']);
          break;
        case 'personLabelLinks':
          keepPersonRecord(t.peopleBook.labelLinks, 'links', given as ArchiveRecords['personLabelLinks']);
          break;
        case 'personNotes':
          keepPersonRecord(t.peopleBook.notes, 'notes', given as ArchiveRecords['personNotes']);
          break;
        case 'personEvents':
          keepPersonRecord(t.peopleBook.events, 'events', given as ArchiveRecords['personEvents']);
          break;
        case 'comments':
          t.comments.set((r as ArchiveRecords['comments']).id, r);
          raise('comments', (r as ArchiveRecords['comments']).id);
          break;
        case 'commentRevisions':
          t.commentRevisions.set((r as ArchiveRecords['commentRevisions']).id, r);
          raise('commentRevisions', (r as ArchiveRecords['commentRevisions']).id);
          break;
        case 'emailAddresses':
          t.emailAddresses.set((r as ArchiveRecords['emailAddresses']).email, r);
          break;
        case 'subscriptions':
          t.subscriptions.set((r as ArchiveRecords['subscriptions']).id, r);
          raise('subscriptions', (r as ArchiveRecords['subscriptions']).id);
          break;
        case 'uploads':
          t.uploads.set((r as ArchiveRecords['uploads']).hash, r);
          break;
        case 'spamTotals': {
          const { label, documents } = given as ArchiveRecords['spamTotals'];
          t.spamTotals[label] = documents;
          break;
        }
        case 'spamTokens': {
          const { token, spam, ham } = given as ArchiveRecords['spamTokens'];
          t.spamTokens.set(token, { spam, ham });
          break;
        }
        case 'webmentions': {
          const mention = given as ArchiveRecords['webmentions'];
          t.webmentions.received.set(mention.id, mention);
          t.webmentions.lastReceivedId = Math.max(t.webmentions.lastReceivedId, mention.id);
          break;
        }
        case 'webmentionsSent': {
          const sent = given as ArchiveRecords['webmentionsSent'];
          t.webmentions.sent.set(sent.id, sent);
          t.webmentions.lastSentId = Math.max(t.webmentions.lastSentId, sent.id);
          break;
        }
        case 'importKeys': {
          const { source, kind, externalId, localId } = given as ArchiveRecords['importKeys'];
          t.importKeys.set(JSON.stringify([source, kind, externalId]), localId);
          break;
        }
        case 'legacyPaths': {
          const { path, postId } = given as ArchiveRecords['legacyPaths'];
          t.legacyPaths.set(path, postId);
          break;
        }
        case 'embedSites': {
          const site = given as ArchiveRecords['embedSites'];
          t.embeds.sites.set(site.id, site);
          t.embeds.lastSiteId = Math.max(t.embeds.lastSiteId, site.id);
          break;
        }
        case 'embedThreads': {
          const thread = given as ArchiveRecords['embedThreads'];
          t.embeds.threads.set(thread.postId, thread);
          break;
        }
        case 'postSources': {
          const source = given as ArchiveRecords['postSources'];
          t.personRights.postSources.set(source.postId, source);
          break;
        }
        case 'auditLog': {
          const entry = given as ArchiveRecords['auditLog'];
          t.personRights.audit.set(entry.id, entry);
          t.personRights.lastAuditId = Math.max(t.personRights.lastAuditId, entry.id);
          break;
        }
        case 'fediverseFollowers': {
          const follower = given as ArchiveRecords['fediverseFollowers'];
          t.followers.rows.set(follower.id, follower);
          t.followers.lastId = Math.max(t.followers.lastId, follower.id);
          break;
        }
        case 'fediverseBlocks': {
          const block = given as ArchiveRecords['fediverseBlocks'];
          t.fediverseBlocks.rows.set(block.id, block);
          t.fediverseBlocks.lastId = Math.max(t.fediverseBlocks.lastId, block.id);
          break;
        }
        case 'fediverseComments': {
          const link = given as ArchiveRecords['fediverseComments'];
          t.fediverseReplies.comments.set(link.commentId, link);
          break;
        }
        case 'fediversePrivateMentions': {
          const mention = given as ArchiveRecords['fediversePrivateMentions'];
          t.fediverseReplies.mentions.set(mention.id, mention);
          t.fediverseReplies.lastMentionId = Math.max(t.fediverseReplies.lastMentionId, mention.id);
          break;
        }
        case 'fediverseReactions': {
          const reaction = given as ArchiveRecords['fediverseReactions'];
          t.reactions.rows.set(reaction.id, reaction);
          t.reactions.lastId = Math.max(t.reactions.lastId, reaction.id);
          break;
        }
        case 'fediverseQuoteAuthorizations': {
          const quote = given as ArchiveRecords['fediverseQuoteAuthorizations'];
          t.reactions.quotes.set(quote.id, quote);
          t.reactions.lastQuoteId = Math.max(t.reactions.lastQuoteId, quote.id);
          break;
        }
        case 'postRevisions': {
          const revision = given as ArchiveRecords['postRevisions'];
          t.revisions.rows.set(revision.id, revision);
          t.revisions.lastId = Math.max(t.revisions.lastId, revision.id);
          break;
        }
      }
    }
  }

  async count(table: ArchiveTable): Promise<number> {
    return this.all(table).length;
  }

  async clear(): Promise<void> {
    const t = this.tables();
    for (const map of [t.users, t.apiTokens, t.tags, t.posts, t.oldSlugs, t.people, t.comments, t.commentRevisions, t.emailAddresses, t.subscriptions, t.uploads, t.uploadVariants, t.spamTokens, t.sessions, t.outbox, t.webmentions.received, t.webmentions.sent, t.importKeys, t.legacyPaths, t.jobs.rows, t.publicProfiles]) {
      map.clear();
    }
    t.revisions.rows.clear();
    t.spamTotals = { spam: 0, ham: 0 };
    t.peopleBook = emptyPeopleTables();
    t.personRights = emptyPersonRightsTables();
    t.followers = emptyFollowerTable();
    t.fediverseBlocks = emptyBlockTable();
    t.fediverseReplies = emptyFediverseReplyTables();
    t.reactions = emptyReactionTables();
  }

  async finish(): Promise<void> {}

  /** A copy of the tables as they are now: writes made meanwhile are not seen. */
  snapshot<T>(work: (archive: ArchiveRepository) => Promise<T>): Promise<T> {
    const frozen = structuredClone(this.tables());
    return work(new MemoryArchiveRepository(() => frozen));
  }
}
