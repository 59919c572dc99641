import { Hono, type Context } from 'hono';
import { DomainError } from '../../../core/errors.ts';
import { forgetChoices, forgottenCursorText, forgottenPage, parseForgottenCursor, staffPersonError, type ForgetChoice } from '../../../core/person-rights.ts';
import { peopleRefusal, peopleRoles } from '../../../core/person-edits.ts';
import type { AppEnv } from '../../context.ts';
import { forgetView, forgottenView } from '../../views/admin/person-rights-view.ts';
import { allowRoles, currentUser, formFields, idParam, redirectWithNotice } from './admin-request.ts';

const LOG_PAGE = 50;

/** The confirmation page; a team member's person is refused (422) before anything is offered. */
async function renderForget(c: Context<AppEnv>, personId: number, extra: { problem?: string; choice?: ForgetChoice | null } = {}, status: 200 | 422 = 200) {
  const preview = await c.get('deps').personRights.preview(personId);
  const problem = extra.problem ?? (preview.staff ? staffPersonError(preview.staff).message : undefined);
  return c.html(forgetView(c, { preview, problem, choice: extra.choice }).value, preview.staff ? 422 : status);
}

/**
 * Their data, their rights (issue 11, point 9): a person's data as a download, forgetting
 * them after a confirmation, and the audit log of who was forgotten. For the staff who open
 * People (owner, moderators).
 */
export function personRightsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', allowRoles([...peopleRoles], peopleRefusal));

  app.get('/forgotten', async (c) => {
    const { store } = c.get('deps');
    const before = parseForgottenCursor(c.req.query('before'));
    const page = await forgottenPage(store, before, LOG_PAGE);
    const users = new Map((await store.users.list()).map((u) => [u.id, u]));
    const next = page.next ? `/admin/people/forgotten?before=${forgottenCursorText(page.next)}` : null;
    return c.html(forgottenView(c, { entries: page.entries, users, next, paged: before !== null }).value);
  });

  app.get('/:id{[0-9]+}/export', async (c) => {
    const id = idParam(c);
    const doc = await c.get('deps').personRights.exportOf(id);
    const day = doc.exported_at?.slice(0, 10) ?? 'export';
    c.header('Content-Type', 'application/json; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="person-${id}-${day}.json"`);
    return c.body(`${JSON.stringify(doc, null, 2)}\n`);
  });

  app.get('/:id{[0-9]+}/forget', (c) => renderForget(c, idParam(c)));

  app.post('/:id{[0-9]+}/forget', async (c) => {
    const id = idParam(c);
    const form = await formFields(c);
    const choice = forgetChoices.includes(form.comments as ForgetChoice) ? (form.comments as ForgetChoice) : null;
    try {
      await c.get('deps').personRights.forget(id, form.comments, currentUser(c));
    } catch (error) {
      if (error instanceof DomainError && error.code === 'validation_failed') return renderForget(c, id, { problem: error.message, choice }, 422);
      throw error;
    }
    return redirectWithNotice(c, '/admin/people/forgotten', 'forgotten');
  });

  return app;
}

/** Comment → post idea (issue 11, point 8): "Make a post of this" on a comment writes a draft that quotes it. */
export function postIdeaRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/comments/:id{[0-9]+}/post-idea', async (c) => {
    const draft = await c.get('deps').postIdeas.draftFrom(currentUser(c), idParam(c));
    return redirectWithNotice(c, `/admin/posts/${draft.id}`, 'post-idea');
  });
  return app;
}
