/**
 * The Kumbaya export format, version 1 (docs/export-format.md): the archive's tables as
 * JSON sections, records with snake_case fields, times as ISO 8601 strings in UTC,
 * upload bytes in base64. Shared by the exporter and the importer so both read the same
 * rules from one place.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ArchiveRecords, ArchiveTable } from '../core/archive.ts';

export const EXPORT_VERSION = 1;

/** Each section of the file, in the order it is written and must be read, with the archive table it holds. */
export const sections: ReadonlyArray<{ name: string; table: ArchiveTable; secret?: boolean }> = [
  { name: 'site', table: 'settings' },
  { name: 'users', table: 'users' },
  { name: 'api_tokens', table: 'apiTokens', secret: true },
  { name: 'tags', table: 'tags' },
  { name: 'posts', table: 'posts' },
  { name: 'people', table: 'people' },
  { name: 'comments', table: 'comments' },
  { name: 'email_addresses', table: 'emailAddresses' },
  { name: 'subscriptions', table: 'subscriptions' },
  { name: 'uploads', table: 'uploads' },
  { name: 'spam_totals', table: 'spamTotals' },
  { name: 'spam_tokens', table: 'spamTokens' },
  // Added in Kumbaya 0.2, still version 1: a file without them imports as before.
  { name: 'webmentions', table: 'webmentions' },
  { name: 'webmentions_sent', table: 'webmentionsSent' },
  { name: 'import_keys', table: 'importKeys' },
  { name: 'legacy_paths', table: 'legacyPaths' },
  // Added in Kumbaya 0.3, still version 1: each comment's earlier text and place.
  { name: 'comment_revisions', table: 'commentRevisions' },
  // Added in Kumbaya 0.3, still version 1: each post's saved versions and its authors' latest autosaves.
  { name: 'post_revisions', table: 'postRevisions' },
  // Added in Kumbaya 0.4, still version 1: people's identities; and what the team wrote
  // about them (labels, notes, trust changes and decisions), personal data that only an
  // export with secrets carries.
  { name: 'person_identities', table: 'personIdentities' },
  { name: 'person_labels', table: 'personLabels', secret: true },
  { name: 'person_label_links', table: 'personLabelLinks', secret: true },
  { name: 'person_notes', table: 'personNotes', secret: true },
  { name: 'person_events', table: 'personEvents', secret: true },
  // Added in Kumbaya 0.5, still version 1: who follows the blog on the fediverse, and whom it refuses.
  { name: 'fediverse_followers', table: 'fediverseFollowers' },
  { name: 'fediverse_blocks', table: 'fediverseBlocks' },
  // Replies from the fediverse: which comments were Notes (always: answers and edits need
  // them), and the followers-only and direct mentions, private messages, only with secrets.
  { name: 'fediverse_comments', table: 'fediverseComments' },
  { name: 'fediverse_private_mentions', table: 'fediversePrivateMentions', secret: true },
  // Likes, boosts and authorized quotes: public acts, shown on the post.
  { name: 'fediverse_reactions', table: 'fediverseReactions' },
  { name: 'fediverse_quote_authorizations', table: 'fediverseQuoteAuthorizations' },
  // Added in Kumbaya 0.5, still version 1: posts made from comments, and the audit log
  // (lines without personal data, such as a person forgotten).
  { name: 'post_sources', table: 'postSources' },
  { name: 'audit_log', table: 'auditLog' },
  // Added in Kumbaya 0.5, still version 1: the sites whose pages carry the blog's comments,
  // and each page's thread (a post of type `external`).
  { name: 'embed_sites', table: 'embedSites' },
  { name: 'embed_threads', table: 'embedThreads' },
];

/** Settings that are secrets (the signing key, the one-time setup token, and any future key, password or token). */
export function isSecretSetting(key: string): boolean {
  return /secret|private|password|token/i.test(key);
}

/** Fields that only an export with secrets carries; without, they are left out of the record. */
export const secretFields: Partial<Record<ArchiveTable, string[]>> = {
  users: ['passwordHash'],
  comments: ['editTokenHash'],
  people: ['trustReason'],
};

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
/** Times: fields ending in At, and an identity's firstSeen and lastSeen. */
const isTimeField = (name: string) => /At$|^(first|last)Seen$/.test(name);

/** An archive record as it appears in the file. */
export function toFileRecord<T extends ArchiveTable>(table: T, record: ArchiveRecords[T], withSecrets: boolean): Record<string, unknown> {
  const hidden: string[] = withSecrets ? [] : (secretFields[table] ?? []);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    if (hidden.includes(name)) continue;
    if (name === 'data' && value instanceof Uint8Array) out.data_base64 = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    else if (isTimeField(name) && typeof value === 'number') out[snake(name)] = new Date(value).toISOString();
    else out[snake(name)] = value;
  }
  return out;
}

/** A record from the file with camelCase fields, times as epoch ms and bytes decoded (validation comes after). */
export function fromFileRecord(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    if (name === 'data_base64' && typeof value === 'string') {
      out.data = new Uint8Array(Buffer.from(value, 'base64'));
      continue;
    }
    const key = camel(name);
    out[key] = isTimeField(key) && typeof value === 'string' ? Date.parse(value) : value;
  }
  return out;
}

/** Writes text to a stream, waiting when its buffer is full, so a large export never piles up in memory. */
export function textSink(stream: Writable): (text: string) => Promise<void> {
  return async (text) => {
    if (!stream.write(text)) await once(stream, 'drain');
  };
}
