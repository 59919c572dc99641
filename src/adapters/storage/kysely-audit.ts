import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AuditAction, AuditCursor, AuditEntry, AuditRepository } from '../../core/audit.ts';
import type { Database } from './schema.ts';

export function toAuditEntry(row: Selectable<Database['audit_log']>): AuditEntry {
  return { id: row.id, action: row.action as AuditAction, detail: JSON.parse(row.detail) as Record<string, unknown>, actorId: row.actor_id, createdAt: Number(row.created_at) };
}

/** The audit log on SQL (migration 015): the store's `audit`. */
export class KyselyAuditRepository implements AuditRepository {
  private readonly db: Kysely<Database> | Transaction<Database>;

  constructor(db: Kysely<Database> | Transaction<Database>) {
    this.db = db;
  }

  async add(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    const row = await this.db
      .insertInto('audit_log')
      .values({ action: entry.action, detail: JSON.stringify(entry.detail), actor_id: entry.actorId, created_at: entry.createdAt })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAuditEntry(row);
  }

  async list(q: { action?: AuditAction; limit: number; before?: AuditCursor | null }): Promise<AuditEntry[]> {
    let query = this.db.selectFrom('audit_log').selectAll();
    if (q.action) query = query.where('action', '=', q.action);
    const before = q.before;
    if (before) query = query.where((eb) => eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]));
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
    return rows.map(toAuditEntry);
  }
}
