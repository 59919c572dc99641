import type { Context } from 'hono';
import type { DuplicateSuggestion, IdentityKind, MergeCounts, MergeField, MergePreview, PeopleCursor, PersonMerge, PersonIdentity, PersonLabel, PersonNote, PersonSummary, TimelineCursor, TimelineEntry, TimelineKind, Trust } from '../../../core/people.ts';
import { formatPeopleCursor, formatTimelineCursor } from '../../../core/people.ts';
import type { Comment, PostLink, User } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, raw, type SafeHtml } from '../../html.ts';
import { csrfField } from '../forms.ts';
import { formatDate, formatDateTime, formatUtcDay, isoDate } from '../format.ts';
import { postUrl } from '../public-views.ts';
import { adminLayout, pageHead } from './admin-layout.ts';
import { commentUrl, replyForm } from './comments-view.ts';
import { waitedFor } from './waiting-view.ts';
import { canBecomePostIdea, personRightsCard, postIdeaButton } from './person-rights-view.ts';
import { profileBlock } from './who-is-view.ts';
import type { WebsiteProfile } from '../../../core/who-is.ts';

export const trustWords: Record<Trust, { label: string; hint: string }> = {
  trusted: { label: 'Trusted', hint: 'Publish their comments at once when it is provably them (a webmention from their verified site); a typed email only counts as known.' },
  normal: { label: 'Normal', hint: 'Your comment settings decide.' },
  hold: { label: 'Always hold', hint: 'Every comment waits for you, with that reason.' },
  muted: { label: 'Muted until a date', hint: 'Their comments wait for you until the day you choose, then they are normal again.' },
  blocked: { label: 'Blocked', hint: 'Their comments are kept but held, marked “blocked”. Nothing is deleted.' },
};

const kindWords: Record<IdentityKind, string> = { email: 'Email', website: 'Website', webmention: 'Webmention author', fediverse: 'Fediverse actor', handle: 'Fediverse handle' };

export const timelineFilters: Array<{ kind: TimelineKind | ''; label: string }> = [
  { kind: '', label: 'Everything' },
  { kind: 'comment', label: 'Comments' },
  { kind: 'reply', label: 'Your replies' },
  { kind: 'webmention', label: 'Mentions' },
  { kind: 'subscription', label: 'Subscriptions' },
  { kind: 'mail', label: 'Mail' },
  { kind: 'note', label: 'Notes' },
  { kind: 'event', label: 'Changes' },
];

export interface PeopleListOptions {
  people: PersonSummary[];
  labels: PersonLabel[];
  filters: { q: string; label: number | null; trust: Trust | null };
  next: PeopleCursor | null;
  /** True when this is not the first page. */
  paged: boolean;
  now: number;
}

function trustBadge(trust: Trust): SafeHtml | '' {
  if (trust === 'normal') return '';
  return html` <span class="status trust-${trust}">${trustWords[trust].label}</span>`;
}

/** "Last spoke": the latest of their comment and your reply to them. */
function lastSpoke(s: PersonSummary, now: number): SafeHtml {
  const theirs = s.lastComment?.createdAt ?? null;
  const yours = s.lastReplyAt;
  if (theirs === null && yours === null) return html`<span class="muted">Not yet</span>`;
  if (yours !== null && (theirs === null || yours >= theirs)) return html`You replied <time datetime="${isoDate(yours)}">${formatDate(yours)}</time>`;
  return html`They wrote <time datetime="${isoDate(theirs!)}">${formatDate(theirs!)}</time><span class="visually-hidden"> (${waitedFor(theirs!, now)} ago)</span>`;
}

function identityList(identities: PersonIdentity[]): SafeHtml {
  const shown = identities.slice(0, 3);
  return html`<ul class="person-ids">${shown.map((i) => html`<li>${i.value}</li>`)}${identities.length > shown.length ? html`<li class="muted">and ${identities.length - shown.length} more</li>` : ''}</ul>`;
}

