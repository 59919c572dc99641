import type { Context } from 'hono';
import { legacyKeyOf } from '../core/legacy-paths.ts';
import type { AppEnv } from './context.ts';

/**
 * A 301 to where an imported post lives now, when the request is for one of its old
 * WordPress addresses ('/?p=12', '/2019/03/05/hello/', '/hello/'). Asked only on the way
 * to a 404 (and on the home page when it carries ?p= or ?page_id=), so ordinary pages
 * never pay for it. Drafts and trashed posts are not revealed.
 */
export async function legacyRedirect(c: Context<AppEnv>): Promise<Response | null> {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return null;
  const { store, clock } = c.get('deps');
  const path = c.req.path;
  const key = legacyKeyOf(path, (name) => c.req.query(name));
  if (!key) return null;
  const postId = await store.imports.findLegacyPath(key);
  const post = postId === null ? null : await store.posts.findById(postId);
  if (!post || post.deletedAt !== null || post.status !== 'published' || post.publishedAt === null || post.publishedAt > clock.now()) return null;
  const target = `/${post.slug}`;
  return target === path ? null : c.redirect(target, 301);
}
