import type { Generated } from 'kysely';

/** Tables of migration 015 (post sources, the audit log), as Kysely sees them. */
export interface PersonRightsTables {
  post_sources: {
    post_id: number;
    comment_id: number | null;
    person_id: number | null;
    created_by: number | null;
    created_at: number;
    tell_requested_at: number | null;
    told_at: number | null;
  };
  audit_log: { id: Generated<number>; action: string; detail: string; actor_id: number | null; created_at: number };
}
