import type { Context } from 'hono';
import { moderatesEverything } from '../../../core/moderation-access.ts';
import type { Post, Role } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { dashboardView, type DashboardData } from '../../views/admin/dashboard-view.ts';
import { currentUser } from './admin-request.ts';
import { loadInbox, parentsOf, postsOf } from './comment-inbox.ts';
import { resultFromQuery } from './comments.ts';

/** How many items each part of the home shows; its link leads to the rest. */
const FEW = 3;
const RECENT = 5;
/** Who looks after the outbox (as on /admin/mail). */
const outboxRoles: Role[] = ['owner', 'moderator'];

/**
 * /admin, the home: what needs the signed-in user now. Each part is loaded only for the
 * roles it concerns (moderators see no drafts, authors only their own posts' comments,
 * jobs are the owner's), and each is a few rows with a link to its full page.
 */
export async function dashboardPage(c: Context<AppEnv>) {
  const { store, clock } = c.get('deps');
  const user = currentUser(c);
  const writes = user.role !== 'moderator';
  // Drafts and scheduled posts: the user's own; the owner sees everyone's.
  const mine = user.role === 'owner' ? undefined : user.id;
  const noPosts = Promise.resolve({ items: [] as Post[], total: 0 });
  const [waiting, held, recent, drafts, scheduled, outbox, jobs, result] = await Promise.all([
    store.comments.waitingForReply(FEW, moderatesEverything(user) ? undefined : user.id),
    loadInbox(store, user, { status: 'pending', limit: FEW, offset: 0 }),
    loadInbox(store, user, { status: 'approved', limit: RECENT * 3, offset: 0 }),
    writes ? store.posts.listAdmin({ status: 'draft', authorId: mine, limit: FEW, offset: 0 }) : noPosts,
    writes ? store.posts.listAdmin({ status: 'scheduled', authorId: mine, limit: FEW, offset: 0 }) : noPosts,
    outboxRoles.includes(user.role) ? store.outbox.countByStatus() : Promise.resolve(null),
    user.role === 'owner' ? store.jobs.countByStatus() : Promise.resolve(null),
    resultFromQuery(c),
  ]);
  // Recent comments: the readers', not the team's own replies.
  const readers = recent.items.filter((comment) => comment.userId === null).slice(0, RECENT);
  const shown = [...waiting.items, ...held.items, ...readers];
  const [posts, parents] = await Promise.all([postsOf(store, shown), parentsOf(store, shown)]);
  const data: DashboardData = {
    user,
    now: clock.now(),
    waiting: { items: waiting.items, total: waiting.total },
    held: { items: held.items, total: held.total },
    recent: readers,
    drafts: writes ? drafts : null,
    scheduled: writes ? scheduled : null,
    outbox: outbox ? { pending: outbox.pending, failed: outbox.failed } : null,
    failedJobs: jobs ? jobs.dead : null,
    posts,
    parents,
    result,
  };
  return c.html(dashboardView(c, data).value);
}
