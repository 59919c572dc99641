import type { OutboxMessage, OutboxRepository, OutboxStatus, OutboxWrite, Page } from '../../core/store.ts';
import type { Tables } from './memory-store.ts';

type Row = OutboxMessage & { lockedUntil: number };

/** What callers see: a copy without the lock. */
function toMessage(row: Row): OutboxMessage {
  const { lockedUntil: _lockedUntil, ...message } = row;
  return structuredClone(message);
}

/** OutboxRepository in memory; its data lives in the MemoryStore's tables so transactions cover it. */
export class MemoryOutboxRepository implements OutboxRepository {
  private readonly tables: () => Tables;
  private readonly nextId: (table: keyof Tables['lastId']) => number;

  constructor(tables: () => Tables, nextId: (table: keyof Tables['lastId']) => number = () => 0) {
    this.tables = tables;
    this.nextId = nextId;
  }

  async enqueue(message: OutboxWrite, now: number): Promise<void> {
    const outbox = this.tables().outbox;
    if ([...outbox.values()].some((m) => m.idempotencyKey === message.idempotencyKey)) return;
    const row: Row = {
      id: this.nextId('outbox'),
      idempotencyKey: message.idempotencyKey,
      kind: message.kind,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: { ...message.headers },
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      createdAt: now,
      sentAt: null,
      lockedUntil: 0,
    };
    outbox.set(row.id, row);
  }

  async claimDue(now: number, limit: number, lockMs: number): Promise<OutboxMessage[]> {
    const due = [...this.tables().outbox.values()]
      .filter((m) => m.status === 'pending' && m.nextAttemptAt <= now && m.lockedUntil <= now)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id)
      .slice(0, Math.max(0, limit));
    for (const row of due) row.lockedUntil = now + lockMs;
    return due.map(toMessage);
  }

  async markSent(id: number, now: number, redactedBody?: string): Promise<void> {
    const row = this.tables().outbox.get(id);
    if (!row || row.status === 'sent') return;
    const body = redactedBody === undefined ? {} : { text: redactedBody, html: '' };
    Object.assign(row, { status: 'sent', sentAt: now, attempts: row.attempts + 1, lockedUntil: 0, ...body });
  }

  async markFailed(id: number, error: string, retryAt: number | null, now: number): Promise<void> {
    const row = this.tables().outbox.get(id);
    if (!row || row.status !== 'pending') return;
    Object.assign(row, {
      attempts: row.attempts + 1,
      lastError: error.slice(0, 2000),
      lockedUntil: 0,
      ...(retryAt === null ? { status: 'failed', nextAttemptAt: now } : { nextAttemptAt: retryAt }),
    });
  }

  async retry(id: number, now: number): Promise<void> {
    const row = this.tables().outbox.get(id);
    if (!row || row.status !== 'failed') return;
    Object.assign(row, { status: 'pending', attempts: 0, nextAttemptAt: now, lockedUntil: 0 });
  }

  async list(query: { status?: OutboxStatus; limit: number; offset: number }): Promise<Page<OutboxMessage>> {
    const all = [...this.tables().outbox.values()].filter((m) => !query.status || m.status === query.status).sort((a, b) => b.id - a.id);
    return { items: all.slice(query.offset, query.offset + query.limit).map(toMessage), total: all.length };
  }

  async countByStatus(): Promise<Record<OutboxStatus, number>> {
    const counts: Record<OutboxStatus, number> = { pending: 0, sent: 0, failed: 0 };
    for (const m of this.tables().outbox.values()) counts[m.status]++;
    return counts;
  }

  async countWithStatus(status: OutboxStatus): Promise<number> {
    let n = 0;
    for (const m of this.tables().outbox.values()) if (m.status === status) n++;
    return n;
  }
}
