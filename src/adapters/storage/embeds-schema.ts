import type { Generated } from 'kysely';

/** Tables of migration 024 (comments on other sites), as Kysely sees them. */
export interface EmbedTables {
  embed_sites: { id: Generated<number>; origin: string; created_by: number | null; created_at: number };
  embed_threads: { post_id: number; page_url: string; origin: string; created_at: number };
}
