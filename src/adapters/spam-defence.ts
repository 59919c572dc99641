import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { SpamDefence } from '../core/comment-service.ts';
import { issueFormToken, verifyFormToken } from '../core/form-token.ts';
import { SpamFilter } from '../core/spam-filter.ts';
import { countLinks, findDisallowedWords } from '../core/spam-signals.ts';
import type { ChangeFeed } from '../core/change-feed.ts';
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
  // Another instance (or this one) learned something: read the counts afresh.
  deps.changes.subscribe((topic) => {
    if (topic === SPAM_MODEL_CHANGED) model.forget();
  });
  return {
    issueFormToken: (postId, now) => issueFormToken({ secret: deps.secret, postId, issuedAt: now }),

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
      const inTransaction = new SpamFilter(store.spamModel);
      if (previous) await inTransaction.reclassify(doc, previous, label);
      else await inTransaction.learn(doc, label);
      model.forget();
      deps.changes.publish(SPAM_MODEL_CHANGED);
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

const UNSEEN = Object.freeze({ spam: 0, ham: 0 });

/** Published whenever the filter learned: instances drop their cached counts. */
export const SPAM_MODEL_CHANGED = 'spam-model-changed';

/**
 * The filter's counts as scoring reads them, kept in memory: every comment is scored, and
 * reading ~40 token counts from the database per comment is a good part of its cost.
 * Learning goes to the database (inside the moderation transaction) and then empties
 * this cache, here and, through the change feed, on every other instance.
 */
class CachedSpamModel implements SpamModelRepository {
  private readonly inner: SpamModelRepository;
  private counts = new Map<string, { spam: number; ham: number }>();
  private totalsCache: Promise<{ spam: number; ham: number }> | null = null;

  constructor(inner: SpamModelRepository) {
    this.inner = inner;
  }

  forget(): void {
    this.counts = new Map();
    this.totalsCache = null;
  }

  totals(): Promise<{ spam: number; ham: number }> {
    this.totalsCache ??= this.inner.totals().catch((error: unknown) => {
      this.totalsCache = null;
      throw error;
    });
    return this.totalsCache;
  }

  async tokenCounts(tokens: string[]): Promise<Map<string, { spam: number; ham: number }>> {
    const counts = this.counts;
    const missing = tokens.filter((t) => !counts.has(t));
    if (missing.length > 0) {
      const found = await this.inner.tokenCounts(missing);
      // Most tokens of a new comment are word pairs the model has never seen: keep the cache small.
      if (counts.size > 100_000) counts.clear();
      // Tokens the model has never seen are remembered as zero (one shared object), so they are not asked again.
      for (const token of missing) counts.set(token, found.get(token) ?? UNSEEN);
    }
    const result = new Map<string, { spam: number; ham: number }>();
    for (const token of tokens) {
      const c = counts.get(token)!;
      if (c.spam > 0 || c.ham > 0) result.set(token, c);
    }
    return result;
  }

  learn(tokens: string[], label: 'spam' | 'ham', delta: 1 | -1): Promise<void> {
    this.forget();
    return this.inner.learn(tokens, label, delta);
  }

  addCounts(documents: { spam: number; ham: number }, tokens: Map<string, { spam: number; ham: number }>): Promise<void> {
    this.forget();
    return this.inner.addCounts(documents, tokens);
  }
}

/** Seeds an empty filter from the team's labelled corpus, once per database (first instance wins). */
export async function seedSpamFilter(store: Store, now: number): Promise<number> {
  const mark = `seeded:${now}`;
  if ((await store.settings.setIfAbsent('spam.corpus', mark)) !== mark) return 0;
  return store.transaction((tx) => new SpamFilter(tx.spamModel).trainFromCorpus());
}
