import type { Generated } from 'kysely';

/** Tables of migration 011 (ActivityPub), as Kysely sees them. */
export interface FederationTables {
  federation_kv: {
    key: string;
    value: string;
    expires_at: number | null;
  };
  federation_messages: {
    id: Generated<number>;
    message: string;
    ordering_key: string | null;
    run_at: number;
    locked_until: number;
    attempts: number;
    last_error: string | null;
    created_at: number;
    /** Migration 016: `outbox` (one delivery), `fanout` (to be split per inbox), `inbox` (received); null if unknown. */
    kind: string | null;
    /** The inbox an `outbox` message goes to. */
    inbox: string | null;
    /** The activity's type, short: Create, Update, Delete, Accept … */
    activity_type: string | null;
    activity_id: string | null;
  };
  /** Migration 032: an activity or key set shared by many queued messages, stored once (id: SHA-256 of `body`). */
  federation_message_parts: {
    id: string;
    body: string;
    used_at: number;
  };
  federation_followers: {
    id: Generated<number>;
    actor_uri: string;
    handle: string | null;
    inbox: string;
    shared_inbox: string | null;
    status: string;
    follow_id: string | null;
    created_at: number;
    updated_at: number;
  };
  federation_blocks: {
    id: Generated<number>;
    kind: string;
    value: string;
    created_at: number;
  };
}
