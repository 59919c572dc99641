import type { Context } from 'hono';
import { uploadUrl } from '../../../core/media.ts';
import type { UploadInfo } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField, field } from '../forms.ts';
import { adminLayout, pageHead } from './admin-layout.ts';
import { serverTimeZoneName, timeZoneNames } from '../../../core/time-zone.ts';
import { formatDateTime } from '../format.ts';

export interface SettingsValues {
  title: string;
  description: string;
  navigation: string;
  customCss: string;
  postsPerPage: string;
  /** Absent when an older form left it out: the default is kept. */
  feedItems?: string;
  loadRemoteImages: boolean;
  /** Absent (an older form): the theme's accent is kept. */
  accent?: string;
  accentDark?: string;
  favicon?: string;
  /** The IANA zone name as typed. */
  timeZone: string;
}

/**
 * The custom CSS example: colours that meet WCAG AA (4.5:1) on the theme's light and dark
 * backgrounds (colour.test.ts checks them).
 */
export const CUSTOM_CSS_EXAMPLE = {
  light: '#1d4ed8',
  dark: '#93c5fd',
  text: ':root { --link: #1d4ed8; } @media (prefers-color-scheme: dark) { :root { --link: #93c5fd; } }',
};

/** /admin/settings: the site's title, description, navigation, custom CSS and paging. */
export function settingsView(c: Context<AppEnv>, v: SettingsValues, icons: UploadInfo[], fields: Record<string, string> = {}, error?: string): SafeHtml {
  const token = c.get('session')!.csrfToken;
  const body = html`${pageHead('Settings', undefined, 'How the site presents itself to readers.')}
${error ? html`<p class="notice error" role="alert">${Object.keys(fields).length > 1 ? 'Some settings need a look; nothing was saved.' : `${error} Nothing was saved.`}</p>` : ''}
<form class="card settings-form" method="post" action="/admin/settings">
  ${csrfField(token)}
  <fieldset>
    <legend>Site</legend>
    ${field({ name: 'title', label: 'Site title', value: v.title, error: fields.title, required: true, attrs: html` maxlength="120"` })}
    ${field({ name: 'description', label: 'Description', value: v.description, error: fields.description, hint: 'One line under the title on the home page, and in link previews and feeds.', attrs: html` maxlength="300"` })}
    ${field({ name: 'postsPerPage', label: 'Posts per page', type: 'number', value: v.postsPerPage, error: fields.postsPerPage, required: true, hint: 'On the home, tag, author and archive pages: 1 to 50.', attrs: html` min="1" max="50" step="1" inputmode="numeric" class="short-input"` })}
    ${field({ name: 'feedItems', label: 'Items per feed', type: 'number', value: v.feedItems ?? '20', error: fields.feedItems, required: true, hint: 'The newest posts (or comments) in the RSS, Atom and JSON feeds: 1 to 100.', attrs: html` min="1" max="100" step="1" inputmode="numeric" class="short-input"` })}
  </fieldset>
  <fieldset>
    <legend>Time</legend>
    ${field({
      name: 'timeZone',
      label: 'Time zone',
      value: v.timeZone,
      error: fields.timeZone,
      required: true,
      hint: `An IANA name such as Europe/Paris, America/New_York or UTC (this server’s own zone is ${serverTimeZoneName()}). Pages show dates and times in it with the zone named (now: ${formatDateTime(c.get('deps').clock.now())}), and the editor’s publish time is read in it. A time the clocks skip when summer time starts is refused; a time that happens twice when it ends means the first (summer time). Feeds keep exact times with their offset.`,
      attrs: html` list="time-zones" autocomplete="off" spellcheck="false"`,
    })}
    <datalist id="time-zones">${timeZoneNames().map((n) => html`<option value="${n}"></option>`)}</datalist>
  </fieldset>
  <fieldset>
    <legend>Navigation</legend>
    ${field({
      name: 'navigation',
      label: 'Menu items',
      value: v.navigation,
      error: fields.navigation,
      multiline: true,
      rows: 6,
      hint: 'One item a line, as “Label | /path” or “Label | https://…”, e.g. “About | /about”. At most 12.',
      attrs: html` class="mono" spellcheck="false"`,
    })}
  </fieldset>
  <fieldset>
    <legend>Privacy</legend>
    <div class="field check-field">
      <label class="check" for="f-loadRemoteImages"><input type="checkbox" id="f-loadRemoteImages" name="loadRemoteImages" value="1"${v.loadRemoteImages ? html` checked` : ''} aria-describedby="f-loadRemoteImages-hint"> Load images from other sites</label>
      <p class="hint" id="f-loadRemoteImages-hint">The photo on a commenter’s website (“Who is this?” in the admin), and the avatars beside a post’s likes and reposts (fediverse accounts, webmention authors), are shown only when this is ticked. Loading one tells its site who looked and when: the team here, readers on post pages. Unticked, initials stand in.</p>
    </div>
  </fieldset>
  <fieldset>
    <legend>Colours and icon</legend>
    <div class="field-pair">
    ${field({ name: 'accent', label: 'Accent, light', value: v.accent ?? '', error: fields.accent, hint: 'Links and buttons, as a hex colour such as #1d4ed8. Empty keeps the theme’s. It needs a contrast of 4.5:1 on the light background.', attrs: html` class="short-input mono" spellcheck="false" autocomplete="off" placeholder="#9a3412"` })}
    ${field({ name: 'accentDark', label: 'Accent, dark', value: v.accentDark ?? '', error: fields.accentDark, hint: 'The same for readers whose device is set to dark, e.g. #93c5fd. It needs 4.5:1 on the dark background.', attrs: html` class="short-input mono" spellcheck="false" autocomplete="off" placeholder="#fdba74"` })}
    </div>
    ${field({ name: 'favicon', label: 'Icon', value: v.favicon ?? '', error: fields.favicon, hint: 'The small picture in browser tabs and bookmarks: an image from the media library (/uploads/…) or an https:// address. Empty is Kumbaya’s. Upload a new one below the form.', attrs: html` spellcheck="false" autocomplete="off"` })}
    ${icons.length > 0
      ? html`<div class="field">
      <label for="f-faviconPick">Or pick an image from the media library</label>
      <select id="f-faviconPick" name="faviconPick">
        <option value="">— Keep the address above —</option>
        ${icons.map((u) => html`<option value="${uploadUrl(u)}"${uploadUrl(u) === v.favicon ? html` selected` : ''}>${u.originalName} (${u.width} × ${u.height})${u.alt ? ` — ${u.alt}` : ''}</option>`)}
      </select>
    </div>`
      : ''}
  </fieldset>
  <fieldset>
    <legend>Custom CSS</legend>
    ${field({
      name: 'customCss',
      label: 'CSS added after the theme',
      value: v.customCss,
      error: fields.customCss,
      multiline: true,
      rows: 10,
      hint: `For example: ${CUSTOM_CSS_EXAMPLE.text} (colours readable on both the light and the dark background). It may not load files from other sites.`,
      attrs: html` class="mono" spellcheck="false"`,
    })}
  </fieldset>
  <div class="button-row"><button type="submit">Save settings</button></div>
</form>
<form class="card settings-form" method="post" action="/admin/settings/icon" enctype="multipart/form-data">
  ${csrfField(token)}
  <h2>Upload a new icon</h2>
  <div class="field">
    <label for="f-icon-file">Image</label>
    <input type="file" id="f-icon-file" name="file" accept="image/png,image/jpeg,image/gif,image/webp,image/avif" required aria-describedby="f-icon-file-hint">
    <p class="hint" id="f-icon-file-hint">A square PNG of 512 × 512 pixels works everywhere; under 1 MB. It joins the media library and becomes the site’s icon at once.</p>
  </div>
  <div class="button-row"><button type="submit" class="secondary">Upload and use as icon</button></div>
</form>`;
  return adminLayout(c, { title: 'Settings', body, current: 'settings' });
}
