import { diffLines, diffWords, type ChangeObject } from 'diff';
import type { Context } from 'hono';
import type { PostRevision, RevisionSummary } from '../../../core/revisions.ts';
import type { Post, User } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField } from '../forms.ts';
import { formatDateTimeSeconds, plural } from '../format.ts';
import { adminLayout } from './admin-layout.ts';
import { typeWords } from './post-list-view.ts';

interface HistoryOptions {
  post: Post;
  revisions: RevisionSummary[];
  authors: Map<number, User>;
}

const authorName = (authors: Map<number, User>, id: number) => authors.get(id)?.name ?? 'A former user';

/** When a revision was saved, to the second (saves often come minutes apart). */
const savedAt = (ms: number): string => formatDateTimeSeconds(ms);

/** Revisions are numbered from the first save: #1, #2… */
const numberOf = (revisions: RevisionSummary[], id: number) => revisions.length - revisions.findIndex((r) => r.id === id);

/** "#3 · May 1, 2026 at 9:30:12 AM UTC by Robin (current)" */
const revisionLabel = (revisions: RevisionSummary[], r: Pick<PostRevision, 'id' | 'createdAt' | 'authorId'>, authors: Map<number, User>) =>
  `#${numberOf(revisions, r.id)} · ${savedAt(r.createdAt)} by ${authorName(authors, r.authorId)}${r.id === revisions[0]?.id ? ' (current)' : ''}`;

/** One form every Restore button on the page submits (buttons name the revision), so tables need no nested forms. */
function restoreForm(c: Context<AppEnv>, post: Post): SafeHtml {
  return html`<form id="restore-revision" method="post" action="/admin/posts/${post.id}/revisions/restore" data-confirm="Restore this revision? Its text becomes the ${typeWords[post.type].one}’s text now${post.status === 'published' ? ' (the live version changes)' : ''}; the newer revisions stay in the history.">${csrfField(c.get('session')!.csrfToken)}</form>`;
}

function compareForm(post: Post, o: { revisions: RevisionSummary[]; authors: Map<number, User>; from?: number; to?: number }): SafeHtml {
  const latestId = o.revisions[0]?.id ?? 0;
  const options = (selected: number | undefined) =>
    o.revisions.map((r) => html`<option value="${r.id}"${r.id === selected ? html` selected` : ''}>${revisionLabel(o.revisions, r, o.authors)}</option>`);
  return html`<form class="card compare-form" method="get" action="/admin/posts/${post.id}/revisions/compare">
  <div class="field"><label for="compare-from">Older</label><select id="compare-from" name="from">${options(o.from ?? o.revisions[1]?.id ?? latestId)}</select></div>
  <div class="field"><label for="compare-to">Newer</label><select id="compare-to" name="to">${options(o.to ?? latestId)}</select></div>
  <button type="submit" class="secondary">Compare</button>
</form>`;
}

function head(post: Post, title: string, back: SafeHtml): SafeHtml {
  return html`<div class="editor-head">
  <p class="back">${back}</p>
  <h1>${title}</h1>
</div>`;
}

/** A post's saved revisions: when, who, how long; compare two, restore one. */
export function revisionListView(c: Context<AppEnv>, o: HistoryOptions): SafeHtml {
  const { post, revisions, authors } = o;
  const latestId = revisions[0]?.id ?? 0;
  const rows = revisions.map((r, i) => {
    const previous = revisions[i + 1];
    // Each version against the one before it; the first against the current one.
    const compare = previous ? `from=${previous.id}&to=${r.id}` : `from=${r.id}&to=${latestId}`;
    return html`<tr>
  <td data-label="Saved"><span class="muted">#${revisions.length - i}</span> <a href="/admin/posts/${post.id}/revisions/compare?${compare}">${savedAt(r.createdAt)}</a>${r.id === latestId ? html` <span class="status status-published">Current</span>` : ''}<span class="cell-path">${r.title}</span></td>
  <td data-label="By">${authorName(authors, r.authorId)}</td>
  <td data-label="Size">${plural(r.size, 'character', 'characters')}</td>
  <td class="cell-actions">${previous ? html`<a href="/admin/posts/${post.id}/revisions/compare?${compare}">Changes</a>` : r.id !== latestId ? html`<a href="/admin/posts/${post.id}/revisions/compare?${compare}">Compare with current</a>` : html`<span class="muted">First version</span>`}
    ${r.id !== latestId ? html`<button type="submit" form="restore-revision" name="revision" value="${r.id}" class="secondary small">Restore</button>` : ''}</td>
</tr>`;
  });
  const body = html`${head(post, `History of “${post.title}”`, html`<a href="/admin/posts/${post.id}">← Back to the editor</a>`)}
<p class="admin-intro">Every save keeps the text as it was. Compare two versions, or restore one: restoring saves it as a new version, so nothing after it is lost.</p>
${
  revisions.length === 0
    ? html`<p class="card">No revisions yet. The first save records one.</p>`
    : html`${revisions.length > 1 ? compareForm(post, o) : ''}
${restoreForm(c, post)}
<table class="admin-table revisions-table">
  <thead><tr><th scope="col">Saved</th><th scope="col">By</th><th scope="col">Size</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>${rows}</tbody>
</table>`
}`;
  return adminLayout(c, { title: `History: ${post.title}`, body, current: post.type === 'page' ? 'pages' : 'posts' });
}

interface CompareOptions extends HistoryOptions {
  from: PostRevision;
  to: PostRevision;
}

/** Unchanged stretches longer than this many lines show only their edges. */
const CONTEXT_LINES = 3;

