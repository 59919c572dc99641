import { Tokenizer, TokenParser } from '@streamparser/json';
import { z } from 'zod';
import type { ArchiveRecords, ArchiveRepository, ArchiveTable } from '../core/archive.ts';
import { LABEL_MAX, NOTE_MAX } from '../core/people.ts';
import { DomainError } from '../core/errors.ts';
import type { Comment, Store } from '../core/store.ts';
import { VERIFY_JOB } from '../core/webmention-service.ts';
import { variantsJob } from '../core/media.ts';
import { EXPORT_VERSION, fromFileRecord, sections } from './export-format.ts';

export interface JsonImportOptions {
  /** Erase the site's content first instead of refusing a site that has some. */
  replace: boolean;
  /** Called as records are written: the section and how many of its records so far. */
  progress?: (section: string, written: number) => void;
  /** Epoch ms, when the restore's background jobs are queued; defaults to the clock. */
  now?: number;
}

export interface JsonImportSummary {
  counts: Record<string, number>;
  /** Whether the file carried secrets (password hashes, the site key). */
  withSecrets: boolean;
  /** Users restored without a password (an export without secrets). */
  usersWithoutPassword: number;
  /** Received webmentions whose verification was still to come (new, or sent again), queued for it again here. */
  mentionsToVerify: number;
}

