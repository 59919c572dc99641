import type { Context } from 'hono';
import { moderatesEverything } from '../../../core/moderation-access.ts';
import type { Comment, Page, Post, Role, Store, User } from '../../../core/store.ts';
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

/** What the home is made of, for the signed-in user's role: null where a part is not theirs. */
export interface DashboardParts {
  waiting: Page<Comment>;
  held: Page<Comment>;
  /** Readers' recent approved comments (the team's own replies left out). */
  recent: Comment[];
  drafts: Page<Post> | null;
  scheduled: Page<Post> | null;
  outbox: { pending: number; failed: number } | null;
  failedJobs: number | null;
}

/**
 * The home's queries (the admin's /admin and `GET /api/dashboard`). Each part is loaded
 * only for the roles it concerns (moderators see no drafts, authors only their own
 * posts' comments, jobs are the owner's); `few` rows of each list come with its total.
 */
export async function dashboardParts(store: Store, user: User, few = FEW): Promise<DashboardParts> {
  const writes = user.role !== 'moderator';
  // Drafts and scheduled posts: the user's own; the owner sees everyone's.
  const mine = user.role === 'owner' ? undefined : user.id;
  const noPosts = Promise.resolve({ items: [] as Post[], total: 0 });
  const [waiting, held, recent, drafts, scheduled, outbox, jobs] = await Promise.all([
    store.comments.waitingForReply(few, moderatesEverything(user) ? undefined : user.id),
    loadInbox(store, user, { status: 'pending', limit: few, offset: 0 }),
    loadInbox(store, user, { status: 'approved', limit: RECENT * 3, offset: 0 }),
    writes ? store.posts.listAdmin({ status: 'draft', authorId: mine, limit: few, offset: 0 }) : noPosts,
    writes ? store.posts.listAdmin({ status: 'scheduled', authorId: mine, limit: few, offset: 0 }) : noPosts,
    outboxRoles.includes(user.role) ? store.outbox.countByStatus() : Promise.resolve(null),
    user.role === 'owner' ? store.jobs.countByStatus() : Promise.resolve(null),
  ]);
  return {
    waiting: { items: waiting.items, total: waiting.total },
    held: { items: held.items, total: held.total },
    recent: recent.items.filter((comment) => comment.userId === null).slice(0, RECENT),
    drafts: writes ? drafts : null,
    scheduled: writes ? scheduled : null,
    outbox: outbox ? { pending: outbox.pending, failed: outbox.failed } : null,
    failedJobs: jobs ? jobs.dead : null,
  };
}

/** /admin, the home: what needs the signed-in user now, each part a few rows with a link to its full page. */
export async function dashboardPage(c: Context<AppEnv>) {
  const { store, clock } = c.get('deps');
  const user = currentUser(c);
  const [parts, result] = await Promise.all([dashboardParts(store, user), resultFromQuery(c)]);
  const shown = [...parts.waiting.items, ...parts.held.items, ...parts.recent];
  const [posts, parents] = await Promise.all([postsOf(store, shown), parentsOf(store, shown)]);
  const data: DashboardData = { user, now: clock.now(), ...parts, posts, parents, result };
  return c.html(dashboardView(c, data).value);
}
