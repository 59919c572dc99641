import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SpamFilter } from '../../core/spam-filter.ts';
import { loadSpamCorpus } from '../../core/spam-corpus/corpus.ts';
import type { Store } from '../../core/store.ts';
import { MemoryStore } from './memory-store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const plain = (counts: Map<string, { spam: number; ham: number }>) => Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));

/** What every engine's SpamModelRepository must do: the filter's counts, learned and unlearned. */
function spamModelContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });

    afterEach(async () => {
      await cleanup();
    });

    it('starts empty', async () => {
      assert.deepEqual(await store.spamModel.totals(), { spam: 0, ham: 0 });
      assert.equal((await store.spamModel.tokenCounts(['cheap', 'pills'])).size, 0);
      assert.equal((await store.spamModel.tokenCounts([])).size, 0);
    });

    it('counts documents per label and each token once per document', async () => {
      await store.spamModel.learn(['cheap', 'pills', 'cheap', 'host:pills.example'], 'spam', 1);
      await store.spamModel.learn(['cheap', 'flights'], 'spam', 1);
      await store.spamModel.learn(['thanks', 'cheap'], 'ham', 1);
      assert.deepEqual(await store.spamModel.totals(), { spam: 2, ham: 1 });
      const counts = await store.spamModel.tokenCounts(['cheap', 'pills', 'thanks', 'host:pills.example', 'unknown', 'cheap']);
      assert.deepEqual(plain(counts), {
        cheap: { spam: 2, ham: 1 },
        'host:pills.example': { spam: 1, ham: 0 },
        pills: { spam: 1, ham: 0 },
        thanks: { spam: 0, ham: 1 },
      });
    });

    it('hands over the whole model while it has at most `limit` tokens', async () => {
      assert.deepEqual(plain((await store.spamModel.everyToken(10))!), {});
      await store.spamModel.learn(['cheap', 'pills'], 'spam', 1);
      await store.spamModel.learn(['thanks', 'cheap'], 'ham', 1);
      assert.deepEqual(plain((await store.spamModel.everyToken(3))!), {
        cheap: { spam: 1, ham: 1 },
        pills: { spam: 1, ham: 0 },
        thanks: { spam: 0, ham: 1 },
      });
      assert.equal(await store.spamModel.everyToken(2), null);
    });

    it('keeps unicode tokens apart and intact', async () => {
      await store.spamModel.learn(['казино', 'Казино', 'ставки', 'café', '日本語'], 'spam', 1);
      const counts = await store.spamModel.tokenCounts(['казино', 'Казино', 'café', '日本語', 'cafe']);
      assert.deepEqual(plain(counts), {
        café: { spam: 1, ham: 0 },
        Казино: { spam: 1, ham: 0 },
        казино: { spam: 1, ham: 0 },
        日本語: { spam: 1, ham: 0 },
      });
    });

    it('unlearns a document: a moderator reverses a decision', async () => {
      await store.spamModel.learn(['great', 'post', 'casino'], 'spam', 1);
      await store.spamModel.learn(['great', 'post'], 'ham', 1);
      // The first was a reader after all: unlearn the old label, learn the new one.
      await store.spamModel.learn(['great', 'post', 'casino'], 'spam', -1);
      await store.spamModel.learn(['great', 'post', 'casino'], 'ham', 1);
      assert.deepEqual(await store.spamModel.totals(), { spam: 0, ham: 2 });
      assert.deepEqual(plain(await store.spamModel.tokenCounts(['great', 'post', 'casino'])), {
        casino: { spam: 0, ham: 1 },
        great: { spam: 0, ham: 2 },
        post: { spam: 0, ham: 2 },
      });
    });

    it('never goes below zero, and forgets tokens whose counts are all zero', async () => {
      await store.spamModel.learn(['viagra'], 'spam', 1);
      await store.spamModel.learn(['viagra', 'never-seen'], 'ham', -1);
      await store.spamModel.learn(['viagra'], 'spam', -1);
      await store.spamModel.learn(['viagra'], 'spam', -1);
      assert.deepEqual(await store.spamModel.totals(), { spam: 0, ham: 0 });
      assert.equal((await store.spamModel.tokenCounts(['viagra', 'never-seen'])).size, 0);
      await store.spamModel.learn(['viagra'], 'spam', 1);
      assert.deepEqual(plain(await store.spamModel.tokenCounts(['viagra'])), { viagra: { spam: 1, ham: 0 } });
    });

    it('learns a document with many tokens (past any statement batch size)', async () => {
      const tokens = Array.from({ length: 1_234 }, (_, i) => `t${i}`);
      await store.spamModel.learn(tokens, 'ham', 1);
      await store.spamModel.learn(tokens, 'ham', 1);
      const counts = await store.spamModel.tokenCounts(tokens);
      assert.equal(counts.size, tokens.length);
      assert.deepEqual(counts.get('t1233'), { spam: 0, ham: 2 });
      await store.spamModel.learn(tokens, 'ham', -1);
      assert.deepEqual((await store.spamModel.tokenCounts(['t0'])).get('t0'), { spam: 0, ham: 1 });
    });

    it('loses no increment when many documents are learned at once', async () => {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.spamModel.learn(['shared', `own${i}`, i % 2 ? 'odd' : 'even'], i % 4 === 0 ? 'spam' : 'ham', 1)),
      );
      assert.deepEqual(await store.spamModel.totals(), { spam: 5, ham: 15 });
      const counts = await store.spamModel.tokenCounts(['shared', 'odd', 'even', 'own7']);
      assert.deepEqual(counts.get('shared'), { spam: 5, ham: 15 });
      assert.deepEqual(counts.get('even'), { spam: 5, ham: 5 });
      assert.deepEqual(counts.get('odd'), { spam: 0, ham: 10 });
      assert.deepEqual(counts.get('own7'), { spam: 0, ham: 1 });
    });

    it('adds counts in bulk on top of what it learned, exactly as learning each document would', async () => {
      await store.spamModel.learn(['cheap', 'thanks'], 'ham', 1);
      const many = new Map<string, { spam: number; ham: number }>(Array.from({ length: 1200 }, (_, i) => [`t${i}`, { spam: i % 3, ham: 1 }]));
      many.set('cheap', { spam: 4, ham: 2 });
      await store.spamModel.addCounts({ spam: 4, ham: 3 }, many);
      assert.deepEqual(await store.spamModel.totals(), { spam: 4, ham: 4 });
      const counts = await store.spamModel.tokenCounts(['cheap', 'thanks', 't0', 't1199']);
      assert.deepEqual(plain(counts), { cheap: { spam: 4, ham: 3 }, t0: { spam: 0, ham: 1 }, t1199: { spam: 2, ham: 1 }, thanks: { spam: 0, ham: 1 } });
    });

    it('is covered by a transaction: a rollback undoes the learning', async () => {
      await store.spamModel.learn(['kept'], 'ham', 1);
      await assert.rejects(
        store.transaction(async (trx) => {
          await trx.spamModel.learn(['kept', 'dropped'], 'spam', 1);
          assert.deepEqual(await trx.spamModel.totals(), { spam: 1, ham: 1 });
          throw new Error('moderation failed');
        }),
        /moderation failed/,
      );
      assert.deepEqual(await store.spamModel.totals(), { spam: 0, ham: 1 });
      assert.deepEqual(plain(await store.spamModel.tokenCounts(['kept', 'dropped'])), { kept: { spam: 0, ham: 1 } });
    });

    it('gives a filter trained on the corpus the same scores as the in-memory model', async () => {
      const reference = new SpamFilter(new MemoryStore().spamModel);
      await reference.trainFromCorpus();
      // One transaction: how start.ts seeds the model at first start (and much faster on PostgreSQL).
      const learned = await store.transaction((trx) => new SpamFilter(trx.spamModel).trainFromCorpus());
      assert.equal(learned, loadSpamCorpus('train').length);
      const filter = new SpamFilter(store.spamModel);
      assert.equal(await filter.isTrained(), true);
      for (const comment of loadSpamCorpus('heldout').slice(0, 40)) {
        assert.equal(await filter.score(comment), await reference.score(comment), comment.text);
      }
    });
  });
}

forEachEngine('SpamModelRepository contract', spamModelContract);
