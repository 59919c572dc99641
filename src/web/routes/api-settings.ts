import { Hono } from 'hono';
import { DomainError } from '../../core/errors.ts';
import { formatNavigation, readSiteSettings, saveSiteSettings, type SiteSettings } from '../../core/site-settings.ts';
import type { AppEnv } from '../context.ts';
import { apiSettingsPatchSchema, type ApiSettings } from '../openapi-settings.ts';
import { limitBody, limitWrites, parseWith, readJson } from './api-request.ts';
import { requireRole } from './api-staff.ts';

const REFUSAL = 'Only the owner can change the site’s settings.';

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** Every setting, its name in snake_case (a setting added to SiteSettings shows here too). */
function settingsOut(s: SiteSettings): ApiSettings {
  const out = Object.fromEntries(Object.entries(s).map(([key, value]) => [snakeCase(key), value]));
  return { ...out, navigation: s.navigation.map((n) => ({ label: n.label, url: n.url })) } as ApiSettings;
}

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
    // The form's values, the sent ones over the current ones (every current one, so a setting
    // this API does not name yet is kept as it is): the form's rules apply to both alike.
    const values = {
      ...current,
      navigation: formatNavigation(input.navigation ?? current.navigation),
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.custom_css !== undefined ? { customCss: input.custom_css } : {}),
      ...(input.posts_per_page !== undefined ? { postsPerPage: input.posts_per_page } : {}),
      ...(input.feed_items !== undefined ? { feedItems: input.feed_items } : {}),
      ...(input.load_remote_images !== undefined ? { loadRemoteImages: input.load_remote_images } : {}),
      ...(input.accent !== undefined ? { accent: input.accent } : {}),
      ...(input.accent_dark !== undefined ? { accentDark: input.accent_dark } : {}),
      ...(input.favicon !== undefined ? { favicon: input.favicon } : {}),
      ...(input.time_zone !== undefined ? { timeZone: input.time_zone } : {}),
    };
    let saved: SiteSettings;
    try {
      saved = await saveSiteSettings(store, values);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      const fields = Object.fromEntries(Object.entries(error.fields).map(([name, problem]) => [snakeCase(name), problem]));
      const [name, problem] = Object.entries(fields)[0] ?? ['body', error.message];
      throw new DomainError('validation_failed', `${name}: ${problem}`, fields);
    }
    changes.publish('settings-changed');
    return c.json(settingsOut(saved));
  });

  return app;
}
