import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { requireUser } from '../../middleware.ts';
import { commentSettingsRoutes } from './comment-settings.ts';
import { fediverseRoutes } from './fediverse.ts';
import { importRoutes } from './import.ts';
import { mailRoutes } from './mail.ts';
import { commentRoutes, loadNavCounts } from './comments.ts';
import { postRoutes } from './posts.ts';
import { profileRoutes } from './profile.ts';
import { revisionRoutes } from './revisions.ts';
import { settingsRoutes } from './settings.ts';
import { siteRoutes } from './sites.ts';
import { tagRoutes } from './tags.ts';
import { tokenRoutes } from './tokens.ts';
import { uploadRoutes } from './uploads.ts';
import { userRoutes } from './users.ts';
import { waitingRoutes } from './waiting.ts';
import { dashboardPage } from './dashboard.ts';
import { peopleRoutes } from './people.ts';
import { personRightsRoutes, postIdeaRoutes } from './person-rights.ts';
import { webmentionAdminRoutes } from './webmentions.ts';

/**
 * The author's admin at /admin: one sub-app per area. Every page is private to the
 * signed-in user and never stored by a cache.
 */
export function adminRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('Cache-Control', 'private, no-store');
  });
  app.use('*', requireUser);
  // The top bar's counts (held comments, conversations waiting): two cheap queries per page.
  app.use('*', async (c, next) => {
    if (c.req.method === 'GET') await loadNavCounts(c);
    return next();
  });
  app.get('/', dashboardPage);
  app.route('/', postRoutes());
  app.route('/', revisionRoutes());
  app.route('/', webmentionAdminRoutes());
  app.route('/', postIdeaRoutes());
  app.route('/comments/settings', commentSettingsRoutes());
  app.route('/comments', commentRoutes());
  app.route('/waiting', waitingRoutes());
  app.route('/people', personRightsRoutes());
  app.route('/people', peopleRoutes());
  app.route('/mail', mailRoutes());
  app.route('/uploads', uploadRoutes());
  app.route('/tags', tagRoutes());
  app.route('/settings', settingsRoutes());
  app.route('/users', userRoutes());
  app.route('/fediverse', fediverseRoutes());
  app.route('/sites', siteRoutes());
  app.route('/import', importRoutes());
  app.route('/tokens', tokenRoutes());
  app.route('/profile', profileRoutes());
  return app;
}
