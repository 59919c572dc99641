import type { Generated } from 'kysely';

/** Tables of migration 019 (fediverse likes, boosts and authorized quotes), as Kysely sees them. */
export interface ReactionTables {
  federation_reactions: {
    id: Generated<number>;
    post_id: number;
    kind: string;
    actor_uri: string;
    activity_id: string;
    name: string | null;
    handle: string | null;
    profile_url: string | null;
    icon_url: string | null;
    created_at: number;
  };
  federation_quote_authorizations: {
    id: Generated<number>;
    post_id: number;
    actor_uri: string;
    quote_uri: string;
    request_id: string;
    created_at: number;
  };
}