/** /admin/people: everyone who wrote, mentioned or subscribed, most recently seen first. */
export function peopleListView(c: Context<AppEnv>, o: PeopleListOptions): SafeHtml {
  const filtered = o.filters.q !== '' || o.filters.label !== null || o.filters.trust !== null;
  const query = new URLSearchParams();
  if (o.filters.q) query.set('q', o.filters.q);
  if (o.filters.label !== null) query.set('label', String(o.filters.label));
  if (o.filters.trust) query.set('trust', o.filters.trust);
  const nextHref = o.next ? `/admin/people?${new URLSearchParams([...query, ['after', formatPeopleCursor(o.next)]])}` : null;
  const body = html`${pageHead('People', html`<a href="/admin/people/duplicates" class="button secondary">Possible duplicates</a> <a href="/admin/people/forgotten" class="button secondary">Forgotten</a>`, 'Everyone who commented, mentioned your posts or subscribed, whatever way they came. Open someone to see everything that passed between you, keep notes and decide how their comments are treated.')}
<form class="filters" method="get" action="/admin/people" role="search" aria-label="Find people">
  <div class="filter">
    <label for="people-q">Name, email, website or handle</label>
    <input id="people-q" type="search" name="q" value="${o.filters.q}" maxlength="200">
  </div>
  <div class="filter">
    <label for="people-label">Label</label>
    <select id="people-label" name="label">
      <option value="">Any label</option>
      ${o.labels.map((l) => html`<option value="${l.id}"${o.filters.label === l.id ? html` selected` : ''}>${l.name}</option>`)}
    </select>
  </div>
  <div class="filter">
    <label for="people-trust">Trust</label>
    <select id="people-trust" name="trust">
      <option value="">Any</option>
      ${(Object.keys(trustWords) as Trust[]).map((t) => html`<option value="${t}"${o.filters.trust === t ? html` selected` : ''}>${trustWords[t].label}</option>`)}
    </select>
  </div>
  <div class="filter-actions">
    <button type="submit" class="secondary">Find</button>
    ${filtered ? html`<a href="/admin/people">Clear</a>` : ''}
  </div>
</form>
${
  o.people.length === 0
    ? html`<p class="empty">${filtered ? 'Nobody matches these filters.' : 'Nobody yet. People appear here when they comment, mention a post or subscribe.'}</p>`
    : html`<table class="admin-table people-table">
  <caption class="visually-hidden">People, most recently seen first</caption>
  <thead><tr><th scope="col">Person</th><th scope="col">Identities</th><th scope="col">Last spoke</th><th scope="col">Waiting for you</th></tr></thead>
  <tbody>
  ${o.people.map(
    (s) => html`<tr>
    <td class="cell-title"><a href="/admin/people/${s.person.id}">${s.person.name || 'Someone'}</a>${trustBadge(s.trust.trust)}${s.hasNotes ? html` <span class="note-badge" title="You have notes about this person">Note</span>` : ''}${
      s.labels.length ? html`<ul class="label-list">${s.labels.map((l) => html`<li class="label">${l.name}</li>`)}</ul>` : ''
    }</td>
    <td>${identityList(s.identities)}</td>
    <td class="cell-date">${lastSpoke(s, o.now)}</td>
    <td>${s.waiting ? html`<span class="status status-comment-pending">Waiting</span>` : html`<span class="muted">No</span>`}</td>
  </tr>`,
  )}
  </tbody>
</table>`
}
<nav class="pager" aria-label="More people">
  ${o.paged ? html`<a href="/admin/people${query.size ? `?${query}` : ''}">Most recent</a>` : ''}
  ${nextHref ? html`<a href="${nextHref}" rel="next">Earlier</a>` : ''}
</nav>`;
  return adminLayout(c, { title: 'People', body, current: 'people' });
}

