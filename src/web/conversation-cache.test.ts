import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConversationCache } from './conversation-cache.ts';

describe('the data behind post pages (ConversationCache.postData)', () => {
  it('reads a post once until a change clears it, and never remembers a miss or a failure', async () => {
    const cache = new ConversationCache({ enabled: true });
    let reads = 0;
    const load = (value: string | null) => async () => {
      reads++;
      return value;
    };
    assert.equal(await cache.postData('post:a', load('first')), 'first');
    assert.equal(await cache.postData('post:a', load('second')), 'first', 'the second request reads nothing');
    assert.equal(reads, 1);
    // Requests arriving together share one read.
    const [x, y] = await Promise.all([cache.postData('post:b', load('b')), cache.postData('post:b', load('other'))]);
    assert.deepEqual([x, y, reads], ['b', 'b', 2]);

    cache.clear();
    assert.equal(await cache.postData('post:a', load('after the change')), 'after the change');

    assert.equal(await cache.postData('post:new', load(null)), null);
    assert.equal(await cache.postData('post:new', load('published since')), 'published since', 'a miss is asked again');
    await assert.rejects(cache.postData('post:broken', async () => { throw new Error('database down'); }), /database down/);
    assert.equal(await cache.postData('post:broken', load('back')), 'back', 'a failure is asked again');
  });

  it('reads every time when the cache is off', async () => {
    const cache = new ConversationCache({ enabled: false });
    let reads = 0;
    const load = async () => ++reads;
    await cache.postData('post:a', load);
    await cache.postData('post:a', load);
    assert.equal(reads, 2);
  });
});
