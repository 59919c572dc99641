import type { ApiToken, ApiTokenRepository, Session, SessionRepository } from '../../core/store.ts';
import { DomainError } from '../../core/errors.ts';
import type { Tables } from './memory-store.ts';

/** Callers get copies, so mutating a result never changes the store. */
const copy = <T>(value: T): T => structuredClone(value);

/** SessionRepository in memory: signed-in staff, by the hash of their cookie. */
export class MemorySessionRepository implements SessionRepository {
  private readonly tablesOf: () => Tables;

  constructor(tables: () => Tables) {
    this.tablesOf = tables;
  }

  /** The store's tables as they are now: a transaction works on a view of them. */
  private get tables(): Tables {
    return this.tablesOf();
  }

  async create(s: Session): Promise<void> {
    if (this.tables.sessions.has(s.idHash)) throw new DomainError('conflict', 'A session with this id already exists.');
    this.tables.sessions.set(s.idHash, { idHash: s.idHash, userId: s.userId, csrfToken: s.csrfToken, createdAt: s.createdAt, expiresAt: s.expiresAt });
  }

  async find(idHash: string, now: number): Promise<Session | null> {
    const session = this.tables.sessions.get(idHash);
    return session && session.expiresAt > now ? copy(session) : null;
  }

  async delete(idHash: string): Promise<void> {
    this.tables.sessions.delete(idHash);
  }

  async deleteForUser(userId: number): Promise<void> {
    for (const session of this.tables.sessions.values()) if (session.userId === userId) this.tables.sessions.delete(session.idHash);
  }

  async deleteExpired(now: number): Promise<number> {
    let deleted = 0;
    for (const session of this.tables.sessions.values()) {
      if (session.expiresAt <= now) {
        this.tables.sessions.delete(session.idHash);
        deleted++;
      }
    }
    return deleted;
  }
}

/** ApiTokenRepository in memory: staff's tokens for the API, by hash. */
export class MemoryApiTokenRepository implements ApiTokenRepository {
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

  async create(t: Omit<ApiToken, 'id' | 'lastUsedAt'>): Promise<ApiToken> {
    if ([...this.tables.apiTokens.values()].some((other) => other.tokenHash === t.tokenHash)) {
      throw new DomainError('conflict', 'A token with this hash already exists.');
    }
    const token: ApiToken = { id: this.nextId('apiTokens'), userId: t.userId, name: t.name, prefix: t.prefix, tokenHash: t.tokenHash, scopes: t.scopes, expiresAt: t.expiresAt, createdAt: t.createdAt, lastUsedAt: null };
    this.tables.apiTokens.set(token.id, token);
    return copy(token);
  }

  async findByHash(tokenHash: string): Promise<ApiToken | null> {
    const token = [...this.tables.apiTokens.values()].find((t) => t.tokenHash === tokenHash);
    return token ? copy(token) : null;
  }

  async listForUser(userId: number): Promise<ApiToken[]> {
    return [...this.tables.apiTokens.values()]
      .filter((t) => t.userId === userId)
      .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)
      .map(copy);
  }

  async revoke(id: number, userId: number): Promise<boolean> {
    if (this.tables.apiTokens.get(id)?.userId !== userId) return false;
    return this.tables.apiTokens.delete(id);
  }

  async touch(id: number, now: number): Promise<void> {
    const token = this.tables.apiTokens.get(id);
    if (token) token.lastUsedAt = now;
  }
}
