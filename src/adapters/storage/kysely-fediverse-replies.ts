import type { Kysely, Selectable, Transaction } from 'kysely';
import type { FediverseComment, FediverseReplyRepository, PrivateMention, PrivateMentionWrite } from '../../core/fediverse-reply-store.ts';
import type { Page } from '../../core/store.ts';
import type { Database } from './schema.ts';

export function toLink(row: Selectable<Database['federation_comments']>): FediverseComment {
  return {
    commentId: Number(row.comment_id),
    noteId: row.note_id,
    actorUri: row.actor_uri,
    handle: row.handle,
    url: row.url,
    inbox: row.inbox,
    sharedInbox: row.shared_inbox,
    createdAt: Number(row.created_at),
  };
}

export function toMention(row: Selectable<Database['federation_private_mentions']>): PrivateMention {
  return {
    id: Number(row.id),
    noteId: row.note_id,
    actorUri: row.actor_uri,
    name: row.name,
    handle: row.handle,
    profileUrl: row.profile_url,
    url: row.url,
    visibility: row.visibility as PrivateMention['visibility'],
    inReplyTo: row.in_reply_to,
    postId: row.post_id === null ? null : Number(row.post_id),
    html: row.html,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** FediverseReplyRepository on SQL (SQLite and PostgreSQL). */
export class KyselyFediverseReplyRepository implements FediverseReplyRepository {
  private readonly db: Kysely<Database> | Transaction<Database>;

  constructor(db: Kysely<Database> | Transaction<Database>) {
    this.db = db;
  }

  async recordComment(link: FediverseComment): Promise<void> {
    await this.db
      .insertInto('federation_comments')
      .values({ comment_id: link.commentId, note_id: link.noteId, actor_uri: link.actorUri, handle: link.handle, url: link.url, inbox: link.inbox, shared_inbox: link.sharedInbox, created_at: link.createdAt })
      .execute();
  }

  async findByNote(noteId: string): Promise<FediverseComment | null> {
    const row = await this.db.selectFrom('federation_comments').selectAll().where('note_id', '=', noteId).executeTakeFirst();
    return row ? toLink(row) : null;
  }

  async findByComment(commentId: number): Promise<FediverseComment | null> {
    const row = await this.db.selectFrom('federation_comments').selectAll().where('comment_id', '=', commentId).executeTakeFirst();
    return row ? toLink(row) : null;
  }

  async forComments(commentIds: number[]): Promise<FediverseComment[]> {
    if (commentIds.length === 0) return [];
    const rows = await this.db.selectFrom('federation_comments').selectAll().where('comment_id', 'in', commentIds).orderBy('comment_id').execute();
    return rows.map(toLink);
  }

  async commentIdsByActor(actorUri: string): Promise<number[]> {
    const rows = await this.db.selectFrom('federation_comments').select('comment_id').where('actor_uri', '=', actorUri).orderBy('comment_id').execute();
    return rows.map((row) => Number(row.comment_id));
  }

  async saveMention(m: PrivateMentionWrite, now: number): Promise<PrivateMention> {
    const fields = { actor_uri: m.actorUri, name: m.name, handle: m.handle, profile_url: m.profileUrl, url: m.url, visibility: m.visibility, in_reply_to: m.inReplyTo, post_id: m.postId, html: m.html, updated_at: now };
    const row = await this.db
      .insertInto('federation_private_mentions')
      .values({ note_id: m.noteId, ...fields, created_at: now })
      .onConflict((oc) => oc.column('note_id').doUpdateSet(fields))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toMention(row);
  }

  async findMention(noteId: string): Promise<PrivateMention | null> {
    const row = await this.db.selectFrom('federation_private_mentions').selectAll().where('note_id', '=', noteId).executeTakeFirst();
    return row ? toMention(row) : null;
  }

  async listMentions(query: { limit: number; offset: number }): Promise<Page<PrivateMention>> {
    const rows = await this.db.selectFrom('federation_private_mentions').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).offset(query.offset).execute();
    const count = await this.db.selectFrom('federation_private_mentions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return { items: rows.map(toMention), total: Number(count.n) };
  }

  async deleteMention(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('federation_private_mentions').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteMentionByNote(noteId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('federation_private_mentions').where('note_id', '=', noteId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteMentionsByActor(actorUri: string): Promise<number> {
    const result = await this.db.deleteFrom('federation_private_mentions').where('actor_uri', '=', actorUri).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
