import type { Context } from 'hono';
import type { Post } from '../../../core/store.ts';
import type { ImportJob } from '../../../migration/import-jobs.ts';
import { kindLabel, reportKinds, type ImportReport, type ReportItem } from '../../../migration/import-report.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField, notice } from '../forms.ts';
import { formatBytes } from './uploads-view.ts';
import { adminLayout, pageHead } from './admin-layout.ts';

const sourceName = { wordpress: 'WordPress', disqus: 'Disqus' };

function progressBlock(job: ImportJob | null): SafeHtml {
  const percent = job && job.totalBytes > 0 ? Math.floor((job.bytesRead / job.totalBytes) * 100) : 0;
  return html`<div class="import-progress"${job ? '' : html` hidden`} data-import-progress${job ? html` data-status-url="/admin/import/${job.id}/status" data-page-url="/admin/import/${job.id}"` : ''}>
  <p class="import-progress-label" id="import-progress-label" aria-live="polite">${job ? `Importing ${job.fileName}: ${percent}% read (${formatBytes(job.bytesRead)} of ${formatBytes(job.totalBytes)})` : ''}</p>
  <progress max="100" value="${percent}" aria-labelledby="import-progress-label"></progress>
  ${job ? html`<p class="hint no-js">This page does not update itself without JavaScript: <a href="/admin/import/${job.id}">reload it</a> to follow the import.</p>` : ''}
</div>`;
}

/** /admin/import: the upload form (and the import running now, if any). */
export function importFormView(c: Context<AppEnv>, state: { running: ImportJob | null; error: string | null }): SafeHtml {
  const { config } = c.get('deps');
  const body = html`${pageHead(
    'Import',
    undefined,
    'Bring in a blog from elsewhere: a WordPress export (Tools → Export in WordPress) with its posts, pages, tags, authors and comments, or a Disqus export with its threads of comments. Importing the same file again adds nothing twice.',
  )}
${state.error ? notice('error', state.error) : ''}
${state.running ? html`<p class="notice info" role="status">An import of ${state.running.fileName} is running. <a href="/admin/import/${state.running.id}">Follow it</a>.</p>` : ''}
<form class="card import-form" method="post" action="/admin/import" enctype="multipart/form-data" data-import-form>
  ${csrfField(c.get('session')!.csrfToken)}
  <fieldset class="radio-group">
    <legend>What is the file?</legend>
    <label class="radio"><input type="radio" name="source" value="wordpress" checked> WordPress export (WXR, .xml) <span class="muted">— posts, pages, comments, authors</span></label>
    <label class="radio"><input type="radio" name="source" value="disqus"> Disqus export (.xml) <span class="muted">— comments, matched to posts already here by their address</span></label>
  </fieldset>
  <label for="import-file">Export file</label>
  <input type="file" id="import-file" name="file" accept=".xml,application/xml,text/xml" required aria-describedby="import-file-hint">
  <p class="hint" id="import-file-hint">Up to ${formatBytes(config.importMaxBytes)}. Larger files: <code>npx kumbaya import wordpress FILE.xml</code> on the server.</p>
  <label class="check"><input type="checkbox" name="dry_run" value="1"> Dry run: show what would be imported, change nothing</label>
  <p class="hint">All or nothing: if anything in the file is wrong, nothing is imported and you are told where. Old WordPress addresses of imported posts redirect to their new ones.</p>
  <div class="button-row"><button type="submit">Import</button></div>
  ${progressBlock(null)}
  <p class="notice error" role="alert" hidden data-import-error></p>
</form>`;
  return adminLayout(c, { title: 'Import', body, current: 'import', scripts: ['import.js'] });
}

function itemList(items: ReportItem[]): SafeHtml {
  return html`<ul class="import-items">${items.map((i) => html`<li><span class="import-item-kind">${i.kind}</span> <strong>${i.id}</strong>${i.label ? html` <span class="muted">(${i.label})</span>` : ''}: ${i.reason}</li>`)}</ul>`;
}

