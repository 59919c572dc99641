import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { MemoryStore } from '../adapters/storage/memory-store.ts';
import type { JobWrite } from './jobs.ts';
import type { CommentService } from './comment-service.ts';
import type { Post, Store, User } from './store.ts';
import { WebmentionRejected, WebmentionService } from './webmention-service.ts';

const NOW = Date.UTC(2024, 4, 1);
let store: Store;
let queued: JobWrite[];
let topics: string[];
let service: WebmentionService;
let author: User;

async function post(slug: string, overrides: Partial<Post> = {}, html = '<p>x</p>'): Promise<Post> {
  const p = await store.posts.create(
    { type: 'post', slug, title: slug, markdown: '', html, excerpt: '', status: 'published', visibility: 'public', publishedAt: NOW - 1000, authorId: author.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null },
    NOW,
  );
  return { ...p, ...overrides };
}

const links = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);

beforeEach(async () => {
  store = new MemoryStore();
  queued = [];
  topics = [];
  author = await store.users.create({ email: 'a@example.com', name: 'A', slug: 'a', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
  service = new WebmentionService({
    store,
    clock: { now: () => NOW },
    siteUrl: () => 'https://blog.example/sub',
    comments: {} as CommentService,
    enqueue: async (job) => {
      queued.push(job);
      return true;
    },
    linksOf: links,
    publish: (t) => void topics.push(t),
  });
});

describe('webmention service', () => {
  it('accepts only live posts of this site, under its base path', async () => {
    const live = await post('live');
    await store.posts.setStatus((await post('draft')).id, 'draft', null, NOW);
    assert.equal((await service.postAt(new URL('https://blog.example/sub/live')))?.id, live.id);
    assert.equal((await service.postAt(new URL('https://blog.example/sub/live/')))?.id, live.id);
    assert.equal(await service.postAt(new URL('https://blog.example/live')), null, 'outside the base path');
    assert.equal(await service.postAt(new URL('https://other.example/sub/live')), null);
    assert.equal(await service.postAt(new URL('https://blog.example/sub/draft')), null);
    await assert.rejects(service.receive({ source: 'https://b.example/', target: 'https://blog.example/sub/draft' }, 'webmention', '1.2.3.4'), (e) => e instanceof WebmentionRejected && e.reason === 'target-not-found');
    const m = await service.receive({ source: 'https://b.example/', target: 'https://blog.example/sub/live' }, 'webmention', '1.2.3.4');
    assert.deepEqual(queued.map((j) => [j.kind, j.payload]), [['webmention-verify', { id: m.id }]]);
  });

  it("finds an imported post at its old WordPress addresses, where other sites still link", async () => {
    const moved = await post('hello');
    await store.imports.saveLegacyPath('/2019/03/05/hello', moved.id);
    await store.imports.saveLegacyPath('?p=12', moved.id);
    assert.equal((await service.postAt(new URL('https://blog.example/sub/2019/03/05/hello/')))?.id, moved.id);
    assert.equal((await service.postAt(new URL('https://blog.example/sub/?p=12')))?.id, moved.id);
    assert.equal(await service.postAt(new URL('https://blog.example/sub/2019/03/05/other/')), null);
    const m = await service.receive({ source: 'https://b.example/', target: 'https://blog.example/sub/2019/03/05/hello/' }, 'pingback', '1.2.3.4');
    assert.equal(m.postId, moved.id);
  });

  it('keeps a shown mention when the source is merely unreachable; 410 takes it away', async () => {
    const live = await post('live');
    const m = await service.receive({ source: 'https://b.example/', target: 'https://blog.example/sub/live' }, 'webmention', '1.2.3.4');
    await service.applyVerification(m.id, { kind: 'links', type: 'like', authorName: 'B', authorUrl: 'https://b.example/', authorPhoto: null, content: null, url: null, publishedAt: null });
    assert.equal((await service.applyVerification(m.id, { kind: 'unreachable', reason: 'timeout' }))?.status, 'verified');
    assert.equal((await service.applyVerification(m.id, { kind: 'gone', status: 410 }))?.status, 'deleted');
    assert.deepEqual(topics, [`mentions-changed:${live.id}`, `mentions-changed:${live.id}`]);
  });

  it('notifies the links of the live version and of the one before, never its own site, nothing for unlisted or drafts', async () => {
    const before = await post('p', {}, '<a href="https://x.example/1">1</a><a href="https://blog.example/sub/other">own</a>');
    const after = { ...before, html: '<a href="https://y.example/2">2</a>' };
    assert.equal(await service.postChanged(before, after), 2);
    assert.deepEqual(queued.map((j) => j.payload.target).sort(), ['https://x.example/1', 'https://y.example/2']);
    assert.equal(queued[0].payload.source, 'https://blog.example/sub/p');
    queued = [];
    assert.equal(await service.postChanged({ ...before, visibility: 'unlisted' }, { ...after, visibility: 'unlisted' }), 0);
    assert.equal(await service.postChanged({ ...before, status: 'draft' }, { ...after, status: 'draft' }), 0);
    assert.equal(await service.postChanged(after, { ...after, deletedAt: NOW }), 1, 'deleting tells the links it had');
  });
});