/** Unchanged text, with the middle of a long stretch folded away ("… 12 unchanged lines …"). */
function unchanged(text: string, first: boolean, last: boolean): SafeHtml {
  // A stretch that ends a line ends with its newline: kept after the fold, not counted as a line.
  const newline = text.endsWith('\n') ? '\n' : '';
  const lines = (newline ? text.slice(0, -1) : text).split('\n');
  const keepStart = first ? 0 : CONTEXT_LINES;
  const keepEnd = last ? 0 : CONTEXT_LINES;
  if (lines.length <= keepStart + keepEnd + 2) return html`${text}`;
  const start = lines.slice(0, keepStart).join('\n');
  const end = lines.slice(lines.length - keepEnd).join('\n');
  const hidden = lines.length - keepStart - keepEnd;
  return html`${start ? `${start}\n` : ''}<span class="diff-fold">… ${plural(hidden, 'unchanged line', 'unchanged lines')} …</span>${end ? `\n${end}` : ''}${newline}`;
}

/**
 * Past this many edits (changed lines, or changed words within a block) the diff gives up
 * looking for the smallest change and shows the block as removed and added: the cost of a
 * diff grows with the square of its edits, and two unrelated 500,000-character texts must
 * not hold the server.
 */
const MAX_LINE_EDITS = 5000;
const MAX_WORD_EDITS = 2000;

const replaced = (before: string, after: string): ChangeObject<string>[] => [
  ...(before ? [{ value: before, removed: true, added: false, count: 1 }] : []),
  ...(after ? [{ value: after, removed: false, added: true, count: 1 }] : []),
];

/**
 * Word-level changes between two texts, escaped, as <del>/<ins>. Words are compared
 * within the lines that changed (a line diff first), which keeps a long post fast and
 * the changes where a reader expects them.
 */
export function renderDiff(before: string, after: string): SafeHtml {
  const lines = diffLines(before, after, { maxEditLength: MAX_LINE_EDITS }) ?? replaced(before, after);
  const parts: ChangeObject<string>[] = [];
  for (let i = 0; i < lines.length; i++) {
    const part = lines[i];
    const next = lines[i + 1];
    if (part.removed && next?.added) {
      parts.push(...(diffWords(part.value, next.value, { maxEditLength: MAX_WORD_EDITS }) ?? replaced(part.value, next.value)));
      i++;
    } else {
      parts.push(part);
    }
  }
  return html`${parts.map((p, i) => {
    if (p.added) return html`<ins>${p.value}</ins>`;
    if (p.removed) return html`<del>${p.value}</del>`;
    return unchanged(p.value, i === 0, i === parts.length - 1);
  })}`;
}

/** Two revisions side by side in one readable diff: removed words struck through, added ones marked. */
export function compareView(c: Context<AppEnv>, o: CompareOptions): SafeHtml {
  const { post, revisions, authors, from, to } = o;
  const latestId = revisions[0]?.id ?? 0;
  const same = from.title === to.title && from.markdown === to.markdown && from.excerpt === to.excerpt;
  const restoreButton = (r: PostRevision, which: string) =>
    r.id === latestId ? '' : html`<button type="submit" form="restore-revision" name="revision" value="${r.id}" class="secondary">Restore #${numberOf(revisions, r.id)} (${which})</button>`;
  const body = html`${head(post, `Changes to “${post.title}”`, html`<a href="/admin/posts/${post.id}/revisions">← History</a> · <a href="/admin/posts/${post.id}">Editor</a>`)}
${compareForm(post, { revisions, authors, from: from.id, to: to.id })}
${restoreForm(c, post)}
<div class="diff-head">
  <p><span class="diff-key diff-key-del">Older</span> ${revisionLabel(revisions, from, authors)}</p>
  <p><span class="diff-key diff-key-ins">Newer</span> ${revisionLabel(revisions, to, authors)}</p>
</div>
${
  same
    ? html`<p class="card">These two versions have the same title, text and excerpt.</p>`
    : html`${
        from.title === to.title
          ? html`<p class="diff-same">Title unchanged: ${to.title}</p>`
          : html`<section class="diff-section" aria-labelledby="diff-title"><h2 id="diff-title">Title</h2><div class="diff">${renderDiff(from.title, to.title)}</div></section>`
      }
<section class="diff-section" aria-labelledby="diff-text"><h2 id="diff-text">Text <span class="muted">${plural(from.markdown.length, 'character', 'characters')} → ${plural(to.markdown.length, 'character', 'characters')}</span></h2><div class="diff diff-text">${renderDiff(from.markdown, to.markdown)}</div></section>
${from.excerpt !== to.excerpt ? html`<section class="diff-section" aria-labelledby="diff-excerpt"><h2 id="diff-excerpt">Excerpt</h2><div class="diff">${renderDiff(from.excerpt, to.excerpt)}</div></section>` : ''}`
}
<div class="diff-actions">${restoreButton(from, 'older')} ${restoreButton(to, 'newer')}</div>`;
  return adminLayout(c, { title: `Changes: ${post.title}`, body, current: post.type === 'page' ? 'pages' : 'posts', wide: true });
}

/** After signing in again from the editor's "Sign in again" link (a new tab). */
export function signedInView(c: Context<AppEnv>): SafeHtml {
  const body = html`<div class="narrow">
<h1>You are signed in again</h1>
<p class="card">Go back to the tab with your text: it saves by itself in a few seconds. You can close this tab.</p>
</div>`;
  return adminLayout(c, { title: 'Signed in again', body });
}