const id = z.number().int().positive();
const time = z.number().int().nonnegative();
const text = z.string();
const maybe = <T extends z.ZodType>(schema: T) => schema.nullable().default(null);
/** An http(s) address (a follower's actor and inboxes: where deliveries go). */
const httpUrl = text.url().refine((u) => /^https?:\/\//i.test(u), 'Must be an http(s) address.');

/** What each table's records must hold once read from the file (fromFileRecord has made times numbers). */
const schemas: Record<ArchiveTable, z.ZodType> = {
  settings: z.object({ key: text, value: text }),
  users: z.object({
    id, email: text.min(1), name: text, slug: text.min(1), bio: text.default(''), role: z.enum(['owner', 'author', 'moderator']),
    passwordHash: maybe(text), createdAt: time,
  }),
  // Scopes and expiry came with migration 023: an older token gets every scope (it never does more than its user's role allows) and no expiry.
  apiTokens: z.object({
    id, userId: id, name: text, prefix: text, tokenHash: text.min(1), scopes: text.default('read write moderate admin'), expiresAt: maybe(time), createdAt: time, lastUsedAt: maybe(time),
  }),
  tags: z.object({ id, slug: text.min(1), name: text }),
  posts: z.object({
    id, type: z.enum(['post', 'page', 'external']), slug: text.min(1), title: text, markdown: text, html: text, excerpt: text.default(''),
    status: z.enum(['draft', 'scheduled', 'published']), visibility: z.enum(['public', 'unlisted']), publishedAt: maybe(time), authorId: id,
    coverImage: maybe(text), createdAt: time, updatedAt: time, deletedAt: maybe(time), commentsMode: z.enum(['inherit', 'open', 'closed']).default('inherit'),
    commentsCloseDays: maybe(z.number().int().nonnegative()), tagIds: z.array(id).default([]), oldSlugs: z.array(text.min(1)).default([]),
    // Always exported: it is content the author set, and a file without it would publish the post to anyone.
    password: maybe(text),
    // Migration 025: older files have none (the automatic ones are used).
    metaDescription: maybe(text), socialImage: maybe(text), canonicalUrl: maybe(text),
  }),
  // Trust and last seen came with migration 010: older files import everyone as normal, last seen when created.
  people: z
    .object({
      id, name: text, email: maybe(text), website: maybe(text), createdAt: time,
      trust: z.enum(['trusted', 'normal', 'hold', 'muted', 'blocked']).default('normal'), trustReason: maybe(text), mutedUntil: maybe(time), lastSeenAt: time.optional(),
    })
    .transform((p) => ({ ...p, lastSeenAt: p.lastSeenAt ?? p.createdAt })),
  comments: z.object({
    id, postId: id, parentId: maybe(id), rootId: id, depth: z.number().int().nonnegative(), personId: maybe(id), userId: maybe(id),
    authorName: text, authorEmail: text, authorUrl: maybe(text), markdown: text, html: text, status: z.enum(['pending', 'approved', 'spam', 'trash']),
    moderationReasons: z.array(text).default([]), spamScore: maybe(z.number()),
    source: z.enum(['form', 'api', 'admin', 'import', 'webmention', 'activitypub']).default('import'), createdAt: time, updatedAt: time, editedAt: maybe(time),
    statusChangedAt: time, editTokenHash: maybe(text), ip: maybe(text), userAgent: maybe(text), learnedAs: maybe(z.enum(['spam', 'ham'])),
  }),
  commentRevisions: z.object({ id, commentId: id, markdown: text, html: text, parentId: maybe(id), editedBy: maybe(id), editorName: text, createdAt: time }),
  emailAddresses: z.object({ email: text.min(1), confirmToken: text.min(1), confirmedAt: maybe(time), createdAt: time }),
  subscriptions: z.object({
    id, kind: z.enum(['post', 'replies']), email: text.min(1), postId: id, commentId: maybe(id), token: text.min(1), createdAt: time, unsubscribedAt: maybe(time),
  }),
  uploads: z.object({
    hash: z.string().regex(/^[0-9a-f]{64}$/), mime: text.min(1), size: z.number().int().nonnegative(), originalName: text, data: z.instanceof(Uint8Array),
    uploaderId: z.number().int(), createdAt: time,
    // Added with the media library (still version 1): older files have none of these.
    width: maybe(z.number().int().positive()), height: maybe(z.number().int().positive()), alt: text.default(''), caption: text.default(''),
  }),
  spamTotals: z.object({ label: z.enum(['spam', 'ham']), documents: z.number().int().nonnegative() }),
  spamTokens: z.object({ token: text.min(1), spam: z.number().int().nonnegative(), ham: z.number().int().nonnegative() }),
  webmentions: z.object({
    id, source: text.min(1), target: text.min(1), postId: id, via: z.enum(['webmention', 'pingback', 'trackback']), status: z.enum(['queued', 'verified', 'rejected', 'deleted']),
    reason: maybe(text), type: maybe(z.enum(['reply', 'like', 'repost', 'bookmark', 'mention'])), authorName: maybe(text), authorUrl: maybe(text), authorPhoto: maybe(text),
    content: maybe(text), url: maybe(text), publishedAt: maybe(time), commentId: maybe(id), personId: maybe(id), receivedAt: time, updatedAt: time, verifiedAt: maybe(time),
  }),
  webmentionsSent: z.object({
    id, postId: id, target: text.min(1), endpoint: maybe(text), protocol: z.enum(['webmention', 'pingback']).default('webmention'),
    status: z.enum(['queued', 'sent', 'no-endpoint', 'failed']), httpStatus: maybe(z.number().int()), error: maybe(text), attempts: z.number().int().nonnegative().default(0), updatedAt: time,
  }),
  importKeys: z.object({ source: text.min(1), kind: z.enum(['post', 'comment', 'user', 'mention']), externalId: text.min(1), localId: id }),
  legacyPaths: z.object({ path: text.min(1), postId: id }),
  postRevisions: z.object({ id, postId: id, authorId: id, kind: z.enum(['revision', 'autosave']), title: text, markdown: text, excerpt: text.default(''), createdAt: time }),
  personIdentities: z.object({
    id, personId: id, kind: z.enum(['email', 'website', 'webmention', 'fediverse', 'handle']), value: text.min(1), verified: z.boolean().default(false), firstSeen: time, lastSeen: time,
  }),
  personLabels: z.object({ id, name: text.min(1).max(LABEL_MAX).refine((n) => !/[<>]/.test(n), 'Labels are plain words.'), createdAt: time }),
  personLabelLinks: z.object({ id, personId: id, labelId: id }),
  personNotes: z.object({ id, personId: id, markdown: text.max(NOTE_MAX), html: text, authorId: maybe(id), createdAt: time, updatedAt: time }),
  personEvents: z.object({
    id, personId: id, kind: z.enum(['trust', 'label-added', 'label-removed', 'moderated', 'merged', 'split', 'forgotten']), detail: z.record(z.string(), z.unknown()).default({}),
    actorId: maybe(id), createdAt: time,
  }),
  postSources: z.object({ postId: id, commentId: maybe(id), personId: maybe(id), createdBy: maybe(id), createdAt: time, tellRequestedAt: maybe(time), toldAt: maybe(time) }),
  embedSites: z.object({ id, origin: httpUrl, createdBy: maybe(id), createdAt: time }),
  embedThreads: z.object({ postId: id, pageUrl: httpUrl, origin: httpUrl, createdAt: time }),
  auditLog: z.object({ id, action: z.enum(['person-forgotten']), detail: z.record(z.string(), z.unknown()).default({}), actorId: maybe(id), createdAt: time }),
  fediverseFollowers: z.object({
    id, actorUri: httpUrl, handle: maybe(text), inbox: httpUrl, sharedInbox: maybe(httpUrl), status: z.enum(['accepted', 'pending', 'blocked']), followId: maybe(text),
    createdAt: time, updatedAt: time,
  }),
  fediverseBlocks: z.object({ id, kind: z.enum(['actor', 'domain']), value: text.min(1), createdAt: time }),
  fediverseComments: z.object({
    commentId: id, noteId: httpUrl, actorUri: httpUrl, handle: maybe(text), url: maybe(httpUrl), inbox: httpUrl, sharedInbox: maybe(httpUrl), createdAt: time,
  }),
  fediverseReactions: z.object({
    id, postId: id, kind: z.enum(['like', 'announce']), actorUri: httpUrl, activityId: text.min(1), name: maybe(text), handle: maybe(text), profileUrl: maybe(httpUrl),
    iconUrl: maybe(text.url().refine((u) => /^https:\/\//i.test(u), 'Avatars are https addresses.')), createdAt: time,
  }),
  fediverseQuoteAuthorizations: z.object({ id, postId: id, actorUri: httpUrl, quoteUri: httpUrl, requestId: text.min(1), createdAt: time }),
  fediversePrivateMentions: z.object({
    id, noteId: httpUrl, actorUri: httpUrl, name: text, handle: maybe(text), profileUrl: maybe(httpUrl), url: maybe(httpUrl), visibility: z.enum(['followers', 'direct']),
    inReplyTo: maybe(text), postId: maybe(id), html: text, createdAt: time, updatedAt: time,
  }),
};

/** Tables whose records make a site "not empty" (a restore refuses to mix its records with them), with a word for one record. */
const contentTables: Partial<Record<ArchiveTable, string>> = { users: 'user', posts: 'post', tags: 'tag', people: 'person', comments: 'comment', subscriptions: 'subscription', uploads: 'upload' };

const invalid = (message: string) => new DomainError('validation_failed', message);

/** Line and column (1-based, the column in bytes) of byte `position` of the input seen so far. */
class PositionTracker {
  private consumed = 0;
  private line = 1;
  private lineStart = 0;

  at(chunk: Uint8Array, position: number): { line: number; column: number } {
    let line = this.line;
    let lineStart = this.lineStart;
    const upto = Math.min(position - this.consumed, chunk.length);
    for (let i = 0; i < upto; i++) {
      if (chunk[i] === 10) {
        line++;
        lineStart = this.consumed + i + 1;
      }
    }
    return { line, column: position - lineStart + 1 };
  }

  /** Bytes consumed before the current chunk. */
  get offset(): number {
    return this.consumed;
  }

  advance(chunk: Uint8Array): void {
    const end = this.at(chunk, this.consumed + chunk.length);
    this.line = end.line;
    this.lineStart = this.consumed + chunk.length - (end.column - 1);
    this.consumed += chunk.length;
  }
}

/** Where the parser failed: the tokenizer names its position; the token parser's error is at the last token's. */
interface ParseFailure {
  message: string;
  position: number;
}

/**
 * Restores a Kumbaya JSON export (docs/export-format.md) into `store`, in one
 * transaction: all of it or, on any error, nothing. Reads `input` as a stream (memory
 * holds one chunk and the records waiting to be written); records keep their ids, so
 * links to posts and comments keep working. Refuses a site that already has content
 * unless `replace` is set, which erases that content in the same transaction.
 */
export async function importJsonExport(store: Store, input: AsyncIterable<string | Buffer>, options: JsonImportOptions): Promise<JsonImportSummary> {
  return store.transaction(async (tx) => {
    const archive = tx.archive;
    if (!options.replace) {
      for (const [table, one] of Object.entries(contentTables) as Array<[ArchiveTable, string]>) {
        const n = await archive.count(table);
        if (n > 0) {
          throw new DomainError(
            'conflict',
            `This site is not empty (it has ${n} ${n === 1 ? one : table}); restore into a fresh site, or pass --replace to erase its content first.`,
          );
        }
      }
    }
    await archive.clear();
    const reader = new ExportReader(archive, options);
    await reader.read(input);
    await archive.finish();
    // Jobs are not exported (docs/export-format.md): a mention the old site had not verified yet is verified here.
    const now = options.now ?? Date.now();
    for (const id of reader.mentionsToVerify) await tx.jobs.enqueue({ kind: VERIFY_JOB, key: `verify:${id}:restored:${now}`, payload: { id } }, now);
    // Nor are uploads' variants: they are made again from the originals.
    for (const hash of reader.uploadsRestored) await tx.jobs.enqueue(variantsJob(hash), now);
    return reader.summary();
  });
}

/** Consumes the parser's values: checks the header, validates records and writes them in order, a batch at a time. */
class ExportReader {
  private readonly archive: ArchiveRepository;
  private readonly options: JsonImportOptions;
  private version: unknown = undefined;
  private withSecrets = false;
  private sectionIndex = -1;
  private pending: Array<{ section: (typeof sections)[number]; record: unknown; index: number | string }> = [];
  private readonly counts: Record<string, number> = {};
  private readonly writtenComments = new Set<number>();
  /** Replies read before the comment they answer; written once it is. */
  private waiting: Comment[] = [];
  private usersWithoutPassword = 0;
  /** Ids of received webmentions whose verification was still to come. */
  readonly mentionsToVerify: number[] = [];
  /** Hashes of the uploads written, whose variants are to be made. */
  readonly uploadsRestored: string[] = [];

  constructor(archive: ArchiveRepository, options: JsonImportOptions) {
    this.archive = archive;
    this.options = options;
  }

  async read(input: AsyncIterable<string | Buffer>): Promise<void> {
    const tokenizer = new Tokenizer();
    const tokens = new TokenParser({ paths: ['$.kumbaya_export', '$.with_secrets', '$.*.*'], keepStack: false });
    let lastOffset = 0;
    let failure: ParseFailure | null = null;
    let rejection: Error | null = null;
    tokenizer.onToken = (info) => {
      lastOffset = info.offset;
      tokens.write(info);
    };
    tokenizer.onEnd = () => !tokens.isEnded && tokens.end();
    tokens.onEnd = () => !tokenizer.isEnded && tokenizer.end();
    tokenizer.onError = (error) => (failure ??= { message: error.message, position: Number(/absolute position "?(\d+)/.exec(error.message)?.[1] ?? lastOffset) });
    tokens.onError = (error) => (failure ??= { message: error.message, position: lastOffset });
    tokens.onValue = ({ value, key, stack }) => {
      if (rejection) return;
      try {
        if (stack.length === 1) {
          if (key === 'kumbaya_export') this.checkVersion(value);
          else if (key === 'with_secrets') this.withSecrets = value === true;
          return;
        }
        this.accept(String(stack[1]?.key), value, key ?? 0);
      } catch (error) {
        rejection = error as Error;
      }
    };
    const tracker = new PositionTracker();
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    const encoder = new TextEncoder();
    let sawAnything = false;
    for await (const piece of input) {
      const chunk = typeof piece === 'string' ? encoder.encode(piece) : new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength);
      if (chunk.length === 0) continue;
      let textOfChunk: string;
      try {
        textOfChunk = utf8.decode(chunk, { stream: true });
      } catch {
        throw invalid('The file is not UTF-8 text; a Kumbaya export is UTF-8 JSON.');
      }
      if (!sawAnything && textOfChunk.trim() !== '') {
        sawAnything = true;
        if (!/^\s*\{/.test(textOfChunk)) throw invalid('The file is not a Kumbaya JSON export: it should be one JSON object, starting with "{".');
      }
      try {
        if (!tokenizer.isEnded) tokenizer.write(chunk);
        else if (textOfChunk.trim() !== '') failure ??= { message: 'Unexpected text after the end', position: tracker.offset + chunk.findIndex((byte) => ![9, 10, 13, 32].includes(byte)) };
      } catch (error) {
        failure ??= { message: (error as Error).message, position: lastOffset };
      }
      if (rejection) throw rejection;
      if (failure) this.malformed(failure, tracker, chunk);
      tracker.advance(chunk);
      await this.flush();
    }
    if (!sawAnything) throw invalid('The file is empty; a Kumbaya export is one JSON object.');
    try {
      if (!tokenizer.isEnded) tokenizer.end();
    } catch (error) {
      failure ??= { message: (error as Error).message, position: lastOffset };
    }
    if (rejection) throw rejection;
    if (failure) throw invalid('The file ends in the middle of the JSON: it was cut short (an interrupted download or copy?).');
    if (this.version === undefined) throw invalid('The file has no "kumbaya_export" version: it is not a Kumbaya JSON export.');
    await this.flush();
    await this.writeWaiting(true);
  }

  private malformed(failure: ParseFailure, tracker: PositionTracker, chunk: Uint8Array): never {
    const { line, column } = tracker.at(chunk, failure.position);
    const found = /Unexpected (?:[A-Z_]+ \()?"(.*?)"/.exec(failure.message)?.[1];
    throw invalid(`The file is not valid JSON at line ${line}, column ${column}${found ? `: unexpected "${found}"` : ''}.`);
  }

  private checkVersion(value: unknown): void {
    this.version = value;
    if (value !== EXPORT_VERSION) {
      const newer = typeof value === 'number' && value > EXPORT_VERSION;
      throw invalid(
        `This export is format version ${JSON.stringify(value)}; this Kumbaya reads version ${EXPORT_VERSION}${newer ? ': upgrade Kumbaya to import it' : ''}.`,
      );
    }
  }

  /** A record of a section: validated later, in batches; here only the order of sections is checked. */
  private accept(sectionName: string, value: unknown, index: number | string): void {
    if (this.version === undefined) throw invalid('The file must start with "kumbaya_export" (the format version) before any section.');
    const at = sections.findIndex((s) => s.name === sectionName);
    if (at < 0) throw invalid(`Unknown section "${sectionName}"; a version ${EXPORT_VERSION} export has ${sections.map((s) => `"${s.name}"`).join(', ')}.`);
    if (at < this.sectionIndex) throw invalid(`Section "${sectionName}" comes after "${sections[this.sectionIndex].name}"; sections must be in the documented order.`);
    this.sectionIndex = at;
    this.pending.push({ section: sections[at], record: value, index });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    let group: { table: ArchiveTable; name: string; records: unknown[] } | null = null;
    const writeGroup = async () => {
      if (!group || group.records.length === 0) return;
      await this.write(group.name, group.table, group.records);
      group = null;
    };
    for (const { section, record, index } of batch) {
      if (group && group.table !== section.table) await writeGroup();
      group ??= { table: section.table, name: section.name, records: [] };
      group.records.push(this.validate(section, record, index));
    }
    await writeGroup();
  }

  private validate(section: (typeof sections)[number], value: unknown, index: number | string): unknown {
    const where = section.name === 'site' ? `site.${index}` : `${section.name}[${index}]`;
    if (section.name === 'site') {
      if (typeof value !== 'string') throw invalid(`${where}: a setting's value must be a string.`);
      return { key: String(index), value };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${where}: expected an object.`);
    const result = schemas[section.table].safeParse(fromFileRecord(value as Record<string, unknown>));
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue.path.map((p) => (typeof p === 'string' ? p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : String(p))).join('.');
      const idPart = typeof (value as { id?: unknown }).id === 'number' ? ` (id ${(value as { id: number }).id})` : '';
      throw invalid(`${where}${idPart}: ${field || 'record'}: ${issue.message}.`);
    }
    return result.data;
  }

  private async write(name: string, table: ArchiveTable, records: unknown[]): Promise<void> {
    if (table === 'users') this.usersWithoutPassword += (records as Array<{ passwordHash: string | null }>).filter((u) => u.passwordHash === null).length;
    // Waiting for a check: never checked yet, or sent again since it was last checked (a resend keeps its status until then).
    if (table === 'uploads') for (const u of records as Array<ArchiveRecords['uploads']>) this.uploadsRestored.push(u.hash);
    if (table === 'webmentions') for (const m of records as Array<ArchiveRecords['webmentions']>) if (m.status === 'queued' || m.updatedAt <= m.receivedAt) this.mentionsToVerify.push(m.id);
    if (table !== 'comments') return this.writeAll(name, table, records as Array<ArchiveRecords[typeof table]>);
    // A reply is written once the comment it answers is: ids normally ascend, but a file need not.
    const ready: Comment[] = [];
    for (const comment of records as Comment[]) {
      if (comment.parentId === null || this.writtenComments.has(comment.parentId)) {
        ready.push(comment);
        this.writtenComments.add(comment.id);
      } else this.waiting.push(comment);
    }
    await this.writeAll(name, table, ready);
    await this.writeWaiting(false);
  }

  /** Writes waiting replies whose parents are in; at the end, a reply whose parent never came is an error. */
  private async writeWaiting(final: boolean): Promise<void> {
    for (;;) {
      const ready = this.waiting.filter((c) => this.writtenComments.has(c.parentId!));
      if (ready.length === 0) break;
      this.waiting = this.waiting.filter((c) => !this.writtenComments.has(c.parentId!));
      for (const c of ready) this.writtenComments.add(c.id);
      await this.writeAll('comments', 'comments', ready);
    }
    if (final && this.waiting.length > 0) {
      const orphan = this.waiting[0];
      throw invalid(`comments: comment ${orphan.id} answers comment ${orphan.parentId}, which is not in the file.`);
    }
  }

  private async writeAll<T extends ArchiveTable>(name: string, table: T, records: Array<ArchiveRecords[T]>): Promise<void> {
    if (records.length === 0) return;
    try {
      await this.archive.write(table, records);
    } catch (error) {
      throw invalid(`${name}: could not be written (${(error as Error).message}); a record points at something missing from the file, or repeats an id or address.`);
    }
    this.counts[name] = (this.counts[name] ?? 0) + records.length;
    this.options.progress?.(name, this.counts[name]);
  }

  summary(): JsonImportSummary {
    return { counts: { ...this.counts }, withSecrets: this.withSecrets, usersWithoutPassword: this.usersWithoutPassword, mentionsToVerify: this.mentionsToVerify.length };
  }
}
