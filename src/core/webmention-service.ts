import { addressGroup } from './address-group.ts';
import { legacyKeyOf } from './legacy-paths.ts';
import type { Clock } from './clock.ts';
import type { CommentService } from './comment-service.ts';
import { DomainError } from './errors.ts';
import { removedByStaff } from './webmention-moderation.ts';
import type { JobWrite } from './jobs.ts';
import type { Post, Store } from './store.ts';
import { randomToken } from './tokens.ts';
import type { MentionDetails, MentionVia, ReceivedMention, WebmentionRepository } from './webmention-store.ts';

export const VERIFY_JOB = 'webmention-verify';
export const SEND_JOB = 'webmention-send';

/** Why a webmention (or pingback) was refused at once; the pingback route maps these to XML-RPC faults. */
export type RejectionReason = 'source-missing' | 'target-missing' | 'source-invalid' | 'target-invalid' | 'same-url' | 'target-not-found' | 'target-not-accepting' | 'already-registered';

export class WebmentionRejected extends DomainError {
  readonly reason: RejectionReason;
  constructor(reason: RejectionReason, message: string) {
    super('validation_failed', message, { [reason.startsWith('source') || reason === 'same-url' ? 'source' : 'target']: message });
    this.reason = reason;
  }
}

/** What verification found at the source (the job's adapter fetches and reads it). */
export type SourceOutcome =
  | { kind: 'gone'; status: number }
  | { kind: 'no-link'; status: number }
  /** The source could not be fetched, for good (refused address, too large) or after retries. */
  | { kind: 'unreachable'; reason: string }
  /** The source links to the target, but its page could not be read (HTML the reader cannot make sense of). */
  | { kind: 'unreadable'; reason: string }
  | ({ kind: 'links' } & MentionDetails);

export interface WebmentionServiceDeps {
  store: Store;
  clock: Clock;
  siteUrl: () => string;
  comments: CommentService;
  /** The background job queue. */
  enqueue: (job: JobWrite) => Promise<boolean>;
  /** The distinct absolute links of a post's HTML. */
  linksOf: (html: string, base: string) => string[] | Promise<string[]>;
  publish: (topic: string) => void;
}

const LIMIT = { perIpMinute: 20 };

