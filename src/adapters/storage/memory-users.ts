import type { User, UserRepository } from '../../core/store.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import type { Tables } from './memory-store.ts';

/** Callers get copies, so mutating a result never changes the store. */
const copy = <T>(value: T): T => structuredClone(value);

/** UserRepository in memory: the site's staff accounts. */
export class MemoryUserRepository implements UserRepository {
  private readonly tablesOf: () => Tables;
  private readonly nextId: (table: keyof Tables['lastId']) => number;

  constructor(tables: () => Tables, nextId: (table: keyof Tables['lastId']) => number) {
    this.tablesOf = tables;
    this.nextId = nextId;
  }

  /** The store's tables as they are now: a transaction works on a view of them. */
  private get tables(): Tables {
    return this.tablesOf();
  }

  /** Email and profile address are unique, as in the SQL schema. */
  private assertUserUnique(email: string, slug: string, exceptId: number | null, message: string): void {
    for (const user of this.tables.users.values()) {
      if (user.id !== exceptId && (user.email === email || user.slug === slug)) {
        throw new DomainError('conflict', message, { email: 'Already in use.' });
      }
    }
  }

  private findUser(predicate: (user: User) => boolean): User | null {
    const user = [...this.tables.users.values()].find(predicate);
    return user ? copy(user) : null;
  }

  async create(given: Omit<User, 'id'>): Promise<User> {
    const input = { ...given, email: given.email.trim().toLowerCase() };
    this.assertUserUnique(input.email, input.slug, null, 'A user with this email or profile address already exists.');
    const user: User = {
      id: this.nextId('users'),
      email: input.email,
      name: input.name,
      slug: input.slug,
      bio: input.bio,
      role: input.role,
      passwordHash: input.passwordHash,
      createdAt: input.createdAt,
    };
    this.tables.users.set(user.id, user);
    return copy(user);
  }

  async findById(id: number): Promise<User | null> {
    return this.findUser((u) => u.id === id);
  }

  async findByEmail(email: string): Promise<User | null> {
    const normalised = email.trim().toLowerCase();
    return this.findUser((u) => u.email === normalised);
  }

  async findBySlug(slug: string): Promise<User | null> {
    return this.findUser((u) => u.slug === slug);
  }

  async list(): Promise<User[]> {
    return [...this.tables.users.values()].sort((a, b) => a.id - b.id).map(copy);
  }

  async count(): Promise<number> {
    return this.tables.users.size;
  }

  async update(id: number, patch: Partial<Pick<User, 'email' | 'name' | 'slug' | 'bio' | 'role' | 'passwordHash'>>): Promise<User> {
    if (patch.email !== undefined) patch = { ...patch, email: patch.email.trim().toLowerCase() };
    const user = this.tables.users.get(id);
    if (!user) throw notFound('The user');
    const changes = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    const next = { ...user, ...changes };
    this.assertUserUnique(next.email, next.slug, id, 'Another user already has this email or profile address.');
    this.tables.users.set(id, next);
    return copy(next);
  }

  async delete(id: number, heirId: number): Promise<void> {
    if (!this.tables.users.has(id)) throw notFound('The user');
    const owned = [...this.tables.posts.values()].filter((p) => p.authorId === id);
    if (owned.length > 0 && (heirId === id || !this.tables.users.has(heirId))) {
      // The SQL foreign key refuses to leave posts without an author.
      throw new DomainError('conflict', 'The posts of a removed user need another author.');
    }
    for (const record of owned) record.authorId = heirId;
    for (const revision of this.tables.revisions.rows.values()) {
      if (revision.authorId !== id) continue;
      if (revision.kind === 'autosave') this.tables.revisions.rows.delete(revision.id);
      else revision.authorId = heirId;
    }
    this.tables.users.delete(id);
    for (const session of this.tables.sessions.values()) if (session.userId === id) this.tables.sessions.delete(session.idHash);
    for (const token of this.tables.apiTokens.values()) if (token.userId === id) this.tables.apiTokens.delete(token.id);
    for (const comment of this.tables.comments.values()) if (comment.userId === id) comment.userId = null;
  }
}
