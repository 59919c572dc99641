import { Hono } from 'hono';
import { DomainError } from '../../../core/errors.ts';
import { formatNavigation, saveSiteSettings } from '../../../core/site-settings.ts';
import type { AppEnv } from '../../context.ts';
import { settingsView, type SettingsValues } from '../../views/admin/settings-view.ts';
import { allowRoles, formFields, redirectWithNotice } from './admin-request.ts';

/** The site's settings; the owner's alone. */
export function settingsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', allowRoles(['owner'], 'Only the owner can change the site’s settings.'));

  app.get('/', (c) => {
    const site = c.get('site');
    const values: SettingsValues = {
      title: site.title,
      description: site.description,
      navigation: formatNavigation(site.navigation),
      customCss: site.customCss,
      postsPerPage: String(site.postsPerPage),
      feedItems: String(site.feedItems),
      loadRemoteImages: site.loadRemoteImages,
      timeZone: site.timeZone,
    };
    return c.html(settingsView(c, values).value);
  });

  app.post('/', async (c) => {
    const { store, changes } = c.get('deps');
    const form = await formFields(c);
    const values: SettingsValues = {
      title: form.title ?? '',
      description: form.description ?? '',
      navigation: (form.navigation ?? '').replace(/\r\n/g, '\n'),
      customCss: (form.customCss ?? '').replace(/\r\n/g, '\n'),
      postsPerPage: form.postsPerPage ?? '',
      feedItems: form.feedItems,
      loadRemoteImages: form.loadRemoteImages === '1',
      timeZone: form.timeZone ?? c.get('site').timeZone,
    };
    try {
      await saveSiteSettings(store, values);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'validation_failed') {
        return c.html(settingsView(c, values, error.fields, error.message).value, 422);
      }
      throw error;
    }
    changes.publish('settings-changed');
    return redirectWithNotice(c, '/admin/settings', 'settings-saved');
  });

  return app;
}
