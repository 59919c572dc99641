import type { Generated } from 'kysely';
import type { ReachTables } from './reach-schema.ts';
import type { FederationTables } from './federation-schema.ts';
import type { PeopleTables } from './people-schema.ts';
import type { PersonRightsTables } from './person-rights-schema.ts';
import type { WhoIsTables } from './who-is-schema.ts';
import type { FediverseReplyTables } from './fediverse-replies-schema.ts';
import type { ReactionTables } from './reactions-schema.ts';
import type { EmbedTables } from './embeds-schema.ts';

export type Engine = 'sqlite' | 'postgres';

/** Table shapes as Kysely sees them; columns are snake_case, times are epoch ms. */
export interface Database extends ReachTables, FederationTables, PeopleTables, WhoIsTables, FediverseReplyTables, ReactionTables, PersonRightsTables, EmbedTables {
  /** Migration 020: every published change, numbered (core/change-feed.ts). */
  change_events: { id: Generated<number>; topic: string; created_at: number };
  users: {
    id: Generated<number>;
    email: string;
    name: string;
    slug: string;
    bio: string;
    role: string;
    password_hash: string | null;
    created_at: number;
  };
  posts: {
    id: Generated<number>;
    type: string;
    slug: string;
    title: string;
    markdown: string;
    html: string;
    excerpt: string;
    search_text: string;
    status: string;
    visibility: string;
    published_at: number | null;
    author_id: number;
    cover_image: string | null;
    created_at: number;
    updated_at: number;
    deleted_at: number | null;
    comments_mode: Generated<string>;
    comments_close_days: number | null;
    /** Migration 008: the password a reader must enter (null: not protected). */
    password: string | null;
    /** Migration 025: SEO fields that replace the automatic ones when set, and a new post's editor key. */
    meta_description: Generated<string | null>;
    social_image: Generated<string | null>;
    canonical_url: Generated<string | null>;
    creation_key: Generated<string | null>;
  };
  post_old_slugs: { slug: string; post_id: number };
  tags: { id: Generated<number>; slug: string; name: string };
  post_tags: { post_id: number; tag_id: number; position: number };
  people: {
    id: Generated<number>;
    name: string;
    email: string | null;
    website: string | null;
    created_at: number;
    /** Migration 010: trust (see core/people.ts) and when they last wrote. */
    trust: Generated<string>;
    trust_reason: string | null;
    muted_until: number | null;
    last_seen_at: Generated<number>;
  };
  comments: {
    id: Generated<number>;
    post_id: number;
    parent_id: number | null;
    person_id: number | null;
    user_id: number | null;
    author_name: string;
    author_email: string;
    author_url: string | null;
    markdown: string;
    html: string;
    status: string;
    created_at: number;
    root_id: number | null;
    depth: Generated<number>;
    updated_at: number;
    edited_at: number | null;
    status_changed_at: number;
    moderation_reasons: string;
    spam_score: number | null;
    edit_token_hash: string | null;
    ip: string | null;
    user_agent: string | null;
    source: string;
    learned_as: string | null;
    /** Migration 035: the person of the comment this one replies to, kept by triggers (never written by the app). */
    parent_person_id: Generated<number | null>;
  };
  comment_revisions: {
    id: Generated<number>;
    comment_id: number;
    markdown: string;
    html: string;
    parent_id: number | null;
    edited_by: number | null;
    editor_name: string;
    created_at: number;
  };
  email_addresses: { email: string; confirm_token: string; confirmed_at: number | null; created_at: number };
  subscriptions: {
    id: Generated<number>;
    kind: string;
    email: string;
    post_id: number;
    comment_id: number | null;
    token: string;
    created_at: number;
    unsubscribed_at: number | null;
    /** Migration 010. */
    person_id: number | null;
  };
  outbox: {
    id: Generated<number>;
    idempotency_key: string;
    kind: string;
    to_address: string;
    subject: string;
    text_body: string;
    html_body: string;
    headers: string;
    status: string;
    attempts: number;
    next_attempt_at: number;
    locked_until: number;
    last_error: string | null;
    created_at: number;
    sent_at: number | null;
    /** Migration 010. */
    person_id: number | null;
  };
  spam_tokens: { token: string; spam: number; ham: number };
  spam_totals: { label: string; documents: number };
  sessions: { id_hash: string; user_id: number; csrf_token: string; created_at: number; expires_at: number };
  api_tokens: {
    id: Generated<number>;
    user_id: number;
    name: string;
    prefix: string;
    token_hash: string;
    scopes: string;
    expires_at: number | null;
    created_at: number;
    last_used_at: number | null;
  };
  uploads: {
    hash: string;
    mime: string;
    size: number;
    original_name: string;
    data: Uint8Array;
    uploader_id: number;
    created_at: number;
    width: number | null;
    height: number | null;
    alt: Generated<string>;
    caption: Generated<string>;
    variants_at: number | null;
  };
  upload_uses: { hash: string; post_id: number };
  upload_variants: { hash: string; width: number; height: number; mime: string; size: number; data: Uint8Array };
  settings: { key: string; value: string };
  rate_limits: { key: string; window_start: number; hits: number };
  import_keys: { source: string; kind: string; external_id: string; local_id: number };
  legacy_paths: { path: string; post_id: number };
  post_revisions: {
    id: Generated<number>;
    post_id: number;
    author_id: number;
    kind: string;
    title: string;
    markdown: string;
    excerpt: string;
    created_at: number;
  };
  posts_fts: { rowid: number; title: string; body: string };
  account_tokens: {
    id: Generated<number>;
    kind: string;
    token_hash: string;
    email: string;
    user_id: number | null;
    role: string | null;
    created_by: number | null;
    created_at: number;
    expires_at: number;
    used_at: number | null;
  };
  login_failures: { key: string; failures: number; last_failure_at: number };
}