export interface PersonPageOptions {
  summary: PersonSummary;
  names: string[];
  notes: PersonNote[];
  allLabels: PersonLabel[];
  timeline: TimelineEntry[];
  next: TimelineCursor | null;
  kind: TimelineKind | null;
  /** True when the timeline is not on its first page. */
  paged: boolean;
  posts: Map<number, PostLink>;
  users: Map<number, User>;
  /** Their latest comment, to answer in place. */
  latest: Comment | null;
  latestPost: PostLink | null;
  firstSeen: number;
  now: number;
  /** A form sent back with a problem: which form, the message, what was typed. */
  problem?: { form: 'note' | 'label' | 'trust' | `note-${number}`; message: string; value?: string };
  replied?: boolean;
  /** Merges into this person that can still be undone. */
  merges?: PersonMerge[];
  /** Others who may be this person, each with why. */
  duplicates?: DuplicateSuggestion[];
  /** The signed-in user writes posts: their comments offer "Make a post of this". */
  canWritePosts?: boolean;
  token?: string;
  /** What their website says ("who is this?"). */
  profile?: WebsiteProfile;
}

function fieldError(id: string, message: string | undefined): SafeHtml | '' {
  return message ? html`<p class="field-error" id="${id}-error">${message}</p>` : '';
}

function invalid(id: string, message: string | undefined): SafeHtml | '' {
  return message ? html` aria-invalid="true" aria-describedby="${id}-error"` : '';
}

function whoWrote(users: Map<number, User>, id: number | null): string {
  return id !== null ? (users.get(id)?.name ?? 'Someone on the team') : 'Someone on the team';
}

function postLink(posts: Map<number, PostLink>, postId: number): SafeHtml {
  const post = posts.get(postId);
  return post ? html`<a href="${postUrl(post)}">${post.title}</a>` : html`a post that is gone`;
}

const statusLabel: Record<string, string> = { approved: 'Published', pending: 'Held', spam: 'Spam', trash: 'Trash' };

function eventWords(entry: Extract<TimelineEntry, { kind: 'event' }>, o: PersonPageOptions): SafeHtml {
  const e = entry.event;
  const who = whoWrote(o.users, e.actorId);
  const d = e.detail as Record<string, string | number | null>;
  switch (e.kind) {
    case 'trust': {
      const label = trustWords[(d.trust as Trust) ?? 'normal']?.label ?? String(d.trust);
      const until = d.trust === 'muted' && typeof d.mutedUntil === 'number' ? ` until ${formatUtcDay(d.mutedUntil)}` : '';
      return html`${who} set trust to <strong>${label}${until}</strong>${d.reason ? html`: ${String(d.reason)}` : ''}`;
    }
    case 'label-added':
      return html`${who} added the label <span class="label">${String(d.label)}</span>`;
    case 'label-removed':
      return html`${who} removed the label <span class="label">${String(d.label)}</span>`;
    case 'moderated':
      return html`${who} moved a comment to ${statusLabel[String(d.status)] ?? String(d.status)}`;
    case 'merged':
      return html`${who} merged ${names((e.detail as { merged?: Array<{ name: string }> }).merged)} into this person`;
    case 'split':
      return html`${who} undid the merge: ${names((e.detail as { restored?: Array<{ name: string }> }).restored)} separate again`;
    default:
      return html`${who}: ${e.kind}`;
  }
}

function names(people: Array<{ name: string }> | undefined): string {
  const list = (people ?? []).map((p) => p.name || 'Someone');
  return list.length <= 1 ? (list[0] ?? 'someone') : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}

/** "Merged from X on date — Undo (until date)", a POST each. */
function mergeLines(merges: PersonMerge[], base: string, token: string): SafeHtml | '' {
  if (merges.length === 0) return '';
  return html`<ul class="plain-list merge-lines">${merges.map(
    (m) => html`<li class="notice"><form method="post" action="${base}/merges/${m.eventId}/undo" class="inline-form">${csrfField(token)}
    Merged from ${names(m.merged)} on <time datetime="${isoDate(m.mergedAt)}">${formatDate(m.mergedAt)}</time> —
    <button type="submit" class="secondary small">Undo<span class="visually-hidden"> the merge of ${names(m.merged)}</span></button>
    <span class="muted">(until <time datetime="${isoDate(m.undoUntil)}">${formatDate(m.undoUntil)}</time>)</span></form></li>`,
  )}</ul>`;
}

