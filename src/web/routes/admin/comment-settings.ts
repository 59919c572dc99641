import { Hono } from 'hono';
import { saveCommentSettings } from '../../../core/comment-settings.ts';
import { DomainError } from '../../../core/errors.ts';
import type { AppEnv } from '../../context.ts';
import { commentSettingsValues, commentSettingsView, type CommentSettingsValues } from '../../views/admin/comment-settings-view.ts';
import { allowRoles, assertRole, formFields, redirectWithNotice } from './admin-request.ts';
import { loadNavCounts } from './comments.ts';

const OWNER_ONLY = 'Only the owner can change the comment settings.';

/** A whole number from a form field, or null for an empty one (NaN when it is not one). */
function wholeNumber(value: string): number | null {
  const v = value.trim();
  if (v === '') return null;
  return /^-?[0-9]{1,9}$/.test(v) ? Number(v) : Number.NaN;
}

/**
 * Turns the form into the input saveCommentSettings validates. Numbers it cannot read
 * become NaN (so the save fails and nothing is stored) with a message that says why.
 */
function toSettingsInput(v: CommentSettingsValues): { input: Record<string, unknown>; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  const num = (name: keyof CommentSettingsValues, value: string, optional = false): number | null => {
    const n = wholeNumber(value);
    if (n === null && optional) return null;
    if (n === null || Number.isNaN(n)) {
      fields[name] = n === null ? 'Enter a number.' : 'Enter a whole number, like 3.';
      return Number.NaN;
    }
    return n;
  };
  const input = {
    open: v.open,
    closeAfterDays: num('closeAfterDays', v.closeAfterDays, true),
    holdAll: v.holdAll,
    holdFirstComment: v.holdFirstComment,
    maxLinks: num('maxLinks', v.maxLinks),
    disallowedWords: v.disallowedWords.split(/[\n,]/).map((w) => w.trim()).filter(Boolean),
    disallowedAction: v.disallowedAction,
    editWindowMinutes: num('editWindowMinutes', v.editWindowMinutes),
    minSubmitSeconds: num('minSubmitSeconds', v.minSubmitSeconds),
    conversationsPerPage: num('conversationsPerPage', v.conversationsPerPage),
    avatars: v.avatars,
  };
  return { input, fields };
}

/** The comment policy: the owner changes it, moderators may read it. */
export function commentSettingsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', allowRoles(['owner', 'moderator'], 'The comment settings are for the owner (and moderators may read them).'));

  app.get('/', async (c) => {
    const settings = await c.get('deps').commentSettings();
    return c.html(commentSettingsView(c, commentSettingsValues(settings), { canEdit: c.get('user')!.role === 'owner' }).value);
  });

  app.post('/', async (c) => {
    assertRole(c, ['owner'], OWNER_ONLY);
    const { store, changes } = c.get('deps');
    const form = await formFields(c);
    const values: CommentSettingsValues = {
      open: form.open === '1',
      closeAfterDays: form.closeAfterDays ?? '',
      holdAll: form.holdAll === '1',
      holdFirstComment: form.holdFirstComment === '1',
      maxLinks: form.maxLinks ?? '',
      disallowedWords: (form.disallowedWords ?? '').replace(/\r\n/g, '\n'),
      disallowedAction: form.disallowedAction ?? '',
      editWindowMinutes: form.editWindowMinutes ?? '',
      minSubmitSeconds: form.minSubmitSeconds ?? '',
      conversationsPerPage: form.conversationsPerPage ?? '',
      avatars: form.avatars ?? '',
    };
    const { input, fields } = toSettingsInput(values);
    try {
      await saveCommentSettings(store, input);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'validation_failed') {
        const all = { ...error.fields, ...fields };
        for (const key of ['disallowedAction', 'avatars'] as const) if (all[key]) all[key] = 'Choose one of the options.';
        await loadNavCounts(c);
        return c.html(commentSettingsView(c, values, { canEdit: true, fields: all, error: Object.values(all)[0] ?? error.message }).value, 422);
      }
      throw error;
    }
    changes.publish('settings-changed');
    return redirectWithNotice(c, '/admin/comments/settings', 'settings-saved');
  });

  return app;
}