function reportBlock(report: ImportReport): SafeHtml {
  const kinds = reportKinds(report);
  return html`<table class="admin-table import-counts">
  <caption class="visually-hidden">What the import ${report.dryRun ? 'would do' : 'did'}, by kind</caption>
  <thead><tr><th scope="col">Kind</th><th scope="col">Created</th><th scope="col">Updated</th><th scope="col">Unchanged</th><th scope="col">Skipped</th></tr></thead>
  <tbody>${kinds.map((kind) => {
    const n = report.counts[kind]!;
    return html`<tr><th scope="row">${kindLabel(kind)}</th><td>${n.created}</td><td>${n.updated}</td><td>${n.unchanged}</td><td>${n.skipped}</td></tr>`;
  })}</tbody>
</table>
${kinds.length === 0 ? html`<p class="empty">The file held nothing to import.</p>` : ''}
${report.warnings.length > 0 ? html`<h2>Imported with a change (${report.warnings.length})</h2>${itemList(report.warnings)}` : ''}
${report.skipped.length > 0 ? html`<h2>Skipped (${report.skipped.length})</h2>${itemList(report.skipped)}` : ''}
${
  report.attachments.length > 0
    ? html`<details class="import-attachments"><summary>Attachments kept at their addresses (${report.attachments.length})</summary>
<p class="hint">Media are not copied: featured images and attachments stay where WordPress stored them. Copy them somewhere lasting before the old site goes away.</p>
<ul>${report.attachments.map((a) => html`<li><a href="${a.url}">${a.title || a.url}</a> <span class="muted">#${a.id}</span></li>`)}</ul></details>`
    : ''
}`;
}

/**
 * Disqus threads no post was found for, each with a choice of post, and one button that
 * imports the file again with those choices (what was imported already stays as it is).
 */
function unmatchedBlock(c: Context<AppEnv>, job: ImportJob, posts: Post[]): SafeHtml {
  const threads = job.report?.unmatchedThreads ?? [];
  if (threads.length === 0 || job.report!.dryRun) return html``;
  if (!job.upload) return html`<h2>Threads matched to no post (${threads.length})</h2><p class="hint">Upload the file again to choose their posts, or use <code>npx kumbaya import disqus FILE --map THREAD_ID=SLUG</code>.</p>`;
  return html`<h2 id="unmatched">Threads matched to no post (${threads.length})</h2>
<p class="hint">No post answers at these threads’ addresses. Choose the post each belongs to, then import their comments.</p>
<form class="card import-assign" method="post" action="/admin/import/${job.id}/assign">
  ${csrfField(c.get('session')!.csrfToken)}
  ${threads.map(
    (t) => html`<div class="field">
    <label for="thread-${t.id}">“${t.title || '(untitled)'}” <span class="muted">${t.link || '(no link)'} · ${t.comments} comment${t.comments === 1 ? '' : 's'} · thread ${t.id}</span></label>
    <select id="thread-${t.id}" name="thread:${t.id}">
      <option value="">Leave it out</option>
      ${posts.map((p) => html`<option value="${p.slug}">${p.title} (/${p.slug})</option>`)}
    </select>
  </div>`,
  )}
  <div class="button-row"><button type="submit">Import their comments</button></div>
</form>`;
}

/** /admin/import/<id>: an import's progress while it runs, then its report. */
export function importJobView(c: Context<AppEnv>, job: ImportJob, posts: Post[] = []): SafeHtml {
  const what = `${sourceName[job.source]} export ${job.fileName}`;
  let content: SafeHtml;
  if (job.state === 'running') {
    content = html`${pageHead('Importing…', undefined, `${job.dryRun ? 'Dry run of' : 'Importing'} the ${what}. Nothing is visible on the site until it is done.`)}${progressBlock(job)}`;
  } else if (job.state === 'failed') {
    content = html`${pageHead('Import failed', undefined, `The ${what} was not imported.`)}${notice('error', job.error ?? 'The import failed.')}
<p><a class="button" href="/admin/import">Try another file</a></p>`;
  } else {
    const report = job.report!;
    const headline = report.dryRun ? 'Dry run: nothing was changed' : 'Import finished';
    const intro = report.dryRun
      ? `This is what importing the ${what} would do. Import it for real from the form when it looks right.`
      : `The ${what} is in, in ${(report.durationMs / 1000).toFixed(1)} seconds.`;
    content = html`${pageHead(headline, html`<a class="button secondary" href="/admin/import">Import another file</a>${report.dryRun ? '' : html` <a class="button" href="/admin/posts">See the posts</a>`}`, intro)}${unmatchedBlock(c, job, posts)}${reportBlock(report)}`;
  }
  return adminLayout(c, { title: 'Import', body: content, current: 'import', scripts: ['import.js'] });
}
