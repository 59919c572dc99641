/**
 * The archive port: every record of the site, read in pages by key and written back
 * with its own ids. Export, import and backup (src/migration/) use it; a repository on
 * every Store (`store.archive`), checked by archive-contract.test.ts on each engine.
 *
 * Records are the domain's own types, so an export is independent of the engine.
 */
import type { ApiToken, Comment, CommentRevision, EmailAddress, ImportKind, Person, Post, Subscription, Tag, Upload, User } from './store.ts';
import type { PostRevision } from './revisions.ts';
import type { ReceivedMention, SentMention } from './webmention-store.ts';
import type { PersonEvent, PersonIdentity, PersonLabel, PersonNote, Trust } from './people.ts';
import type { PostSource } from './post-ideas.ts';
import type { AuditEntry } from './audit.ts';
import type { FediverseBlock, Follower } from './federation-store.ts';
import type { FediverseComment, PrivateMention } from './fediverse-reply-store.ts';
import type { QuoteAuthorizationRecord, Reaction } from './reactions.ts';
import type { EmbedSite, EmbedThread } from './embeds.ts';

/** A person with the author's trust in them and when they were last seen (migration 010). */
export interface ArchivedPerson extends Person {
  trust: Trust;
  /** Staff's words: a secret field (only in an export with secrets). */
  trustReason: string | null;
  mutedUntil: number | null;
  lastSeenAt: number;
}

export interface PersonLabelRecord extends PersonLabel {
  createdAt: number;
}

export interface PersonLabelLinkRecord {
  id: number;
  personId: number;
  labelId: number;
}

/** A post with what hangs off it: its tags (by id, in order) and the old slugs that redirect to it. */
export interface ArchivedPost extends Omit<Post, 'tags'> {
  tagIds: number[];
  oldSlugs: string[];
}

export interface SettingRecord {
  key: string;
  value: string;
}

export interface SpamTokenRecord {
  token: string;
  spam: number;
  ham: number;
}

export interface SpamTotalRecord {
  label: 'spam' | 'ham';
  documents: number;
}

/** Which local item an imported one became (a WXR GUID, a Disqus id), so a re-import finds it. */
export interface ImportKeyRecord {
  source: string;
  kind: ImportKind;
  externalId: string;
  localId: number;
}

/** An address the post answered to on the old site ('/2019/03/hello', '?p=123'), redirected with a 301. */
export interface LegacyPathRecord {
  path: string;
  postId: number;
}

/** Each table of the archive and its record type. */
export interface ArchiveRecords {
  settings: SettingRecord;
  users: User;
  apiTokens: ApiToken;
  tags: Tag;
  posts: ArchivedPost;
  people: ArchivedPerson;
  comments: Comment;
  commentRevisions: CommentRevision;
  emailAddresses: EmailAddress;
  subscriptions: Subscription;
  uploads: Upload;
  spamTotals: SpamTotalRecord;
  spamTokens: SpamTokenRecord;
  webmentions: ReceivedMention;
  webmentionsSent: SentMention;
  importKeys: ImportKeyRecord;
  legacyPaths: LegacyPathRecord;
  /** Saved versions of posts, and authors' latest autosaves. */
  postRevisions: PostRevision;
  personIdentities: PersonIdentity;
  personLabels: PersonLabelRecord;
  personLabelLinks: PersonLabelLinkRecord;
  personNotes: PersonNote;
  personEvents: PersonEvent;
  /** Posts made from comments (migration 015). */
  postSources: PostSource;
  /** The audit log: lines without personal data (migration 015). */
  auditLog: AuditEntry;
  /** The blog actor's fediverse followers, accepted and waiting (migration 011). */
  fediverseFollowers: Follower;
  /** Accounts and domains refused (migration 013). */
  fediverseBlocks: FediverseBlock;
  /** What each comment that came from the fediverse was: its Note, author and inbox (migration 018). */
  fediverseComments: FediverseComment;
  /** Followers-only and direct mentions, for staff only (migration 018). */
  fediversePrivateMentions: PrivateMention;
  /** Likes and boosts of posts from the fediverse (migration 019). */
  fediverseReactions: Reaction;
  /** Quotes of posts the blog authorized (FEP-044f, migration 019): their addresses must keep answering. */
  fediverseQuoteAuthorizations: QuoteAuthorizationRecord;
  /** Sites whose pages carry the blog's comments (migration 024). */
  embedSites: EmbedSite;
  /** Each such page's thread: its post and address (migration 024). */
  embedThreads: EmbedThread;
}

