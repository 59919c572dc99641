import type { Context } from 'hono';
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
  /** The IANA zone name as typed. */
  timeZone: string;
}

/** /admin/settings: the site's title, description, navigation, custom CSS and paging. */
export function settingsView(c: Context<AppEnv>, v: SettingsValues, fields: Record<string, string> = {}, error?: string): SafeHtml {
  const body = html`${pageHead('Settings', undefined, 'How the site presents itself to readers.')}
${error ? html`<p class="notice error" role="alert">${Object.keys(fields).length > 1 ? 'Some settings need a look; nothing was saved.' : `${error} Nothing was saved.`}</p>` : ''}
<form class="card settings-form" method="post" action="/admin/settings">
  ${csrfField(c.get('session')!.csrfToken)}
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
    <legend>Custom CSS</legend>
    ${field({
      name: 'customCss',
      label: 'CSS added after the theme',
      value: v.customCss,
      error: fields.customCss,
      multiline: true,
      rows: 10,
      hint: 'For example: :root { --accent: #1d4ed8; --link: #1d4ed8; }. It may not load files from other sites.',
      attrs: html` class="mono" spellcheck="false"`,
    })}
  </fieldset>
  <div class="button-row"><button type="submit">Save settings</button></div>
</form>`;
  return adminLayout(c, { title: 'Settings', body, current: 'settings' });
}
