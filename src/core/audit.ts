/**
 * The audit log: what the team did that leaves nothing else behind, in lines that hold no
 * personal data (a person is named by their former id only). Forgetting a person writes
 * one (core/person-rights.ts); the log is read at /admin/people/forgotten.
 */
export type AuditAction = 'person-forgotten';

export interface AuditEntry {
  id: number;
  action: AuditAction;
  /** JSON-safe facts: ids and counts, never names, addresses or text. */
  detail: Record<string, unknown>;
  /** The user who did it (null once that account is removed, or from the command line). */
  actorId: number | null;
  createdAt: number;
}

/** Position in the log, newest first. */
export interface AuditCursor {
  createdAt: number;
  id: number;
}

export interface AuditRepository {
  add(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry>;
  /** Newest first, after `before` (keyset paging); only `action` when given. */
  list(query: { action?: AuditAction; limit: number; before?: AuditCursor | null }): Promise<AuditEntry[]>;
}
