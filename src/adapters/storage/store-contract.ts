import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DomainError } from '../../core/errors.ts';
import type { Comment, CommentWrite, Post, PostWrite, Store, User } from '../../core/store.ts';
import { deliveryAddress } from '../../core/federation-store.ts';

/** A fixed "now" for every test: 15 January 2024, noon UTC. */
const NOW = Date.UTC(2024, 0, 15, 12);
const DAY = 86_400_000;

/** Rejects with a DomainError carrying `code`. */
async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DomainError, `expected a DomainError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

const ids = (posts: { id: number }[]) => posts.map((p) => p.id);
const slugs = (posts: Post[]) => posts.map((p) => p.slug);

function userInput(name: string, overrides: Partial<Omit<User, 'id'>> = {}): Omit<User, 'id'> {
  const slug = name.toLowerCase();
  return { email: `${slug}@example.com`, name, slug, bio: '', role: 'author', passwordHash: null, createdAt: NOW, ...overrides };
}

function postWrite(authorId: number, slug: string, overrides: Partial<PostWrite> = {}): PostWrite {
  const markdown = overrides.markdown ?? `Words about ${slug}.`;
  return {
    type: 'post',
    slug,
    title: `Title of ${slug}`,
    markdown,
    html: `<p>${markdown}</p>`,
    excerpt: markdown,
    status: 'published',
    visibility: 'public',
    publishedAt: NOW - DAY,
    authorId,
    coverImage: null,
    commentsMode: 'inherit',
    commentsCloseDays: null,
    tags: [],
    ...overrides,
  };
}

function commentWrite(postId: number, overrides: Partial<CommentWrite> = {}): CommentWrite {
  return {
    postId,
    parentId: null,
    personId: null,
    userId: null,
    authorName: 'Reader',
    authorEmail: 'reader@example.com',
    authorUrl: null,
    markdown: 'Nice.',
    html: '<p>Nice.</p>',
    status: 'approved',
    createdAt: NOW,
    ...overrides,
  };
}

/**
 * The behaviour every storage engine must show. Each test gets a fresh, empty store from
 * `open`, so no test depends on another's data.
 */
export function storeContract(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });

    afterEach(async () => {
      await cleanup();
    });

    /** A user who can own posts. */
    const author = (name = 'Ada') => store.users.create(userInput(name));

    it('answers a ping', async () => {
      await store.ping();
    });

    it('checks that it can write, and leaves nothing behind', async () => {
      const before = await store.settings.getAll();
      await store.checkWrites();
      assert.deepEqual(await store.settings.getAll(), before);
    });

    describe('users', () => {
      it('creates a user and finds it by id, by email in any case, and by slug', async () => {
        const ada = await store.users.create(userInput('Ada', { bio: 'Engineer', role: 'owner', passwordHash: 'hash' }));
        assert.ok(ada.id > 0);
        assert.deepEqual(ada, { id: ada.id, email: 'ada@example.com', name: 'Ada', slug: 'ada', bio: 'Engineer', role: 'owner', passwordHash: 'hash', createdAt: NOW });
        assert.deepEqual(await store.users.findById(ada.id), ada);
        assert.deepEqual(await store.users.findByEmail('  ADA@Example.com '), ada);
        assert.deepEqual(await store.users.findBySlug('ada'), ada);
        assert.equal(await store.users.findByEmail('nobody@example.com'), null);
        assert.equal(await store.users.findBySlug('nobody'), null);
        assert.equal(await store.users.findById(ada.id + 1000), null);
      });

      it('lists users in creation order and counts them', async () => {
        assert.equal(await store.users.count(), 0);
        const ada = await author('Ada');
        const bob = await author('Bob');
        assert.deepEqual(ids(await store.users.list()), [ada.id, bob.id]);
        assert.equal(await store.users.count(), 2);
      });

      it('updates only the given fields', async () => {
        const ada = await author('Ada');
        const updated = await store.users.update(ada.id, { name: 'Ada L.', bio: 'Counts', role: 'moderator', passwordHash: 'new' });
        assert.deepEqual(updated, { ...ada, name: 'Ada L.', bio: 'Counts', role: 'moderator', passwordHash: 'new' });
        assert.deepEqual(await store.users.update(ada.id, {}), updated);
        assert.deepEqual(await store.users.update(ada.id, { passwordHash: null }), { ...updated, passwordHash: null });
        await rejectsWith(store.users.update(ada.id + 1000, { name: 'Ghost' }), 'not_found');
      });

      it('refuses a second user with the same email or slug (conflict)', async () => {
        const ada = await author('Ada');
        const bob = await author('Bob');
        await rejectsWith(store.users.create(userInput('Ada2', { email: 'ada@example.com' })), 'conflict');
        await rejectsWith(store.users.create(userInput('Ada3', { slug: 'ada' })), 'conflict');
        await rejectsWith(store.users.update(bob.id, { email: 'ada@example.com' }), 'conflict');
        await rejectsWith(store.users.update(bob.id, { slug: 'ada' }), 'conflict');
        assert.equal(await store.users.count(), 2);
        assert.deepEqual(await store.users.findById(bob.id), bob);
        assert.deepEqual(await store.users.update(ada.id, { email: 'ada@example.com', slug: 'ada' }), ada);
      });

      it('deletes a user, moving their posts to the heir and ending their sessions and tokens', async () => {
        const ada = await author('Ada');
        const bob = await author('Bob');
        const post = await store.posts.create(postWrite(bob.id, 'bobs-post'), NOW);
        await store.sessions.create({ idHash: 'bob-session', userId: bob.id, csrfToken: 'csrf', createdAt: NOW, expiresAt: NOW + DAY });
        await store.apiTokens.create({ userId: bob.id, name: 'cli', prefix: 'kb_1', tokenHash: 'bob-token', scopes: 'read', expiresAt: null, createdAt: NOW });
        const comment = await store.comments.create(commentWrite(post.id, { userId: bob.id }));

        await store.users.delete(bob.id, ada.id);

        assert.equal(await store.users.findById(bob.id), null);
        assert.equal((await store.posts.findById(post.id))?.authorId, ada.id);
        assert.equal(await store.sessions.find('bob-session', NOW), null);
        assert.equal(await store.apiTokens.findByHash('bob-token'), null);
        assert.equal((await store.comments.findById(comment.id))?.userId, null);
        await rejectsWith(store.users.delete(bob.id, ada.id), 'not_found');
      });
    });

    describe('posts', () => {
      it('creates a post with its html, excerpt, times and tags in the given order', async () => {
        const ada = await author();
        const write = postWrite(ada.id, 'hello', {
          title: 'Hello',
          markdown: 'Hi *there*',
          html: '<p>Hi <em>there</em></p>',
          excerpt: 'Hi there',
          coverImage: '/media/cover.png',
          tags: [' Zebra ', 'apple', 'zebra', '  ', 'Mango Tree'],
        });
        const post = await store.posts.create(write, NOW);
        assert.ok(post.id > 0);
        assert.deepEqual(
          { ...post, tags: post.tags.map((t) => [t.slug, t.name]) },
          {
            id: post.id,
            type: 'post',
            slug: 'hello',
            title: 'Hello',
            markdown: 'Hi *there*',
            html: '<p>Hi <em>there</em></p>',
            excerpt: 'Hi there',
            status: 'published',
            visibility: 'public',
            publishedAt: NOW - DAY,
            authorId: ada.id,
            coverImage: '/media/cover.png',
            createdAt: NOW,
            updatedAt: NOW,
            deletedAt: null,
            commentsMode: 'inherit',
            commentsCloseDays: null,
            password: null,
            metaDescription: null,
            socialImage: null,
            canonicalUrl: null,
            tags: [
              ['zebra', 'Zebra'],
              ['apple', 'apple'],
              ['mango-tree', 'Mango Tree'],
            ],
          },
        );
        assert.deepEqual(await store.posts.findById(post.id), post);
        assert.deepEqual(await store.posts.findBySlug('hello'), post);
      });

      it('updates every field, replacing the tags and keeping the creation time', async () => {
        const ada = await author('Ada');
        const bob = await author('Bob');
        const post = await store.posts.create(postWrite(ada.id, 'hello', { tags: ['One', 'Two'] }), NOW);
        const two = post.tags[1];
        const updated = await store.posts.update(
          post.id,
          postWrite(bob.id, 'hello', {
            type: 'page',
            title: 'New title',
            markdown: 'New body',
            html: '<p>New body</p>',
            excerpt: 'New',
            status: 'draft',
            visibility: 'unlisted',
            publishedAt: null,
            coverImage: '/c.png',
            tags: ['three', 'two'],
          }),
          NOW + 1000,
        );
        assert.equal(updated.type, 'page');
        assert.equal(updated.title, 'New title');
        assert.equal(updated.markdown, 'New body');
        assert.equal(updated.html, '<p>New body</p>');
        assert.equal(updated.excerpt, 'New');
        assert.equal(updated.status, 'draft');
        assert.equal(updated.visibility, 'unlisted');
        assert.equal(updated.publishedAt, null);
        assert.equal(updated.authorId, bob.id);
        assert.equal(updated.coverImage, '/c.png');
        assert.equal(updated.createdAt, NOW);
        assert.equal(updated.updatedAt, NOW + 1000);
        assert.deepEqual(
          updated.tags.map((t) => t.slug),
          ['three', 'two'],
        );
        // An existing tag is matched by slug and keeps its id and name.
        assert.deepEqual(updated.tags[1], two);
        assert.deepEqual(await store.posts.findById(post.id), updated);
        await rejectsWith(store.posts.update(post.id + 1000, postWrite(ada.id, 'x'), NOW), 'not_found');
      });

      it('finds posts and pages by slug, but not trashed ones', async () => {
        const ada = await author();
        const page = await store.posts.create(postWrite(ada.id, 'about', { type: 'page' }), NOW);
        assert.equal((await store.posts.findBySlug('about'))?.id, page.id);
        await store.posts.trash(page.id, NOW);
        assert.equal(await store.posts.findBySlug('about'), null);
        assert.equal((await store.posts.findById(page.id))?.deletedAt, NOW);
        assert.equal(await store.posts.findBySlug('nothing'), null);
      });

      it('refuses a slug another post uses, on create and on update (slug_taken)', async () => {
        const ada = await author();
        await store.posts.create(postWrite(ada.id, 'taken'), NOW);
        const other = await store.posts.create(postWrite(ada.id, 'other'), NOW);
        await rejectsWith(store.posts.create(postWrite(ada.id, 'taken', { type: 'page' }), NOW), 'slug_taken');
        await rejectsWith(store.posts.update(other.id, postWrite(ada.id, 'taken'), NOW), 'slug_taken');
        assert.equal((await store.posts.findById(other.id))?.slug, 'other');
        assert.equal((await store.posts.listAdmin({ limit: 10, offset: 0 })).total, 2);
      });

      it('finds the next free slug among hundreds of copies, filling gaps, counting old slugs, ignoring look-alikes', async () => {
        const ada = await author();
        assert.equal(await store.posts.freeSlug('same'), 'same');
        const root = await store.posts.create(postWrite(ada.id, 'same'), NOW);
        assert.equal(await store.posts.freeSlug('same'), 'same-2');
        assert.equal(await store.posts.freeSlug('same', root.id), 'same', 'a post keeps its own slug');
        // same-2 … same-300, without same-150; same-150 was used by a post that moved on (an old slug).
        await store.transaction(async (tx) => {
          for (let n = 2; n <= 300; n++) if (n !== 150) await tx.posts.create(postWrite(ada.id, `same-${n}`), NOW);
        });
        const mover = await store.posts.create(postWrite(ada.id, 'same-150'), NOW);
        await store.posts.update(mover.id, postWrite(ada.id, 'moved-elsewhere'), NOW + 1);
        // Look-alikes that are not copies of "same".
        for (const slug of ['same-thing', 'same-02', 'same-0', 'samey', 'same-2-2', 'not-same-302']) await store.posts.create(postWrite(ada.id, slug), NOW);
        assert.equal(await store.posts.freeSlug('same'), 'same-301');
        assert.equal(await store.posts.freeSlug('same', mover.id), 'same-150', 'its own old slug is free to the post that had it');
        await store.posts.trash((await store.posts.findBySlug('same-77'))!.id, NOW + 2);
        assert.equal(await store.posts.freeSlug('same'), 'same-301', 'a trashed post keeps its slug');
        await store.posts.purge((await store.posts.listAdmin({ trashed: true, limit: 1, offset: 0 })).items[0].id);
        assert.equal(await store.posts.freeSlug('same'), 'same-77', 'a gap is filled first');
        assert.equal(await store.posts.freeSlug('same-2'), 'same-2-3');
        assert.equal(await store.posts.freeSlug('nothing-like-it'), 'nothing-like-it');
      });

      it('keeps an old slug answering and reserved after a slug change', async () => {
        const ada = await author();
        const post = await store.posts.create(postWrite(ada.id, 'first'), NOW);
        const moved = await store.posts.update(post.id, postWrite(ada.id, 'second'), NOW + 1);
        assert.equal(moved.slug, 'second');
        assert.equal(await store.posts.findBySlug('first'), null);
        assert.equal((await store.posts.findByOldSlug('first'))?.id, post.id);
        assert.equal(await store.posts.findByOldSlug('second'), null);
        assert.equal(await store.posts.slugInUse('first'), true);
        assert.equal(await store.posts.slugInUse('second'), true);
        assert.equal(await store.posts.slugInUse('first', post.id), false);
        assert.equal(await store.posts.slugInUse('second', post.id), false);
        assert.equal(await store.posts.slugInUse('third'), false);
        await rejectsWith(store.posts.create(postWrite(ada.id, 'first'), NOW), 'slug_taken');

        await store.posts.update(post.id, postWrite(ada.id, 'third'), NOW + 2);
        assert.equal((await store.posts.findByOldSlug('first'))?.id, post.id);
        assert.equal((await store.posts.findByOldSlug('second'))?.id, post.id);
      });

      it('moves a post back to its own old slug', async () => {
        const ada = await author();
        const post = await store.posts.create(postWrite(ada.id, 'a'), NOW);
        await store.posts.update(post.id, postWrite(ada.id, 'b'), NOW + 1);
        const back = await store.posts.update(post.id, postWrite(ada.id, 'a'), NOW + 2);
        assert.equal(back.slug, 'a');
        assert.equal((await store.posts.findBySlug('a'))?.id, post.id);
        assert.equal(await store.posts.findByOldSlug('a'), null);
        assert.equal((await store.posts.findByOldSlug('b'))?.id, post.id);
        assert.equal(await store.posts.slugInUse('b'), true);
        // And forth again.
        await store.posts.update(post.id, postWrite(ada.id, 'b'), NOW + 3);
        assert.equal((await store.posts.findBySlug('b'))?.id, post.id);
        assert.equal((await store.posts.findByOldSlug('a'))?.id, post.id);
      });

      it('does not answer old slugs of a trashed post, but keeps them reserved', async () => {
        const ada = await author();
        const post = await store.posts.create(postWrite(ada.id, 'old'), NOW);
        await store.posts.update(post.id, postWrite(ada.id, 'new'), NOW);
        await store.posts.trash(post.id, NOW);
        assert.equal(await store.posts.findByOldSlug('old'), null);
        assert.equal(await store.posts.slugInUse('old'), true);
        assert.equal(await store.posts.slugInUse('new'), true);
      });

      it('sets the status and publication time', async () => {
        const ada = await author();
        const post = await store.posts.create(postWrite(ada.id, 'draft', { status: 'draft', publishedAt: null }), NOW);
        const published = await store.posts.setStatus(post.id, 'published', NOW + 5, NOW + 10);
        assert.equal(published.status, 'published');
        assert.equal(published.publishedAt, NOW + 5);
        assert.equal(published.updatedAt, NOW + 10);
        assert.deepEqual(await store.posts.findById(post.id), published);
        await rejectsWith(store.posts.setStatus(post.id + 1000, 'draft', null, NOW), 'not_found');
      });

      it('hands out copies: changing a returned post does not change the store', async () => {
        const ada = await author();
        const post = await store.posts.create(postWrite(ada.id, 'solid', { tags: ['keep'] }), NOW);
        post.title = 'Changed';
        post.tags[0].name = 'Changed';
        post.tags.push({ id: 999, slug: 'x', name: 'x' });
        const again = await store.posts.findById(post.id);
        assert.equal(again?.title, 'Title of solid');
        assert.deepEqual(
          again?.tags.map((t) => t.name),
          ['keep'],
        );
        const user = (await store.users.findById(ada.id))!;
        user.name = 'Changed';
        assert.equal((await store.users.findById(ada.id))?.name, 'Ada');
      });
    });

    describe('published listings', () => {
      /** Three live entries plus one of each kind that must stay off the site. */
      async function seed() {
        const ada = await author('Ada');
        const bob = await author('Bob');
        const oldest = await store.posts.create(postWrite(ada.id, 'oldest', { publishedAt: Date.UTC(2023, 11, 20), tags: ['News'] }), NOW);
        const middle = await store.posts.create(postWrite(bob.id, 'middle', { publishedAt: Date.UTC(2024, 0, 5), tags: ['Other', 'news'] }), NOW);
        const page = await store.posts.create(postWrite(ada.id, 'page', { type: 'page', publishedAt: Date.UTC(2024, 0, 10) }), NOW);
        await store.posts.create(postWrite(ada.id, 'draft', { status: 'draft', publishedAt: null, tags: ['News'] }), NOW);
        await store.posts.create(postWrite(ada.id, 'scheduled', { status: 'scheduled', publishedAt: NOW + DAY }), NOW);
        await store.posts.create(postWrite(ada.id, 'unlisted', { visibility: 'unlisted', tags: ['News'] }), NOW);
        await store.posts.create(postWrite(ada.id, 'future', { publishedAt: NOW + 1 }), NOW);
        const trashed = await store.posts.create(postWrite(ada.id, 'trashed', { tags: ['News'] }), NOW);
        await store.posts.trash(trashed.id, NOW);
        return { ada, bob, oldest, middle, page };
      }

      it('lists only live posts and pages, newest first, with the total', async () => {
        await seed();
        const result = await store.posts.listPublished({ limit: 10, offset: 0 }, NOW);
        assert.deepEqual(slugs(result.items), ['page', 'middle', 'oldest']);
        assert.equal(result.total, 3);
        // A post goes live at its publication time exactly.
        const later = await store.posts.listPublished({ limit: 10, offset: 0 }, NOW + 1);
        assert.deepEqual(slugs(later.items), ['future', 'page', 'middle', 'oldest']);
      });

      it('filters by type, tag, author and time range', async () => {
        const { bob } = await seed();
        const list = async (q: object) => slugs((await store.posts.listPublished({ limit: 10, offset: 0, ...q }, NOW)).items);
        assert.deepEqual(await list({ type: 'post' }), ['middle', 'oldest']);
        assert.deepEqual(await list({ type: 'page' }), ['page']);
        assert.deepEqual(await list({ tagSlug: 'news' }), ['middle', 'oldest']);
        assert.deepEqual(await list({ tagSlug: 'other' }), ['middle']);
        assert.deepEqual(await list({ tagSlug: 'missing' }), []);
        assert.deepEqual(await list({ authorId: bob.id }), ['middle']);
        assert.deepEqual(await list({ from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 1, 1) }), ['page', 'middle']);
        assert.deepEqual(await list({ from: Date.UTC(2024, 0, 5) }), ['page', 'middle']);
        assert.deepEqual(await list({ to: Date.UTC(2024, 0, 5) }), ['oldest']);
        const filtered = await store.posts.listPublished({ type: 'post', tagSlug: 'news', limit: 1, offset: 0 }, NOW);
        assert.equal(filtered.total, 2);
      });

      it('pages with limit and offset, keeping the full total', async () => {
        await seed();
        const second = await store.posts.listPublished({ limit: 1, offset: 1 }, NOW);
        assert.deepEqual(slugs(second.items), ['middle']);
        assert.equal(second.total, 3);
        const beyond = await store.posts.listPublished({ limit: 5, offset: 10 }, NOW);
        assert.deepEqual(beyond.items, []);
        assert.equal(beyond.total, 3);
      });

      it('orders posts published at the same moment by id, newest first', async () => {
        const ada = await author();
        const first = await store.posts.create(postWrite(ada.id, 'same-1'), NOW);
        const second = await store.posts.create(postWrite(ada.id, 'same-2'), NOW);
        const result = await store.posts.listPublished({ limit: 10, offset: 0 }, NOW);
        assert.deepEqual(ids(result.items), [second.id, first.id]);
      });

      it('returns each post with its tags in order', async () => {
        await seed();
        const result = await store.posts.listPublished({ tagSlug: 'other', limit: 10, offset: 0 }, NOW);
        assert.deepEqual(
          result.items[0].tags.map((t) => t.slug),
          ['other', 'news'],
        );
      });
    });

    describe('admin listings', () => {
      async function seed() {
        const ada = await author('Ada');
        const bob = await author('Bob');
        const make = (slug: string, at: number, overrides: Partial<PostWrite> = {}) => store.posts.create(postWrite(ada.id, slug, overrides), at);
        const draft = await make('draft', NOW + 1, { status: 'draft', publishedAt: null, title: 'A Draft about Cats', tags: ['Pets'] });
        const scheduled = await make('scheduled', NOW + 2, { status: 'scheduled', publishedAt: NOW + DAY, title: '100% Sure' });
        const published = await make('published', NOW + 3, { title: 'Dogs and cats', tags: ['pets', 'Dogs'] });
        const page = await make('page', NOW + 4, { type: 'page', title: 'About me', authorId: bob.id });
        const trashed = await make('trashed', NOW + 5, { title: 'Old cats' });
        await store.posts.trash(trashed.id, NOW + 6);
        return { ada, bob, draft, scheduled, published, page, trashed };
      }
      const list = async (store: Store, q: object) => store.posts.listAdmin({ limit: 10, offset: 0, ...q });

      it('lists everything outside the trash, recently updated first', async () => {
        const { draft, scheduled, published, page } = await seed();
        const result = await list(store, {});
        assert.deepEqual(ids(result.items), [page.id, published.id, scheduled.id, draft.id]);
        assert.equal(result.total, 4);
        await store.posts.update(draft.id, postWrite(draft.authorId, 'draft', { status: 'draft', publishedAt: null }), NOW + 100);
        assert.equal((await list(store, {})).items[0].id, draft.id);
      });

      it('filters by status, type, author, tag and trash', async () => {
        const { bob, draft, scheduled, published, page, trashed } = await seed();
        assert.deepEqual(ids((await list(store, { status: 'draft' })).items), [draft.id]);
        assert.deepEqual(ids((await list(store, { status: 'scheduled' })).items), [scheduled.id]);
        assert.deepEqual(ids((await list(store, { status: 'published' })).items), [page.id, published.id]);
        assert.deepEqual(ids((await list(store, { type: 'page' })).items), [page.id]);
        assert.deepEqual(ids((await list(store, { authorId: bob.id })).items), [page.id]);
        assert.deepEqual(ids((await list(store, { tagSlug: 'pets' })).items), [published.id, draft.id]);
        assert.deepEqual(ids((await list(store, { tagSlug: 'dogs', status: 'draft' })).items), []);
        const trash = await list(store, { trashed: true });
        assert.deepEqual(ids(trash.items), [trashed.id]);
        assert.equal(trash.total, 1);
        assert.equal((await list(store, { trashed: false })).total, 4);
      });

      it('lists unpublished posts only of the author asked for, or none', async () => {
        const { ada, bob, draft, scheduled, published, page } = await seed();
        const bobsDraft = await store.posts.create(postWrite(bob.id, 'bobs-draft', { status: 'draft', publishedAt: null, title: 'Bob thinks' }), NOW + 7);
        assert.deepEqual(ids((await list(store, { unpublishedBy: ada.id })).items), [page.id, published.id, scheduled.id, draft.id]);
        const bobs = await list(store, { unpublishedBy: bob.id });
        assert.deepEqual(ids(bobs.items), [bobsDraft.id, page.id, published.id]);
        assert.equal(bobs.total, 3);
        const none = await list(store, { unpublishedBy: null });
        assert.deepEqual(ids(none.items), [page.id, published.id]);
        assert.equal(none.total, 2);
        assert.equal((await list(store, { unpublishedBy: null, status: 'draft' })).total, 0);
        assert.equal((await list(store, {})).total, 5);
      });

      it('matches a piece of the title or the text in any case, taking % and _ literally', async () => {
        const { draft, scheduled, published, trashed } = await seed();
        assert.deepEqual(ids((await list(store, { text: 'CATS' })).items), [published.id, draft.id]);
        assert.deepEqual(ids((await list(store, { text: 'cats', trashed: true })).items), [trashed.id]);
        assert.deepEqual(ids((await list(store, { text: '0% s' })).items), [scheduled.id]);
        assert.deepEqual(ids((await list(store, { text: '%' })).items), [scheduled.id]);
        assert.deepEqual(ids((await list(store, { text: '_' })).items), []);
        assert.equal((await list(store, { text: 'nothing like it' })).total, 0);
        // In the Markdown as well ("Words about scheduled."), not only the title.
        assert.deepEqual(ids((await list(store, { text: 'ABOUT SCHEDULED' })).items), [scheduled.id]);
      });

      it('pages with limit and offset, keeping the full total', async () => {
        const { published, scheduled } = await seed();
        const result = await store.posts.listAdmin({ limit: 2, offset: 1 });
        assert.deepEqual(ids(result.items), [published.id, scheduled.id]);
        assert.equal(result.total, 4);
      });
    });

    describe('trash', () => {
      it('trashes and restores a post', async () => {
        const ada = await author();
        const post = await store.posts.create(postWrite(ada.id, 'post'), NOW);
        await store.posts.trash(post.id, NOW + 1);
        assert.equal((await store.posts.findById(post.id))?.deletedAt, NOW + 1);
        assert.equal((await store.posts.listPublished({ limit: 10, offset: 0 }, NOW + 2)).total, 0);
        await rejectsWith(store.posts.trash(post.id, NOW + 2), 'not_found');

        await store.posts.restore(post.id, NOW + 3);
        const restored = await store.posts.findById(post.id);
        assert.equal(restored?.deletedAt, null);
        assert.equal(restored?.updatedAt, NOW + 3);
        assert.equal((await store.posts.findBySlug('post'))?.id, post.id);
        await rejectsWith(store.posts.restore(post.id, NOW + 4), 'not_found');
        await rejectsWith(store.posts.trash(post.id + 1000, NOW), 'not_found');
      });

      it('purges only from the trash, with comments and old slugs', async () => {
        const ada = await author();
        const post = await store.posts.create(postWrite(ada.id, 'doomed', { tags: ['kept'] }), NOW);
        await store.posts.update(post.id, postWrite(ada.id, 'doomed-2', { tags: ['kept'] }), NOW);
        const parent = await store.comments.create(commentWrite(post.id));
        const reply = await store.comments.create(commentWrite(post.id, { parentId: parent.id }));
        const other = await store.posts.create(postWrite(ada.id, 'other'), NOW);
        const otherComment = await store.comments.create(commentWrite(other.id));

        await rejectsWith(store.posts.purge(post.id), 'not_found');
        await store.posts.trash(post.id, NOW);
        await store.posts.purge(post.id);

        assert.equal(await store.posts.findById(post.id), null);
        assert.equal(await store.comments.findById(parent.id), null);
        assert.equal(await store.comments.findById(reply.id), null);
        assert.deepEqual(await store.comments.findById(otherComment.id), otherComment);
        assert.equal(await store.posts.slugInUse('doomed'), false);
        assert.equal(await store.posts.slugInUse('doomed-2'), false);
        assert.equal(await store.posts.findByOldSlug('doomed'), null);
        assert.ok(await store.tags.findBySlug('kept'));
        await rejectsWith(store.posts.purge(post.id), 'not_found');
        // The freed slug can be used again.
        await store.posts.create(postWrite(ada.id, 'doomed'), NOW);
      });
    });

    describe('scheduling', () => {
      it('publishes the scheduled posts whose time has come and returns them', async () => {
        const ada = await author();
        const due = await store.posts.create(postWrite(ada.id, 'due', { status: 'scheduled', publishedAt: NOW - 1 }), NOW - DAY);
        const exactly = await store.posts.create(postWrite(ada.id, 'exactly', { status: 'scheduled', publishedAt: NOW }), NOW - DAY);
        const later = await store.posts.create(postWrite(ada.id, 'later', { status: 'scheduled', publishedAt: NOW + 1 }), NOW - DAY);
        const draft = await store.posts.create(postWrite(ada.id, 'draft', { status: 'draft', publishedAt: NOW - 1 }), NOW - DAY);
        const trashed = await store.posts.create(postWrite(ada.id, 'trashed', { status: 'scheduled', publishedAt: NOW - 1 }), NOW - DAY);
        await store.posts.trash(trashed.id, NOW - DAY);

        const published = await store.posts.publishDue(NOW);
        assert.deepEqual(ids(published).sort((a, b) => a - b), [due.id, exactly.id]);
        assert.ok(published.every((p) => p.status === 'published'));
        assert.equal((await store.posts.findById(due.id))?.status, 'published');
        assert.equal((await store.posts.findById(later.id))?.status, 'scheduled');
        assert.equal((await store.posts.findById(draft.id))?.status, 'draft');
        assert.equal((await store.posts.findById(trashed.id))?.status, 'scheduled');
        assert.deepEqual(await store.posts.publishDue(NOW), []);
        assert.deepEqual(slugs((await store.posts.listPublished({ limit: 10, offset: 0 }, NOW)).items), ['exactly', 'due']);
      });

      it('tells when the next scheduled post is due', async () => {
        const ada = await author();
        assert.equal(await store.posts.nextScheduledAt(), null);
        await store.posts.create(postWrite(ada.id, 'draft', { status: 'draft', publishedAt: NOW + 1 }), NOW);
        await store.posts.create(postWrite(ada.id, 'live', { publishedAt: NOW + 2 }), NOW);
        assert.equal(await store.posts.nextScheduledAt(), null);
        const soon = await store.posts.create(postWrite(ada.id, 'soon', { status: 'scheduled', publishedAt: NOW + 10 }), NOW);
        await store.posts.create(postWrite(ada.id, 'later', { status: 'scheduled', publishedAt: NOW + 20 }), NOW);
        assert.equal(await store.posts.nextScheduledAt(), NOW + 10);
        await store.posts.trash(soon.id, NOW);
        assert.equal(await store.posts.nextScheduledAt(), NOW + 20);
      });
    });

    describe('search', () => {
      async function seed() {
        const ada = await author();
        const body = (text: string) => ({ markdown: text, html: `<p>${text}</p>`, excerpt: text });
        const inBody = await store.posts.create(
          postWrite(ada.id, 'in-body', {
            title: 'Notes from the coast',
            ...body('We walked along the shore for hours and finally saw a <strong>pelican</strong> diving for fish near the harbour wall.'),
            publishedAt: NOW - 2 * DAY,
          }),
          NOW,
        );
        const inTitle = await store.posts.create(
          postWrite(ada.id, 'in-title', { title: 'Pelican migration', ...body('Birds travel south in winter.'), publishedAt: NOW - 3 * DAY }),
          NOW,
        );
        const hidden = { ...body('A pelican everywhere.'), title: 'Pelican secrets' };
        await store.posts.create(postWrite(ada.id, 'draft', { ...hidden, status: 'draft', publishedAt: null }), NOW);
        await store.posts.create(postWrite(ada.id, 'unlisted', { ...hidden, visibility: 'unlisted' }), NOW);
        await store.posts.create(postWrite(ada.id, 'future', { ...hidden, publishedAt: NOW + DAY }), NOW);
        const trashed = await store.posts.create(postWrite(ada.id, 'trashed', hidden), NOW);
        await store.posts.trash(trashed.id, NOW);
        return { inBody, inTitle };
      }

      it('finds a live post by a word of its body, with a snippet around it', async () => {
        const { inBody } = await seed();
        const hits = await store.posts.search('harbour', 10, NOW);
        assert.deepEqual(
          hits.map((h) => h.post.id),
          [inBody.id],
        );
        assert.match(hits[0].snippet, /harbour/i);
        assert.equal(hits[0].post.slug, 'in-body');
      });

      it('finds by title, in any case, title matches first, never drafts, unlisted, future or trashed posts', async () => {
        const { inBody, inTitle } = await seed();
        const hits = await store.posts.search('PELICAN', 10, NOW);
        assert.deepEqual(
          hits.map((h) => h.post.id),
          [inTitle.id, inBody.id],
        );
        for (const hit of hits) assert.ok(hit.snippet.length > 0, 'snippet should not be empty');
        assert.deepEqual(
          (await store.posts.search('pelican', 1, NOW)).map((h) => h.post.id),
          [inTitle.id],
        );
      });

      it('needs every word to match, in the title or the body', async () => {
        const { inBody, inTitle } = await seed();
        assert.deepEqual(
          (await store.posts.search('pelican harbour', 10, NOW)).map((h) => h.post.id),
          [inBody.id],
        );
        assert.deepEqual(
          (await store.posts.search('migration winter', 10, NOW)).map((h) => h.post.id),
          [inTitle.id],
        );
        assert.deepEqual(await store.posts.search('pelican giraffe', 10, NOW), []);
      });

      it('treats the last word as a prefix, as a search box does while typing', async () => {
        const { inBody } = await seed();
        assert.deepEqual(
          (await store.posts.search('pelican harb', 10, NOW)).map((h) => h.post.id),
          [inBody.id],
        );
      });

      it('finds nothing for text without words', async () => {
        await seed();
        assert.deepEqual(await store.posts.search('', 10, NOW), []);
        assert.deepEqual(await store.posts.search(' *:- "" ', 10, NOW), []);
      });
    });

    describe('password-protected posts', () => {
      it('keeps the password through create and updates that leave it out, and clears it with null', async () => {
        const ada = await author();
        const post = await store.posts.create(postWrite(ada.id, 'locked', { password: 'enter' }), NOW);
        assert.equal(post.password, 'enter');
        assert.equal((await store.posts.findBySlug('locked'))?.password, 'enter');
        const { password: _left, ...withoutPassword } = postWrite(ada.id, 'locked', { title: 'Renamed' });
        const renamed = await store.posts.update(post.id, withoutPassword, NOW + 1);
        assert.equal(renamed.title, 'Renamed');
        assert.equal(renamed.password, 'enter', 'an update that does not mention the password keeps it');
        const changed = await store.posts.update(post.id, postWrite(ada.id, 'locked', { password: 'new one' }), NOW + 2);
        assert.equal(changed.password, 'new one');
        const opened = await store.posts.update(post.id, postWrite(ada.id, 'locked', { password: null }), NOW + 3);
        assert.equal(opened.password, null);
      });

      it('does not search a protected post’s body (search would show it), only its title', async () => {
        const ada = await author();
        const locked = await store.posts.create(postWrite(ada.id, 'locked', { title: 'Cormorant diary', markdown: 'The secret albatross colony.', html: '<p>The secret albatross colony.</p>', password: 'enter' }), NOW);
        const open = await store.posts.create(postWrite(ada.id, 'open', { markdown: 'An albatross flew by.', html: '<p>An albatross flew by.</p>' }), NOW);
        assert.deepEqual((await store.posts.search('albatross', 10, NOW)).map((h) => h.post.id), [open.id]);
        assert.deepEqual((await store.posts.search('cormorant', 10, NOW)).map((h) => h.post.id), [locked.id]);
        for (const hit of await store.posts.search('cormorant', 10, NOW)) assert.doesNotMatch(hit.snippet, /albatross/);
        // Removing the password makes the body searchable again; setting one hides it again.
        await store.posts.update(locked.id, { ...postWrite(ada.id, 'locked', { markdown: 'The secret albatross colony.', html: '<p>The secret albatross colony.</p>' }), password: null }, NOW + 1);
        assert.deepEqual((await store.posts.search('albatross', 10, NOW)).map((h) => h.post.id).sort(), [locked.id, open.id].sort());
        await store.posts.update(locked.id, { ...postWrite(ada.id, 'locked', { markdown: 'The secret albatross colony.', html: '<p>The secret albatross colony.</p>' }), password: 'again' }, NOW + 2);
        assert.deepEqual((await store.posts.search('albatross', 10, NOW)).map((h) => h.post.id), [open.id]);
      });
    });

    describe('archive', () => {
      it('counts live posts by UTC month, newest first, leaving out pages and hidden posts', async () => {
        const ada = await author();
        const at = (slug: string, publishedAt: number, overrides: Partial<PostWrite> = {}) =>
          store.posts.create(postWrite(ada.id, slug, { publishedAt, ...overrides }), NOW);
        await at('jan-first', Date.UTC(2024, 0, 1, 0, 0));
        await at('jan-later', Date.UTC(2024, 0, 14));
        await at('dec-last', Date.UTC(2023, 11, 31, 23, 59, 59, 999));
        await at('oct', Date.UTC(2023, 9, 3));
        await at('page', Date.UTC(2023, 10, 3), { type: 'page' });
        await at('unlisted', Date.UTC(2023, 10, 4), { visibility: 'unlisted' });
        await at('draft', Date.UTC(2023, 10, 5), { status: 'draft' });
        await at('future', NOW + 1);
        const trashed = await at('trashed', Date.UTC(2023, 10, 6));
        await store.posts.trash(trashed.id, NOW);
        assert.deepEqual(await store.posts.archiveMonths(NOW), [
          { year: 2024, month: 1, count: 2 },
          { year: 2023, month: 12, count: 1 },
          { year: 2023, month: 10, count: 1 },
        ]);
      });

      it('is empty without posts', async () => {
        assert.deepEqual(await store.posts.archiveMonths(NOW), []);
      });
    });

    describe('tags', () => {
      it('lists every tag by name with its count of live public posts', async () => {
        const ada = await author();
        await store.posts.create(postWrite(ada.id, 'a', { tags: ['cooking', 'travel'] }), NOW);
        await store.posts.create(postWrite(ada.id, 'b', { tags: ['travel'] }), NOW);
        await store.posts.create(postWrite(ada.id, 'c', { tags: ['travel', 'music'], status: 'draft', publishedAt: null }), NOW);
        await store.posts.create(postWrite(ada.id, 'd', { tags: ['music'], visibility: 'unlisted' }), NOW);
        await store.posts.create(postWrite(ada.id, 'e', { tags: ['music'], publishedAt: NOW + 1 }), NOW);
        const trashed = await store.posts.create(postWrite(ada.id, 'f', { tags: ['cooking'] }), NOW);
        await store.posts.trash(trashed.id, NOW);
        const counts = (await store.tags.listWithCounts(NOW)).map((t) => [t.slug, t.name, t.postCount]);
        assert.deepEqual(counts, [
          ['cooking', 'cooking', 1],
          ['music', 'music', 0],
          ['travel', 'travel', 2],
        ]);
        const later = (await store.tags.listWithCounts(NOW + 1)).map((t) => [t.slug, t.postCount]);
        assert.deepEqual(later, [
          ['cooking', 1],
          ['music', 1],
          ['travel', 2],
        ]);
      });

      it('finds a tag by slug', async () => {
        const ada = await author();
        const post = await store.posts.create(postWrite(ada.id, 'a', { tags: ['Home Cooking'] }), NOW);
        assert.deepEqual(await store.tags.findBySlug('home-cooking'), post.tags[0]);
        assert.deepEqual(post.tags[0], { id: post.tags[0].id, slug: 'home-cooking', name: 'Home Cooking' });
        assert.equal(await store.tags.findBySlug('missing'), null);
      });

      it('renames a tag, refusing a slug another tag has', async () => {
        const ada = await author();
        const post = await store.posts.create(postWrite(ada.id, 'a', { tags: ['old', 'other'] }), NOW);
        const [old, other] = post.tags;
        const renamed = await store.tags.rename(old.id, 'New Name', 'new-name');
        assert.deepEqual(renamed, { id: old.id, slug: 'new-name', name: 'New Name' });
        assert.deepEqual((await store.posts.findById(post.id))?.tags[0], renamed);
        assert.equal(await store.tags.findBySlug('old'), null);
        assert.deepEqual(await store.tags.rename(old.id, 'New name', 'new-name'), { ...renamed, name: 'New name' });
        await rejectsWith(store.tags.rename(old.id, 'Other', 'other'), 'slug_taken');
        assert.deepEqual(await store.tags.findBySlug('other'), other);
        await rejectsWith(store.tags.rename(old.id + 1000, 'x', 'x'), 'not_found');
      });

      it('creates a tag on no post; an address taken is refused', async () => {
        const ada = await author();
        await store.posts.create(postWrite(ada.id, 'a', { tags: ['taken'] }), NOW);
        const made = await store.tags.create('Fresh Tag', 'fresh-tag');
        assert.deepEqual(await store.tags.findBySlug('fresh-tag'), made);
        assert.equal((await store.tags.listWithCounts(NOW)).find((t) => t.id === made.id)?.postCount, 0);
        await rejectsWith(store.tags.create('Taken again', 'taken'), 'slug_taken');
        const post = await store.posts.create(postWrite(ada.id, 'b', { tags: ['Fresh Tag'] }), NOW);
        assert.equal(post.tags[0].id, made.id, 'a post naming it uses it');
      });

      it('deletes a tag, taking it off its posts', async () => {
        const ada = await author();
        const post = await store.posts.create(postWrite(ada.id, 'a', { tags: ['one', 'two', 'three'] }), NOW);
        await store.tags.delete(post.tags[1].id);
        assert.deepEqual(
          (await store.posts.findById(post.id))?.tags.map((t) => t.slug),
          ['one', 'three'],
        );
        assert.equal(await store.tags.findBySlug('two'), null);
        await rejectsWith(store.tags.delete(post.tags[1].id), 'not_found');
      });
    });

    describe('comments', () => {
      it('creates a comment and finds it by id', async () => {
        const ada = await author();
        const post = await store.posts.create(postWrite(ada.id, 'a'), NOW);
        const person = await store.people.upsertByEmail({ name: 'Reader', email: 'reader@example.com', website: null }, NOW);
        const parent = await store.comments.create(commentWrite(post.id));
        const write = commentWrite(post.id, {
          parentId: parent.id,
          personId: person.id,
          userId: ada.id,
          authorName: 'Ada',
          authorEmail: 'ada@example.com',
          authorUrl: 'https://ada.example',
          markdown: '**Thanks**',
          html: '<p><strong>Thanks</strong></p>',
          status: 'pending',
          createdAt: NOW + 5,
        });
        const comment = await store.comments.create(write);
        assert.ok(comment.id > parent.id);
        assert.deepEqual(comment, {
          id: comment.id,
          ...write,
          rootId: parent.id,
          depth: 1,
          moderationReasons: [],
          spamScore: null,
          source: 'form',
          updatedAt: write.createdAt,
          editedAt: null,
          statusChangedAt: write.createdAt,
          editTokenHash: null,
          ip: null,
          userAgent: null,
          learnedAs: null,
        });
        assert.deepEqual(await store.comments.findById(comment.id), comment);
        assert.equal(await store.comments.findById(comment.id + 1000), null);
      });

      it('lists the approved comments of a post, oldest first', async () => {
        const ada = await author();
        const post = await store.posts.create(postWrite(ada.id, 'a'), NOW);
        const other = await store.posts.create(postWrite(ada.id, 'b'), NOW);
        const create = (overrides: Partial<Comment>) => store.comments.create(commentWrite(post.id, overrides));
        const second = await create({ createdAt: NOW + 20 });
        const first = await create({ createdAt: NOW + 10 });
        const third = await create({ createdAt: NOW + 20 });
        await create({ createdAt: NOW, status: 'pending' });
        await create({ createdAt: NOW, status: 'spam' });
        await create({ createdAt: NOW, status: 'trash' });
        await store.comments.create(commentWrite(other.id));
        assert.deepEqual(ids(await store.comments.listApproved(post.id)), [first.id, second.id, third.id]);
      });

      it('counts approved comments per post', async () => {
        const ada = await author();
        const a = await store.posts.create(postWrite(ada.id, 'a'), NOW);
        const b = await store.posts.create(postWrite(ada.id, 'b'), NOW);
        const c = await store.posts.create(postWrite(ada.id, 'c'), NOW);
        await store.comments.create(commentWrite(a.id));
        await store.comments.create(commentWrite(a.id));
        await store.comments.create(commentWrite(a.id, { status: 'pending' }));
        await store.comments.create(commentWrite(b.id));
        await store.comments.create(commentWrite(c.id));
        await store.comments.create(commentWrite(c.id, { status: 'spam' }));
        const counts = await store.comments.countApproved([a.id, b.id]);
        assert.deepEqual([...counts.entries()].sort(([x], [y]) => x - y), [
          [a.id, 2],
          [b.id, 1],
        ]);
        assert.equal((await store.comments.countApproved([])).size, 0);
      });
    });

    describe('people', () => {
      it('creates a person with a normalised email, and merges later comers by that email', async () => {
        const first = await store.people.upsertByEmail({ name: 'Reader', email: ' Reader@Example.COM ', website: null }, NOW);
        assert.deepEqual(first, { id: first.id, name: 'Reader', email: 'reader@example.com', website: null, createdAt: NOW });
        const again = await store.people.upsertByEmail({ name: 'R. Eader', email: 'reader@example.com', website: 'https://reader.example' }, NOW + 1);
        assert.deepEqual(again, { ...first, name: 'R. Eader', website: 'https://reader.example' });
        // A known website is not replaced.
        const third = await store.people.upsertByEmail({ name: 'R. Eader', email: 'READER@example.com', website: 'https://other.example' }, NOW + 2);
        assert.equal(third.website, 'https://reader.example');
        assert.deepEqual(await store.people.findById(first.id), third);
        const other = await store.people.upsertByEmail({ name: 'Other', email: 'other@example.com', website: null }, NOW);
        assert.notEqual(other.id, first.id);
        assert.equal(await store.people.findById(other.id + 1000), null);
      });
    });

    describe('sessions', () => {
      it('finds a session until it expires', async () => {
        const ada = await author();
        const session = { idHash: 'h1', userId: ada.id, csrfToken: 'csrf', createdAt: NOW, expiresAt: NOW + 100 };
        await store.sessions.create(session);
        assert.deepEqual(await store.sessions.find('h1', NOW), session);
        assert.deepEqual(await store.sessions.find('h1', NOW + 99), session);
        assert.equal(await store.sessions.find('h1', NOW + 100), null);
        assert.equal(await store.sessions.find('unknown', NOW), null);
      });

      it('deletes one session, all of a user, or the expired ones', async () => {
        const ada = await author('Ada');
        const bob = await author('Bob');
        const make = (idHash: string, userId: number, expiresAt: number) => store.sessions.create({ idHash, userId, csrfToken: 'c', createdAt: NOW, expiresAt });
        await make('a1', ada.id, NOW + 100);
        await make('a2', ada.id, NOW + 100);
        await make('b1', bob.id, NOW + 100);
        await make('b2', bob.id, NOW + 10);
        await make('b3', bob.id, NOW + 20);

        await store.sessions.delete('a1');
        assert.equal(await store.sessions.find('a1', NOW), null);
        assert.ok(await store.sessions.find('a2', NOW));
        await store.sessions.delete('unknown');

        await store.sessions.deleteForUser(ada.id);
        assert.equal(await store.sessions.find('a2', NOW), null);
        assert.ok(await store.sessions.find('b1', NOW));

        assert.equal(await store.sessions.deleteExpired(NOW + 20), 2);
        assert.equal(await store.sessions.deleteExpired(NOW + 20), 0);
        assert.ok(await store.sessions.find('b1', NOW));
      });
    });

    describe('api tokens', () => {
      it('creates tokens, finds them by hash and lists a user\'s newest first', async () => {
        const ada = await author('Ada');
        const bob = await author('Bob');
        const first = await store.apiTokens.create({ userId: ada.id, name: 'laptop', prefix: 'kb_aaa', tokenHash: 'hash-1', scopes: 'read write', expiresAt: NOW + 1000, createdAt: NOW });
        assert.deepEqual(first, { id: first.id, userId: ada.id, name: 'laptop', prefix: 'kb_aaa', tokenHash: 'hash-1', scopes: 'read write', expiresAt: NOW + 1000, createdAt: NOW, lastUsedAt: null });
        const second = await store.apiTokens.create({ userId: ada.id, name: 'phone', prefix: 'kb_bbb', tokenHash: 'hash-2', scopes: 'read', expiresAt: null, createdAt: NOW + 1 });
        await store.apiTokens.create({ userId: bob.id, name: 'bob', prefix: 'kb_ccc', tokenHash: 'hash-3', scopes: 'read', expiresAt: null, createdAt: NOW + 2 });
        assert.deepEqual(await store.apiTokens.findByHash('hash-1'), first);
        assert.equal(await store.apiTokens.findByHash('nope'), null);
        assert.deepEqual(ids(await store.apiTokens.listForUser(ada.id)), [second.id, first.id]);
        await assert.rejects(store.apiTokens.create({ userId: bob.id, name: 'dup', prefix: 'kb_ddd', tokenHash: 'hash-1', scopes: 'read', expiresAt: null, createdAt: NOW }));
      });

      it('revokes only the owner\'s token and records its last use', async () => {
        const ada = await author('Ada');
        const bob = await author('Bob');
        const token = await store.apiTokens.create({ userId: ada.id, name: 'laptop', prefix: 'kb_aaa', tokenHash: 'hash-1', scopes: 'read', expiresAt: null, createdAt: NOW });
        await store.apiTokens.touch(token.id, NOW + 50);
        assert.equal((await store.apiTokens.findByHash('hash-1'))?.lastUsedAt, NOW + 50);
        assert.equal(await store.apiTokens.revoke(token.id, bob.id), false);
        assert.ok(await store.apiTokens.findByHash('hash-1'));
        assert.equal(await store.apiTokens.revoke(token.id, ada.id), true);
        assert.equal(await store.apiTokens.findByHash('hash-1'), null);
        assert.equal(await store.apiTokens.revoke(token.id, ada.id), false);
        assert.deepEqual(await store.apiTokens.listForUser(ada.id), []);
      });
    });

    describe('uploads', () => {
      const upload = (hash: string, bytes: number[], createdAt = NOW) => ({
        hash,
        mime: 'image/png',
        size: bytes.length,
        originalName: `${hash}.png`,
        data: new Uint8Array(bytes),
        uploaderId: 1,
        createdAt,
        width: 1,
        height: 1,
        alt: '',
        caption: '',
      });

      it('stores bytes once per hash and gives them back', async () => {
        const first = upload('abc', [0, 1, 2, 255]);
        const info = await store.uploads.save(first);
        assert.deepEqual(info, { hash: 'abc', mime: 'image/png', size: 4, originalName: 'abc.png', uploaderId: 1, createdAt: NOW, width: 1, height: 1, alt: '', caption: '' });
        const again = await store.uploads.save({ ...upload('abc', [0, 1, 2, 255], NOW + 5), originalName: 'copy.png' });
        assert.deepEqual(again, info);
        const found = await store.uploads.find('abc');
        assert.ok(found);
        assert.deepEqual(new Uint8Array(found.data), new Uint8Array([0, 1, 2, 255]));
        assert.deepEqual({ ...found, data: null }, { ...info, data: null });
        assert.equal(await store.uploads.find('missing'), null);
      });

      it('lists uploads newest first, up to a limit', async () => {
        await store.uploads.save(upload('one', [1], NOW));
        await store.uploads.save(upload('three', [3], NOW + 2));
        await store.uploads.save(upload('two', [2], NOW + 1));
        assert.deepEqual(
          (await store.uploads.list({ limit: 10, offset: 0 })).items.map((u) => u.hash),
          ['three', 'two', 'one'],
        );
        const limited = await store.uploads.list({ limit: 2, offset: 0 });
        assert.deepEqual(
          limited.items.map((u) => u.hash),
          ['three', 'two'],
        );
        assert.equal(limited.total, 3);
        assert.equal('data' in limited.items[0], false);
      });
    });

    describe('fediverse followers and blocks', () => {
      const follower = (actorUri: string, status: 'accepted' | 'pending' = 'accepted') => ({ actorUri, handle: null, inbox: `${actorUri}/inbox`, sharedInbox: null, status, followId: `${actorUri}#follow` });

      it('finds, lists by status, changes status and removes followers', async () => {
        await store.followers.upsert(follower('https://social.example/users/ana'), NOW);
        await store.followers.upsert(follower('https://other.example/u/bo', 'pending'), NOW + 1);
        assert.equal((await store.followers.findByActor('https://other.example/u/bo'))?.status, 'pending');
        assert.deepEqual((await store.followers.listByStatus('pending')).map((f) => f.actorUri), ['https://other.example/u/bo']);
        assert.equal((await store.followers.setStatus('https://other.example/u/bo', 'accepted', NOW + 2))?.status, 'accepted');
        assert.equal(await store.followers.countAccepted(), 2);
        assert.equal(await store.followers.setStatus('https://nobody.example/x', 'accepted', NOW), null);
        assert.equal(await store.followers.remove('https://social.example/users/ana'), true);
        assert.equal(await store.followers.remove('https://social.example/users/ana'), false);
        assert.equal(await store.followers.findByActor('https://social.example/users/ana'), null);
      });

      it('removes the followers on a domain and its subdomains only', async () => {
        await store.followers.upsert(follower('https://spam.example/users/a'), NOW);
        await store.followers.upsert(follower('https://eu.spam.example/users/b'), NOW);
        await store.followers.upsert(follower('https://notspam.example/users/c'), NOW);
        assert.equal(await store.followers.removeOnHost('spam.example'), 2);
        assert.deepEqual((await store.followers.listAccepted({ limit: 10 })).map((f) => f.actorUri), ['https://notspam.example/users/c']);
      });

      it('lists one accepted follower per delivery address, and removes everyone delivered to at one', async () => {
        const on = (actorUri: string, sharedInbox: string | null, status: 'accepted' | 'pending' = 'accepted') => ({ ...follower(actorUri, status), sharedInbox });
        // Two servers with a shared inbox (two followers each, one of them pending), one without (its followers each their own inbox).
        await store.followers.upsert(on('https://big.example/users/b1', null, 'pending'), NOW);
        await store.followers.upsert(on('https://big.example/users/b2', 'https://big.example/inbox'), NOW + 1);
        await store.followers.upsert(on('https://big.example/users/b3', 'https://big.example/inbox'), NOW + 2);
        await store.followers.upsert(on('https://solo.example/users/s1', null), NOW + 3);
        await store.followers.upsert(on('https://solo.example/users/s2', null), NOW + 4);
        await store.followers.upsert(on('https://small.example/users/m1', 'https://small.example/inbox', 'pending'), NOW + 5);
        await store.followers.upsert(on('https://small.example/users/m2', 'https://small.example/inbox'), NOW + 6);
        assert.deepEqual(
          (await store.followers.listDeliveryTargets()).map((f) => [f.actorUri, deliveryAddress(f)]),
          [
            ['https://big.example/users/b2', 'https://big.example/inbox'],
            ['https://solo.example/users/s1', 'https://solo.example/users/s1/inbox'],
            ['https://solo.example/users/s2', 'https://solo.example/users/s2/inbox'],
            ['https://small.example/users/m2', 'https://small.example/inbox'],
          ],
        );
        // A shared inbox gone: the whole server's followers, pending ones too; a personal inbox: its one follower.
        assert.equal(await store.followers.removeByDeliveryAddress('https://small.example/inbox'), 2);
        assert.equal(await store.followers.removeByDeliveryAddress('https://solo.example/users/s1/inbox'), 1);
        assert.equal(await store.followers.removeByDeliveryAddress('https://nowhere.example/inbox'), 0);
        assert.deepEqual((await store.followers.listDeliveryTargets()).map((f) => f.actorUri), ['https://big.example/users/b2', 'https://solo.example/users/s2']);
        assert.equal(await store.followers.countAccepted(), 3);
      });

      it('blocks an account or a whole domain, once each, and unblocks', async () => {
        assert.equal(await store.fediverseBlocks.add('actor', 'https://social.example/users/troll', NOW), true);
        assert.equal(await store.fediverseBlocks.add('actor', 'https://social.example/users/troll', NOW), false);
        assert.equal(await store.fediverseBlocks.add('domain', 'spam.example', NOW + 1), true);
        assert.equal(await store.fediverseBlocks.isBlocked('https://social.example/users/troll'), true);
        assert.equal(await store.fediverseBlocks.isBlocked('https://social.example/users/ana'), false);
        assert.equal(await store.fediverseBlocks.isBlocked('https://eu.spam.example/users/x'), true);
        assert.equal(await store.fediverseBlocks.isBlocked('https://notspam.example/users/x'), false);
        const list = await store.fediverseBlocks.list();
        assert.deepEqual(list.map((b) => [b.kind, b.value]), [['domain', 'spam.example'], ['actor', 'https://social.example/users/troll']]);
        assert.equal(await store.fediverseBlocks.remove(list[0].id), true);
        assert.equal(await store.fediverseBlocks.isBlocked('https://eu.spam.example/users/x'), false);
      });
    });

    describe('settings', () => {
      it('sets and reads values', async () => {
        assert.deepEqual(await store.settings.getAll(), {});
        await store.settings.set({ title: 'My blog', tagline: 'Words' });
        await store.settings.set({ title: 'Renamed' });
        assert.deepEqual(await store.settings.getAll(), { title: 'Renamed', tagline: 'Words' });
      });

      it('keeps the first value written with setIfAbsent', async () => {
        assert.equal(await store.settings.setIfAbsent('token', 'first'), 'first');
        assert.equal(await store.settings.setIfAbsent('token', 'second'), 'first');
        assert.deepEqual(await store.settings.getAll(), { token: 'first' });
      });

      it('takes a value once, only when it matches', async () => {
        await store.settings.set({ token: 'secret' });
        assert.equal(await store.settings.takeIfEquals('token', 'wrong'), false);
        assert.equal(await store.settings.takeIfEquals('token', 'secret'), true);
        assert.equal(await store.settings.takeIfEquals('token', 'secret'), false);
        assert.deepEqual(await store.settings.getAll(), {});
        assert.equal(await store.settings.takeIfEquals('never-set', ''), false);
      });
    });

    describe('rate limits', () => {
      it('allows max hits in a window, then denies until the window ends', async () => {
        const hit = (at: number, key = 'login') => store.rateLimits.hit(key, 1000, 3, at);
        assert.deepEqual(await hit(NOW), { allowed: true, retryAfterMs: 0 });
        assert.deepEqual(await hit(NOW + 100), { allowed: true, retryAfterMs: 0 });
        assert.deepEqual(await hit(NOW + 200), { allowed: true, retryAfterMs: 0 });
        assert.deepEqual(await hit(NOW + 300), { allowed: false, retryAfterMs: 700 });
        // Denied hits do not move the window.
        assert.deepEqual(await hit(NOW + 999), { allowed: false, retryAfterMs: 1 });
        // Another key has its own window.
        assert.deepEqual(await hit(NOW + 500, 'other'), { allowed: true, retryAfterMs: 0 });
        // A new window opens at the first hit after the old one ends.
        assert.deepEqual(await hit(NOW + 1000), { allowed: true, retryAfterMs: 0 });
        assert.deepEqual(await hit(NOW + 1001), { allowed: true, retryAfterMs: 0 });
        assert.deepEqual(await hit(NOW + 1002), { allowed: true, retryAfterMs: 0 });
        assert.deepEqual(await hit(NOW + 1003), { allowed: false, retryAfterMs: 997 });
      });

      it('counts several keys at once, each in its own window, as hit would', async () => {
        const all = (at: number) =>
          store.rateLimits.hitAll(
            [
              { key: 'many:minute', windowMs: 1000, max: 2 },
              { key: 'many:hour', windowMs: 10_000, max: 3 },
              { key: 'many:other', windowMs: 500, max: 1 },
            ],
            at,
          );
        assert.deepEqual(await all(NOW), [{ allowed: true, retryAfterMs: 0 }, { allowed: true, retryAfterMs: 0 }, { allowed: true, retryAfterMs: 0 }]);
        assert.deepEqual(await all(NOW + 100), [{ allowed: true, retryAfterMs: 0 }, { allowed: true, retryAfterMs: 0 }, { allowed: false, retryAfterMs: 400 }]);
        assert.deepEqual(await all(NOW + 600), [{ allowed: false, retryAfterMs: 400 }, { allowed: true, retryAfterMs: 0 }, { allowed: true, retryAfterMs: 0 }]);
        // The short window has ended; the long one has not, and its fourth hit is denied.
        assert.deepEqual(await all(NOW + 1000), [{ allowed: true, retryAfterMs: 0 }, { allowed: false, retryAfterMs: 9000 }, { allowed: false, retryAfterMs: 100 }]);
        // The same counters as hit's.
        assert.deepEqual(await store.rateLimits.hit('many:minute', 1000, 2, NOW + 1001), { allowed: true, retryAfterMs: 0 });
        assert.deepEqual(await store.rateLimits.hit('many:minute', 1000, 2, NOW + 1002), { allowed: false, retryAfterMs: 998 });
      });

      it('counts all of several keys or none: a refused check leaves every counter as it was', async () => {
        const checks = [
          { key: 'all:minute', windowMs: 1000, max: 2 },
          { key: 'all:hour', windowMs: 10_000, max: 3 },
          { key: 'all:other', windowMs: 500, max: 1 },
        ];
        const ok = { allowed: true, retryAfterMs: 0 };
        assert.deepEqual(await store.rateLimits.hitAllOrNone(checks, NOW), [ok, ok, ok]);
        // all:other's second hit is refused: nothing is counted, and it says so again.
        assert.deepEqual(await store.rateLimits.hitAllOrNone(checks, NOW + 100), [ok, ok, { allowed: false, retryAfterMs: 400 }]);
        assert.deepEqual(await store.rateLimits.hitAllOrNone(checks, NOW + 200), [ok, ok, { allowed: false, retryAfterMs: 300 }]);
        // all:other's window has ended: all three are counted (all:minute's and all:hour's second hit).
        assert.deepEqual(await store.rateLimits.hitAllOrNone(checks, NOW + 600), [ok, ok, ok]);
        assert.deepEqual(await store.rateLimits.hitAllOrNone(checks.slice(0, 2), NOW + 700), [{ allowed: false, retryAfterMs: 300 }, ok]);
        // all:hour was counted twice (the refusals counted nothing): its third hit is allowed, its fourth not.
        assert.deepEqual(await store.rateLimits.hit('all:hour', 10_000, 3, NOW + 800), ok);
        assert.deepEqual(await store.rateLimits.hit('all:hour', 10_000, 3, NOW + 801), { allowed: false, retryAfterMs: 9199 });
        // A key seen for the first time in a refused call is not left behind either.
        assert.deepEqual(await store.rateLimits.hitAllOrNone([{ key: 'all:new', windowMs: 1000, max: 1 }, checks[0]], NOW + 900), [ok, { allowed: false, retryAfterMs: 100 }]);
        assert.deepEqual(await store.rateLimits.hit('all:new', 1000, 1, NOW + 901), ok);
      });

      it('opens the window at the first hit, not at a fixed clock boundary', async () => {
        const hit = (at: number) => store.rateLimits.hit('k', 1000, 1, at);
        assert.equal((await hit(NOW + 900)).allowed, true);
        const denied = await hit(NOW + 1100);
        assert.deepEqual(denied, { allowed: false, retryAfterMs: 800 });
        assert.equal((await hit(NOW + 1900)).allowed, true);
      });
    });

    describe('transactions', () => {
      it('commits every write when the work returns', async () => {
        const result = await store.transaction(async (tx) => {
          const ada = await tx.users.create(userInput('Ada'));
          await tx.posts.create(postWrite(ada.id, 'kept', { tags: ['tagged'] }), NOW);
          await tx.settings.set({ key: 'value' });
          return ada.id;
        });
        assert.equal((await store.users.findById(result))?.name, 'Ada');
        assert.ok(await store.posts.findBySlug('kept'));
        assert.deepEqual(await store.settings.getAll(), { key: 'value' });
      });

      it('rolls back every write when the work throws', async () => {
        const ada = await author('Ada');
        const kept = await store.posts.create(postWrite(ada.id, 'kept'), NOW);
        const failure = new Error('boom');
        await assert.rejects(
          store.transaction(async (tx) => {
            const bob = await tx.users.create(userInput('Bob'));
            await tx.users.update(ada.id, { name: 'Changed' });
            await tx.posts.create(postWrite(bob.id, 'lost', { tags: ['ghost'] }), NOW);
            await tx.posts.update(kept.id, postWrite(ada.id, 'moved'), NOW + 1);
            await tx.posts.trash(kept.id, NOW + 1);
            await tx.comments.create(commentWrite(kept.id));
            await tx.people.upsertByEmail({ name: 'P', email: 'p@example.com', website: null }, NOW);
            await tx.sessions.create({ idHash: 's', userId: ada.id, csrfToken: 'c', createdAt: NOW, expiresAt: NOW + DAY });
            await tx.apiTokens.create({ userId: ada.id, name: 't', prefix: 'p', tokenHash: 'h', scopes: 'read', expiresAt: null, createdAt: NOW });
            await tx.uploads.save({ hash: 'u', mime: 'text/plain', size: 1, originalName: 'u.txt', data: new Uint8Array([1]), uploaderId: ada.id, createdAt: NOW, width: null, height: null, alt: '', caption: '' });
            await tx.settings.set({ key: 'value' });
            await tx.rateLimits.hit('limit', 1000, 1, NOW);
            // A nested transaction joins the outer one and is rolled back with it.
            await tx.transaction(async (inner) => inner.settings.set({ inner: 'value' }));
            throw failure;
          }),
          failure,
        );
        assert.equal(await store.users.count(), 1);
        assert.equal((await store.users.findById(ada.id))?.name, 'Ada');
        assert.deepEqual(await store.posts.findById(kept.id), kept);
        assert.equal(await store.posts.findBySlug('lost'), null);
        assert.equal(await store.posts.findByOldSlug('kept'), null);
        assert.equal(await store.posts.slugInUse('moved'), false);
        assert.equal(await store.tags.findBySlug('ghost'), null);
        assert.deepEqual(await store.comments.listApproved(kept.id), []);
        assert.equal(await store.sessions.find('s', NOW), null);
        assert.equal(await store.apiTokens.findByHash('h'), null);
        assert.equal(await store.uploads.find('u'), null);
        assert.deepEqual(await store.settings.getAll(), {});
        assert.equal((await store.rateLimits.hit('limit', 1000, 1, NOW)).allowed, true);
      });

      it('rolls back a failing transaction without touching one running beside it', async () => {
        const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
        const results = await Promise.allSettled([
          store.transaction(async (tx) => {
            await tx.settings.set({ failed: 'yes' });
            await tick();
            throw new Error('boom');
          }),
          store.transaction(async (tx) => {
            await tick();
            await tx.settings.set({ committed: 'yes' });
          }),
        ]);
        assert.deepEqual(
          results.map((r) => r.status),
          ['rejected', 'fulfilled'],
        );
        assert.deepEqual(await store.settings.getAll(), { committed: 'yes' });
      });

      it('passes on the error thrown inside, leaving earlier data alone', async () => {
        const ada = await author();
        await store.posts.create(postWrite(ada.id, 'taken'), NOW);
        await rejectsWith(
          store.transaction(async (tx) => {
            await tx.settings.set({ half: 'done' });
            throw new DomainError('conflict', 'Stop.');
          }),
          'conflict',
        );
        assert.deepEqual(await store.settings.getAll(), {});
        assert.ok(await store.posts.findBySlug('taken'));
      });
    });
  });
}
