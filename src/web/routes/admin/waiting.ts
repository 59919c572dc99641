import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { waitingView, type WaitingConversation } from '../../views/admin/waiting-view.ts';
import { currentUser } from './admin-request.ts';
import { moderatesEverything } from '../../../core/moderation-access.ts';
import { parentsOf, postsOf } from './comment-inbox.ts';
import { resultFromQuery } from './comments.ts';

const SHOWN = 50;

/** "Waiting for you": conversations where a reader spoke last, oldest first, each with an inline reply. */
export function waitingRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    const { store, clock } = c.get('deps');
    const user = currentUser(c);
    const page = await store.comments.waitingForReply(SHOWN, moderatesEverything(user) ? undefined : user.id);
    const shown = page.items;
    const [posts, parents, result] = await Promise.all([postsOf(store, shown), parentsOf(store, shown), resultFromQuery(c)]);
    const conversations: WaitingConversation[] = [];
    for (const comment of shown) {
      const post = posts.get(comment.postId);
      if (post) conversations.push({ comment, parent: comment.parentId !== null ? (parents.get(comment.parentId) ?? null) : null, post });
    }
    const noted = moderatesEverything(user) ? await store.people.withNotes(shown.flatMap((x) => (x.personId !== null ? [x.personId] : []))) : new Set<number>();
    return c.html(waitingView(c, { conversations, total: page.total, user, now: clock.now(), result, noted }).value);
  });

  return app;
}
