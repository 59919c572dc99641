import type { Context } from 'hono';
import type { CommentSettings } from '../../../core/comment-settings.ts';
import type { PostRevision } from '../../../core/revisions.ts';
import type { Post, PostType } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, raw, type SafeHtml } from '../../html.ts';
import { writtenExcerpt } from '../../../core/post-service.ts';
import { csrfField, field, notice } from '../forms.ts';
import { formatDateTime, fromDateTimeLocal as readLocalTime, shownZone, toDateTimeLocal as localTimeValue, zoneLabel } from '../format.ts';
import { postUrl } from '../public-views.ts';
import { adminLayout } from './admin-layout.ts';
import { statusBadge, typeWords } from './post-list-view.ts';
import type { PostOrigin } from '../../../core/post-ideas.ts';
import { postOriginNote, tellThemField } from './person-rights-view.ts';
import { mayOpenPeople } from '../../../core/person-edits.ts';
import { automaticExcerpt } from '../../../core/text.ts';
import { altTextDialog, excerptField, markdownField, paneTabs, seoFieldset } from './editor-parts.ts';

/** What the editor form holds, as the person typed it. */
export interface EditorValues {
  title: string;
  markdown: string;
  slug: string;
  excerpt: string;
  tags: string;
  visibility: string;
  coverImage: string;
  /** datetime-local value in the site's time zone: YYYY-MM-DDTHH:MM, or ''. */
  publishedAt: string;
  /** 'inherit' (the site's setting), 'open' or 'closed'. */
  commentsMode: string;
  /** Whole days after publishing when comments close, or '' (the site's setting). */
  commentsCloseDays: string;
  /** The password readers must enter, or '' (not protected). */
  password?: string;
  /** SEO fields ('' : automatic). */
  metaDescription?: string;
  socialImage?: string;
  canonicalUrl?: string;
  /** A new post's editor key (see PostService.create): every save from this page makes one post. */
  creationKey?: string;
}

export interface EditorOptions {
  type: PostType;
  /** The saved post; null while writing a new one. */
  post: Post | null;
  values: EditorValues;
  fields?: Record<string, string>;
  error?: string;
  /** Rendered, sanitised HTML for the preview pane. */
  previewHtml: string;
  now: number;
  /** Shown when the preview pane was filled by the Preview button (not saved). */
  previewed?: boolean;
  /** The site's comment settings, to say what "follow the site" means. */
  commentSettings?: CommentSettings;
  /** The author's autosave, when it is newer than the saved post: offered to load or discard. */
  newerAutosave?: PostRevision | null;
  /** The editor holds the author's autosave (loaded on request), not the saved post. */
  loadedAutosave?: PostRevision | null;
  /** How many saved revisions the post has (the History link). */
  revisionCount?: number;
  /** The comment the post was made from (a post idea), with its writer. */
  origin?: PostOrigin | null;
  /** The "tell them" box as sent (a form shown again); otherwise the stored wish. */
  tellThem?: boolean;
}

/** The offer to load a newer autosave (made on another device, or before the session ended), or to discard it. */
function autosaveOffer(c: Context<AppEnv>, post: Post, autosave: PostRevision): SafeHtml {
  return html`<div class="notice info notice-with-action" data-autosave-offer>
  <p>You have an autosave from ${formatDateTime(autosave.createdAt)}, newer than the saved version below.</p>
  <a class="button small" href="/admin/posts/${post.id}?autosave=load">Load it into the editor</a>
  <form method="post" action="/admin/posts/${post.id}/autosave/discard">${csrfField(c.get('session')!.csrfToken)}<button type="submit" class="secondary small">Discard it</button></form>
</div>`;
}

/** Filled in by admin.js when this browser kept a copy newer than the server's (it was offline, or signed out). */
const localCopyOffer = html`<div class="notice info notice-with-action" data-local-restore hidden>
  <p data-local-restore-text></p>
  <button type="button" class="small" data-local-restore-yes>Restore it</button>
  <button type="button" class="secondary small" data-local-restore-no>Discard it</button>
</div>`;