function duplicateList(duplicates: DuplicateSuggestion[], selfId: number): SafeHtml {
  return html`<ul class="plain-list duplicate-list">${duplicates.map((d) => {
    const other = d.a.id === selfId ? d.b : d.a;
    return html`<li><a href="/admin/people/${other.id}">${other.name || 'Someone'}</a>: ${d.reasons.join('; ')}.
      <a href="/admin/people/${selfId}/merge?with=${other.id}">Merge with ${other.name || 'them'}…</a></li>`;
  })}</ul>`;
}

function timelineItem(entry: TimelineEntry, o: PersonPageOptions): SafeHtml {
  const when = html`<time datetime="${isoDate(entry.at)}">${formatDateTime(entry.at)}</time>`;
  switch (entry.kind) {
    case 'comment': {
      const c = entry.comment;
      const post = o.posts.get(c.postId);
      return html`<li class="tl-item tl-comment"><p class="tl-head"><span class="tl-kind">Comment</span> on ${postLink(o.posts, c.postId)} · ${when} <span class="status status-comment-${c.status}">${statusLabel[c.status] ?? c.status}</span>${
        post && c.status === 'approved' ? html` <a href="${commentUrl(post, c)}">View<span class="visually-hidden"> this comment</span></a>` : ''
      }</p>
      ${c.moderationReasons.length && c.status !== 'approved' ? html`<p class="tl-why">Why: ${c.moderationReasons.join('; ')}</p>` : ''}
      <div class="comment-body">${raw(c.html)}</div>
      ${o.canWritePosts && o.token && canBecomePostIdea(c) ? html`<div class="tl-actions">${postIdeaButton(c, o.token)}</div>` : ''}</li>`;
    }
    case 'reply':
      return html`<li class="tl-item tl-reply"><p class="tl-head"><span class="tl-kind">Reply</span> by ${entry.comment.authorName} on ${postLink(o.posts, entry.comment.postId)} · ${when}</p><div class="comment-body">${raw(entry.comment.html)}</div></li>`;
    case 'webmention':
      return html`<li class="tl-item"><p class="tl-head"><span class="tl-kind">Mention</span> of ${postLink(o.posts, entry.postId)} · ${when} <span class="status status-draft">${entry.status}</span></p><p class="tl-text">From <a href="${entry.source}" rel="nofollow ugc noopener noreferrer">${entry.source}</a>${entry.type ? ` (${entry.type})` : ''}</p></li>`;
    case 'subscription':
      return html`<li class="tl-item"><p class="tl-head"><span class="tl-kind">Subscription</span> · ${when}</p><p class="tl-text">${entry.subscription === 'post' ? 'New comments on ' : 'Replies on '}${postLink(o.posts, entry.postId)}${
        entry.unsubscribedAt !== null ? html` · unsubscribed ${formatDate(entry.unsubscribedAt)}` : ''
      }</p></li>`;
    case 'mail':
      return html`<li class="tl-item"><p class="tl-head"><span class="tl-kind">Mail to them</span> · ${when} <span class="status status-draft">${entry.status}</span></p><p class="tl-text">${entry.subject}</p></li>`;
    case 'note':
      return html`<li class="tl-item tl-note"><p class="tl-head"><span class="tl-kind">Note</span> by ${whoWrote(o.users, entry.note.authorId)} · ${when}</p><div class="comment-body">${raw(entry.note.html)}</div></li>`;
    case 'event':
      return html`<li class="tl-item"><p class="tl-head"><span class="tl-kind">Change</span> · ${when}</p><p class="tl-text">${eventWords(entry, o)}</p></li>`;
  }
}

