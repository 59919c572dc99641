import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { waitingView, type WaitingConversation } from '../../views/admin/waiting-view.ts';
import { currentUser } from './admin-request.ts';
import { ownPostIds, parentsOf, postsOf } from './comment-inbox.ts';
import { resultFromQuery } from './comments.ts';

const SHOWN = 50;
/** An author's conversations are picked out of this many of the site's oldest. */
const AUTHOR_WINDOW = 1000;

/** "Waiting for you": conversations where a reader spoke last, oldest first, each with an inline reply. */
export function waitingRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    const { store, clock } = c.get('deps');
    const user = currentUser(c);
    const own = await ownPostIds(store, user);
    let page = await store.comments.waitingForReply(own === null ? SHOWN : AUTHOR_WINDOW);
    if (own !== null) {
      const mine = new Set(own);
      const items = page.items.filter((comment) => mine.has(comment.postId));
      page = { items, total: items.length };
    }
    const shown = page.items.slice(0, SHOWN);
    const [posts, parents, result] = await Promise.all([postsOf(store, shown), parentsOf(store, shown), resultFromQuery(c)]);
    const conversations: WaitingConversation[] = [];
    for (const comment of shown) {
      const post = posts.get(comment.postId);
      if (post) conversations.push({ comment, parent: comment.parentId !== null ? (parents.get(comment.parentId) ?? null) : null, post });
    }
    return c.html(waitingView(c, { conversations, total: page.total, user, now: clock.now(), result }).value);
  });

  return app;
}