/** datetime-local value for an instant, in the site's time zone (views/format.ts). */
export const toDateTimeLocal = (ms: number | null): string => (ms === null ? '' : localTimeValue(ms));

/** Parses a datetime-local value in the site's time zone; null for '', NaN when it is not a valid time (or one the clocks skip). */
export function fromDateTimeLocal(value: string): number | null {
  const r = readLocalTime(value);
  return r === null ? null : 'at' in r ? r.at : Number.NaN;
}

export function editorValuesOf(post: Post): EditorValues {
  return {
    title: post.title,
    markdown: post.markdown,
    slug: post.slug,
    // The store keeps the automatic excerpt too; show the field empty when that is what it holds.
    excerpt: writtenExcerpt(post),
    tags: post.tags.map((t) => t.name).join(', '),
    visibility: post.visibility,
    coverImage: post.coverImage ?? '',
    publishedAt: toDateTimeLocal(post.publishedAt),
    commentsMode: post.commentsMode,
    commentsCloseDays: post.commentsCloseDays === null ? '' : String(post.commentsCloseDays),
    password: post.password ?? '',
    metaDescription: post.metaDescription ?? '',
    socialImage: post.socialImage ?? '',
    canonicalUrl: post.canonicalUrl ?? '',
  };
}

const fieldLabels: Record<string, string> = {
  title: 'Title', markdown: 'Text', slug: 'Address', excerpt: 'Excerpt', tags: 'Tags', visibility: 'Visibility', coverImage: 'Cover image', publishedAt: 'Publish date',
  commentsMode: 'Comments', commentsCloseDays: 'Close comments after', password: 'Password',
  metaDescription: 'Meta description', socialImage: 'Social image', canonicalUrl: 'Canonical URL',
};

/** What "follow the site's setting" means right now, in words. */
function siteCommentsWords(s: CommentSettings | undefined): string {
  if (!s) return '';
  if (!s.open) return ' (now: closed)';
  return s.closeAfterDays === null ? ' (now: open)' : ` (now: open for ${s.closeAfterDays} days after publishing)`;
}

function statusLine(c: Context<AppEnv>, post: Post, now: number): SafeHtml {
  const url = `${c.get('deps').config.siteUrl}${postUrl(post)}`;
  const link = html`<a href="${postUrl(post)}">${url}</a>`;
  let where: SafeHtml;
  if (post.status === 'published') {
    where = post.publishedAt !== null && post.publishedAt > now
      ? html`Goes live ${formatDateTime(post.publishedAt)} at ${link}`
      : html`Live at ${link}`;
  } else if (post.status === 'scheduled' && post.publishedAt !== null) {
    where = html`Goes live ${formatDateTime(post.publishedAt)} at ${link}. Until then only signed-in editors can open it.`;
  } else {
    where = html`Not public yet. Signed-in editors can preview it at ${link}.`;
  }
  return html`<p class="editor-status">${statusBadge(post)} <span>${where}</span>${post.visibility === 'unlisted' ? html` <span class="muted">Unlisted: not on the home page, tags or feeds; anyone with the link can read it.</span>` : ''}</p>`;
}

