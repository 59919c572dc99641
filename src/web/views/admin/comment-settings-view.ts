import type { Context } from 'hono';
import type { CommentSettings } from '../../../core/comment-settings.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField, field, notice } from '../forms.ts';
import { adminLayout, pageHead } from './admin-layout.ts';

/** The comment policy form as typed: every field a string, checkboxes as booleans. */
export interface CommentSettingsValues {
  open: boolean;
  closeAfterDays: string;
  holdAll: boolean;
  holdFirstComment: boolean;
  maxLinks: string;
  disallowedWords: string;
  disallowedAction: string;
  editWindowMinutes: string;
  minSubmitSeconds: string;
  conversationsPerPage: string;
  avatars: string;
}

export function commentSettingsValues(s: CommentSettings): CommentSettingsValues {
  return {
    open: s.open,
    closeAfterDays: s.closeAfterDays === null ? '' : String(s.closeAfterDays),
    holdAll: s.holdAll,
    holdFirstComment: s.holdFirstComment,
    maxLinks: String(s.maxLinks),
    disallowedWords: s.disallowedWords.join('\n'),
    disallowedAction: s.disallowedAction,
    editWindowMinutes: String(s.editWindowMinutes),
    minSubmitSeconds: String(s.minSubmitSeconds),
    conversationsPerPage: String(s.conversationsPerPage),
    avatars: s.avatars,
  };
}

const fieldLabels: Record<keyof CommentSettingsValues, string> = {
  open: 'Comments open',
  closeAfterDays: 'Close after',
  holdAll: 'Hold every comment',
  holdFirstComment: 'Hold first comments',
  maxLinks: 'Links allowed',
  disallowedWords: 'Disallowed words',
  disallowedAction: 'What disallowed words do',
  editWindowMinutes: 'Editing window',
  minSubmitSeconds: 'Minimum time to write',
  conversationsPerPage: 'Conversations per page',
  avatars: 'Avatars',
};

function checkbox(name: keyof CommentSettingsValues, label: string, checked: boolean, hint: string, error?: string): SafeHtml {
  const id = `f-${name}`;
  return html`<div class="field check-field">
  <label class="check" for="${id}"><input type="checkbox" id="${id}" name="${name}" value="1"${checked ? html` checked` : ''} aria-describedby="${id}-hint${error ? ` ${id}-error` : ''}"> ${label}</label>
  <p class="hint" id="${id}-hint">${hint}</p>
  ${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}
</div>`;
}

function radios(name: keyof CommentSettingsValues, legend: string, value: string, options: Array<{ value: string; label: string; hint: string }>, error?: string): SafeHtml {
  return html`<fieldset class="field radio-group"${error ? html` aria-describedby="f-${name}-error"` : ''}>
  <legend>${legend}</legend>
  ${options.map(
    (o) => html`<label class="radio"><input type="radio" name="${name}" value="${o.value}"${value === o.value ? html` checked` : ''}${o.value === options[0].value ? html` id="f-${name}"` : ''}> ${o.label} <span class="hint">${o.hint}</span></label>`,
  )}
  ${error ? html`<p class="field-error" id="f-${name}-error">${error}</p>` : ''}
</fieldset>`;
}

const number = html` inputmode="numeric" class="short-input"`;

