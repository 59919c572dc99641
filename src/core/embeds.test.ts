import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryStore } from '../adapters/storage/memory-store.ts';
import { EmbedService, normaliseOrigin, normalisePageUrl, pageTitle } from './embeds.ts';
import { PostService } from './post-service.ts';

describe('comments on other sites: addresses', () => {
  test('a site is kept as its origin: scheme and host lower-cased, https assumed, default port dropped', () => {
    assert.deepEqual(normaliseOrigin(' Example.COM '), { ok: true, value: 'https://example.com' });
    assert.deepEqual(normaliseOrigin('HTTP://LocalHost:1313'), { ok: true, value: 'http://localhost:1313' });
    assert.deepEqual(normaliseOrigin('https://example.com:443/'), { ok: true, value: 'https://example.com' });
    assert.deepEqual(normaliseOrigin('https://bücher.example'), { ok: true, value: 'https://xn--bcher-kva.example' });
  });

  test('anything but a site is refused, saying what to write', () => {
    const refused = (input: string) => {
      const result = normaliseOrigin(input);
      assert.equal(result.ok, false, input);
      return (result as { message: string }).message;
    };
    assert.match(refused(''), /Enter the site’s address/);
    assert.match(refused('https://example.com/blog/'), /without a path: https:\/\/example\.com/);
    assert.match(refused('https://example.com/?x=1'), /without a path/);
    assert.match(refused('ftp://example.com'), /Only http/);
    assert.match(refused('javascript:alert(1)'), /Only http|not a web address/);
    assert.match(refused('https://user:pw@example.com'), /user name and password/);
    assert.match(refused('https://exa mple.com'), /not a web address|no valid host/);
  });

  test('a page address drops its fragment and tracking parameters and sorts the rest', () => {
    const page = (input: string) => {
      const result = normalisePageUrl(input);
      assert.ok(result.ok, input);
      return result.value.toString();
    };
    assert.equal(page('https://Example.com/notes/one/#comments'), 'https://example.com/notes/one/');
    assert.equal(page('https://example.com/p?utm_source=x&b=2&a=1&fbclid=y'), 'https://example.com/p?a=1&b=2');
    assert.equal(normalisePageUrl('/relative').ok, false);
    assert.equal(normalisePageUrl('data:text/html,hi').ok, false);
  });

  test('a title is one trimmed line, or the page’s host and path', () => {
    const url = new URL('https://example.com/notes/one/');
    assert.equal(pageTitle('  A\n\ttitle  ', url), 'A title');
    assert.equal(pageTitle('', url), 'example.com/notes/one/');
    assert.equal(pageTitle('x'.repeat(300), url).length, 200);
  });
});

describe('comments on other sites: threads (memory store)', () => {
  test('a page of a registered site gets one thread, a post of type external, unlisted and published', async () => {
    const store = new MemoryStore();
    const owner = await store.users.create({ email: 'o@example.com', name: 'Owner', slug: 'owner', bio: '', role: 'owner', passwordHash: null, createdAt: 1 });
    const changes: string[] = [];
    const service = new EmbedService({ store, clock: { now: () => 1_000_000 }, onChanged: (reason) => changes.push(reason) });
    await assert.rejects(service.threadFor('https://notes.example/a/', 'A', '192.0.2.1'), /not among the sites/);
    const site = await service.addSite(owner, 'notes.example');
    assert.equal(site.origin, 'https://notes.example');
    await assert.rejects(service.addSite(owner, 'https://NOTES.example'), /on the list already/);
    const made = await service.threadFor('https://notes.example/a/#top', 'First <page>', '192.0.2.1');
    assert.equal(made.created, true);
    assert.equal(made.post.type, 'external');
    assert.equal(made.post.visibility, 'unlisted');
    assert.equal(made.post.status, 'published');
    assert.equal(made.post.authorId, owner.id);
    assert.match(made.post.html, /<a href="https:\/\/notes\.example\/a\/">First &lt;page&gt;<\/a>/);
    const again = await service.threadFor('https://notes.example/a/?utm_medium=x', 'Renamed', '192.0.2.1');
    assert.equal(again.created, false);
    assert.equal(again.post.id, made.post.id);
    assert.equal((await store.posts.listPublished({ limit: 10, offset: 0 }, 2_000_000)).total, 0, 'never listed');
    const posts = new PostService({ store, clock: { now: () => 1_000_000 }, onContentChanged: () => {} });
    await assert.rejects(posts.update(owner, made.post.id, { title: 'Edited', markdown: 'x' }), /conversation of a page on another site/, 'its text is not edited as a post’s');
    await service.removeSite(owner, site.id);
    assert.equal((await store.embeds.threadOfPost(made.post.id))?.pageUrl, 'https://notes.example/a/', 'the thread stays');
    await assert.rejects(service.threadFor('https://notes.example/a/', 'A', '192.0.2.1'), /not among the sites/);
    assert.deepEqual(changes, ['embed-sites-changed', `embed-thread-created:${made.post.id}`, 'embed-sites-changed']);
  });
});
