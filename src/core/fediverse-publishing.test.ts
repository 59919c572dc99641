import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activitiesForChange } from './fediverse-publishing.ts';
import type { Post } from './store.ts';

const NOW = 1_800_000_000_000;

const live: Post = {
  id: 7,
  type: 'post',
  slug: 'hello-fediverse',
  title: 'Hello, fediverse',
  markdown: 'Hi.',
  html: '<p>Hi.</p>',
  excerpt: 'Hi.',
  status: 'published',
  visibility: 'public',
  publishedAt: NOW - 1000,
  authorId: 1,
  coverImage: null,
  createdAt: NOW - 5000,
  updatedAt: NOW - 1000,
  deletedAt: null,
  tags: [],
  commentsMode: 'inherit',
  commentsCloseDays: null,
  password: null,
  metaDescription: null,
  socialImage: null,
  canonicalUrl: null,
};
const draft: Post = { ...live, status: 'draft', publishedAt: null };

const types = (before: Post, after: Post) => activitiesForChange(before, after, NOW).map((a) => `${a.type} ${a.post.slug}`);

describe('what followers are told when a post changes', () => {
  it('publishing, a scheduled post coming due and a restore from the trash create it', () => {
    assert.deepEqual(types(draft, live), ['Create hello-fediverse']);
    assert.deepEqual(types({ ...live, status: 'scheduled' }, live), ['Create hello-fediverse']);
    assert.deepEqual(types({ ...live, deletedAt: NOW - 10 }, live), ['Create hello-fediverse']);
    assert.deepEqual(types(draft, { ...live, visibility: 'unlisted' }), ['Create hello-fediverse'], 'unlisted posts reach followers too');
  });

  it('an edit that changes what the Article shows updates it; a save that changes nothing sends nothing', () => {
    assert.deepEqual(types(live, { ...live, title: 'Hello again', updatedAt: NOW }), ['Update hello-fediverse']);
    assert.deepEqual(types(live, { ...live, tags: [{ id: 1, slug: 'ap', name: 'ap' }] }), ['Update hello-fediverse']);
    assert.deepEqual(types(live, { ...live, visibility: 'unlisted' }), ['Update hello-fediverse']);
    assert.deepEqual(types(live, { ...live, markdown: 'Hi.\n', updatedAt: NOW }), [], 'the same HTML');
  });

  it('unpublishing, trashing, a password or turning it into a page deletes it', () => {
    assert.deepEqual(types(live, { ...live, status: 'draft' }), ['Delete hello-fediverse']);
    assert.deepEqual(types(live, { ...live, deletedAt: NOW }), ['Delete hello-fediverse']);
    assert.deepEqual(types(live, { ...live, password: 'secret' }), ['Delete hello-fediverse']);
    assert.deepEqual(types(live, { ...live, type: 'page' }), ['Delete hello-fediverse']);
  });

  it('a new address deletes the old Article before creating the new one', () => {
    assert.deepEqual(types(live, { ...live, slug: 'hello-again' }), ['Delete hello-fediverse', 'Create hello-again']);
  });

  it('drafts, pages, protected and future posts are never sent', () => {
    assert.deepEqual(types(draft, { ...draft, title: 'x' }), []);
    assert.deepEqual(types(draft, { ...live, type: 'page' }), []);
    assert.deepEqual(types(draft, { ...live, password: 'secret' }), []);
    assert.deepEqual(types(draft, { ...live, status: 'scheduled', publishedAt: NOW + 60_000 }), []);
    assert.deepEqual(types({ ...live, deletedAt: NOW - 10 }, { ...live, deletedAt: NOW }), [], 'trashed twice');
  });
});
