import type { Page } from './store.ts';

/**
 * Replies from the fediverse as the core keeps them (migration 018). A public or unlisted
 * reply is a comment; `FediverseComment` is what it came from. A followers-only or direct
 * mention is a `PrivateMention`: staff read it in Admin → Fediverse, it is never a comment.
 */

/** Who sent a Note, as the inbox saw their actor (fetched through the safe document loader). */
export interface RemoteAuthor {
  actorUri: string;
  /** `@user@host`, lower-cased, when the actor has a preferredUsername. */
  handle: string | null;
  /** The display name, when the actor has one. */
  name: string | null;
  /** The actor's profile page for people (its `url`, else its id). */
  profileUrl: string;
  inbox: string;
  sharedInbox: string | null;
}

/** A comment that came from the fediverse: the Note it was, and where to answer its author. */
export interface FediverseComment {
  commentId: number;
  /** The Note's id: Update and Delete name it, and the author's answer is `inReplyTo` it. */
  noteId: string;
  actorUri: string;
  handle: string | null;
  /** The original's page (the Note's `url`, else its id): "via" on the post links there. */
  url: string | null;
  inbox: string;
  sharedInbox: string | null;
  createdAt: number;
}

/** Who may read a Note: Mastodon's four levels. Only public and unlisted become comments. */
export type NoteVisibility = 'public' | 'unlisted' | 'followers' | 'direct';

/** A followers-only or direct Note to the blog: for staff only, never on a public page. */
export interface PrivateMention {
  id: number;
  noteId: string;
  actorUri: string;
  name: string;
  handle: string | null;
  profileUrl: string | null;
  url: string | null;
  visibility: Extract<NoteVisibility, 'followers' | 'direct'>;
  /** What it answered (a post's or comment's address, or a remote Note), if anything. */
  inReplyTo: string | null;
  /** The post it answered, when it answered one here. */
  postId: number | null;
  /** Sanitised like a comment's. */
  html: string;
  createdAt: number;
  updatedAt: number;
}

export type PrivateMentionWrite = Omit<PrivateMention, 'id' | 'createdAt' | 'updatedAt'>;

export interface FediverseReplyRepository {
  /** Records what a comment came from, in the comment's own transaction. */
  recordComment(link: FediverseComment): Promise<void>;
  findByNote(noteId: string): Promise<FediverseComment | null>;
  findByComment(commentId: number): Promise<FediverseComment | null>;
  /** The fediverse origins of those of `commentIds` that have one (one query per rendered thread). */
  forComments(commentIds: number[]): Promise<FediverseComment[]>;
  /** Every comment an actor sent (a Delete of the actor trashes them). */
  commentIdsByActor(actorUri: string): Promise<number[]>;
  /** Keeps a private mention, or replaces the text of the one with the same Note id (an Update). */
  saveMention(mention: PrivateMentionWrite, now: number): Promise<PrivateMention>;
  findMention(noteId: string): Promise<PrivateMention | null>;
  /** Newest first. */
  listMentions(query: { limit: number; offset: number }): Promise<Page<PrivateMention>>;
  deleteMention(id: number): Promise<boolean>;
  deleteMentionByNote(noteId: string): Promise<boolean>;
  deleteMentionsByActor(actorUri: string): Promise<number>;
}
