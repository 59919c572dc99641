import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { channelFor, PostgresChangeFeed } from './postgres-change-feed.ts';

const url = process.env.KUMBAYA_TEST_PG_URL;
const skip = url ? false : process.env.CI === 'true' ? false : 'KUMBAYA_TEST_PG_URL is not set';

describe('the PostgreSQL change feed', { skip }, () => {
  it('reaches every instance of one site, and no site in another schema of the same database', async () => {
    if (!url) throw new Error('KUMBAYA_TEST_PG_URL is not set; CI must test PostgreSQL');
    const [a1, a2, b] = await Promise.all([PostgresChangeFeed.connect(url, 'site_a'), PostgresChangeFeed.connect(url, 'site_a'), PostgresChangeFeed.connect(url, 'site_b')]);
    const heard = { a2: [] as string[], b: [] as string[] };
    a2.subscribe((topic) => heard.a2.push(topic));
    b.subscribe((topic) => heard.b.push(topic));
    try {
      a1.publish('post-changed:7');
      for (let i = 0; i < 100 && heard.a2.length === 0; i++) await sleep(20);
      assert.deepEqual(heard.a2, ['post-changed:7'], 'another instance of the same site hears it');
      // b listens on its own channel: give a stray notification the same time to arrive.
      await sleep(200);
      assert.deepEqual(heard.b, [], 'a site in another schema does not');
    } finally {
      await Promise.all([a1.close(), a2.close(), b.close()]);
    }
  });

  it('keeps the default channel for a site in the default schema', () => {
    assert.equal(channelFor(undefined), 'kumbaya_changes');
    assert.match(channelFor('t_0123456789abcdef'), /^kumbaya_changes_[0-9a-f]{16}$/);
    assert.notEqual(channelFor('a'), channelFor('b'));
  });
});
