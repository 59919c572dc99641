import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DomainError } from '../../core/errors.ts';
import { QUOTE_POLICY_SETTING, ReactionService, type ReactingActor, type ReactionWrite } from '../../core/reactions.ts';
import type { PostWrite, Store } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const NOW = Date.UTC(2024, 0, 15, 12);
const MIN = 60_000;

function postWrite(authorId: number, slug: string, over: Partial<PostWrite> = {}): PostWrite {
  return {
    type: 'post', slug, title: `Title of ${slug}`, markdown: 'Words.', html: '<p>Words.</p>', excerpt: 'Words.', status: 'published', visibility: 'public',
    publishedAt: NOW - MIN, authorId, coverImage: null, commentsMode: 'inherit', commentsCloseDays: null, tags: [], ...over,
  };
}

const ana: ReactingActor = { actorUri: 'https://social.example/users/ana', handle: '@ana@social.example', name: 'Ana Lima', profileUrl: 'https://social.example/@ana', iconUrl: 'https://files.social.example/ana.png' };
const kumo: ReactingActor = { actorUri: 'https://misskey.example/users/9abc', handle: '@kumo@misskey.example', name: 'Kumo', profileUrl: null, iconUrl: null };

function reactionsContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let postId: number;
    let authorId: number;
    const published: string[] = [];
    let service: ReactionService;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
      authorId = (await store.users.create({ email: 'owner@example.com', name: 'Owner', slug: 'owner', bio: '', role: 'owner', passwordHash: null, createdAt: NOW })).id;
      postId = (await store.posts.create(postWrite(authorId, 'hello'), NOW)).id;
      published.length = 0;
      service = new ReactionService({ store, clock: { now: () => NOW }, publish: (topic) => published.push(topic) });
    });
    afterEach(() => cleanup());

    const like = (actor: ReactingActor, n: number, over: Partial<ReactionWrite> = {}): ReactionWrite => ({ postId, kind: 'like', activityId: `${actor.actorUri}#likes/${n}`, actorUri: actor.actorUri, name: actor.name, handle: actor.handle, profileUrl: actor.profileUrl, iconUrl: actor.iconUrl, ...over });

    it('keeps one like and one boost per account and post, newest first, with the totals', async () => {
      await store.reactions.record(like(ana, 1), NOW);
      await store.reactions.record(like(kumo, 2), NOW + 1);
      await store.reactions.record(like(ana, 3, { kind: 'announce' }), NOW + 2);
      // Mastodon resends a Like it thinks was lost: still one like, with the new activity id and name.
      const again = await store.reactions.record(like(ana, 4, { name: 'Ana L.' }), NOW + 3);
      assert.equal(again.createdAt, NOW, 'the first time is kept');
      const all = await store.reactions.forPost(postId, 10);
      assert.equal(all.likeCount, 2);
      assert.equal(all.announceCount, 1);
      assert.deepEqual(all.likes.map((r) => [r.actorUri, r.activityId, r.name]), [[kumo.actorUri, `${kumo.actorUri}#likes/2`, 'Kumo'], [ana.actorUri, `${ana.actorUri}#likes/4`, 'Ana L.']]);
      assert.deepEqual(all.announces.map((r) => [r.kind, r.handle, r.profileUrl, r.iconUrl]), [['announce', ana.handle, ana.profileUrl, ana.iconUrl]]);
      const one = await store.reactions.forPost(postId, 1);
      assert.deepEqual([one.likes.length, one.likeCount], [1, 2], 'the limit shortens the list, never the count');
      assert.deepEqual(await store.reactions.forPost(postId + 1, 10), { likes: [], announces: [], likeCount: 0, announceCount: 0 });
    });

    it('an Undo removes only the reaction its own actor made', async () => {
      await store.reactions.record(like(ana, 1), NOW);
      assert.equal(await store.reactions.removeByActivity(`${ana.actorUri}#likes/1`, kumo.actorUri), null, 'someone else cannot undo it');
      assert.equal((await store.reactions.forPost(postId, 10)).likeCount, 1);
      assert.equal((await store.reactions.removeByActivity(`${ana.actorUri}#likes/1`, ana.actorUri))?.actorUri, ana.actorUri);
      assert.equal((await store.reactions.forPost(postId, 10)).likeCount, 0);
      assert.equal(await store.reactions.removeByActivity(`${ana.actorUri}#likes/1`, ana.actorUri), null, 'twice is a no-op');
    });

    it('removes everything one account did (a deleted actor)', async () => {
      await store.reactions.record(like(ana, 1), NOW);
      await store.reactions.record(like(ana, 2, { kind: 'announce' }), NOW);
      await store.reactions.record(like(kumo, 3), NOW);
      assert.equal(await store.reactions.removeByActor(ana.actorUri), 2);
      const left = await store.reactions.forPost(postId, 10);
      assert.deepEqual([left.likeCount, left.announceCount, left.likes[0].actorUri], [1, 0, kumo.actorUri]);
    });

    it('authorizes a quote once per quoting post and finds the authorization by its id', async () => {
      const quote = { postId, actorUri: ana.actorUri, quoteUri: 'https://social.example/users/ana/statuses/1', requestId: 'https://social.example/users/ana/statuses/1/quote' };
      const first = await store.reactions.authorizeQuote(quote, NOW);
      const again = await store.reactions.authorizeQuote({ ...quote, requestId: 'https://social.example/again' }, NOW + 1);
      assert.equal(again.id, first.id);
      assert.deepEqual(await store.reactions.findQuoteAuthorization(first.id), { ...quote, id: first.id, createdAt: NOW });
      assert.equal(await store.reactions.findQuoteAuthorization(first.id + 1), null);
    });

    it('a like of a live post is recorded and its account joins a Person by verified fediverse and handle identities', async () => {
      assert.equal(await service.react('like', 'hello', ana, `${ana.actorUri}#likes/1`), true);
      assert.deepEqual(published, ['reactions-changed']);
      const person = await store.people.findByIdentity('fediverse', ana.actorUri);
      assert.equal(person?.name, 'Ana Lima');
      const identities = (await store.people.identities(person!.id)).map((i) => [i.kind, i.value, i.verified]).sort();
      assert.deepEqual(identities, [['fediverse', ana.actorUri, true], ['handle', ana.handle, true]]);
      // A boost from the same account is the same Person.
      await service.react('announce', 'hello', ana, `${ana.actorUri}#announces/1`);
      assert.equal((await store.people.findByIdentity('handle', ana.handle!))?.id, person!.id);
      assert.equal((await store.reactions.forPost(postId, 10)).announceCount, 1);
      assert.equal(await service.undo(`${ana.actorUri}#announces/1`, ana.actorUri), true);
      assert.equal((await store.reactions.forPost(postId, 10)).announceCount, 0);
    });

    it('ignores reactions to drafts, pages, protected posts and unknown addresses, and from blocked accounts', async () => {
      await store.posts.create(postWrite(authorId, 'draft', { status: 'draft', publishedAt: null }), NOW);
      await store.posts.create(postWrite(authorId, 'about', { type: 'page' }), NOW);
      await store.posts.create(postWrite(authorId, 'secret', { password: 'open sesame' }), NOW);
      for (const slug of ['draft', 'about', 'secret', 'nowhere']) assert.equal(await service.react('like', slug, ana, `${ana.actorUri}#likes/${slug}`), false, slug);
      await store.fediverseBlocks.add('domain', 'misskey.example', NOW);
      assert.equal(await service.react('like', 'hello', kumo, `${kumo.actorUri}#likes/1`), false);
      assert.equal(await store.people.findByIdentity('fediverse', kumo.actorUri), null, 'no Person for a blocked account');
      assert.deepEqual(published, []);
    });

    it('writes nothing when the account cannot be linked to a Person (one transaction)', async () => {
      await assert.rejects(service.react('like', 'hello', { ...ana, handle: 'not a handle' }, `${ana.actorUri}#likes/1`), (e: unknown) => e instanceof DomainError && e.code === 'validation_failed');
      assert.equal((await store.reactions.forPost(postId, 10)).likeCount, 0);
    });

    it('answers quote requests as the setting says', async () => {
      const quoteUri = 'https://social.example/users/ana/statuses/9';
      const answer = await service.requestQuote('hello', ana, quoteUri, `${quoteUri}/quote`);
      assert.equal(answer.outcome, 'authorized');
      assert.equal(answer.outcome === 'authorized' && answer.authorization.quoteUri, quoteUri);
      await store.settings.set({ [QUOTE_POLICY_SETTING]: 'refuse' });
      assert.deepEqual(await service.requestQuote('hello', kumo, `${kumo.actorUri}/notes/1`, `${kumo.actorUri}/quote/1`), { outcome: 'refused' });
      assert.deepEqual(await service.requestQuote('nowhere', ana, quoteUri, `${quoteUri}/quote`), { outcome: 'ignored' });
    });
  });
}

forEachEngine('ReactionRepository', reactionsContract);
