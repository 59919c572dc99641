import type { Generated } from 'kysely';

/** Tables of migration 003 (jobs and webmentions), as Kysely sees them. */
export interface ReachTables {
  jobs: {
    id: Generated<number>;
    kind: string;
    job_key: string;
    payload: string;
    status: string;
    attempts: number;
    run_at: number;
    locked_until: number;
    last_error: string | null;
    created_at: number;
    finished_at: number | null;
  };
  webmentions: {
    id: Generated<number>;
    source: string;
    target: string;
    post_id: number;
    via: string;
    status: string;
    reason: string | null;
    type: string | null;
    author_name: string | null;
    author_url: string | null;
    author_photo: string | null;
    content: string | null;
    url: string | null;
    published_at: number | null;
    comment_id: number | null;
    person_id: number | null;
    received_at: number;
    updated_at: number;
    verified_at: number | null;
  };
  webmentions_sent: {
    id: Generated<number>;
    post_id: number;
    target: string;
    endpoint: string | null;
    protocol: Generated<string>;
    status: string;
    http_status: number | null;
    error: string | null;
    attempts: number;
    updated_at: number;
  };
}