function noteItem(note: PersonNote, o: PersonPageOptions, token: string): SafeHtml {
  const id = `note-${note.id}`;
  const problem = o.problem?.form === id ? o.problem : undefined;
  return html`<li class="note" id="${id}">
  <p class="note-head">${whoWrote(o.users, note.authorId)} · <time datetime="${isoDate(note.createdAt)}">${formatDate(note.createdAt)}</time>${
    note.updatedAt !== note.createdAt ? html` <span class="muted">(edited ${formatDate(note.updatedAt)})</span>` : ''
  }</p>
  <div class="comment-body">${raw(note.html)}</div>
  <details class="note-edit"${problem ? html` open` : ''}>
    <summary>Edit<span class="visually-hidden"> the note of ${formatDate(note.createdAt)}</span></summary>
    <form method="post" action="/admin/people/${note.personId}/notes/${note.id}">
      ${csrfField(token)}
      <label for="${id}-body">Note</label>
      <textarea id="${id}-body" name="body" rows="4" required${invalid(`${id}-body`, problem?.message)}>${problem?.value ?? note.markdown}</textarea>
      ${fieldError(`${id}-body`, problem?.message)}
      <div class="button-row"><button type="submit" class="small">Save note</button></div>
    </form>
    <form method="post" action="/admin/people/${note.personId}/notes/${note.id}/delete">
      ${csrfField(token)}
      <button type="submit" class="danger small">Delete note</button>
    </form>
  </details>
</li>`;
}