/** The post and page editor: writing pane, live preview, settings and the action bar. */
export function editorView(c: Context<AppEnv>, o: EditorOptions): SafeHtml {
  const { config } = c.get('deps');
  const token = c.get('session')!.csrfToken;
  const words = typeWords[o.type];
  const post = o.post;
  const v = o.values;
  const f = o.fields ?? {};
  const action = post ? `/admin/posts/${post.id}` : '/admin/posts';
  const when = fromDateTimeLocal(v.publishedAt);
  const future = when !== null && !Number.isNaN(when) && when > o.now;
  const status = post?.status ?? 'draft';
  const maxMb = Math.round((config.uploadMaxBytes / 1024 / 1024) * 10) / 10;
  const errorList = Object.entries(f).filter(([k]) => k in fieldLabels);

  const body = html`<div class="editor-head">
  <p class="back"><a href="${words.listPath}">← All ${words.many}</a></p>
  <h1>${post ? `Edit ${words.one}` : `New ${words.one}`}</h1>
  ${post ? html`<p class="editor-links"><a href="/admin/posts/${post.id}/revisions">History${o.revisionCount ? ` (${o.revisionCount} ${o.revisionCount === 1 ? 'revision' : 'revisions'})` : ''}</a>${post.type === 'post' ? html` · <a href="/admin/posts/${post.id}/webmentions">Webmentions: links notified and mentions received</a>` : ''}</p>` : ''}
  ${post ? statusLine(c, post, o.now) : html`<p class="editor-status"><span class="status status-draft">New</span> <span>Nothing is public until you publish.</span></p>`}
  ${o.origin ? postOriginNote(o.origin, c.get('user') ? mayOpenPeople(c.get('user')!) : false) : ''}
</div>
${
  o.error
    ? html`<div class="notice error" role="alert" tabindex="-1" id="form-errors">
  <p><strong>${errorList.length > 1 ? 'Some fields need a look' : o.error}</strong> Nothing was saved.</p>
  ${errorList.length > 1 ? html`<ul>${errorList.map(([k, m]) => html`<li><a href="#f-${k}">${fieldLabels[k]}: ${m}</a></li>`)}</ul>` : ''}
</div>`
    : ''
}
${o.previewed ? notice('info', 'Preview updated below. Nothing was saved yet.') : ''}
${post && o.newerAutosave ? autosaveOffer(c, post, o.newerAutosave) : ''}
${o.loadedAutosave ? notice('info', `This is your autosave from ${formatDateTime(o.loadedAutosave.createdAt)}. Save to keep it; leave without saving to keep the saved version.`) : ''}
${localCopyOffer}
<form id="editor" class="editor" method="post" action="${action}" data-editor data-dirty-guard data-autosave-url="${post ? `/admin/posts/${post.id}/autosave` : '/admin/posts/autosave'}" data-draft-key="${post ? String(post.id) : `new-${o.type}`}" data-post-status="${status}">
  ${csrfField(token)}
  <input type="hidden" name="type" value="${o.type}">
  ${!post && v.creationKey ? html`<input type="hidden" name="creationKey" value="${v.creationKey}" data-creation-key>` : ''}
  ${field({ name: 'title', label: 'Title', value: v.title, error: f.title, required: true, attrs: html` class="title-input" maxlength="200" autocomplete="off" data-title` })}
  ${paneTabs()}
  <div class="editor-panes" data-editor-panes>
    <div class="editor-write" id="pane-write">
      ${markdownField({ value: v.markdown, error: f.markdown })}
      ${excerptField({ value: v.excerpt, automatic: automaticExcerpt(o.previewHtml), error: f.excerpt })}
      <div class="upload-widget">
        <p class="upload-title" id="upload-title">Add an image</p>
        <div class="upload-row">
          <div class="upload-field">
            <label for="upload-file">Image file</label>
            <input type="file" id="upload-file" name="file" form="upload-form" accept="image/png,image/jpeg,image/gif,image/webp,image/avif" required>
          </div>
          <div class="upload-field">
            <label for="upload-alt">Describe it <span class="optional">(alt text)</span></label>
            <input type="text" id="upload-alt" name="alt" form="upload-form" maxlength="200" autocomplete="off">
          </div>
          <button type="submit" form="upload-form" class="secondary">Upload</button>
        </div>
        <p class="hint">PNG, JPEG, GIF, WebP or AVIF, up to ${maxMb} MB. <span class="js-only">It goes into the text at the cursor.</span><span class="no-js">The result opens in a new tab with the Markdown to copy into the text.</span></p>
        <p class="upload-status" role="status" data-upload-status></p>
      </div>
    </div>
    <section class="editor-preview" id="pane-preview" aria-labelledby="preview-heading" tabindex="0">
      <h2 id="preview-heading">Preview</h2>
      <div class="preview preview-body e-content" data-preview>${o.previewHtml ? raw(o.previewHtml) : html`<p class="muted">The text appears here as readers will see it.</p>`}</div>
    </section>
  </div>

  <fieldset class="editor-settings">
    <legend>${o.type === 'page' ? 'Page' : 'Post'} settings</legend>
    <div class="settings-grid">
      ${field({
        name: 'slug',
        label: 'Address',
        value: v.slug,
        error: f.slug,
        hint: `The part after ${config.siteUrl}/ (e.g. my-first-post). Empty: made from the title. If you change it, the old address keeps redirecting here.`,
        attrs: html` maxlength="80" autocomplete="off" spellcheck="false" pattern="[a-z0-9]+(-[a-z0-9]+)*"`,
      })}
      ${field({ name: 'tags', label: 'Tags', value: v.tags, error: f.tags, hint: 'Separated by commas, e.g. Community, Social media.', attrs: html` autocomplete="off"` })}
      ${field({ name: 'coverImage', label: 'Cover image (optional)', value: v.coverImage, error: f.coverImage, hint: 'An uploaded image (/uploads/…) or an https:// address.', attrs: html` autocomplete="off" spellcheck="false" data-cover-image` })}
      <div class="field">
        <label for="f-publishedAt">Publish date and time <span class="optional">(${shownZone().name})</span></label>
        <input type="datetime-local" id="f-publishedAt" name="publishedAt" value="${v.publishedAt}" aria-describedby="f-publishedAt-hint${f.publishedAt ? ' f-publishedAt-error' : ''}"${f.publishedAt ? html` aria-invalid="true"` : ''} data-publish-date data-now-local="${toDateTimeLocal(o.now)}">
        <p class="hint" id="f-publishedAt-hint">In the site’s time zone, ${shownZone().name} (now: ${toDateTimeLocal(o.now).replace('T', ' ')} ${zoneLabel(shownZone().at(o.now).abbr)}). A future time schedules it; a past time backdates it. Empty: now.</p>
        ${f.publishedAt ? html`<p class="field-error" id="f-publishedAt-error">${f.publishedAt}</p>` : ''}
      </div>
      <fieldset class="field radio-group"${f.visibility ? html` aria-describedby="f-visibility-error"` : ''}>
        <legend>Visibility</legend>
        <label class="radio"><input type="radio" name="visibility" value="public"${v.visibility !== 'unlisted' ? html` checked` : ''}> Public <span class="hint">on the home page, tags and feeds</span></label>
        <label class="radio"><input type="radio" name="visibility" value="unlisted"${v.visibility === 'unlisted' ? html` checked` : ''}> Unlisted <span class="hint">only people with the link</span></label>
        ${f.visibility ? html`<p class="field-error" id="f-visibility-error">${f.visibility}</p>` : ''}
      </fieldset>
      ${field({ name: 'password', label: 'Password (optional)', value: v.password ?? '', error: f.password, hint: 'Readers see the title and enter this password to read the post and its comments. Empty: no password.', attrs: html` autocomplete="off" spellcheck="false" maxlength="255"` })}
      <fieldset class="field radio-group"${f.commentsMode ? html` aria-describedby="f-commentsMode-error"` : ''}>
        <legend>Comments</legend>
        <label class="radio"><input type="radio" name="commentsMode" value="inherit" id="f-commentsMode"${v.commentsMode !== 'open' && v.commentsMode !== 'closed' ? html` checked` : ''}> Follow the site setting <span class="hint">the site’s comment settings${siteCommentsWords(o.commentSettings)}</span></label>
        <label class="radio"><input type="radio" name="commentsMode" value="open"${v.commentsMode === 'open' ? html` checked` : ''}> Open <span class="hint">even when the site closes comments</span></label>
        <label class="radio"><input type="radio" name="commentsMode" value="closed"${v.commentsMode === 'closed' ? html` checked` : ''}> Closed <span class="hint">existing comments stay visible; the team can still reply</span></label>
        ${f.commentsMode ? html`<p class="field-error" id="f-commentsMode-error">${f.commentsMode}</p>` : ''}
      </fieldset>
      ${field({
        name: 'commentsCloseDays',
        label: 'Close comments after (days)',
        type: 'number',
        value: v.commentsCloseDays,
        error: f.commentsCloseDays,
        hint: 'Days after publishing. Empty: the site setting when following it, otherwise never.',
        attrs: html` min="1" max="3650" step="1" inputmode="numeric" class="short-input"`,
      })}
    </div>
  </fieldset>

  ${seoFieldset({
    values: { metaDescription: v.metaDescription ?? '', socialImage: v.socialImage ?? '', canonicalUrl: v.canonicalUrl ?? '' },
    fields: f,
    card: { title: v.title, excerpt: v.excerpt || automaticExcerpt(o.previewHtml), coverImage: v.coverImage, url: `${config.siteUrl}/${v.slug || (post?.slug ?? '…')}`, host: new URL(config.siteUrl).host },
  })}

  <div class="editor-actions">
    ${o.origin && post ? tellThemField(o.origin, { live: post.status === 'published' && post.publishedAt !== null && post.publishedAt <= o.now, checked: o.tellThem ?? o.origin.source.tellRequestedAt !== null }) : ''}
    ${
      status === 'published'
        ? html`<button type="submit" name="action" value="save" data-now-label="Update">${future ? 'Schedule' : 'Update'}</button>`
        : html`<button type="submit" name="action" value="save" class="secondary">${status === 'draft' ? 'Save draft' : 'Save'}</button>
    <button type="submit" name="action" value="publish" data-now-label="Publish">${future ? 'Schedule' : 'Publish'}</button>`
    }
    <button type="submit" name="action" value="preview" class="secondary no-js">Update preview</button>
    ${post ? html`<a class="button secondary" href="${postUrl(post)}" target="_blank" rel="noopener">${status === 'published' ? 'View on site' : 'Preview on site'}<span class="visually-hidden"> (opens in a new tab)</span></a>` : ''}
    ${post && status !== 'draft' ? html`<button type="submit" name="action" value="unpublish" class="secondary">Unpublish</button>` : ''}
    ${post ? html`<button type="submit" name="action" value="trash" class="danger push-end" formnovalidate>Move to trash</button>` : ''}
    <span class="save-state" data-save-state aria-live="polite"></span>
    <a class="save-signin" href="/login?next=%2Fadmin%2Fsigned-in" target="_blank" rel="opener" data-save-signin hidden>Sign in again<span class="visually-hidden"> (opens a new tab)</span></a>
  </div>
</form>
${altTextDialog()}
<form id="upload-form" class="upload-form" method="post" action="/admin/uploads" enctype="multipart/form-data" target="_blank" data-editor-upload>
  ${csrfField(token)}
</form>`;
  return adminLayout(c, { title: post ? `Edit: ${post.title}` : `New ${words.one}`, body, current: o.type === 'page' ? 'pages' : 'posts', wide: true, scripts: ['editor.js'], styles: ['editor.css'] });
}

/** A trashed post cannot be edited; say so and offer to restore it. */
export function trashedPostView(c: Context<AppEnv>, post: Post): SafeHtml {
  const words = typeWords[post.type];
  const body = html`<div class="editor-head">
  <p class="back"><a href="/admin/trash">← Trash</a></p>
  <h1>${post.title}</h1>
</div>
<div class="card">
  <p>This ${words.one} is in the trash, so it is hidden from the site and cannot be edited. Restore it to bring it back as it was.</p>
  <form method="post" action="/admin/posts/${post.id}/restore">${csrfField(c.get('session')!.csrfToken)}<button type="submit">Restore</button></form>
</div>`;
  return adminLayout(c, { title: post.title, body, current: post.type === 'page' ? 'pages' : 'posts' });
}
