import type { Context } from 'hono';
import type { AuditEntry } from '../../../core/audit.ts';
import { auditLine, type ForgetChoice, type ForgetPreview } from '../../../core/person-rights.ts';
import type { PostOrigin } from '../../../core/post-ideas.ts';
import type { Comment, Role, User } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField } from '../forms.ts';
import { formatDate, formatDateTime, isoDate, plural } from '../format.ts';
import { postUrl } from '../public-views.ts';
import { adminLayout, pageHead } from './admin-layout.ts';

/** Who may turn comments into post ideas: those who write posts. */
export const writesPosts = (role: Role): boolean => role === 'owner' || role === 'author';

/** Whether a comment can become a post idea: a reader's comment that is published or held. */
export const canBecomePostIdea = (comment: Pick<Comment, 'status' | 'userId'>): boolean => comment.userId === null && (comment.status === 'approved' || comment.status === 'pending');

/** "Make a post of this": a POST (it writes a draft), from the inbox and a person's timeline. */
export function postIdeaButton(comment: Pick<Comment, 'id' | 'authorName'>, token: string): SafeHtml {
  return html`<form method="post" action="/admin/comments/${comment.id}/post-idea" class="inline-form post-idea-form">
  ${csrfField(token)}<button type="submit" class="link-button">Make a post of this<span class="visually-hidden"> (the comment by ${comment.authorName || 'Someone'})</span></button>
</form>`;
}

/** The person page's card: their data as a file, and forgetting them. */
export function personRightsCard(personId: number): SafeHtml {
  return html`<section class="card person-rights" aria-labelledby="rights-head">
    <h2 id="rights-head">Their data</h2>
    <p class="hint">When they ask what you keep about them, or ask to be forgotten.</p>
    <p><a class="button secondary small" href="/admin/people/${personId}/export" download>Download their data (JSON)</a></p>
    <p><a class="danger-link" href="/admin/people/${personId}/forget">Forget this person…</a></p>
  </section>`;
}

/** The editor's note on where a post came from, and the "tell them" box beside the buttons. */
export function postOriginNote(origin: PostOrigin, canOpenPeople: boolean): SafeHtml {
  const { comment, commentPost, person, name } = origin;
  const who = person && canOpenPeople ? html`<a href="/admin/people/${person.id}">${name}</a>` : html`${name}`;
  const where = commentPost ? html` on <a href="${postUrl(commentPost)}">${commentPost.title}</a>` : '';
  const link = comment && comment.status === 'approved' ? html` · <a href="/comments/${comment.id}">See the comment</a>` : comment ? html` <span class="muted">(${comment.status === 'pending' ? 'held for moderation' : `in ${comment.status === 'spam' ? 'spam' : 'the trash'}`})</span>` : html` <span class="muted">(the comment was deleted)</span>`;
  return html`<p class="post-origin" data-post-origin>From a comment by ${who}${where}${link}</p>`;
}

/** The "tell them" box: a checkbox while they can be told, a sentence once told or when they gave no address. */
export function tellThemField(origin: PostOrigin, o: { live: boolean; checked: boolean }): SafeHtml {
  const name = origin.name;
  if (origin.source.toldAt !== null) {
    return html`<p class="tell-them" data-tell-them>${name} was told by email on <time datetime="${isoDate(origin.source.toldAt)}">${formatDateTime(origin.source.toldAt)}</time>.</p>`;
  }
  const label = o.live ? `Tell ${name} by email that their comment became this post` : `Tell ${name} by email when this is published`;
  if (origin.address === null || !origin.comment) {
    return html`<div class="tell-them" data-tell-them>
  <label class="checkbox is-disabled"><input type="checkbox" name="tellThem" value="yes" disabled aria-describedby="tell-them-hint"> ${label}</label>
  <p class="hint" id="tell-them-hint">Not possible: ${origin.comment ? `${name} gave no email address.` : 'the comment is gone.'}</p>
</div>`;
  }
  return html`<div class="tell-them" data-tell-them>
  <input type="hidden" name="tellShown" value="1">
  <label class="checkbox"><input type="checkbox" name="tellThem" value="yes"${o.checked ? html` checked` : ''} aria-describedby="tell-them-hint"> ${label}</label>
  <p class="hint" id="tell-them-hint">One message to the address they gave, with a link to the post and their words. They are not subscribed to anything.</p>
</div>`;
}

const choiceWords: Record<ForgetChoice, { label: string; hint: string }> = {
  anonymise: { label: 'Keep them, anonymised', hint: 'The text stays where it is, under “Someone”; their name, email, website, IP address and browser are removed, and so are earlier versions of the text.' },
  trash: { label: 'Move them to the trash', hint: 'Removed from the site too, without their name (deleted for good after 30 days unless someone answered them).' },
};

export interface ForgetViewOptions {
  preview: ForgetPreview;
  /** A refusal or a missing choice, shown above the form. */
  problem?: string;
  choice?: ForgetChoice | null;
}

