import type { Generated } from 'kysely';

/** Tables of migration 018 (replies from the fediverse), as Kysely sees them. */
export interface FediverseReplyTables {
  federation_comments: {
    comment_id: number;
    note_id: string;
    actor_uri: string;
    handle: string | null;
    url: string | null;
    inbox: string;
    shared_inbox: string | null;
    created_at: number;
  };
  federation_private_mentions: {
    id: Generated<number>;
    note_id: string;
    actor_uri: string;
    name: string;
    handle: string | null;
    profile_url: string | null;
    url: string | null;
    visibility: string;
    in_reply_to: string | null;
    post_id: number | null;
    html: string;
    created_at: number;
    updated_at: number;
  };
}
