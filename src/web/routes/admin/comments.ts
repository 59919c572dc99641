import { Hono, type Context } from 'hono';
import type { ModerationAction } from '../../../core/comment-service.ts';
import { DomainError } from '../../../core/errors.ts';
import { moderatesEverything } from '../../../core/moderation-access.ts';
import { unpublishedVisibleTo } from '../../../core/post-service.ts';
import { toId } from '../../../core/ids.ts';
import type { Comment, CommentStatus, Post, User } from '../../../core/store.ts';
import { clientIp } from '../../client-ip.ts';
import type { AppEnv } from '../../context.ts';
import { statusFor, wantsJson } from '../../errors.ts';
import { setNavCounts, type NavCounts } from '../../views/admin/admin-layout.ts';
import {
  commentRow,
  inboxUrl,
  inboxView,
  resultNotice,
  resultText,
  type InboxFilters,
  type ModerationResult,
  type RowContext,
} from '../../views/admin/comments-view.ts';
import { answeredCard } from '../../views/admin/waiting-view.ts';
import { commentEditView } from '../../views/admin/comment-edit-view.ts';
import { confirmView } from '../../views/admin/confirm-view.ts';
import { descendantIds } from '../../../core/comment-move.ts';
import { countsInReach, loadInbox, moderatableComments, parentsOf, postsOf, STATUSES } from './comment-inbox.ts';
import { currentUser, idParam, pageNumber } from './admin-request.ts';
import { writesPosts } from '../../views/admin/person-rights-view.ts';
import { inboxWhoIs } from './who-is-cards.ts';

const PER_PAGE = 25;
const actions = new Set<ModerationAction>(['approve', 'unapprove', 'spam', 'trash', 'restore']);
const statuses = new Set<string>(STATUSES);

/**
 * "Waiting for you" counts the conversations whose newest approved comment is a reader's: a
 * pass over every approved comment, which on a site with tens of thousands of them cost more
 * than the rest of any admin page (bench workload g). The count is kept, per reach, until a
 * change is published (a comment approved, answered, moved or taken down publishes one, on
 * every instance) and for at most WAITING_KEPT_MS, for the changes that publish nothing.
 */
const WAITING_KEPT_MS = 10_000;
const waitingCounts = new WeakMap<AppEnv['Variables']['deps']['changes'], Map<string, { total: Promise<number>; until: number }>>();

function waitingCount(c: Context<AppEnv>, authorId: number | undefined): Promise<number> {
  const { store, changes } = c.get('deps');
  let kept = waitingCounts.get(changes);
  if (!kept) {
    const counts = new Map<string, { total: Promise<number>; until: number }>();
    changes.subscribe(() => counts.clear());
    waitingCounts.set(changes, counts);
    kept = counts;
  }
  const key = String(authorId ?? 'all');
  const now = performance.now();
  const hit = kept.get(key);
  if (hit && hit.until > now) return hit.total;
  const total = store.comments.waitingForReply(0, authorId).then((page) => page.total);
  kept.set(key, { total, until: now + WAITING_KEPT_MS });
  // A failed count is asked again next time.
  total.catch(() => kept.delete(key));
  return total;
}

/** Loads the top bar's counts for this request: held comments and conversations waiting for a reply. */
export async function loadNavCounts(c: Context<AppEnv>): Promise<NavCounts> {
  const { store, mail } = c.get('deps');
  // Within the user's reach: an author counts the comments on their own posts.
  const authorId = moderatesEverything(currentUser(c)) ? undefined : currentUser(c).id;
  // Without SMTP_URL nothing leaves: every admin page says how much mail is waiting.
  // Only the held comments and waiting mails are shown: counted from their indexes, never every comment and mail.
  const [pending, waiting, mailWaiting] = await Promise.all([store.comments.countWithStatus('pending', authorId), waitingCount(c, authorId), mail.transport ? null : store.outbox.countWithStatus('pending')]);
  const counts: NavCounts = { pending, waiting, mailWaiting };
  setNavCounts(c, counts);
  return counts;
}