/** /admin/people/<id>/forget: what forgetting erases, the choice for their comments, and the button. */
export function forgetView(c: Context<AppEnv>, o: ForgetViewOptions): SafeHtml {
  const token = c.get('session')!.csrfToken;
  const { data, staff } = o.preview;
  const p = data.person;
  const name = p.name || 'Someone';
  const base = `/admin/people/${p.id}`;
  const erased = [
    [data.identities.length, 'identity (email, website or fediverse account)', 'identities (emails, websites, fediverse accounts)'],
    [data.notes.length, 'note', 'notes'],
    [data.labels.length, 'label', 'labels'],
    [data.subscriptions.length, 'subscription', 'subscriptions'],
    [data.follows.length, 'fediverse follow of the blog', 'fediverse follows of the blog'],
    [data.mails.length, 'mail to them in the outbox', 'mails to them in the outbox'],
    [data.events.length, 'change in their history', 'changes in their history'],
    [data.privateMentions.length, 'private fediverse mention (followers-only or direct)', 'private fediverse mentions (followers-only or direct)'],
    [data.websiteProfiles.length, 'profile of their website read by “Who is this?”', 'profiles of their websites read by “Who is this?”'],
  ].filter(([n]) => (n as number) > 0) as Array<[number, string, string]>;
  const comments = data.comments.length;
  const choice = o.choice ?? null;
  const body = html`<p class="back-link"><a href="${base}">Back to ${name}</a></p>
${pageHead(`Forget ${name}?`, undefined, 'For when they ask to be forgotten. It cannot be undone: nothing is kept to bring them back, and a merge of them can no longer be undone.')}
${o.problem ? html`<p class="notice error" role="alert" id="forget-problem">${o.problem}</p>` : ''}
<div class="forget-grid">
<section class="card" aria-labelledby="erased-head">
  <h2 id="erased-head">Erased</h2>
  <ul class="plain-list forget-erased">
    <li>Their person record: every name they used here is gone from it.</li>
    ${erased.map(([n, one, many]) => html`<li><strong>${n}</strong> ${n === 1 ? one : many}</li>`)}
    ${data.webmentions.length ? html`<li>The name, address and photo on their <strong>${data.webmentions.length}</strong> ${data.webmentions.length === 1 ? 'mention' : 'mentions'} of your posts</li>` : ''}
    <li>Mails to others that quoted them: unsent ones dropped, sent ones kept without their text</li>
  </ul>
  ${data.postIdeas.length ? html`<p class="hint">${plural(data.postIdeas.length, 'post was', 'posts were')} made from their comments. ${data.postIdeas.length === 1 ? 'It keeps its' : 'They keep their'} quote: edit ${data.postIdeas.length === 1 ? 'it' : 'them'} yourself if they asked for that too.</p>` : ''}
  ${p.trust === 'blocked' || p.trust === 'hold' || p.trust === 'muted' ? html`<p class="hint">Their comments are ${p.trust === 'blocked' ? 'blocked' : 'held'} now. Once forgotten, a comment from them is treated like a stranger’s.</p>` : ''}
  <p class="hint">An audit line records that someone was forgotten, by whom and how much, without their name or anything that was theirs.</p>
</section>
${
  staff
    ? ''
    : html`<form method="post" action="${base}/forget" class="card forget-form">
  ${csrfField(token)}
  <fieldset class="radio-group"${o.problem && !choice ? html` aria-describedby="forget-problem"` : ''}>
    <legend>Their ${plural(comments, 'comment', 'comments')}</legend>
    ${(Object.keys(choiceWords) as ForgetChoice[]).map(
      (k) => html`<label class="radio"><input type="radio" name="comments" value="${k}"${choice === k ? html` checked` : ''} required> ${choiceWords[k].label} <span class="hint">${choiceWords[k].hint}</span></label>`,
    )}
  </fieldset>
  <div class="button-row">
    <button type="submit" class="danger-solid">Forget ${name}</button>
    <a class="button secondary" href="${base}">Cancel</a>
  </div>
</form>`
}
</div>`;
  return adminLayout(c, { title: `Forget ${name}?`, body, current: 'people' });
}

/** /admin/people/forgotten: the audit lines, newest first. */
export function forgottenView(c: Context<AppEnv>, o: { entries: AuditEntry[]; users: Map<number, User>; next: string | null; paged: boolean }): SafeHtml {
  const body = html`<p class="back-link"><a href="/admin/people">All people</a></p>
${pageHead('Forgotten people', undefined, 'Who was forgotten, when and by whom — by number only: nothing that named them is kept.')}
${
  o.entries.length === 0
    ? html`<p class="empty">No one has been forgotten.</p>`
    : html`<ol class="plain-list audit-list">${o.entries.map(
        (e) => html`<li class="audit-line"><time datetime="${isoDate(e.createdAt)}">${formatDate(e.createdAt)}</time> ${auditLine(e, e.actorId !== null ? (o.users.get(e.actorId)?.name ?? null) : null)}</li>`,
      )}</ol>`
}
<nav class="pager" aria-label="More of the log">
  ${o.paged ? html`<a href="/admin/people/forgotten">Newest</a>` : ''}
  ${o.next ? html`<a rel="next" href="${o.next}">Earlier</a>` : ''}
</nav>`;
  return adminLayout(c, { title: 'Forgotten people', body, current: 'people' });
}
