import type { AccountToken, AccountTokenRepository, LoginFailureRepository, LoginFailures } from '../../core/store.ts';
import type { Tables } from './memory-store.ts';

/** What the memory store keeps for these repositories (part of its tables, so transactions cover it). */
export interface MemoryAccountTables {
  lastTokenId: number;
  tokens: Map<number, AccountToken>;
  loginFailures: Map<string, LoginFailures>;
}

export function emptyAccountTables(): MemoryAccountTables {
  return { lastTokenId: 0, tokens: new Map(), loginFailures: new Map() };
}

const copy = <T>(value: T): T => structuredClone(value);

/** AccountTokenRepository in memory. */
export class MemoryAccountTokenRepository implements AccountTokenRepository {
  private readonly tables: () => Tables;

  constructor(tables: () => Tables) {
    this.tables = tables;
  }

  /** The links still in force: as the SQL foreign keys do, a removed user takes their reset links along and leaves invitations without a sender. */
  private live(): Map<number, AccountToken> {
    const t = this.tables();
    for (const token of t.accounts.tokens.values()) {
      if (token.userId !== null && !t.users.has(token.userId)) t.accounts.tokens.delete(token.id);
      else if (token.createdBy !== null && !t.users.has(token.createdBy)) token.createdBy = null;
    }
    return t.accounts.tokens;
  }

  async create(write: Omit<AccountToken, 'id' | 'usedAt'>): Promise<AccountToken> {
    const tokens = this.live();
    if ([...tokens.values()].some((t) => t.tokenHash === write.tokenHash)) throw new Error('UNIQUE constraint failed: account_tokens.token_hash');
    const token: AccountToken = { ...write, id: ++this.tables().accounts.lastTokenId, usedAt: null };
    tokens.set(token.id, token);
    return copy(token);
  }

  async findByHash(tokenHash: string): Promise<AccountToken | null> {
    const found = [...this.live().values()].find((t) => t.tokenHash === tokenHash);
    return found ? copy(found) : null;
  }

  async findById(id: number): Promise<AccountToken | null> {
    const found = this.live().get(id);
    return found ? copy(found) : null;
  }

  async use(id: number, now: number): Promise<boolean> {
    const token = this.live().get(id);
    if (!token || token.usedAt !== null || token.expiresAt <= now) return false;
    token.usedAt = now;
    return true;
  }

  async renew(id: number, tokenHash: string, expiresAt: number): Promise<AccountToken | null> {
    const token = this.live().get(id);
    if (!token || token.usedAt !== null) return null;
    Object.assign(token, { tokenHash, expiresAt });
    return copy(token);
  }

  async pendingInvites(): Promise<AccountToken[]> {
    return [...this.live().values()].filter((t) => t.kind === 'invite' && t.usedAt === null).sort((a, b) => b.createdAt - a.createdAt || b.id - a.id).map(copy);
  }

  async revoke(id: number): Promise<boolean> {
    const tokens = this.live();
    const token = tokens.get(id);
    if (!token || token.usedAt !== null) return false;
    return tokens.delete(id);
  }

  async revokeResets(userId: number): Promise<void> {
    const tokens = this.live();
    for (const t of tokens.values()) if (t.kind === 'reset' && t.userId === userId && t.usedAt === null) tokens.delete(t.id);
  }

  async deleteSpent(before: number): Promise<number> {
    const tokens = this.live();
    let removed = 0;
    for (const t of tokens.values()) {
      if ((t.usedAt !== null && t.usedAt < before) || t.expiresAt < before) removed += Number(tokens.delete(t.id));
    }
    return removed;
  }
}

/** LoginFailureRepository in memory. */
export class MemoryLoginFailureRepository implements LoginFailureRepository {
  private readonly tables: () => Tables;

  constructor(tables: () => Tables) {
    this.tables = tables;
  }

  private get counts(): Map<string, LoginFailures> {
    return this.tables().accounts.loginFailures;
  }

  async get(key: string): Promise<LoginFailures | null> {
    const found = this.counts.get(key);
    return found ? { ...found } : null;
  }

  async add(key: string, now: number, forgetBefore: number): Promise<number> {
    const current = this.counts.get(key);
    const failures = current && current.lastFailureAt >= forgetBefore ? current.failures + 1 : 1;
    this.counts.set(key, { failures, lastFailureAt: now });
    return failures;
  }

  async forgive(key: string): Promise<void> {
    const current = this.counts.get(key);
    if (current && current.failures > 0) current.failures--;
  }

  async clear(key: string): Promise<void> {
    this.counts.delete(key);
  }

  async deleteStale(before: number): Promise<number> {
    let removed = 0;
    for (const [key, value] of this.counts) if (value.lastFailureAt < before) removed += Number(this.counts.delete(key));
    return removed;
  }
}
