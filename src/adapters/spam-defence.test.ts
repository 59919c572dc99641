import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKumbaya, type TestKumbaya } from '../../test/helpers/test-kumbaya.ts';
import { MemoryStore } from './storage/memory-store.ts';
import { CachedSpamModel, RecordedSpamModel, SPAM_MODEL_CHANGED, seedSpamFilter } from './spam-defence.ts';
import { SpamFilter, type SpamDocument, type SpamLesson } from '../core/spam-filter.ts';
import type { SpamModelRepository } from '../core/store.ts';

describe('the spam defence as the comment service uses it', () => {
  let k: TestKumbaya;
  before(async () => {
    k = await startTestKumbaya();
  });
  after(() => k.cleanup());

  it('is silent until seeded, then scores spam high and conversation low', async () => {
    const { spam } = k.deps;
    assert.equal(await spam.filterScore({ text: 'hello' }), null, 'an empty model gives no score');
    assert.ok((await seedSpamFilter(k.deps.store, 1)) > 100);
    k.deps.changes.publish(SPAM_MODEL_CHANGED);
    const pitch = await spam.filterScore({ text: 'Cheap viagra and casino bonus, buy now at our pharmacy store, best SEO backlinks', url: 'https://cheap-pills.example' });
    const reader = await spam.filterScore({ text: 'I spent a few days mentoring newbies and learned a lot from them. Thank you for this post, James.' });
    assert.ok(pitch !== null && pitch >= 0.9, `spam pitch scored ${pitch}`);
    assert.ok(reader !== null && reader < 0.5, `reader scored ${reader}`);
  });

  it('signs a form token per post at most ten times a second: readers served together share one', () => {
    const { spam } = k.deps;
    const first = spam.issueFormToken(7, 1_000_000);
    assert.equal(spam.issueFormToken(7, 1_000_050), first);
    assert.notEqual(spam.issueFormToken(8, 1_000_050), first, 'another post, another token');
    const later = spam.issueFormToken(7, 1_000_100);
    assert.notEqual(later, first);
    // The token records when its form was served: the minimum time to submit counts from there.
    assert.deepEqual(spam.verifyFormToken(later, 7, 1_000_100 + 5_000, 3), { ok: true });
  });

  it('scores afresh after learning from a moderator, despite its cache, as a fresh read would', async () => {
    const { spam, store } = k.deps;
    const doc = { text: 'zanzibar quokka marmalade zanzibar quokka marmalade' };
    const fresh = async () => {
      const filter = new SpamFilter(store.spamModel);
      return (await filter.isTrained()) ? filter.score(doc) : null;
    };
    const before = (await spam.filterScore(doc))!;
    for (let i = 0; i < 5; i++) spam.learned(await store.transaction((tx) => spam.learn(tx, doc, 'spam', null)));
    const after = (await spam.filterScore(doc))!;
    assert.ok(after > before + 0.2, `score went from ${before} to ${after}`);
    assert.equal(after, await fresh());
    spam.learned(await store.transaction((tx) => spam.learn(tx, doc, 'ham', 'spam')));
    assert.ok((await spam.filterScore(doc))! < after, 'a reversed decision lowers it again');
    assert.equal(await spam.filterScore(doc), await fresh());
  });

  it('forgets its copy when another instance learned, not when it did itself', async () => {
    const { spam, store, changes } = k.deps;
    const doc = { text: 'quokka zanzibar pamplemousse' };
    await spam.filterScore(doc);
    // Another instance's lesson: in the database, and announced under that instance's name.
    await new SpamFilter(store.spamModel).learn(doc, 'spam');
    const stale = await spam.filterScore(doc);
    changes.publish(`${SPAM_MODEL_CHANGED}:another-instance`);
    const afresh = await spam.filterScore(doc);
    assert.notEqual(afresh, stale);
    assert.equal(afresh, await new SpamFilter(store.spamModel).score(doc));
  });
});

/** A model that counts how often it is read, around the store's. */
function countingReads(inner: SpamModelRepository) {
  const reads = { totals: 0, tokens: 0, whole: 0 };
  const model: SpamModelRepository = {
    totals: () => (reads.totals++, inner.totals()),
    tokenCounts: (tokens) => (reads.tokens++, inner.tokenCounts(tokens)),
    everyToken: (limit) => (reads.whole++, inner.everyToken(limit)),
    learn: (tokens, label, delta) => inner.learn(tokens, label, delta),
    addCounts: (documents, tokens) => inner.addCounts(documents, tokens),
  };
  return { model, reads };
}

