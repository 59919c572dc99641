import path from 'node:path';
import { renderCommentMarkdown } from '../../src/core/render-markdown.ts';
import type { Comment, CommentStatus, Post, User } from '../../src/core/store.ts';
import { after, before } from 'node:test';
import { startTestKumbaya, type Engine, type TestKumbaya, type TestOptions } from './test-kumbaya.ts';

/** The third-party corpora: shared/ beside the checkout, or where KUMBAYA_SHARED_DIR says. */
export const sharedDir = process.env.KUMBAYA_SHARED_DIR || path.join(import.meta.dirname, '../../../shared');

export interface ReachSite {
  owner: User;
  /** Live, public, tagged "Open Web", with a cover image and an /uploads link in its body. */
  post: Post;
  /** Live and public, tagged "Notes", published a day before `post`. */
  older: Post;
  /** A live page. */
  page: Post;
  draft: Post;
  scheduled: Post;
  unlisted: Post;
  trashed: Post;
  /** On `post`: a top-level comment, the owner's reply to it, and a held and a spam comment. */
  comment: Comment;
  reply: Comment;
  held: Comment;
  spam: Comment;
}

/** Posts in every state and a conversation with approved and unapproved comments. */
export async function seedReachSite(k: TestKumbaya): Promise<ReachSite> {
  const { posts, store, clock } = k.deps;
  const agent = await k.signIn('owner', 'ada@example.com');
  const owner = await store.users.update(agent.user!.id, { name: 'Ada Lovelace', slug: 'ada', bio: 'Writes about engines & the open web.' });
  const now = clock.now();
  const make = async (title: string, extra: Record<string, unknown> = {}, publish: number | null = now - 60_000) => {
    const created = await posts.create(owner, { title, markdown: `Body of **${title}**.`, ...extra });
    if (publish !== null) await posts.publish(owner, created.id, publish);
    return (await store.posts.findById(created.id))!;
  };
  const older = await make('An older note', { slug: 'older-note', tags: ['Notes'] }, now - 86_400_000);
  const post = await make('Feeds <and> friends', {
    slug: 'feeds-and-friends',
    tags: ['Open Web', 'Notes'],
    coverImage: '/uploads/' + 'a'.repeat(64) + '.png',
    markdown: 'Read [the notes](/older-note) & see ![a chart](/uploads/' + 'b'.repeat(64) + '.png).\n\nA second paragraph.',
  });
  const page = await make('About this blog', { type: 'page', slug: 'about-this-blog' });
  const draft = await make('A secret draft', { slug: 'secret-draft', tags: ['Open Web'] }, null);
  const scheduled = await make('Scheduled for later', { slug: 'scheduled-later', tags: ['Open Web'] }, now + 86_400_000);
  const unlisted = await make('Unlisted aside', { slug: 'unlisted-aside', tags: ['Open Web'], visibility: 'unlisted' });
  const trashed = await make('Thrown away', { slug: 'thrown-away', tags: ['Open Web'] });
  await posts.trash(owner, trashed.id);

  const comment = async (name: string, body: string, status: CommentStatus, parentId: number | null, at: number, extra: Partial<Comment> = {}) =>
    store.comments.create({
      postId: post.id,
      parentId,
      personId: null,
      userId: extra.userId ?? null,
      authorName: name,
      authorEmail: `${name.toLowerCase().replace(/\W/g, '')}@example.com`,
      authorUrl: extra.authorUrl ?? null,
      markdown: body,
      html: await renderCommentMarkdown(body),
      status,
      createdAt: at,
    });
  const first = await comment('Grace Hopper', 'Lovely post, *truly*.', 'approved', null, now - 30_000, { authorUrl: 'https://grace.example/' });
  const reply = await comment('Ada Lovelace', 'Thank you, Grace!', 'approved', first.id, now - 20_000, { userId: owner.id });
  const held = await comment('Held Back', 'Waiting for approval.', 'pending', null, now - 10_000);
  const spam = await comment('Spammer', 'Buy cheap things.', 'spam', null, now - 5_000);
  k.deps.pageCache.clear();
  k.deps.conversationCache.clear();
  return { owner, post, older, page, draft, scheduled, unlisted, trashed, comment: first, reply, held, spam };
}

/**
 * Inside a describe(): a Kumbaya on `engine` with the reach site seeded before the tests
 * and cleaned up after. Read `.k` and `.s` in the tests.
 */
export function useReachSite(engine: Engine, options: Omit<TestOptions, 'engine'> = {}): { k: TestKumbaya; s: ReachSite } {
  const ctx = {} as { k: TestKumbaya; s: ReachSite };
  before(async () => {
    ctx.k = await startTestKumbaya({ ...options, engine });
    ctx.s = await seedReachSite(ctx.k);
  });
  after(() => ctx.k?.cleanup());
  return ctx;
}
