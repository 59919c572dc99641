import { renderCommentMarkdown } from '../core/render-markdown.ts';
import type { PostService } from '../core/post-service.ts';
import type { Store } from '../core/store.ts';
import { demoAboutPage, demoAuthor, demoComments, demoPost, demoReaders } from './demo-content.ts';

const DEMO_KEY = 'demo.created';

/**
 * Creates the demo post, its conversation and the About page, once, on a database that
 * has no content yet. Runs in one transaction; a second instance starting at the same
 * time finds the marker and does nothing.
 */
export async function seedDemo(store: Store, posts: PostService, now: number): Promise<boolean> {
  return store.transaction(async (tx) => {
    const marker = await tx.settings.setIfAbsent(DEMO_KEY, `pending:${now}`);
    if (marker !== `pending:${now}`) return false;
    const existing = await tx.posts.listAdmin({ limit: 1, offset: 0 });
    if (existing.total > 0) {
      await tx.settings.set({ [DEMO_KEY]: 'skipped: content existed' });
      return false;
    }
    const james =
      (await tx.users.findByEmail(demoAuthor.email)) ??
      (await tx.users.create({ ...demoAuthor, role: 'author', passwordHash: null, createdAt: now }));
    const txPosts = posts.withStore(tx);
    const publishedAt = Date.parse(demoPost.publishedAt);
    const post = await txPosts.create(james, {
      title: demoPost.title,
      slug: demoPost.slug,
      markdown: demoPost.markdown,
      tags: demoPost.tags,
      publishedAt,
    });
    await tx.posts.setStatus(post.id, 'published', publishedAt, publishedAt);

    const about = await txPosts.create(james, { type: 'page', ...demoAboutPage, publishedAt });
    await tx.posts.setStatus(about.id, 'published', publishedAt, publishedAt);

    const ids: number[] = [];
    for (const c of demoComments) {
      const at = Date.parse(c.at);
      const parentId = c.replyTo === undefined ? null : ids[c.replyTo];
      if (c.by === 'james') {
        const created = await tx.comments.create({
          postId: post.id,
          parentId,
          personId: null,
          userId: james.id,
          authorName: james.name,
          authorEmail: james.email,
          authorUrl: null,
          markdown: c.markdown,
          html: await renderCommentMarkdown(c.markdown),
          status: 'approved',
          createdAt: at,
        });
        ids.push(created.id);
        continue;
      }
      const reader = demoReaders[c.by];
      const person = await tx.people.upsertByEmail({ name: reader.name, email: reader.email, website: reader.website }, at);
      const created = await tx.comments.create({
        postId: post.id,
        parentId,
        personId: person.id,
        userId: null,
        authorName: reader.name,
        authorEmail: reader.email,
        authorUrl: reader.website,
        markdown: c.markdown,
        html: await renderCommentMarkdown(c.markdown),
        status: 'approved',
        createdAt: at,
      });
      ids.push(created.id);
    }
    await tx.settings.set({
      [DEMO_KEY]: String(now),
      'site.navigation': JSON.stringify([
        { label: 'Home', url: '/' },
        { label: 'Archive', url: '/archive' },
        { label: 'About', url: '/about' },
      ]),
    });
    return true;
  });
}