describe('learning updates the model in memory in place', () => {
  const docs: SpamDocument[] = [
    { text: 'Check out my channel for daily crypto signals https://t.me/pumpgroup', name: 'Crypto King' },
    { text: 'Thanks for this, the part about mentoring newbies really helped me.', name: 'Dana' },
    { text: 'Totally new words: florp zindle quaxor', name: 'Nobody' },
  ];

  for (const [size, limit] of [['kept whole', 50_000], ['read token by token', 10]] as const) {
    it(`scores as a fresh read does after learning and unlearning, when the model is ${size}`, async () => {
      const store = new MemoryStore();
      await new SpamFilter(store.spamModel).trainFromCorpus();
      const { model, reads } = countingReads(store.spamModel);
      const cached = new CachedSpamModel(model, limit);
      const scoring = new SpamFilter(cached);
      for (const doc of docs) await scoring.score(doc);
      const readsBefore = { ...reads };

      const lessons: SpamLesson[] = [];
      const learn = async (doc: SpamDocument, label: 'spam' | 'ham', previous: 'spam' | 'ham' | null) => {
        const recorded = new RecordedSpamModel(store.spamModel);
        const writer = new SpamFilter(recorded);
        if (previous) await writer.reclassify(doc, previous, label);
        else await writer.learn(doc, label);
        cached.apply(recorded.lessons);
        lessons.push(...recorded.lessons);
      };
      await learn(docs[0], 'spam', null);
      await learn(docs[2], 'spam', null);
      await learn(docs[2], 'ham', 'spam');
      await learn(docs[1], 'ham', null);
      assert.equal(lessons.length, 5);

      const fresh = new SpamFilter(store.spamModel);
      for (const doc of docs) assert.equal(await scoring.score(doc), await fresh.score(doc), doc.text);
      if (limit === 50_000) assert.deepEqual(reads, readsBefore, 'nothing was read again from the store');
      else assert.equal(reads.whole, readsBefore.whole, 'the whole model was not read again');
      assert.equal(reads.totals, readsBefore.totals, 'the totals were not read again');
    });
  }

  it('starts over when lessons arrive while the model is still being read', async () => {
    const store = new MemoryStore();
    await store.spamModel.learn(['alpha'], 'spam', 1);
    const cached = new CachedSpamModel(store.spamModel);
    const reading = cached.tokenCounts(['alpha']);
    await store.spamModel.learn(['alpha'], 'spam', 1);
    cached.apply([{ tokens: ['alpha'], label: 'spam', delta: 1 }]);
    await reading;
    assert.deepEqual((await cached.tokenCounts(['alpha'])).get('alpha'), { spam: 2, ham: 0 });
    assert.deepEqual(await cached.totals(), { spam: 2, ham: 0 });
  });
});

describe('the spam model as scoring reads it (cached)', () => {
  const asked = ['cheap', 'pills', 'thanks', 'never-seen', 'host:pills.example', 'cheap'];
  const plain = (m: Map<string, { spam: number; ham: number }>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));

  for (const [size, limit] of [['small enough to keep whole', 100], ['too large to keep whole', 2]] as const) {
    it(`gives the stored counts when the model is ${size}, and fresh ones after forgetting`, async () => {
      const store = new MemoryStore();
      await store.spamModel.learn(['cheap', 'pills', 'host:pills.example'], 'spam', 1);
      await store.spamModel.learn(['thanks', 'cheap'], 'ham', 1);
      const cached = new CachedSpamModel(store.spamModel, limit);
      assert.deepEqual(plain(await cached.tokenCounts(asked)), plain(await store.spamModel.tokenCounts(asked)));
      assert.deepEqual(plain(await cached.tokenCounts(asked)), plain(await store.spamModel.tokenCounts(asked)), 'asked again, from memory');
      await store.spamModel.learn(['never-seen', 'cheap'], 'spam', 1);
      cached.forget();
      const after = await cached.tokenCounts(asked);
      assert.deepEqual(plain(after), plain(await store.spamModel.tokenCounts(asked)));
      assert.deepEqual(after.get('never-seen'), { spam: 1, ham: 0 });
    });
  }
});
