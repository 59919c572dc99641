import { Hono } from 'hono';
import { DomainError } from '../../core/errors.ts';
import { formatNavigation, readSiteSettings, saveSiteSettings, type SiteSettings } from '../../core/site-settings.ts';
import type { AppEnv } from '../context.ts';
import { apiSettingsPatchSchema, type ApiSettings } from '../openapi-settings.ts';
import { limitBody, limitWrites, parseWith, readJson } from './api-request.ts';
import { requireRole } from './api-staff.ts';

const REFUSAL = 'Only the owner can change the site’s settings.';

function settingsOut(s: SiteSettings): ApiSettings {
  return {
    title: s.title,
    description: s.description,
    navigation: s.navigation.map((n) => ({ label: n.label, url: n.url })),
    custom_css: s.customCss,
    posts_per_page: s.postsPerPage,
    feed_items: s.feedItems,
    load_remote_images: s.loadRemoteImages,
  };
}

/** The form's field names → the API's. */
const wire: Record<string, string> = { customCss: 'custom_css', postsPerPage: 'posts_per_page', feedItems: 'feed_items', loadRemoteImages: 'load_remote_images' };

/** The site's settings in the JSON API, mounted at /api/settings; the rules are Admin → Settings' (core/site-settings.ts). */
export function apiSettingsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    requireRole(c, 'admin', ['owner'], REFUSAL);
    return c.json(settingsOut(readSiteSettings(await c.get('deps').store.settings.getAll())));
  });

  app.patch('/', limitWrites, limitBody, async (c) => {
    requireRole(c, 'admin', ['owner'], REFUSAL);
    const { store, changes } = c.get('deps');
    const input = parseWith(apiSettingsPatchSchema, await readJson(c, { optional: false }), 'a JSON object with the settings to change, e.g. {"title": "My blog"}');
    const current = readSiteSettings(await store.settings.getAll());
    // The form's values, the sent ones over the current ones: the form's rules apply to both alike.
    const values = {
      title: input.title ?? current.title,
      description: input.description ?? current.description,
      navigation: formatNavigation(input.navigation ?? current.navigation),
      customCss: input.custom_css ?? current.customCss,
      postsPerPage: input.posts_per_page ?? current.postsPerPage,
      feedItems: input.feed_items ?? current.feedItems,
      loadRemoteImages: input.load_remote_images ?? current.loadRemoteImages,
    };
    let saved: SiteSettings;
    try {
      saved = await saveSiteSettings(store, values);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      const fields = Object.fromEntries(Object.entries(error.fields).map(([name, problem]) => [wire[name] ?? name, problem]));
      const [name, problem] = Object.entries(fields)[0] ?? ['body', error.message];
      throw new DomainError('validation_failed', `${name}: ${problem}`, fields);
    }
    changes.publish('settings-changed');
    return c.json(settingsOut(saved));
  });

  return app;
}
