import type { Generated } from 'kysely';

/** Tables of migration 010 (people's identities, notes, labels and events), as Kysely sees them. */
export interface PeopleTables {
  person_identities: {
    id: Generated<number>;
    person_id: number;
    kind: string;
    value: string;
    /** 1 when proven, 0 when only claimed. */
    verified: number;
    first_seen: number;
    last_seen: number;
  };
  person_notes: { id: Generated<number>; person_id: number; markdown: string; html: string; author_id: number | null; created_at: number; updated_at: number };
  person_labels: { id: Generated<number>; name: string; created_at: number };
  person_label_links: { id: Generated<number>; person_id: number; label_id: number };
  person_events: { id: Generated<number>; person_id: number; kind: string; detail: string; actor_id: number | null; created_at: number };
}
