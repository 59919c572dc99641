import type { Context } from 'hono';
import type { UploadInfo } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField } from '../forms.ts';
import { formatDate, isoDate } from '../format.ts';
import { adminLayout, pageHead } from './admin-layout.ts';

const extensions: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'image/avif': 'avif' };

export const uploadUrl = (u: Pick<UploadInfo, 'hash' | 'mime'>): string => `/uploads/${u.hash}.${extensions[u.mime] ?? 'bin'}`;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round(n / 102.4) / 10} KB`;
  return `${Math.round(n / 104857.6) / 10} MB`;
}

/** /admin/uploads: the upload form and every image, newest first, with its Markdown. */
export function uploadsView(c: Context<AppEnv>, uploads: UploadInfo[], justUploaded?: string): SafeHtml {
  const { config } = c.get('deps');
  const maxMb = Math.round((config.uploadMaxBytes / 1024 / 1024) * 10) / 10;
  const fresh = justUploaded ? uploads.find((u) => uploadUrl(u) === `/uploads/${justUploaded}`) : undefined;
  const ordered = fresh ? [fresh, ...uploads.filter((u) => u !== fresh)] : uploads;
  const body = html`${pageHead('Uploads', undefined, 'Images for posts and pages. Each is stored once and served from an address that never changes.')}
<form class="card upload-card" method="post" action="/admin/uploads" enctype="multipart/form-data">
  ${csrfField(c.get('session')!.csrfToken)}
  <div class="upload-row">
    <div class="upload-field">
      <label for="upload-page-file">Image file</label>
      <input type="file" id="upload-page-file" name="file" accept="image/png,image/jpeg,image/gif,image/webp,image/avif" required aria-describedby="upload-page-hint">
    </div>
    <div class="upload-field">
      <label for="upload-page-alt">Describe it <span class="optional">(alt text)</span></label>
      <input type="text" id="upload-page-alt" name="alt" maxlength="200" autocomplete="off">
    </div>
    <button type="submit">Upload</button>
  </div>
  <p class="hint" id="upload-page-hint">PNG, JPEG, GIF, WebP or AVIF, up to ${maxMb} MB. SVG is not accepted because it can carry scripts.</p>
</form>
${
  ordered.length === 0
    ? html`<p class="empty">No uploads yet.</p>`
    : html`<ul class="upload-grid">
  ${ordered.map((u, i) => {
    const url = uploadUrl(u);
    const alt = u.originalName.replace(/\.[a-z0-9]+$/i, '').replace(/[-_]+/g, ' ').replace(/[[\]\\]/g, ' ').trim();
    return html`<li class="upload-item${u === fresh ? ' is-new' : ''}">
    <a class="upload-thumb" href="${url}"><img src="${url}" alt="${u.originalName}, full size" loading="lazy" width="240" height="160"></a>
    <div class="upload-meta">
      <p class="upload-name">${u.originalName}</p>
      <p class="muted">${formatBytes(u.size)} · <time datetime="${isoDate(u.createdAt)}">${formatDate(u.createdAt)}</time></p>
      <label class="visually-hidden" for="snippet-${i}">Markdown for ${u.originalName}</label>
      <div class="copy-row">
        <input type="text" id="snippet-${i}" class="snippet" readonly value="![${alt}](${url})" spellcheck="false">
        <button type="button" class="secondary small js-only" data-copy="snippet-${i}">Copy<span class="visually-hidden"> Markdown for ${u.originalName}</span></button>
      </div>
    </div>
  </li>`;
  })}
</ul>`
}`;
  return adminLayout(c, { title: 'Uploads', body, current: 'uploads' });
}