export type ArchiveTable = keyof ArchiveRecords;

/** In the order a restore writes them: everything a record points at comes first. */
export const archiveTables: readonly ArchiveTable[] = [
  'settings',
  'users',
  'apiTokens',
  'tags',
  'posts',
  'people',
  'comments',
  'commentRevisions',
  'emailAddresses',
  'subscriptions',
  'uploads',
  'spamTotals',
  'spamTokens',
  'webmentions',
  'webmentionsSent',
  'importKeys',
  'legacyPaths',
  'postRevisions',
  'personIdentities',
  'personLabels',
  'personLabelLinks',
  'personNotes',
  'personEvents',
  'fediverseFollowers',
  'fediverseBlocks',
  'fediverseComments',
  'fediversePrivateMentions',
  'fediverseReactions',
  'fediverseQuoteAuthorizations',
  'postSources',
  'auditLog',
  'embedSites',
  'embedThreads',
];

/** The key a table is paged by: the id, or the natural key for tables without one. */
export type ArchiveKey = number | string;

export function archiveKey<T extends ArchiveTable>(table: T, record: ArchiveRecords[T]): ArchiveKey {
  const r = record as unknown as Record<string, ArchiveKey>;
  switch (table) {
    case 'settings':
      return r.key;
    case 'emailAddresses':
      return r.email;
    case 'uploads':
      return r.hash;
    case 'spamTotals':
      return r.label;
    case 'spamTokens':
      return r.token;
    case 'legacyPaths':
      return r.path;
    case 'fediverseComments':
      return r.commentId;
    case 'importKeys':
      return importKeyOf(record as ImportKeyRecord);
    case 'postSources':
    case 'embedThreads':
      return r.postId;
    default:
      return r.id;
  }
}

/**
 * An import key's (source, kind, external id) as one string: NUL-separated, so comparing
 * it bytewise orders the same as comparing the three columns in turn.
 */
export function importKeyOf(record: Pick<ImportKeyRecord, 'source' | 'kind' | 'externalId'>): string {
  return [record.source, record.kind, record.externalId].join('\u0000');
}

/** Orders string keys as the SQL stores do (bytewise UTF-8, collation "C"), so every engine pages alike. */
export function compareKeys(a: ArchiveKey, b: ArchiveKey): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b)));
}

export interface ArchiveRepository {
  /** Up to `limit` records of `table` whose key comes after `after` (null: from the start), in key order. */
  read<T extends ArchiveTable>(table: T, after: ArchiveKey | null, limit: number): Promise<Array<ArchiveRecords[T]>>;
  /**
   * Writes records exactly as given, ids included (settings, spam counts: replacing the
   * value under the same key). What a record points at must be written first.
   */
  write<T extends ArchiveTable>(table: T, records: Array<ArchiveRecords[T]>): Promise<void>;
  /** How many records `table` holds. */
  count(table: ArchiveTable): Promise<number>;
  /** Deletes every record of every table except settings, and the sessions, mail outbox and background jobs that refer to them. */
  clear(): Promise<void>;
  /** After writes with explicit ids: new records get ids above the largest written (PostgreSQL sequences). */
  finish(): Promise<void>;
  /** Runs `work` on one consistent view of the data (a read-only snapshot transaction on SQL) while others keep writing. */
  snapshot<T>(work: (archive: ArchiveRepository) => Promise<T>): Promise<T>;
}

/** Every record of `table` in key order, read a page at a time. */
export async function* eachRecord<T extends ArchiveTable>(archive: ArchiveRepository, table: T, pageSize = 500): AsyncGenerator<ArchiveRecords[T]> {
  let after: ArchiveKey | null = null;
  for (;;) {
    const page: Array<ArchiveRecords[T]> = await archive.read(table, after, pageSize);
    yield* page;
    if (page.length < pageSize) return;
    after = archiveKey(table, page[page.length - 1]);
  }
}