/** /admin/people/<id>: who they are, how their comments are treated, your notes, and everything that passed between you. */
export function personPageView(c: Context<AppEnv>, o: PersonPageOptions): SafeHtml {
  const token = c.get('session')!.csrfToken;
  const s = o.summary;
  const p = s.person;
  const base = `/admin/people/${p.id}`;
  const problem = (form: 'note' | 'label' | 'trust') => (o.problem?.form === form ? o.problem : undefined);
  const kindQuery = o.kind ? `kind=${o.kind}&` : '';
  const untilValue = s.trust.mutedUntil !== null ? isoDate(s.trust.mutedUntil).slice(0, 10) : '';
  const body = html`<p class="back-link"><a href="/admin/people">All people</a></p>
${pageHead(p.name || 'Someone', undefined, html`First seen <time datetime="${isoDate(o.firstSeen)}">${formatDate(o.firstSeen)}</time> · last seen <time datetime="${isoDate(s.lastSeenAt)}">${formatDate(s.lastSeenAt)}</time>${s.waiting ? html` · <span class="status status-comment-pending">Waiting for you</span>` : ''}`)}
${o.replied ? html`<p class="notice" role="status">Your reply is published.</p>` : ''}
${o.problem ? html`<p class="notice error" role="alert">${o.problem.message}</p>` : ''}
${mergeLines(o.merges ?? [], base, token)}
<div class="person-grid">
<div class="person-main">
  ${
    o.latest && o.latestPost && (o.latest.status === 'approved' || o.latest.status === 'pending')
      ? html`<section class="card person-reply" aria-labelledby="reply-head">
    <h2 id="reply-head">Answer their latest comment</h2>
    <p class="muted">On ${postLink(o.posts, o.latest.postId)}, <time datetime="${isoDate(o.latest.createdAt)}">${formatDateTime(o.latest.createdAt)}</time>:</p>
    <div class="comment-body person-quote">${raw(o.latest.html)}</div>
    ${replyForm({ comment: o.latest, token, back: base, approvesIt: o.latest.status === 'pending', idPrefix: 'person-reply' })}
  </section>`
      : ''
  }
  <section class="person-timeline" aria-labelledby="timeline-head">
    <h2 id="timeline-head">Everything between you</h2>
    <nav class="mod-tabs" aria-label="Show in the timeline">
      <ul>${timelineFilters.map((f) => html`<li><a href="${base}${f.kind ? `?kind=${f.kind}` : ''}"${(o.kind ?? '') === f.kind ? html` aria-current="page"` : ''}>${f.label}</a></li>`)}</ul>
    </nav>
    ${o.timeline.length === 0 ? html`<p class="empty">Nothing here yet.</p>` : html`<ol class="timeline">${o.timeline.map((e) => timelineItem(e, o))}</ol>`}
    <nav class="pager" aria-label="More of the timeline">
      ${o.paged ? html`<a href="${base}${o.kind ? `?kind=${o.kind}` : ''}">Newest</a>` : ''}
      ${o.next ? html`<a rel="next" href="${base}?${kindQuery}before=${formatTimelineCursor(o.next)}">Older</a>` : ''}
    </nav>
  </section>
</div>
<aside class="person-side">
  ${
    o.profile
      ? html`<section class="card who-is" aria-labelledby="whois-head">
    <h2 id="whois-head">Their website</h2>
    ${profileBlock(o.profile, { personId: p.id, token, back: base, loadRemoteImages: c.get('site').loadRemoteImages })}
  </section>`
      : ''
  }
  <section class="card" aria-labelledby="who-head">
    <h2 id="who-head">Who they are</h2>
    <h3 class="side-sub">Names used</h3>
    <ul class="plain-list">${o.names.map((n) => html`<li>${n}</li>`)}</ul>
    <h3 class="side-sub">Identities</h3>
    ${
      s.identities.length === 0
        ? html`<p class="muted">None recorded.</p>`
        : html`<ul class="identity-list">${s.identities.map(
            (i) => html`<li><span class="identity-kind">${kindWords[i.kind]}</span> <span class="identity-value">${i.value}</span> <span class="status ${i.verified ? 'status-published' : 'status-unlisted'}">${i.verified ? 'Verified' : 'Claimed'}</span>
          <span class="identity-seen muted">first ${formatDate(i.firstSeen)}, last ${formatDate(i.lastSeen)}</span></li>`,
          )}</ul>`
    }
  </section>

  <section class="card" aria-labelledby="merge-head">
    <h2 id="merge-head">Same person?</h2>
    ${(o.duplicates ?? []).length ? duplicateList(o.duplicates ?? [], p.id) : html`<p class="muted">No one else looks like them.</p>`}
    <p><a href="${base}/merge">Merge with…</a></p>
  </section>

  <section class="card" aria-labelledby="trust-head">
    <h2 id="trust-head">Their comments</h2>
    <form method="post" action="${base}/trust">
      ${csrfField(token)}
      <fieldset class="radio-group">
        <legend>Trust</legend>
        ${(Object.keys(trustWords) as Trust[]).map(
          (t) => html`<label class="radio"><input type="radio" name="trust" value="${t}"${s.trust.trust === t ? html` checked` : ''}> ${trustWords[t].label} <span class="hint">${trustWords[t].hint}</span></label>`,
        )}
      </fieldset>
      <div class="field">
        <label for="trust-until">Muted until <span class="optional">(for “Muted”)</span></label>
        <input type="date" id="trust-until" name="until" value="${untilValue}"${invalid('trust-until', problem('trust')?.message)}>
        ${fieldError('trust-until', problem('trust')?.message)}
      </div>
      <div class="field">
        <label for="trust-reason">Reason <span class="optional">(shown beside their held comments)</span></label>
        <input type="text" id="trust-reason" name="reason" maxlength="200" value="${s.trust.reason ?? ''}">
      </div>
      <div class="button-row"><button type="submit" class="small">Save trust</button></div>
    </form>
  </section>

  <section class="card" aria-labelledby="labels-head">
    <h2 id="labels-head">Labels</h2>
    ${
      s.labels.length === 0
        ? html`<p class="muted">No labels yet.</p>`
        : html`<ul class="label-list">${s.labels.map(
            (l) => html`<li class="label">${l.name}<form method="post" action="${base}/labels/${l.id}/delete" class="label-remove">${csrfField(token)}<button type="submit" class="link-button" aria-label="Remove the label ${l.name}">×</button></form></li>`,
          )}</ul>`
    }
    <form method="post" action="${base}/labels" class="label-add">
      ${csrfField(token)}
      <label for="label-name">Add a label</label>
      <div class="inline-form">
        <input type="text" id="label-name" name="name" maxlength="60" list="label-names" required value="${problem('label')?.value ?? ''}"${invalid('label-name', problem('label')?.message)}>
        <button type="submit" class="secondary small">Add</button>
      </div>
      ${fieldError('label-name', problem('label')?.message)}
      <datalist id="label-names">${o.allLabels.map((l) => html`<option value="${l.name}"></option>`)}</datalist>
    </form>
  </section>

  <section class="card" aria-labelledby="notes-head">
    <h2 id="notes-head">Notes</h2>
    <p class="hint">Private: only the team sees them, here, in the inbox and beside their comments when you are signed in.</p>
    <form method="post" action="${base}/notes">
      ${csrfField(token)}
      <label for="note-body">New note <span class="optional">(Markdown)</span></label>
      <textarea id="note-body" name="body" rows="3" required${invalid('note-body', problem('note')?.message)}>${problem('note')?.value ?? ''}</textarea>
      ${fieldError('note-body', problem('note')?.message)}
      <div class="button-row"><button type="submit" class="small">Add note</button></div>
    </form>
    ${o.notes.length ? html`<ul class="note-list">${o.notes.map((n) => noteItem(n, o, token))}</ul>` : ''}
  </section>

  ${personRightsCard(p.id)}
</aside>
</div>`;
  return adminLayout(c, { title: p.name || 'Person', body, current: 'people' });
}

