import type { Kysely, Selectable, Transaction } from 'kysely';
import type { User, UserRepository } from '../../core/store.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { isUniqueViolation } from './storage-errors.ts';
import { transact } from './transact.ts';
import { runCompiledOnce } from './compiled-once.ts';
import type { Database, Engine } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The columns a User is read from (named, as COMMENT_COLUMNS in kysely-comments.ts). */
const USER_COLUMNS = ['id', 'email', 'name', 'slug', 'bio', 'role', 'password_hash', 'created_at'] as const;

function toUser(row: Pick<Selectable<Database['users']>, (typeof USER_COLUMNS)[number]>): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    slug: row.slug,
    bio: row.bio,
    role: row.role as User['role'],
    passwordHash: row.password_hash,
    createdAt: Number(row.created_at),
  };
}

/** UserRepository on SQL (SQLite and PostgreSQL): the site's staff accounts. */
export class KyselyUserRepository implements UserRepository {
  private readonly db: Db;
  private readonly kind: Engine;

  constructor(db: Db, kind: Engine) {
    this.db = db;
    this.kind = kind;
  }

  async create(user: Omit<User, 'id'>): Promise<User> {
    try {
      const row = await this.db
        .insertInto('users')
        .values({
          email: user.email.trim().toLowerCase(),
          name: user.name,
          slug: user.slug,
          bio: user.bio,
          role: user.role,
          password_hash: user.passwordHash,
          created_at: user.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toUser(row);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError('conflict', 'A user with this email or profile address already exists.', { email: 'Already in use.' });
      }
      throw error;
    }
  }

  async findById(id: number): Promise<User | null> {
    const [row] = await runCompiledOnce(this.db, this.kind, 'user-by-id', [id], ([v]) => this.db.selectFrom('users').select(USER_COLUMNS).where('id', '=', v as number));
    return row ? toUser(row) : null;
  }

  async findByEmail(email: string): Promise<User | null> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async findBySlug(slug: string): Promise<User | null> {
    const row = await this.db.selectFrom('users').selectAll().where('slug', '=', slug).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async list(): Promise<User[]> {
    return (await runCompiledOnce(this.db, this.kind, 'users', [], () => this.db.selectFrom('users').select(USER_COLUMNS).orderBy('id'))).map(toUser);
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async update(id: number, patch: Partial<Pick<User, 'email' | 'name' | 'slug' | 'bio' | 'role' | 'passwordHash'>>): Promise<User> {
    const set: { email?: string; name?: string; slug?: string; bio?: string; role?: string; password_hash?: string | null } = {};
    if (patch.email !== undefined) set.email = patch.email.trim().toLowerCase();
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.slug !== undefined) set.slug = patch.slug;
    if (patch.bio !== undefined) set.bio = patch.bio;
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
    try {
      if (Object.keys(set).length > 0) await this.db.updateTable('users').set(set).where('id', '=', id).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('conflict', 'Another user already has this email or profile address.', { email: 'Already in use.' });
      throw error;
    }
    const user = await this.findById(id);
    if (!user) throw notFound('The user');
    return user;
  }

  delete(id: number, heirId: number): Promise<void> {
    return transact(this.db, async (trx) => {
      await trx.updateTable('posts').set({ author_id: heirId }).where('author_id', '=', id).execute();
      // Their autosaves were theirs alone; the revisions they saved pass to the heir with the posts.
      await trx.deleteFrom('post_revisions').where('author_id', '=', id).where('kind', '=', 'autosave').execute();
      await trx.updateTable('post_revisions').set({ author_id: heirId }).where('author_id', '=', id).execute();
      const result = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw notFound('The user');
    });
  }
}