/** /admin/comments/settings: when comments are open and what waits for a moderator. */
export function commentSettingsView(c: Context<AppEnv>, v: CommentSettingsValues, o: { canEdit: boolean; fields?: Record<string, string>; error?: string }): SafeHtml {
  const f = o.fields ?? {};
  const errors = Object.entries(f).filter(([k]) => k in fieldLabels) as Array<[keyof CommentSettingsValues, string]>;
  const body = html`<p class="back-link"><a href="/admin/comments">← Comments</a></p>
${pageHead('Comment settings', undefined, 'When readers may comment, and which comments wait for a moderator. Each post can override whether it is open in its editor.')}
${
  o.error
    ? html`<div class="notice error" role="alert" tabindex="-1" id="form-errors">
  <p><strong>${errors.length > 1 ? 'Some settings need a look.' : o.error}</strong> Nothing was saved.</p>
  ${errors.length > 1 ? html`<ul>${errors.map(([k, m]) => html`<li><a href="#f-${k}">${fieldLabels[k]}: ${m}</a></li>`)}</ul>` : ''}
</div>`
    : ''
}
${o.canEdit ? '' : notice('info', 'Only the owner can change these settings. You can read them here.')}
<form class="card settings-form comment-settings" method="post" action="/admin/comments/settings">
  ${csrfField(c.get('session')!.csrfToken)}
  <fieldset${o.canEdit ? '' : html` disabled`}>
  <fieldset>
    <legend>When comments are open</legend>
    ${checkbox('open', 'Comments are open on posts', v.open, 'Untick to close comments on every post that follows the site’s setting. Existing comments stay visible.', f.open)}
    ${field({
      name: 'closeAfterDays',
      label: 'Close comments this many days after a post is published',
      type: 'number',
      value: v.closeAfterDays,
      error: f.closeAfterDays,
      hint: 'Empty: never. Older conversations stay on the page to read.',
      attrs: html` min="1" max="3650" step="1"${number}`,
    })}
  </fieldset>
  <fieldset>
    <legend>What waits for a moderator</legend>
    ${checkbox('holdAll', 'Hold every comment for review', v.holdAll, 'Nothing appears until someone on the team approves it.', f.holdAll)}
    ${checkbox('holdFirstComment', 'Hold a person’s first comment; approve people who have an approved comment', v.holdFirstComment, 'People are recognised by their email address.', f.holdFirstComment)}
    ${field({
      name: 'maxLinks',
      label: 'Hold comments with more links than',
      type: 'number',
      value: v.maxLinks,
      error: f.maxLinks,
      required: true,
      hint: 'Spam usually carries links. 0 holds every comment with a link.',
      attrs: html` min="0" max="100" step="1"${number}`,
    })}
  </fieldset>
  <fieldset>
    <legend>Disallowed words</legend>
    ${field({
      name: 'disallowedWords',
      label: 'Words and phrases',
      value: v.disallowedWords,
      error: f.disallowedWords,
      multiline: true,
      rows: 5,
      hint: 'One a line, or separated by commas. Matched as whole words in any case, in the comment, name, email and website.',
      attrs: html` class="mono" spellcheck="false"`,
    })}
    ${radios(
      'disallowedAction',
      'A comment with a disallowed word',
      v.disallowedAction,
      [
        { value: 'hold', label: 'Is held for review', hint: 'A moderator decides.' },
        { value: 'spam', label: 'Goes to spam', hint: 'Still kept, and can be restored.' },
      ],
      f.disallowedAction,
    )}
  </fieldset>
  <fieldset>
    <legend>Commenters</legend>
    ${field({
      name: 'editWindowMinutes',
      label: 'Commenters may edit or delete their comment for (minutes)',
      type: 'number',
      value: v.editWindowMinutes,
      error: f.editWindowMinutes,
      required: true,
      hint: 'From the browser they wrote it in. 0: no editing.',
      attrs: html` min="0" max="1440" step="1"${number}`,
    })}
    ${field({
      name: 'minSubmitSeconds',
      label: 'Minimum seconds to write a comment',
      type: 'number',
      value: v.minSubmitSeconds,
      error: f.minSubmitSeconds,
      required: true,
      hint: 'Forms sent quicker than this after the page loaded are held for review; with another sign of spam they go to spam.',
      attrs: html` min="0" max="120" step="1"${number}`,
    })}
    ${field({
      name: 'conversationsPerPage',
      label: 'Conversations per page',
      type: 'number',
      value: v.conversationsPerPage,
      error: f.conversationsPerPage,
      required: true,
      hint: 'A conversation is a comment with all its replies. Long threads continue on further pages.',
      attrs: html` min="5" max="500" step="1"${number}`,
    })}
    ${radios(
      'avatars',
      'Avatars',
      v.avatars,
      [
        { value: 'local', label: 'Initials, made here', hint: 'No requests to anyone else.' },
        { value: 'gravatar', label: 'Gravatar pictures', hint: 'Readers’ browsers then contact Gravatar, a third party, for every commenter’s picture, which tells it who reads what.' },
      ],
      f.avatars,
    )}
    ${v.avatars === 'gravatar' ? notice('info', 'Gravatar is on: every reader’s browser contacts gravatar.com when it shows comments.') : ''}
  </fieldset>
  </fieldset>
  ${o.canEdit ? html`<div class="button-row"><button type="submit">Save comment settings</button></div>` : ''}
</form>`;
  return adminLayout(c, { title: 'Comment settings', body, current: 'comments' });
}
