import type { Person } from './store.ts';

/** A received mention: queued until verified; rejected (never valid) or deleted (was valid, then gone). */
export type MentionStatus = 'queued' | 'verified' | 'rejected' | 'deleted';
/** What the source says about our post, from its microformats. */
export type MentionType = 'reply' | 'like' | 'repost' | 'bookmark' | 'mention';
export type MentionVia = 'webmention' | 'pingback';
/** How a received mention arrived: trackbacks exist only as imported from WordPress. */
export type ReceivedVia = MentionVia | 'trackback';

/** What a source page says about its mention of our post, read from its microformats. */
export interface MentionDetails {
  type: MentionType;
  authorName: string | null;
  authorUrl: string | null;
  authorPhoto: string | null;
  /** Plain text of the source's content (trimmed). */
  content: string | null;
  /** The source entry's own URL (u-url), or the source. */
  url: string | null;
  publishedAt: number | null;
}

export interface ReceivedMention extends Omit<MentionDetails, 'type'> {
  id: number;
  source: string;
  target: string;
  postId: number;
  via: ReceivedVia;
  status: MentionStatus;
  /** Why it was rejected or deleted, in words. */
  reason: string | null;
  /** Null until verified. */
  type: MentionType | null;
  /** The comment a reply became. */
  commentId: number | null;
  personId: number | null;
  receivedAt: number;
  updatedAt: number;
  verifiedAt: number | null;
}

/** A mention brought from another blog (a WordPress pingback or trackback), as it stood there. */
export type ImportedMention = Pick<
  ReceivedMention,
  'source' | 'target' | 'postId' | 'via' | 'status' | 'reason' | 'type' | 'authorName' | 'authorUrl' | 'content' | 'url' | 'publishedAt' | 'receivedAt' | 'verifiedAt'
>;

export type VerificationPatch = Partial<
  Pick<ReceivedMention, 'status' | 'reason' | 'type' | 'authorName' | 'authorUrl' | 'authorPhoto' | 'content' | 'url' | 'publishedAt' | 'commentId' | 'personId' | 'verifiedAt'>
>;

/** One link of one post, as notified by the sender. */
export type SentStatus = 'queued' | 'sent' | 'no-endpoint' | 'failed';

export interface SentMention {
  id: number;
  postId: number;
  /** The link in the post. */
  target: string;
  /** The endpoint discovered, or null when the target advertises none. */
  endpoint: string | null;
  /** How the target was told: by webmention, or by pingback when it advertises only that. */
  protocol: MentionVia;
  status: SentStatus;
  /** What the endpoint answered. */
  httpStatus: number | null;
  error: string | null;
  attempts: number;
  updatedAt: number;
}

export type SentPatch = Partial<Pick<SentMention, 'endpoint' | 'protocol' | 'status' | 'httpStatus' | 'error'>> & { attempted?: boolean };

export interface WebmentionRepository {
  /** Records (source, target) as queued; a resend of the same pair is the same record. */
  receive(input: { source: string; target: string; postId: number; via: MentionVia }, now: number): Promise<ReceivedMention>;
  findReceived(id: number): Promise<ReceivedMention | null>;
  updateReceived(id: number, patch: VerificationPatch, now: number): Promise<ReceivedMention>;
  /** Every mention of a post, whatever its status, newest first (the admin). */
  listReceived(postId: number): Promise<ReceivedMention[]>;
  /** Verified mentions of a post, oldest first. */
  listVerified(postId: number): Promise<ReceivedMention[]>;
  /**
   * Stores an imported mention as it is, with no verification. A mention already recorded
   * for the same source and target is left as it is and returned with `created: false`.
   */
  importReceived(input: ImportedMention, now: number): Promise<{ mention: ReceivedMention; created: boolean }>;
  /** The source page (and the entry's own u-url, if it had one) of each comment a webmention reply to the post became. */
  replySources(postId: number): Promise<Array<{ commentId: number; source: string; url: string | null }>>;
  /** The person with this website (exact URL), created if unknown. */
  personForWebsite(input: { name: string; website: string }, now: number): Promise<Person>;
  /** Creates or updates the record of `target` notified for `postId`. */
  recordSent(postId: number, target: string, patch: SentPatch, now: number): Promise<SentMention>;
  /** A post's notified links, by target. */
  listSent(postId: number): Promise<SentMention[]>;
}