const countWords: Record<keyof MergeCounts, [string, string]> = {
  identities: ['identity', 'identities'],
  comments: ['comment', 'comments'],
  webmentions: ['mention', 'mentions'],
  notes: ['note', 'notes'],
  labels: ['label', 'labels'],
  subscriptions: ['subscription', 'subscriptions'],
  mails: ['mail', 'mails'],
  events: ['change in their history', 'changes in their history'],
};
const fieldWords: Record<MergeField, string> = { name: 'Name', email: 'Email', website: 'Website' };

/** /admin/people/<id>/merge: find the other person (or people) to merge into this one. */
export function mergeChooseView(c: Context<AppEnv>, o: { summary: PersonSummary; q: string; found: PersonSummary[] }): SafeHtml {
  const p = o.summary.person;
  const base = `/admin/people/${p.id}`;
  const body = html`<p class="back-link"><a href="${base}">Back to ${p.name || 'this person'}</a></p>
${pageHead(`Merge with ${p.name || 'this person'}`, undefined, 'Find the other records of the same person. They are merged into this one: its name, email and website stay, and it takes theirs only where its own are empty. You see what moves before anything changes.')}
<form class="filters" method="get" action="${base}/merge" role="search" aria-label="Find the other person">
  <div class="filter">
    <label for="merge-q">Name, email, website or handle</label>
    <input id="merge-q" type="search" name="q" value="${o.q}" maxlength="200" required>
  </div>
  <div class="filter-actions"><button type="submit" class="secondary">Find</button></div>
</form>
${
  o.q === ''
    ? ''
    : o.found.length === 0
      ? html`<p class="empty">Nobody else matches “${o.q}”.</p>`
      : html`<form method="get" action="${base}/merge">
  <fieldset class="radio-group">
    <legend>Merge these into ${p.name || 'this person'}</legend>
    ${o.found.map((s) => html`<label class="radio"><input type="checkbox" name="with" value="${s.person.id}"> ${s.person.name || 'Someone'} <span class="hint">${s.identities.map((i) => i.value).join(', ')}</span></label>`)}
  </fieldset>
  <div class="button-row"><button type="submit">Preview the merge</button></div>
</form>`
}`;
  return adminLayout(c, { title: `Merge with ${p.name || 'this person'}`, body, current: 'people' });
}

