import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { SpamDefence } from '../core/comment-service.ts';
import { issueFormToken, verifyFormToken } from '../core/form-token.ts';
import { randomUUID } from 'node:crypto';
import { applyLessons, SpamFilter, type SpamLesson } from '../core/spam-filter.ts';
import { countLinks, findDisallowedWords } from '../core/spam-signals.ts';
import { CHANGES_MISSED, type ChangeFeed } from '../core/change-feed.ts';
import type { SpamModelRepository, Store } from '../core/store.ts';
import { akismetFromConfig } from './akismet.ts';

/**
 * The layered spam defence, built from its parts: signed form tokens (minimum time to
 * submit, expiry), link and word checks, the learning filter over the store's model, and
 * the optional Akismet-compatible service.
 */
export function createSpamDefence(deps: { config: Config; secret: string; logger: Logger; store: Store; changes: ChangeFeed }): SpamDefence {
  const akismet = akismetFromConfig(deps.config);
  const model = new CachedSpamModel(deps.store.spamModel);
  const filter = new SpamFilter(model);
  // Another instance learned something: read the counts afresh. This instance's own
  // lessons are already in its memory (see `learned`), so its own notices are ignored.
  const instance = randomUUID();
  deps.changes.subscribe((topic) => {
    if (topic === SPAM_MODEL_CHANGED || topic === CHANGES_MISSED || (topic.startsWith(`${SPAM_MODEL_CHANGED}:`) && topic !== `${SPAM_MODEL_CHANGED}:${instance}`)) model.forget();
  });
  // A token says when the form was served, for which post; readers served within the same
  // tenth of a second may share one (it is not a secret of theirs), as cached pages do.
  const recentTokens = new Map<number, { at: number; token: string }>();
  return {
    issueFormToken(postId, now) {
      const recent = recentTokens.get(postId);
      if (recent && now >= recent.at && now - recent.at < 100) return recent.token;
      const token = issueFormToken({ secret: deps.secret, postId, issuedAt: now });
      if (recentTokens.size >= 10_000) recentTokens.clear();
      recentTokens.set(postId, { at: now, token });
      return token;
    },

    verifyFormToken(token, postId, now, minSeconds) {
      const result = verifyFormToken(token, { secret: deps.secret, postId, now, minSeconds });
      if (result.ok || result.reason !== 'too-fast') return result;
      const issuedAt = parseInt(token.split('.')[1] ?? '', 36);
      return { ok: false, reason: 'too-fast', seconds: Number.isFinite(issuedAt) ? Math.max(0, (now - issuedAt) / 1000) : undefined };
    },

    countLinks,
    findDisallowedWords: (fields, words) => findDisallowedWords(fields, words),

    async filterScore(doc) {
      return (await filter.isTrained()) ? filter.score(doc) : null;
    },

    async akismet({ comment, ctx, permalink }) {
      if (!akismet) return 'off';
      const result = await akismet.check({
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        referrer: ctx.referrer,
        permalink,
        authorName: String(comment.name ?? ''),
        authorEmail: String(comment.email ?? ''),
        authorUrl: comment.website ? String(comment.website) : null,
        content: String(comment.body ?? ''),
      });
      if (result.verdict === 'unknown') deps.logger.warn({ detail: result.detail }, 'Akismet check gave no answer; the other layers decide');
      return result.verdict;
    },

    async learn(store, doc, label, previous) {
      const recorded = new RecordedSpamModel(store.spamModel);
      const inTransaction = new SpamFilter(recorded);
      if (previous) await inTransaction.reclassify(doc, previous, label);
      else await inTransaction.learn(doc, label);
      return recorded.lessons;
    },

    learned(lessons) {
      if (lessons.length === 0) return;
      model.apply(lessons);
      deps.changes.publish(`${SPAM_MODEL_CHANGED}:${instance}`);
    },

    async report(comment, label) {
      if (!akismet) return;
      const input = {
        ip: comment.ip,
        userAgent: comment.userAgent,
        referrer: null,
        permalink: `${deps.config.siteUrl}/comments/${comment.id}`,
        authorName: comment.authorName,
        authorEmail: comment.authorEmail,
        authorUrl: comment.authorUrl,
        content: comment.markdown,
        createdAt: comment.createdAt,
      };
      const accepted = label === 'spam' ? await akismet.submitSpam(input) : await akismet.submitHam(input);
      if (!accepted) deps.logger.warn({ commentId: comment.id, label }, 'Akismet did not accept the moderator’s decision');
    },
  };
}

/** Published whenever the filter learned: instances drop their cached counts. */
export const SPAM_MODEL_CHANGED = 'spam-model-changed';

/** Up to this many tokens (a few MB), the filter keeps its whole model in memory. */
const WHOLE_MODEL_LIMIT = 50_000;

/**
 * The filter's counts as scoring reads them, kept in memory: every comment is scored, and
 * reading ~100 token counts from the database per comment is a good part of its cost.
 * While the model is small enough (most sites: a few thousand tokens) it is read whole
 * once, so a token it lacks costs nothing; a larger model is read token by token, and only
 * the tokens it knows are kept (most tokens of a new comment are word pairs it has never
 * seen, and keeping those would only churn memory). Learning goes to the database (inside
 * the moderation transaction); once that has committed, `apply` brings the same lessons
 * into memory in place, so the next score reads nothing. Other instances are told
 * through the change feed and read afresh (`forget`).
 */
