import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { requireUser } from '../../middleware.ts';

/** The author's admin (placeholder until the admin area lands). */
export function adminRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requireUser);
  app.get('/', (c) => c.text(`Signed in as ${c.get('user')!.name}`));
  return app;
}