/** What a merge moves and which fields the survivor keeps; the confirm button POSTs it. */
export function mergePreviewView(c: Context<AppEnv>, preview: MergePreview): SafeHtml {
  const token = c.get('session')!.csrfToken;
  const s = preview.survivor;
  const base = `/admin/people/${s.id}`;
  const whose = (id: number) => (id === s.id ? 'kept' : `from ${preview.others.find((o) => o.id === id)?.name || 'Someone'}`);
  const moving = (Object.keys(countWords) as Array<keyof MergeCounts>).filter((k) => preview.moves[k] > 0);
  const body = html`<p class="back-link"><a href="${base}/merge">Choose again</a></p>
${pageHead('Preview the merge', undefined, html`${names(preview.others)} will be merged into <a href="${base}">${s.name || 'Someone'}</a>. Nothing has changed yet; you can undo the merge for 30 days.`)}
<section class="card" aria-labelledby="fields-head">
  <h2 id="fields-head">${s.name || 'Someone'} after the merge</h2>
  <table class="admin-table merge-fields">
    <caption class="visually-hidden">The fields after the merge, and whose they are</caption>
    <thead><tr><th scope="col">Field</th><th scope="col">Value</th><th scope="col">Whose</th></tr></thead>
    <tbody>${(Object.keys(fieldWords) as MergeField[]).map((f) => html`<tr><th scope="row">${fieldWords[f]}</th><td>${preview.fields[f].value ?? '—'}</td><td>${whose(preview.fields[f].fromId)}</td></tr>`)}</tbody>
  </table>
</section>
<section class="card" aria-labelledby="moves-head">
  <h2 id="moves-head">What moves to ${s.name || 'them'}</h2>
  ${
    moving.length === 0
      ? html`<p class="muted">Nothing but their name: they have no identities, comments or notes.</p>`
      : html`<ul class="plain-list merge-moves">${moving.map((k) => html`<li><strong>${preview.moves[k]}</strong> ${countWords[k][preview.moves[k] === 1 ? 0 : 1]}</li>`)}</ul>`
  }
</section>
<form method="post" action="${base}/merge" class="button-row">
  ${csrfField(token)}
  <input type="hidden" name="with" value="${preview.others.map((o) => o.id).join(',')}">
  <button type="submit">Merge ${names(preview.others)} into ${s.name || 'this person'}</button>
  <a href="${base}">Cancel</a>
</form>`;
  return adminLayout(c, { title: 'Preview the merge', body, current: 'people' });
}

/** /admin/people/duplicates: pairs that may be one person, each with why. */
export function duplicatesView(c: Context<AppEnv>, suggestions: DuplicateSuggestion[]): SafeHtml {
  const body = html`<p class="back-link"><a href="/admin/people">All people</a></p>
${pageHead('Possible duplicates', undefined, 'People who may be one person: the same website, an address one used that names the other, or the same name with a similar email. Open a pair to preview a merge.')}
${
  suggestions.length === 0
    ? html`<p class="empty">No one looks like anyone else.</p>`
    : html`<table class="admin-table">
  <caption class="visually-hidden">Possible duplicates</caption>
  <thead><tr><th scope="col">Person</th><th scope="col">May be</th><th scope="col">Why</th><th scope="col"><span class="visually-hidden">Merge</span></th></tr></thead>
  <tbody>${suggestions.map(
    (d) => html`<tr><td><a href="/admin/people/${d.a.id}">${d.a.name || 'Someone'}</a></td><td><a href="/admin/people/${d.b.id}">${d.b.name || 'Someone'}</a></td><td>${d.reasons.join('; ')}</td><td><a href="/admin/people/${d.a.id}/merge?with=${d.b.id}">Preview merge<span class="visually-hidden"> of ${d.b.name || 'Someone'} into ${d.a.name || 'Someone'}</span></a></td></tr>`,
  )}</tbody>
</table>`
}`;
  return adminLayout(c, { title: 'Possible duplicates', body, current: 'people' });
}
