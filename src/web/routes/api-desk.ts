import { Hono } from 'hono';
import { DomainError } from '../../core/errors.ts';
import { previewMarkdown } from '../../core/post-preview.ts';
import type { Comment, Page, Post, User } from '../../core/store.ts';
import type { AppEnv } from '../context.ts';
import { apiMePatchSchema } from '../openapi-desk.ts';
import { dashboardParts } from './admin/dashboard.ts';
import { isoOrNull, limitBody, limitWrites, parseWith, readJson, requireScope } from './api-request.ts';
import { iso, requireRole } from './api-staff.ts';

const commentOut = (comment: Comment) => ({ id: comment.id, post_id: comment.postId, author_name: comment.authorName, created_at: iso(comment.createdAt) });
const postsOut = (page: Page<Post> | null) =>
  page && { total: page.total, posts: page.items.map((post) => ({ id: post.id, title: post.title, updated_at: iso(post.updatedAt), published_at: isoOrNull(post.publishedAt) })) };
const meOut = (user: User) => ({ id: user.id, name: user.name, email: user.email, slug: user.slug, bio: user.bio, role: user.role, created_at: iso(user.createdAt) });

/** How many rows of each list the summary carries (the admin's home shows 3). */
const FEW = 5;

/**
 * The editor's preview, the home's summary and one's own profile in the JSON API, mounted
 * at /api: the same pipeline (previewMarkdown), queries (dashboardParts) and service
 * (AuthService.updateProfile) as the admin.
 */
export function apiDeskRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/preview', limitWrites, limitBody, async (c) => {
    requireRole(c, 'write', ['owner', 'author'], 'Moderators look after the conversation; writing posts and pages is for the owner and authors.');
    const body = await readJson(c, { optional: false });
    const { html, excerpt, words, minutes } = await previewMarkdown((body as { markdown?: unknown } | null)?.markdown);
    return c.json({ html, excerpt, word_count: words, reading_minutes: minutes });
  });

  app.get('/dashboard', async (c) => {
    const user = requireScope(c, 'read');
    const parts = await dashboardParts(c.get('deps').store, user, FEW);
    return c.json({
      waiting_for_you: { total: parts.waiting.total, comments: parts.waiting.items.map(commentOut) },
      held: { total: parts.held.total, comments: parts.held.items.map(commentOut) },
      recent_comments: parts.recent.map(commentOut),
      drafts: postsOut(parts.drafts),
      scheduled: postsOut(parts.scheduled),
      mail: parts.outbox,
      failed_jobs: parts.failedJobs,
    });
  });

  app.get('/me', (c) => c.json(meOut(requireScope(c, 'read'))));

  app.patch('/me', limitWrites, limitBody, async (c) => {
    const user = requireScope(c, 'write');
    const { auth, changes } = c.get('deps');
    const input = parseWith(apiMePatchSchema, await readJson(c, { optional: false }), 'a JSON object with the fields to change, e.g. {"bio": "…"}');
    if (input.email !== undefined) {
      throw new DomainError('validation_failed', 'Change your email address in Admin → Profile: the API does not move the address an account signs in with.', { email: 'Change it in Admin → Profile.' });
    }
    const saved = await auth.updateProfile(user, { name: input.name ?? user.name, email: user.email, slug: (input.slug ?? user.slug).trim(), bio: input.bio ?? user.bio });
    // The name and bio appear on public pages (bylines, the author page), as the admin's save says.
    changes.publish('profile-changed');
    return c.json(meOut(saved));
  });

  return app;
}
