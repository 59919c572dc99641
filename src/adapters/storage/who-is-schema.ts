import type { Generated } from 'kysely';

/** Tables of migration 014 ("who is this?": websites' h-cards and their rel=me links), as Kysely sees them. */
export interface WhoIsTables {
  public_profiles: {
    website: string;
    /** 1 when a representative h-card was found. */
    found: number;
    reason: string | null;
    reason_detail: string | null;
    name: string | null;
    note: string | null;
    url: string | null;
    photo: string | null;
    fetched_at: number;
  };
  public_profile_links: { id: Generated<number>; website: string; url: string; position: number };
}
