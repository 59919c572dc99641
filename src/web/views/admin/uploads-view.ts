import type { Context } from 'hono';
import { uploadUrl, variantUrl } from '../../../core/media.ts';
import type { UploadImage, UploadInfo, UploadUse } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField, notice } from '../forms.ts';
import { formatDate, isoDate, plural } from '../format.ts';
import { adminLayout, pageHead } from './admin-layout.ts';

export { uploadUrl };

export const LIBRARY_PAGE_SIZE = 24;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round(n / 102.4) / 10} KB`;
  return `${Math.round(n / 104857.6) / 10} MB`;
}

/** Alt text as the Markdown snippet carries it: the upload's own, else the file name in words; never able to break the brackets. */
export function snippetAlt(alt: string, fileName: string): string {
  const text = alt.trim() ? alt : fileName.replace(/\.[a-z0-9]+$/i, '').replace(/[-_]+/g, ' ');
  return text.replace(/[[\]\\\r\n]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
}

const snippet = (u: UploadInfo): string => `![${snippetAlt(u.alt, u.originalName)}](${uploadUrl(u)})`;

const dimensions = (u: UploadInfo): string => (u.width && u.height ? `${u.width} × ${u.height} px` : 'size not read yet');

/** The smallest copy that fills a thumbnail, else the original. */
function thumbnailUrl(u: UploadInfo, image: UploadImage | undefined): string {
  const width = image?.variantWidths[0];
  return width ? variantUrl(u.hash, width) : uploadUrl(u);
}

function usesList(uses: UploadUse[]): SafeHtml {
  if (uses.length === 0) return html`<span class="muted">No post or page shows it.</span>`;
  return html`<ul class="upload-uses">${uses.map(
    (u) => html`<li><a href="/admin/posts/${u.postId}">${u.title || '(untitled)'}</a>${u.trashed ? html` <span class="muted">(in the trash)</span>` : u.status !== 'published' ? html` <span class="muted">(${u.status})</span>` : ''}</li>`,
  )}</ul>`;
}

function copyRow(id: string, u: UploadInfo): SafeHtml {
  return html`<label class="visually-hidden" for="${id}">Markdown for ${u.originalName}</label>
      <div class="copy-row">
        <input type="text" id="${id}" class="snippet" readonly value="${snippet(u)}" spellcheck="false">
        <button type="button" class="secondary small js-only" data-copy="${id}">Copy<span class="visually-hidden"> Markdown for ${u.originalName}</span></button>
      </div>`;
}

const uploadForm = (c: Context<AppEnv>, maxMb: number) => html`<form class="card upload-card" method="post" action="/admin/uploads" enctype="multipart/form-data">
  ${csrfField(c.get('session')!.csrfToken)}
  <div class="upload-row">
    <div class="upload-field">
      <label for="upload-page-file">Image file</label>
      <input type="file" id="upload-page-file" name="file" accept="image/png,image/jpeg,image/gif,image/webp,image/avif" required aria-describedby="upload-page-hint">
    </div>
    <div class="upload-field">
      <label for="upload-page-alt">Describe it <span class="optional">(alt text)</span></label>
      <input type="text" id="upload-page-alt" name="alt" maxlength="1000" autocomplete="off">
    </div>
    <button type="submit">Upload</button>
  </div>
  <p class="hint" id="upload-page-hint">PNG, JPEG, GIF, WebP or AVIF, up to ${maxMb} MB. Each image is read and saved again, which drops its location and camera data. SVG is not accepted because it can carry scripts.</p>
</form>`;

export interface LibraryOptions {
  uploads: UploadInfo[];
  total: number;
  page: number;
  q: string;
  uses: Map<string, UploadUse[]>;
  images: Map<string, UploadImage>;
  justUploaded?: string;
}

const libraryUrl = (q: string, page: number): string => {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return `/admin/uploads${query ? `?${query}` : ''}`;
};

/** /admin/uploads: the media library. The upload form, a search, and every image newest first with its facts, uses and Markdown. */
export function uploadsView(c: Context<AppEnv>, o: LibraryOptions): SafeHtml {
  const { config } = c.get('deps');
  const maxMb = Math.round((config.uploadMaxBytes / 1024 / 1024) * 10) / 10;
  const fresh = o.justUploaded ? o.uploads.find((u) => uploadUrl(u) === `/uploads/${o.justUploaded}`) : undefined;
  const ordered = fresh ? [fresh, ...o.uploads.filter((u) => u !== fresh)] : o.uploads;
  const totalPages = Math.max(1, Math.ceil(o.total / LIBRARY_PAGE_SIZE));
  const body = html`${pageHead('Media library', undefined, 'Images for posts and pages. Each is stored once, served from an address that never changes, and shown to readers at the width their screen needs.')}