function parseHttpUrl(value: string | undefined, field: 'source' | 'target'): URL {
  const trimmed = (value ?? '').trim();
  if (!trimmed) throw new WebmentionRejected(`${field}-missing`, `The ${field} URL is missing: send ${field}=<absolute URL>.`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new WebmentionRejected(`${field}-invalid`, `The ${field} is not a valid absolute URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebmentionRejected(`${field}-invalid`, `The ${field} must be an http or https URL, not ${url.protocol}.`);
  return url;
}

export function isLive(post: Post, now: number): boolean {
  return post.status === 'published' && post.deletedAt === null && post.publishedAt !== null && post.publishedAt <= now;
}

/**
 * Webmention (W3C Recommendation) and pingback, both ways.
 *
 * Receiving: `receive` checks a request at once (the URLs, that the target is a live post
 * here, that source and target differ), records it (one record per source and target, so
 * a resend updates it) and queues its verification. The verify job fetches the source
 * and hands what it found to `applyVerification`: replies become comments through the
 * moderation policy, likes, reposts, bookmarks and mentions are shown under the post, and
 * a source that is gone or no longer links here takes its mention (and comment) away.
 *
 * Sending: when a post goes live, changes or goes away, every link it has (and had) is
 * queued as a send job, which discovers the target's endpoint and notifies it.
 */
export class WebmentionService {
  private readonly deps: WebmentionServiceDeps;

  constructor(deps: WebmentionServiceDeps) {
    this.deps = deps;
  }

  /** The live post a URL of this site names, or null. */
  async postAt(target: URL): Promise<Post | null> {
    const site = new URL(this.deps.siteUrl());
    if (target.host !== site.host) return null;
    const base = site.pathname.replace(/\/$/, '');
    if (!target.pathname.startsWith(`${base}/`)) return null;
    const slug = target.pathname.slice(base.length + 1).replace(/\/$/, '');
    const { store, clock } = this.deps;
    let post = /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug) ? ((await store.posts.findBySlug(slug)) ?? (await store.posts.findByOldSlug(slug))) : null;
    if (!post) {
      // An imported post's old WordPress address ('/2019/03/05/hello/', '/?p=12'): sites that
      // linked to it before the move still ping it there.
      const key = legacyKeyOf(`/${target.pathname.slice(base.length + 1)}`, (name) => target.searchParams.get(name) ?? undefined);
      const postId = key ? await store.imports.findLegacyPath(key) : null;
      post = postId === null ? null : await store.posts.findById(postId);
    }
    return post && isLive(post, clock.now()) ? post : null;
  }

  /** Checks and records a received webmention (or pingback) and queues its verification. */
  async receive(input: { source?: string; target?: string }, via: MentionVia, ip: string): Promise<ReceivedMention> {
    const source = parseHttpUrl(input.source, 'source');
    const target = parseHttpUrl(input.target, 'target');
    if (source.href === target.href) throw new WebmentionRejected('same-url', 'The source and the target are the same URL.');
    const post = await this.postAt(target);
    if (!post) throw new WebmentionRejected(target.host === new URL(this.deps.siteUrl()).host ? 'target-not-found' : 'target-not-accepting', `The target is not a published post of this site (${this.deps.siteUrl()}).`);
    const { store, clock } = this.deps;
    const now = clock.now();
    const limit = await store.rateLimits.hit(`webmention:${addressGroup(ip)}`, 60_000, LIMIT.perIpMinute, now);
    if (!limit.allowed) throw new DomainError('rate_limited', 'Too many webmentions from your address; try again in a minute.', {}, { retryAfterSeconds: Math.ceil(limit.retryAfterMs / 1000) });
    const mention = await store.webmentions.receive({ source: source.href, target: target.href, postId: post.id, via }, now);
    // Pingback 1.0 refuses a repeat (fault 0x0030); a resent webmention is verified again, so it updates what is shown.
    if (via === 'pingback' && mention.status === 'verified') throw new WebmentionRejected('already-registered', 'This pingback is registered already.');
    await this.deps.enqueue({ kind: VERIFY_JOB, key: `verify:${mention.id}:${now}`, payload: { id: mention.id } });
    return mention;
  }

  /** Records what the verify job found at the source, and shows (or takes away) the mention. */
  async applyVerification(id: number, outcome: SourceOutcome): Promise<ReceivedMention | null> {
    const { store, clock, comments } = this.deps;
    const mention = await store.webmentions.findReceived(id);
    if (!mention) return null;
    const now = clock.now();
    const post = await store.posts.findById(mention.postId);
    if (outcome.kind !== 'links') {
      const wasShown = mention.status === 'verified';
      // Only a 410 or a missing link takes a shown mention away; a source that is merely unreachable (or unreadable) keeps it.
      if ((outcome.kind === 'unreachable' || outcome.kind === 'unreadable') && wasShown) return mention;
      const reason =
        outcome.kind === 'unreachable'
          ? `the source could not be fetched: ${outcome.reason}`
          : outcome.kind === 'unreadable'
            ? `the source could not be read: ${outcome.reason}`
          : outcome.kind === 'gone'
            ? `the source answered ${outcome.status} Gone`
            : outcome.status >= 400
              ? `the source answered ${outcome.status}`
              : 'the source does not link to the target';
      const updated = await store.webmentions.updateReceived(id, { status: wasShown || outcome.kind === 'gone' ? 'deleted' : 'rejected', reason }, now);
      if (mention.commentId !== null) await comments.removeWebmentionReply(mention.commentId, `webmention removed: ${reason}`);
      if (wasShown) this.deps.publish(`mentions-changed:${mention.postId}`);
      return updated;
    }
    const name = outcome.authorName ?? (outcome.authorUrl ? new URL(outcome.authorUrl).host : new URL(mention.source).host);
    const person = outcome.authorUrl ? await store.webmentions.personForWebsite({ name, website: outcome.authorUrl }, now) : null;
    // What staff took off the post stays off (webmention-moderation.ts).
    const kept = removedByStaff(mention);
    const verified = (repository: WebmentionRepository, commentId: number | null) =>
      repository.updateReceived(
        id,
        {
          status: kept ? mention.status : 'verified',
          reason: kept ? mention.reason : null,
          type: outcome.type,
          authorName: name,
          authorUrl: outcome.authorUrl,
          authorPhoto: outcome.authorPhoto,
          content: outcome.content,
          url: outcome.url,
          publishedAt: outcome.publishedAt,
          commentId,
          personId: person?.id ?? null,
          verifiedAt: now,
        },
        now,
      );
    let updated!: ReceivedMention;
    if (outcome.type === 'reply' && post) {
      const existing = mention.commentId !== null ? await store.comments.findById(mention.commentId) : null;
      // Verified in the comment's transaction: a retry after a crash finds the comment it made, never makes a second.
      await comments.fromWebmention({
        post, existing, personId: person?.id ?? null, name, website: outcome.authorUrl ?? outcome.url, text: outcome.content ?? '', source: mention.source,
        within: async (tx, comment) => {
          updated = await verified(tx.webmentions, comment.id);
        },
      });
    } else {
      if (mention.commentId !== null) await comments.removeWebmentionReply(mention.commentId, 'the webmention is no longer a reply');
      updated = await verified(store.webmentions, mention.commentId);
    }
    this.deps.publish(`mentions-changed:${mention.postId}`);
    return updated;
  }

  /** The URL a post is read at. */
  urlOf(post: Pick<Post, 'slug'>): string {
    return `${this.deps.siteUrl()}/${post.slug}`;
  }

  /**
   * A post changed: notify every link of the live version, and of the version before (so
   * a removed link, or a post taken down, is told too). Links to this site are skipped.
   * Unlisted posts send nothing.
   */
  async postChanged(before: Post, after: Post): Promise<number> {
    const now = this.deps.clock.now();
    const shown = (p: Post) => isLive(p, now) && p.visibility === 'public' && p.type === 'post';
    if (!shown(before) && !shown(after)) return 0;
    const site = new URL(this.deps.siteUrl()).origin;
    const source = this.urlOf(after);
    const targets = new Set<string>();
    for (const version of [after, before].filter(shown)) {
      for (const link of await this.deps.linksOf(version.html, source)) if (new URL(link).origin !== site) targets.add(link);
    }
    for (const target of targets) {
      await this.deps.store.webmentions.recordSent(after.id, target, { status: 'queued', error: null }, now);
      await this.deps.enqueue({ kind: SEND_JOB, key: `send:${after.id}:${target}:${now}:${randomToken(6)}`, payload: { postId: after.id, source, target } });
    }
    return targets.size;
  }
}