const asStatus = (value: string | undefined | null): CommentStatus | null => (value && statuses.has(value) ? (value as CommentStatus) : null);

/** Only the inbox, "Waiting for you", a person's page and the home are places to come back to; anything else goes to the inbox. */
function safeBack(value: string | undefined): string {
  if (value === '/admin') return value;
  if (!value || !/^\/admin\/(comments|waiting|people\/[0-9]{1,10})(\?[^#\s]*)?$/.test(value)) return '/admin/comments';
  return value;
}

/** The tab a `back` address shows. */
function tabOf(back: string): CommentStatus {
  return asStatus(new URL(back, 'http://x').searchParams.get('status')) ?? 'pending';
}

/** The ids sent as repeated `ids` fields (checkboxes, hidden inputs), each a positive whole number. */
function idsOf(value: string | File | (string | File)[] | undefined): number[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const ids = new Set<number>();
  for (const item of list) {
    const id = toId(item);
    if (id !== null) ids.add(id);
  }
  return [...ids];
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** A redirect back to where the form was, with what happened (see resultFromQuery). */
function redirectBack(c: Context<AppEnv>, back: string, done: Record<string, string>): Response {
  const url = new URL(back, 'http://x');
  for (const key of ['done', 'n', 'ids', 'from', 'reply', 'kept']) url.searchParams.delete(key);
  for (const [k, v] of Object.entries(done)) url.searchParams.set(k, v);
  return c.redirect(url.pathname + url.search, 303);
}

/** Reads ?done=… into what the notice says. Only numbers and known words are taken from the link. */
export async function resultFromQuery(c: Context<AppEnv>): Promise<ModerationResult | null> {
  const done = c.req.query('done');
  if (done === 'reply') {
    const id = toId(c.req.query('reply'));
    const { store } = c.get('deps');
    const reply = id === null ? null : await store.comments.findById(id);
    const post = reply ? await store.posts.findById(reply.postId) : null;
    return { kind: 'replied', reply: reply?.status === 'approved' ? reply : null, post };
  }
  if (done === 'deleted') {
    const [count, kept] = [Number(c.req.query('n')), Number(c.req.query('kept') ?? '0')];
    if (!Number.isSafeInteger(count) || count < 0 || !Number.isSafeInteger(kept) || kept < 0) return null;
    return { kind: 'deleted', count, kept };
  }
  if (!done || !actions.has(done as ModerationAction)) return null;
  const count = Number(c.req.query('n'));
  if (!Number.isSafeInteger(count) || count < 0) return null;
  const ids = idsOf((c.req.query('ids') ?? '').split(',')).slice(0, 500);
  return { kind: 'moderated', action: done as ModerationAction, count, ids, from: asStatus(c.req.query('from')) };
}

function filtersOf(c: Context<AppEnv>): InboxFilters {
  const post = c.req.query('post') ?? '';
  const postId = /^[0-9]{1,15}$/.test(post) && Number(post) > 0 ? Number(post) : undefined;
  return {
    status: asStatus(c.req.query('status')) ?? 'pending',
    postId,
    q: (c.req.query('q') ?? '').trim().slice(0, 200) || undefined,
    page: pageNumber(c),
  };
}

/** The posts offered in the filter menu: the newest 200 the user may moderate, and the one filtered on. */
async function postChoices(c: Context<AppEnv>, user: User, postId: number | undefined): Promise<Post[]> {
  const { store } = c.get('deps');
  const list = (await store.posts.listAdmin({ authorId: user.role === 'author' ? user.id : undefined, unpublishedBy: unpublishedVisibleTo(user), limit: 200, offset: 0 })).items;
  if (postId !== undefined && !list.some((p) => p.id === postId)) {
    const post = await store.posts.findById(postId);
    if (post) list.unshift(post);
  }
  return list;
}

/** The counts moderation.js puts back into the tabs and the top bar after an action. */
async function countsPayload(c: Context<AppEnv>, user: User) {
  const [tabs, nav] = await Promise.all([countsInReach(c.get('deps').store, user), loadNavCounts(c)]);
  return { tabs, nav };
}

async function rowContext(c: Context<AppEnv>, comments: Comment[], tab: CommentStatus, back: string, posts?: Map<number, Post>): Promise<RowContext> {
  const { store, clock } = c.get('deps');
  const [postMap, parents] = await Promise.all([posts ?? postsOf(store, comments), parentsOf(store, comments)]);
  const staff = moderatesEverything(currentUser(c));
  const noted = staff ? await store.people.withNotes(comments.flatMap((x) => (x.personId !== null ? [x.personId] : []))) : new Set<number>();
  const whoIs = staff ? await inboxWhoIs(c.get('deps'), comments) : undefined;
  return { tab, token: c.get('session')!.csrfToken, back, posts: postMap, parents, now: clock.now(), noted, whoIs, loadRemoteImages: c.get('site').loadRemoteImages, canWritePosts: writesPosts(currentUser(c).role) };
}

/**
 * The moderation inbox: Pending, Approved, Spam and Trash, with filters, paging, per-comment
 * and bulk actions, and inline replies. Every action is a plain form (Post/Redirect/Get);
 * moderation.js sends the same forms with fetch and gets JSON back.
 */
export function commentRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    const { store } = c.get('deps');
    const user = currentUser(c);
    const filters = filtersOf(c);
    const inbox = await loadInbox(store, user, { status: filters.status, postId: filters.postId, text: filters.q, limit: PER_PAGE, offset: (filters.page - 1) * PER_PAGE });
    const totalPages = Math.max(1, Math.ceil(inbox.total / PER_PAGE));
    if (inbox.items.length === 0 && filters.page > totalPages) {
      // The last page emptied (everything on it was moderated): show the one before.
      const url = new URL(inboxUrl({ ...filters, page: totalPages }), 'http://x');
      for (const [k, v] of new URL(c.req.url).searchParams) if (['done', 'n', 'ids', 'from', 'reply', 'kept'].includes(k)) url.searchParams.set(k, v);
      return c.redirect(url.pathname + url.search, 303);
    }
    const back = inboxUrl(filters);
    const [rows, choices, result] = await Promise.all([rowContext(c, inbox.items, filters.status, back), postChoices(c, user, filters.postId), resultFromQuery(c)]);
    return c.html(
      inboxView(c, {
        filters,
        comments: inbox.items,
        total: inbox.total,
        counts: inbox.counts,
        rows,
        postChoices: choices,
        totalPages,
        perPage: PER_PAGE,
        result,
        user,
      }).value,
    );
  });

  /** Approve, unapprove, spam, trash or restore one comment or many (`ids` repeated). */
  app.post('/moderate', async (c) => {
    const { comments, store } = c.get('deps');
    const user = currentUser(c);
    const form = await c.req.parseBody({ all: true });
    const action = text(form.action) as ModerationAction;
    const back = safeBack(text(form.back));
    const from = asStatus(text(form.from));
    if (!actions.has(action)) throw new DomainError('validation_failed', 'Choose what to do with the comments: approve, unapprove, spam, trash or restore.', { action: 'Unknown action.' });
    const ids = idsOf(form.ids);
    if (ids.length === 0) {
      if (wantsJson(c)) throw new DomainError('validation_failed', 'Select at least one comment first.', { ids: 'Nothing selected.' });
      return redirectBack(c, back, { done: action, n: '0' });
    }
    await moderatableComments(c, user, ids);
    const changed = await comments.moderate(ids, action, currentUser(c).id);
    const changedIds = changed.map((comment) => comment.id);
    if (!wantsJson(c)) {
      return redirectBack(c, back, { done: action, n: String(changed.length), ids: changedIds.join(','), ...(from ? { from } : {}) });
    }
    const fresh = await store.comments.findMany(ids);
    const rows = await rowContext(c, fresh, tabOf(back), back);
    const result: ModerationResult = { kind: 'moderated', action, count: changed.length, ids: changedIds, from };
    return c.json({
      ok: true,
      message: resultText(result),
      notice: resultNotice(result, rows.token, back).value,
      rows: fresh.map((comment) => ({ id: comment.id, status: comment.status, html: commentRow(comment, rows).value })),
      counts: await countsPayload(c, user),
    });
  });

  /**
   * A reply from the inbox or "Waiting for you": published at once as the signed-in user.
   * Answering a held comment approves it first, as WordPress does.
   */
  app.post('/:id{[0-9]+}/reply', async (c) => {
    const deps = c.get('deps');
    const user = currentUser(c);
    const id = idParam(c);
    const form = await c.req.parseBody();
    const back = safeBack(text(form.back));
    const body = text(form.body).replace(/\r\n/g, '\n').trim();
    if (!body) throw new DomainError('validation_failed', 'Write your reply first.', { body: 'Required.' });
    if (body.length > 10_000) throw new DomainError('validation_failed', 'Keep a reply under 10,000 characters.', { body: 'Too long.' });
    const { comments: [parent], posts } = await moderatableComments(c, user, [id]);
    const post = posts.get(parent.postId)!;
    if (parent.status === 'spam' || parent.status === 'trash') {
      throw new DomainError('conflict', `This comment is in ${parent.status === 'spam' ? 'spam' : 'the trash'}. Restore it before answering it.`);
    }
    if (parent.status === 'pending') await deps.comments.moderate([parent.id], 'approve', user.id);
    const { comment: reply } = await deps.comments.submit(
      { postId: post.id, parentId: parent.id, body },
      { ip: clientIp(c), userAgent: c.req.header('user-agent') ?? '', referrer: c.req.header('referer') ?? '', user },
      `${deps.config.siteUrl}/${post.slug}`,
    );
    if (!wantsJson(c)) return redirectBack(c, back, { done: 'reply', reply: String(reply.id) });

    const answered = (await deps.store.comments.findById(parent.id)) ?? parent;
    const result: ModerationResult = { kind: 'replied', reply, post };
    let row: string;
    if (back.startsWith('/admin/waiting')) {
      row = answeredCard(answered, reply, post).value;
    } else {
      const rows = await rowContext(c, [answered], tabOf(back), back, posts);
      rows.replies = new Map([[answered.id, reply]]);
      row = commentRow(answered, rows).value;
    }
    return c.json({
      ok: true,
      message: resultText(result),
      notice: resultNotice(result, c.get('session')!.csrfToken, back).value,
      rows: [{ id: answered.id, status: answered.status, html: row }],
      reply: { id: reply.id, url: `/${post.slug}#comment-${reply.id}` },
      counts: await countsPayload(c, user),
    });
  });

  /**
   * Deleting spam for good, chosen comments or the whole folder: the moderator confirming
   * it is spam, so the filter learns each one first. Asks once before (no Undo after).
   */
  app.post('/delete-spam', async (c) => {
    const user = currentUser(c);
    const form = await c.req.parseBody({ all: true });
    const back = safeBack(text(form.back)) === '/admin/comments' ? '/admin/comments?status=spam' : safeBack(text(form.back));
    const ids = idsOf(form.ids);
    if (ids.length === 0) throw new DomainError('validation_failed', 'Select at least one comment in Spam first.', { ids: 'Nothing selected.' });
    await moderatableComments(c, user, ids);
    if (text(form.confirm) !== 'yes') {
      return c.html(
        confirmView(c, {
          title: `Delete ${ids.length === 1 ? 'this spam comment' : `${ids.length} spam comments`} for good?`,
          message:
            ids.length === 1
              ? 'It cannot be restored afterwards. The spam filter learns from it first, so that it catches its like.'
              : 'They cannot be restored afterwards. The spam filter learns from each one first, so that it catches their like.',
          action: '/admin/comments/delete-spam',
          confirmLabel: 'Delete for good',
          cancelHref: back,
          current: 'comments',
          fields: { ids: ids.map(String), back },
        }).value,
      );
    }
    const { deleted, kept } = await c.get('deps').comments.deleteSpam(ids);
    return redirectBack(c, back, { done: 'deleted', n: String(deleted.length), kept: String(kept.length) });
  });

  app.post('/empty-spam', async (c) => {
    const user = currentUser(c);
    const form = await c.req.parseBody();
    if (text(form.confirm) !== 'yes') {
      return c.html(
        confirmView(c, {
          title: 'Empty spam?',
          message: `Every comment in Spam${moderatesEverything(user) ? '' : ' on your posts'} is deleted for good; none can be restored. The spam filter learns from each one first.`,
          action: '/admin/comments/empty-spam',
          confirmLabel: 'Empty spam',
          cancelHref: '/admin/comments?status=spam',
          current: 'comments',
        }).value,
      );
    }
    const { deleted, kept } = await c.get('deps').comments.emptySpam(moderatesEverything(user) ? undefined : user.id);
    return redirectBack(c, '/admin/comments?status=spam', { done: 'deleted', n: String(deleted), kept: String(kept) });
  });

  /** The edit page: the comment's text and place, and its history. */
  async function editPage(c: Context<AppEnv>, user: User, id: number, extra: { back?: string; values?: { body: string; parentId: number | null }; error?: DomainError; saved?: boolean } = {}) {
    const { store } = c.get('deps');
    const { comments: [comment], posts } = await moderatableComments(c, user, [id]);
    const post = posts.get(comment.postId)!;
    const thread = await store.comments.listApproved(post.id);
    // Not itself nor its own replies: they move with it.
    const own = descendantIds(comment.id, thread);
    const history = await store.comments.revisions(comment.id);
    const namedIds = [...new Set(history.map((r) => r.parentId).filter((p): p is number => p !== null))];
    const named = new Map((await store.comments.findMany(namedIds)).map((n) => [n.id, n]));
    const view = commentEditView(c, {
      comment,
      post,
      parents: thread.filter((t) => t.id !== comment.id && !own.has(t.id)),
      history,
      named,
      token: c.get('session')!.csrfToken,
      back: extra.back ?? safeBack(c.req.query('back')),
      values: extra.values,
      error: extra.error ? { message: extra.error.message, fields: extra.error.fields ?? {} } : undefined,
      saved: extra.saved,
    });
    return c.html(view.value, extra.error ? statusFor[extra.error.code] : 200);
  }

  app.get('/:id{[0-9]+}/edit', (c) => editPage(c, currentUser(c), idParam(c), { saved: c.req.query('saved') === '1' }));

  /** Staff change a comment's text or move it (with its replies) under another comment of the post. */
  app.post('/:id{[0-9]+}/edit', async (c) => {
    const deps = c.get('deps');
    const user = currentUser(c);
    const id = idParam(c);
    const form = await c.req.parseBody();
    const back = safeBack(text(form.back));
    const parentField = text(form.parentId).trim();
    if (parentField !== '' && !/^[0-9]{1,15}$/.test(parentField)) throw new DomainError('validation_failed', 'Choose the comment it answers from the list.', { parentId: 'Not a comment.' });
    const values = { body: text(form.body), parentId: parentField === '' ? null : Number(parentField) };
    await moderatableComments(c, user, [id]);
    try {
      await deps.comments.editAsStaff(user, id, { body: values.body, parentId: values.parentId });
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      return editPage(c, user, id, { back, values, error });
    }
    return c.redirect(`/admin/comments/${id}/edit?saved=1&back=${encodeURIComponent(back)}`, 303);
  });

  return app;
}