${uploadForm(c, maxMb)}
<form class="filters" method="get" action="/admin/uploads" role="search" aria-label="Search the media library">
  <div class="filter">
    <label for="media-q">File name or alt text contains</label>
    <input id="media-q" type="search" name="q" value="${o.q}" maxlength="200">
  </div>
  <div class="filter-actions">
    <button type="submit" class="secondary">Search</button>
    ${o.q ? html`<a href="/admin/uploads">Clear</a>` : ''}
  </div>
</form>
<div class="list-summary"><p role="status">${o.q ? plural(o.total, 'image matches', 'images match') : plural(o.total, 'image', 'images')}${totalPages > 1 ? `, page ${o.page} of ${totalPages}` : ''}</p></div>
${
  ordered.length === 0
    ? html`<p class="empty">${o.q ? `No image’s name or alt text contains “${o.q}”.` : 'No uploads yet.'}</p>`
    : html`<ul class="upload-grid">
  ${ordered.map((u, i) => {
    const url = uploadUrl(u);
    const uses = o.uses.get(u.hash) ?? [];
    return html`<li class="upload-item${u === fresh ? ' is-new' : ''}">
    <a class="upload-thumb" href="${url}"><img src="${thumbnailUrl(u, o.images.get(u.hash))}" alt="${u.originalName}, full size" loading="lazy" width="240" height="160"></a>
    <div class="upload-meta">
      <h2 class="upload-name"><a href="/admin/uploads/${u.hash}">${u.originalName}</a></h2>
      <p class="muted">${formatBytes(u.size)} · ${dimensions(u)} · <time datetime="${isoDate(u.createdAt)}">${formatDate(u.createdAt)}</time></p>
      <p>${u.alt ? html`<span class="upload-label">Alt text:</span> ${u.alt}` : html`<span class="upload-missing">No alt text yet.</span> <a href="/admin/uploads/${u.hash}#f-alt">Describe it<span class="visually-hidden"> (${u.originalName})</span></a>`}</p>
      ${u.caption ? html`<p><span class="upload-label">Caption:</span> ${u.caption}</p>` : ''}
      <div class="upload-used"><span class="upload-label">${uses.length ? `Used in ${plural(uses.length, 'post', 'posts')}:` : 'Used in:'}</span> ${usesList(uses)}</div>
      ${copyRow(`snippet-${i}`, u)}
    </div>
  </li>`;
  })}
</ul>`
}
${
  totalPages > 1
    ? html`<nav class="pager" aria-label="Pages">
  ${o.page > 1 ? html`<a rel="prev" href="${libraryUrl(o.q, o.page - 1)}">← Newer</a>` : ''}
  <span class="muted">Page ${o.page} of ${totalPages}</span>
  ${o.page < totalPages ? html`<a class="next" rel="next" href="${libraryUrl(o.q, o.page + 1)}">Older →</a>` : ''}
</nav>`
    : ''
}`;
  return adminLayout(c, { title: 'Media library', body, current: 'uploads' });
}

export interface UploadPageOptions {
  upload: UploadInfo;
  uses: UploadUse[];
  image: UploadImage | undefined;
  /** A refused edit: what was typed, and why. */
  edit?: { alt: string; caption: string; errors: Record<string, string> };
  /** Why a delete was refused (the image is in use): offers "Delete anyway". */
  refusedDelete?: string;
}

function copiesWords(image: UploadImage | undefined): string {
  if (!image?.processed) return 'being made in the background.';
  if (image.variantWidths.length === 0) return 'none needed (the image is small, or animated).';
  return `${image.variantWidths.join(', ')} pixels wide (WebP).`;
}

/** /admin/uploads/<hash>: one image, its facts and uses, its alt text and caption to edit, and delete. */
export function uploadPage(c: Context<AppEnv>, o: UploadPageOptions): SafeHtml {
  const { upload: u } = o;
  const token = c.get('session')!.csrfToken;
  const url = uploadUrl(u);
  const alt = o.edit?.alt ?? u.alt;
  const caption = o.edit?.caption ?? u.caption;
  const errors = o.edit?.errors ?? {};
  const preview = o.image?.variantWidths.at(-1);
  const body = html`${pageHead(u.originalName, html`<a class="button secondary" href="/admin/uploads">All images</a>`)}
