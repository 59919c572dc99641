import { Hono, type Context } from 'hono';
import { DomainError } from '../../../core/errors.ts';
import { uploadUrl } from '../../../core/media.ts';
import { formatNavigation, saveSiteSettings } from '../../../core/site-settings.ts';
import type { AppEnv } from '../../context.ts';
import { settingsView, type SettingsValues } from '../../views/admin/settings-view.ts';
import { allowRoles, currentUser, formFields, redirectWithNotice } from './admin-request.ts';

/** An icon is shown at 16 to 512 pixels: a larger file only slows every first visit. */
const ICON_MAX_BYTES = 1024 * 1024;

/** The newest images of the media library, to pick the site's icon from. */
async function iconChoices(c: Context<AppEnv>) {
  return (await c.get('deps').store.uploads.list({ q: '', limit: 50, offset: 0 })).items;
}

/** The site's settings; the owner's alone. */
export function settingsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', allowRoles(['owner'], 'Only the owner can change the site’s settings.'));

  app.get('/', async (c) => {
    const site = c.get('site');
    const values: SettingsValues = {
      title: site.title,
      description: site.description,
      navigation: formatNavigation(site.navigation),
      customCss: site.customCss,
      postsPerPage: String(site.postsPerPage),
      feedItems: String(site.feedItems),
      loadRemoteImages: site.loadRemoteImages,
      accent: site.accent,
      accentDark: site.accentDark,
      favicon: site.favicon,
      timeZone: site.timeZone,
    };
    return c.html(settingsView(c, values, await iconChoices(c)).value);
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
      accent: form.accent,
      accentDark: form.accentDark,
      // An image picked from the library wins over the address typed above it.
      favicon: form.faviconPick || form.favicon,
      timeZone: form.timeZone ?? c.get('site').timeZone,
    };
    try {
      await saveSiteSettings(store, values);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'validation_failed') {
        return c.html(settingsView(c, values, await iconChoices(c), error.fields, error.message).value, 422);
      }
      throw error;
    }
    changes.publish('settings-changed');
    return redirectWithNotice(c, '/admin/settings', 'settings-saved');
  });

  /** A new icon: uploaded into the media library (cleaned like every upload) and made the site's icon. */
  app.post('/icon', async (c) => {
    const { store, changes, media } = c.get('deps');
    if (!(c.req.header('content-type') ?? '').startsWith('multipart/form-data')) {
      throw new DomainError('validation_failed', 'Send the icon as multipart/form-data in the field "file".', { file: 'Required.' });
    }
    const body = await c.req.parseBody();
    const file = body.file;
    if (!(file instanceof File) || file.size === 0) throw new DomainError('validation_failed', 'Choose an image file for the icon.', { file: 'Choose a file.' });
    if (file.size > ICON_MAX_BYTES) throw new DomainError('payload_too_large', 'An icon must be under 1 MB; a 512 × 512 pixel PNG is plenty.');
    const saved = await media.upload({ bytes: new Uint8Array(await file.arrayBuffer()), fileName: file.name, alt: 'Site icon', uploaderId: currentUser(c).id });
    await store.settings.set({ 'site.favicon': uploadUrl(saved) });
    changes.publish('settings-changed');
    return redirectWithNotice(c, '/admin/settings', 'icon-saved');
  });

  return app;
}
