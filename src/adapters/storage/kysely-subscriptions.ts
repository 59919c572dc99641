import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { EmailAddress, Page, Subscription, SubscriptionKind, SubscriptionQuery, SubscriptionRepository, SubscriptionRow } from '../../core/store.ts';
import { transact } from './transact.ts';
import type { Database, Engine } from './schema.ts';

const normalise = (email: string) => email.trim().toLowerCase();

function toAddress(row: Selectable<Database['email_addresses']>): EmailAddress {
  return { email: row.email, confirmToken: row.confirm_token, confirmedAt: row.confirmed_at === null ? null : Number(row.confirmed_at), createdAt: Number(row.created_at) };
}

export function toSubscription(row: Selectable<Database['subscriptions']>): Subscription {
  return {
    id: row.id,
    kind: row.kind as SubscriptionKind,
    email: row.email,
    postId: row.post_id,
    commentId: row.comment_id,
    token: row.token,
    createdAt: Number(row.created_at),
    unsubscribedAt: row.unsubscribed_at === null ? null : Number(row.unsubscribed_at),
  };
}

/** SubscriptionRepository on SQL (SQLite and PostgreSQL). */
export class KyselySubscriptionRepository implements SubscriptionRepository {
  private readonly db: Kysely<Database> | Transaction<Database>;
  private readonly engine: Engine;

  constructor(db: Kysely<Database> | Transaction<Database>, engine: Engine) {
    this.db = db;
    this.engine = engine;
  }

  async ensureAddress(email: string, confirmToken: string, now: number): Promise<EmailAddress> {
    const key = normalise(email);
    await this.db
      .insertInto('email_addresses')
      .values({ email: key, confirm_token: confirmToken, confirmed_at: null, created_at: now })
      .onConflict((oc) => oc.column('email').doNothing())
      .execute();
    return toAddress(await this.db.selectFrom('email_addresses').selectAll().where('email', '=', key).executeTakeFirstOrThrow());
  }

  async findAddress(email: string): Promise<EmailAddress | null> {
    const row = await this.db.selectFrom('email_addresses').selectAll().where('email', '=', normalise(email)).executeTakeFirst();
    return row ? toAddress(row) : null;
  }

  async findAddressByToken(confirmToken: string): Promise<EmailAddress | null> {
    const row = await this.db.selectFrom('email_addresses').selectAll().where('confirm_token', '=', confirmToken).executeTakeFirst();
    return row ? toAddress(row) : null;
  }

  async confirmAddress(email: string, now: number): Promise<void> {
    await this.db.updateTable('email_addresses').set({ confirmed_at: now }).where('email', '=', normalise(email)).where('confirmed_at', 'is', null).execute();
  }

  /**
   * One active subscription per address and thing followed, however many requests ask at
   * once: SQLite runs one transaction at a time; on PostgreSQL a transaction-scoped
   * advisory lock on the address and thing makes concurrent requests take turns.
   */
  async subscribe(sub: Omit<Subscription, 'id' | 'unsubscribedAt'>): Promise<Subscription> {
    const work = async (db: Kysely<Database> | Transaction<Database>): Promise<Subscription> => {
      const email = normalise(sub.email);
      if (this.engine === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtext(${`subscription:${sub.kind}:${email}:${sub.postId}:${sub.commentId ?? ''}`}))`.execute(db);
      }
      let active = db
        .selectFrom('subscriptions')
        .selectAll()
        .where('kind', '=', sub.kind)
        .where('email', '=', email)
        .where('post_id', '=', sub.postId)
        .where('unsubscribed_at', 'is', null);
      active = sub.commentId === null ? active.where('comment_id', 'is', null) : active.where('comment_id', '=', sub.commentId);
      const existing = await active.orderBy('id').executeTakeFirst();
      if (existing) return toSubscription(existing);
      const row = await db
        .insertInto('subscriptions')
        .values({ kind: sub.kind, email, post_id: sub.postId, comment_id: sub.commentId, token: sub.token, created_at: sub.createdAt, unsubscribed_at: null })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toSubscription(row);
    };
    return transact(this.db, work);
  }

  async findByToken(token: string): Promise<Subscription | null> {
    const row = await this.db.selectFrom('subscriptions').selectAll().where('token', '=', token).executeTakeFirst();
    return row ? toSubscription(row) : null;
  }

  async unsubscribe(token: string, now: number): Promise<Subscription | null> {
    await this.db.updateTable('subscriptions').set({ unsubscribed_at: now }).where('token', '=', token).where('unsubscribed_at', 'is', null).execute();
    return this.findByToken(token);
  }

  async activeForPost(postId: number): Promise<Subscription[]> {
    return this.active('post', 'subscriptions.post_id', postId);
  }

  async activeForComment(commentId: number): Promise<Subscription[]> {
    return this.active('replies', 'subscriptions.comment_id', commentId);
  }

  async list(query: SubscriptionQuery): Promise<Page<SubscriptionRow>> {
    if (query.emails && query.emails.length === 0) return { items: [], total: 0 };
    let base = this.db.selectFrom('subscriptions').leftJoin('email_addresses', 'email_addresses.email', 'subscriptions.email');
    if (query.postId !== undefined) base = base.where('subscriptions.post_id', '=', query.postId);
    if (query.emails) base = base.where('subscriptions.email', 'in', query.emails.map(normalise));
    if (query.state === 'unsubscribed') base = base.where('subscriptions.unsubscribed_at', 'is not', null);
    if (query.state === 'active') base = base.where('subscriptions.unsubscribed_at', 'is', null).where('email_addresses.confirmed_at', 'is not', null);
    if (query.state === 'unconfirmed') base = base.where('subscriptions.unsubscribed_at', 'is', null).where('email_addresses.confirmed_at', 'is', null);
    const [rows, count] = await Promise.all([
      base
        .selectAll('subscriptions')
        .select('email_addresses.confirmed_at as confirmed_at')
        .orderBy('subscriptions.created_at', 'desc')
        .orderBy('subscriptions.id', 'desc')
        .limit(query.limit)
        .offset(query.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((row) => ({ ...toSubscription(row), confirmed: row.confirmed_at !== null })), total: Number(count.n) };
  }

  async findById(id: number): Promise<Subscription | null> {
    const row = await this.db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSubscription(row) : null;
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('subscriptions').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Active subscriptions of one kind whose address has been confirmed, oldest first. */
  private async active(kind: SubscriptionKind, column: 'subscriptions.post_id' | 'subscriptions.comment_id', id: number): Promise<Subscription[]> {
    const rows = await this.db
      .selectFrom('subscriptions')
      .innerJoin('email_addresses', 'email_addresses.email', 'subscriptions.email')
      .selectAll('subscriptions')
      .where('subscriptions.kind', '=', kind)
      .where('subscriptions.unsubscribed_at', 'is', null)
      .where('email_addresses.confirmed_at', 'is not', null)
      .where(column, '=', id)
      .orderBy('subscriptions.id')
      .execute();
    return rows.map(toSubscription);
  }
}
