import type { SpamModelRepository } from '../../core/store.ts';
import type { Tables } from './memory-store.ts';

/** SpamModelRepository in memory; its data lives in the MemoryStore's tables so transactions cover it. */
export class MemorySpamModelRepository implements SpamModelRepository {
  private readonly tables: () => Tables;
  private readonly nextId: (table: keyof Tables['lastId']) => number;

  constructor(tables: () => Tables, nextId: (table: keyof Tables['lastId']) => number = () => 0) {
    this.tables = tables;
    this.nextId = nextId;
  }

  async totals(): Promise<{ spam: number; ham: number }> {
    const { spam, ham } = this.tables().spamTotals;
    return { spam, ham };
  }

  async tokenCounts(tokens: string[]): Promise<Map<string, { spam: number; ham: number }>> {
    const known = this.tables().spamTokens;
    const counts = new Map<string, { spam: number; ham: number }>();
    for (const token of tokens) {
      const entry = known.get(token);
      if (entry) counts.set(token, { spam: entry.spam, ham: entry.ham });
    }
    return counts;
  }

  async everyToken(limit: number): Promise<Map<string, { spam: number; ham: number }> | null> {
    const known = this.tables().spamTokens;
    if (known.size > limit) return null;
    return new Map([...known].map(([token, c]) => [token, { spam: c.spam, ham: c.ham }]));
  }

  async learn(tokens: string[], label: 'spam' | 'ham', delta: 1 | -1): Promise<void> {
    const tables = this.tables();
    tables.spamTotals[label] = Math.max(0, tables.spamTotals[label] + delta);
    for (const token of new Set(tokens)) {
      const entry = tables.spamTokens.get(token);
      if (delta === 1) {
        if (entry) entry[label] += 1;
        else tables.spamTokens.set(token, { spam: label === 'spam' ? 1 : 0, ham: label === 'ham' ? 1 : 0 });
      } else if (entry) {
        entry[label] = Math.max(0, entry[label] - 1);
        if (entry.spam === 0 && entry.ham === 0) tables.spamTokens.delete(token);
      }
    }
  }

  async addCounts(documents: { spam: number; ham: number }, tokens: Map<string, { spam: number; ham: number }>): Promise<void> {
    const tables = this.tables();
    tables.spamTotals.spam += documents.spam;
    tables.spamTotals.ham += documents.ham;
    for (const [token, c] of tokens) {
      const entry = tables.spamTokens.get(token) ?? { spam: 0, ham: 0 };
      entry.spam += c.spam;
      entry.ham += c.ham;
      tables.spamTokens.set(token, entry);
    }
  }
}
