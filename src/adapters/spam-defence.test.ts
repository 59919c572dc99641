import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKumbaya, type TestKumbaya } from '../../test/helpers/test-kumbaya.ts';
import { MemoryStore } from './storage/memory-store.ts';
import { CachedSpamModel, SPAM_MODEL_CHANGED, seedSpamFilter } from './spam-defence.ts';

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

  it('scores afresh after learning from a moderator, despite its cache', async () => {
    const { spam, store } = k.deps;
    const doc = { text: 'zanzibar quokka marmalade zanzibar quokka marmalade' };
    const before = (await spam.filterScore(doc))!;
    for (let i = 0; i < 5; i++) await store.transaction((tx) => spam.learn(tx, doc, 'spam', null));
    const after = (await spam.filterScore(doc))!;
    assert.ok(after > before + 0.2, `score went from ${before} to ${after}`);
    await store.transaction((tx) => spam.learn(tx, doc, 'ham', 'spam'));
    assert.ok((await spam.filterScore(doc))! < after, 'a reversed decision lowers it again');
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
