import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../adapters/storage/memory-store.ts';
import type { JobWrite } from './jobs.ts';
import { cleanText, cleanUrl, nothingFoundWords, profileIsStale, REFRESH_MS, websiteOf, WhoIs, type PublicProfile } from './who-is.ts';

const NOW = Date.UTC(2024, 4, 1, 12);

const profile = (over: Partial<PublicProfile> = {}): PublicProfile => ({
  website: 'https://ada.example', found: true, reason: null, reasonDetail: null, name: 'Ada', note: null, url: 'https://ada.example/', photo: null, relMe: [], fetchedAt: NOW, ...over,
});

describe('who is this: a stranger\'s text made safe to show', () => {
  it('cuts a giant name at 200 characters with an ellipsis, without splitting a character in two', () => {
    const name = cleanText('😀'.repeat(5000), 200)!;
    assert.equal(Array.from(name).length, 200);
    assert.ok(name.endsWith('…'));
    assert.equal(cleanText('Ada', 200), 'Ada');
  });

  it('drops control characters and direction overrides, collapses spaces, and keeps a note\'s paragraphs', () => {
    assert.equal(cleanText('Ada\u202e nosliW\u0000  \t Lovelace', 200), 'Ada nosliW Lovelace');
    assert.equal(cleanText('  First  line\n\n\nSecond\tline  ', 1000, true), 'First line\nSecond line');
    assert.equal(cleanText(' \u200f \n ', 200), null, 'nothing visible is nothing');
  });

  it('keeps only http(s) addresses of a sane length', () => {
    assert.equal(cleanUrl('javascript:alert(1)'), null);
    assert.equal(cleanUrl('data:text/html,<script>x</script>'), null);
    assert.equal(cleanUrl(`https://ada.example/${'a'.repeat(2100)}`), null);
    assert.equal(cleanUrl('https://ada.example/me'), 'https://ada.example/me');
  });

  it('says why nothing was found in words that never name an address', () => {
    assert.match(nothingFoundWords('private-address', null), /private or reserved network/);
    assert.match(nothingFoundWords('http-error', '404'), /HTTP 404/);
    assert.match(nothingFoundWords('not-html', 'image/png'), /image\/png/);
    assert.match(nothingFoundWords('too-large', null), /too big/);
  });
});

describe('who is this: which website, and when to read it again', () => {
  it('takes the primary website, else a website identity, else a webmention author page', () => {
    const identity = (kind: 'website' | 'webmention', value: string) => ({ id: 1, personId: 1, kind, value, verified: false, firstSeen: 0, lastSeen: 0 });
    assert.equal(websiteOf({ website: 'HTTPS://Ada.Example/' }, []), 'https://ada.example');
    assert.equal(websiteOf({ website: null }, [identity('webmention', 'https://b.example'), identity('website', 'https://a.example')]), 'https://a.example');
    assert.equal(websiteOf({ website: null }, [identity('webmention', 'https://b.example')]), 'https://b.example');
    assert.equal(websiteOf({ website: null }, []), null);
  });

  it('reads a profile again after seven days', () => {
    assert.equal(profileIsStale(null, NOW), true);
    assert.equal(profileIsStale(profile(), NOW + REFRESH_MS - 1), false);
    assert.equal(profileIsStale(profile(), NOW + REFRESH_MS), true);
  });

  it('queues one look-up per missing or stale profile, however often a page is opened, and always on "look again"', async () => {
    const store = new MemoryStore();
    let now = NOW;
    const queued: JobWrite[] = [];
    const whoIs = new WhoIs({ store, clock: { now: () => now }, enqueue: async (job) => (queued.push(job), store.jobs.enqueue(job, now)) });
    const ada = await store.people.upsertByEmail({ name: 'Ada', email: 'ada@example.com', website: 'https://ada.example/' }, NOW);
    const none = await store.people.upsertByEmail({ name: 'Bea', email: 'bea@example.com', website: null }, NOW);

    await whoIs.newcomer(none.id);
    assert.equal(queued.length, 0, 'no website, nothing to look up');
    await whoIs.newcomer(ada.id);
    assert.deepEqual(await whoIs.refreshIfStale((await whoIs.profileOf(ada.id))!), false, 'the same missing profile is queued once');
    assert.equal((await store.jobs.list({ limit: 10, offset: 0 })).total, 1);
    assert.deepEqual(queued[0].payload, { website: 'https://ada.example' });

    await store.whoIs.saveProfile(profile({ fetchedAt: now }));
    assert.equal(await whoIs.refreshIfStale((await whoIs.profileOf(ada.id))!), false, 'fresh: nothing queued');
    now += REFRESH_MS;
    assert.equal(await whoIs.refreshIfStale((await whoIs.profileOf(ada.id))!), true, 'stale: queued');
    assert.equal(await whoIs.refreshIfStale((await whoIs.profileOf(ada.id))!), false, 'and only once');
    await whoIs.lookAgain('https://ada.example');
    now += 1;
    await whoIs.lookAgain('https://ada.example');
    assert.equal((await store.jobs.list({ limit: 10, offset: 0 })).total, 4);
  });
});
