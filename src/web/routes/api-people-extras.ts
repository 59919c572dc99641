import { Hono } from 'hono';
import { notFound } from '../../core/errors.ts';
import { peopleRefusal, peopleRoles } from '../../core/person-edits.ts';
import { auditLine, forgottenCursorText, forgottenPage, parseForgottenCursor } from '../../core/person-rights.ts';
import type { Person } from '../../core/store.ts';
import type { AppEnv } from '../context.ts';
import { apiForgottenQuerySchema } from '../openapi-people-extras.ts';
import { serialise } from './api.ts';
import { limitWrites, parseWith, requireScope } from './api-request.ts';
import { iso, pathIdOr404, requireRole } from './api-staff.ts';

const LOG_PAGE = 50;
const personRef = (p: Person) => ({ id: p.id, name: p.name, email: p.email, website: p.website });

/**
 * The rest of Admin → People in the JSON API, mounted at /api: possible duplicates, "look
 * again" (WhoIsService.lookAgainAt), the forgotten-people log (forgottenPage) and "make a
 * post of this" (PostIdeaService.draftFrom) — the admin's own functions.
 */
export function apiPeopleExtraRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/people/duplicates', async (c) => {
    requireRole(c, 'read', peopleRoles, peopleRefusal);
    const suggestions = await c.get('deps').store.people.duplicates(null, 100);
    return c.json({ duplicates: suggestions.map((s) => ({ a: personRef(s.a), b: personRef(s.b), reasons: s.reasons })) });
  });

  app.get('/people/forgotten', async (c) => {
    requireRole(c, 'read', peopleRoles, peopleRefusal);
    const { store } = c.get('deps');
    const query = parseWith(apiForgottenQuerySchema, c.req.query(), 'query parameters');
    const page = await forgottenPage(store, parseForgottenCursor(query.before), LOG_PAGE);
    const users = new Map((await store.users.list()).map((u) => [u.id, u]));
    return c.json({
      entries: page.entries.map((entry) => {
        const by = entry.actorId !== null ? (users.get(entry.actorId) ?? null) : null;
        const personId = entry.detail.personId;
        return {
          id: entry.id,
          at: iso(entry.createdAt),
          person_id: typeof personId === 'number' ? personId : null,
          by: by && { id: by.id, name: by.name },
          summary: auditLine(entry, by?.name ?? null),
          detail: entry.detail,
        };
      }),
      next_cursor: page.next && forgottenCursorText(page.next),
    });
  });

  app.post('/people/:id{[0-9]+}/look-again', limitWrites, async (c) => {
    requireRole(c, 'moderate', peopleRoles, peopleRefusal);
    const { store, whoIs } = c.get('deps');
    const summary = await store.people.summary(pathIdOr404(c, 'id', 'That person'));
    if (!summary) throw notFound('That person');
    return c.json({ website: await whoIs.lookAgainAt(summary.person, summary.identities) }, 202);
  });

  app.post('/comments/:id{[0-9]+}/post-idea', limitWrites, async (c) => {
    const user = requireScope(c, 'write');
    const draft = await c.get('deps').postIdeas.draftFrom(user, pathIdOr404(c, 'id', 'That comment'));
    c.header('Location', `${c.get('deps').config.siteUrl}/api/posts/${draft.id}`);
    return c.json((await serialise(c, [draft]))[0], 201);
  });

  return app;
}