${o.edit ? notice('error', 'Not saved: see the fields below.') : ''}
${
  o.refusedDelete
    ? html`<div class="notice error upload-refused" role="alert">
  <p>${o.refusedDelete}</p>
  <form method="post" action="/admin/uploads/${u.hash}/delete">
    ${csrfField(token)}
    <input type="hidden" name="confirm" value="yes">
    <input type="hidden" name="force" value="yes">
    <button type="submit" class="danger-solid">Delete anyway</button>
    <a href="/admin/uploads/${u.hash}">Keep it</a>
  </form>
</div>`
    : ''
}
<div class="upload-detail">
  <figure class="upload-preview card">
    <a href="${url}"><img src="${preview ? variantUrl(u.hash, preview) : url}" alt="${u.alt || `${u.originalName}, full size`}"${u.width && u.height ? html` width="${u.width}" height="${u.height}"` : ''}></a>
    ${u.caption ? html`<figcaption>${u.caption}</figcaption>` : ''}
  </figure>
  <div class="upload-facts">
    <dl class="facts">
      <dt>Size</dt><dd>${formatBytes(u.size)}, ${dimensions(u)}</dd>
      <dt>Type</dt><dd>${u.mime}</dd>
      <dt>Uploaded</dt><dd><time datetime="${isoDate(u.createdAt)}">${formatDate(u.createdAt)}</time></dd>
      <dt>Smaller copies</dt><dd>${copiesWords(o.image)}</dd>
      <dt>Address</dt><dd><a href="${url}">${url}</a></dd>
    </dl>
    <h2>Where it is used</h2>
    ${usesList(o.uses)}
    <h2>Markdown</h2>
    ${copyRow('snippet-detail', u)}
  </div>
</div>
<form class="card settings-form upload-describe" method="post" action="/admin/uploads/${u.hash}">
  ${csrfField(token)}
  <h2>Describe it</h2>
  <div class="field">
    <label for="f-alt">Alt text</label>
    <textarea id="f-alt" name="alt" rows="2" maxlength="1000" aria-describedby="f-alt-hint${errors.alt ? ' f-alt-error' : ''}"${errors.alt ? html` aria-invalid="true"` : ''}>${alt}</textarea>
    <p class="hint" id="f-alt-hint">What the image shows, for readers who cannot see it. Posts that show this image keep the alt text they were written with; the Markdown above uses this one.</p>
    ${errors.alt ? html`<p class="field-error" id="f-alt-error">${errors.alt}</p>` : ''}
  </div>
  <div class="field">
    <label for="f-caption">Caption <span class="optional">(optional)</span></label>
    <textarea id="f-caption" name="caption" rows="2" maxlength="1000" aria-describedby="f-caption-hint${errors.caption ? ' f-caption-error' : ''}"${errors.caption ? html` aria-invalid="true"` : ''}>${caption}</textarea>
    <p class="hint" id="f-caption-hint">Shown under the image wherever it stands alone in its own paragraph of a post.</p>
    ${errors.caption ? html`<p class="field-error" id="f-caption-error">${errors.caption}</p>` : ''}
  </div>
  <div class="form-actions"><button type="submit">Save</button></div>
</form>
<form class="upload-delete" method="post" action="/admin/uploads/${u.hash}/delete" data-confirm="Delete “${u.originalName}” for good? This cannot be undone.">
  ${csrfField(token)}
  <button type="submit" class="danger">Delete image</button>
  <span class="hint">${o.uses.length ? `Shown in ${plural(o.uses.length, 'post', 'posts')}: deleting is refused unless you insist.` : 'No post shows it.'}</span>
</form>`;
  return adminLayout(c, { title: u.originalName, body, current: 'uploads' });
}