export class CachedSpamModel implements SpamModelRepository {
  private readonly inner: SpamModelRepository;
  private readonly wholeLimit: number;
  private whole: Promise<Map<string, { spam: number; ham: number }> | null> | null = null;
  /** The whole model once read (null: too large to keep whole); undefined while not read or being read. */
  private wholeRead: Map<string, { spam: number; ham: number }> | null | undefined = undefined;
  private known = new Map<string, { spam: number; ham: number }>();
  private totalsCache: Promise<{ spam: number; ham: number }> | null = null;
  private totalsRead: { spam: number; ham: number } | undefined = undefined;

  constructor(inner: SpamModelRepository, wholeLimit = WHOLE_MODEL_LIMIT) {
    this.inner = inner;
    this.wholeLimit = wholeLimit;
  }

  forget(): void {
    this.whole = null;
    this.wholeRead = undefined;
    this.known = new Map();
    this.totalsCache = null;
    this.totalsRead = undefined;
  }

  /**
   * Lessons the database has taken (committed), taken into memory the same way. A read
   * still under way might or might not include them, so then the cache starts over.
   */
  apply(lessons: SpamLesson[]): void {
    if ((this.whole && this.wholeRead === undefined) || (this.totalsCache && this.totalsRead === undefined)) return this.forget();
    if (this.totalsRead) applyLessons(lessons, this.totalsRead, new Map());
    if (this.wholeRead) {
      applyLessons(lessons, { spam: 0, ham: 0 }, this.wholeRead);
      // Grown past what is kept whole: from now on it is read token by token.
      if (this.wholeRead.size > this.wholeLimit) this.forget();
    } else {
      // Only tokens already in memory change; others are read when asked for.
      applyLessons(lessons, { spam: 0, ham: 0 }, this.known, true);
    }
  }

  totals(): Promise<{ spam: number; ham: number }> {
    if (this.totalsCache) return this.totalsCache;
    const reading = this.inner.totals().then(
      (totals) => {
        if (this.totalsCache === reading) this.totalsRead = totals;
        return totals;
      },
      (error: unknown) => {
        if (this.totalsCache === reading) this.totalsCache = null;
        throw error;
      },
    );
    this.totalsCache = reading;
    // The copy kept is the one lessons change: hand out the same object.
    return reading;
  }

  everyToken(limit: number): Promise<Map<string, { spam: number; ham: number }> | null> {
    return this.inner.everyToken(limit);
  }

  private wholeModel(): Promise<Map<string, { spam: number; ham: number }> | null> {
    if (this.whole) return this.whole;
    const reading = this.inner.everyToken(this.wholeLimit).then(
      (whole) => {
        if (this.whole === reading) this.wholeRead = whole;
        return whole;
      },
      (error: unknown) => {
        if (this.whole === reading) this.whole = null;
        throw error;
      },
    );
    this.whole = reading;
    return reading;
  }

  async tokenCounts(tokens: string[]): Promise<Map<string, { spam: number; ham: number }>> {
    const whole = await this.wholeModel();
    const result = new Map<string, { spam: number; ham: number }>();
    const memory = whole ?? this.known;
    const missing: string[] = [];
    for (const token of tokens) {
      const c = memory.get(token);
      if (c) result.set(token, c);
      else if (!whole) missing.push(token);
    }
    if (missing.length > 0) {
      // A large model: ask the database for the tokens not in memory, and keep those it knows.
      const found = await this.inner.tokenCounts(missing);
      if (this.known.size + found.size > this.wholeLimit) this.known.clear();
      for (const [token, c] of found) {
        this.known.set(token, c);
        result.set(token, c);
      }
    }
    return result;
  }

  async learn(tokens: string[], label: 'spam' | 'ham', delta: 1 | -1): Promise<void> {
    await this.inner.learn(tokens, label, delta);
    this.apply([{ tokens, label, delta }]);
  }

  addCounts(documents: { spam: number; ham: number }, tokens: Map<string, { spam: number; ham: number }>): Promise<void> {
    this.forget();
    return this.inner.addCounts(documents, tokens);
  }
}

/** A model that writes through to `inner` and notes each lesson, for the cache to take once committed. */
export class RecordedSpamModel implements SpamModelRepository {
  readonly lessons: SpamLesson[] = [];
  private readonly inner: SpamModelRepository;

  constructor(inner: SpamModelRepository) {
    this.inner = inner;
  }

  totals() {
    return this.inner.totals();
  }

  tokenCounts(tokens: string[]) {
    return this.inner.tokenCounts(tokens);
  }

  everyToken(limit: number) {
    return this.inner.everyToken(limit);
  }

  async learn(tokens: string[], label: 'spam' | 'ham', delta: 1 | -1): Promise<void> {
    await this.inner.learn(tokens, label, delta);
    this.lessons.push({ tokens, label, delta });
  }

  addCounts(documents: { spam: number; ham: number }, tokens: Map<string, { spam: number; ham: number }>): Promise<void> {
    return this.inner.addCounts(documents, tokens);
  }
}

/** Seeds an empty filter from the team's labelled corpus, once per database (first instance wins). */
export async function seedSpamFilter(store: Store, now: number): Promise<number> {
  const mark = `seeded:${now}`;
  if ((await store.settings.setIfAbsent('spam.corpus', mark)) !== mark) return 0;
  return store.transaction((tx) => new SpamFilter(tx.spamModel).trainFromCorpus());
}
