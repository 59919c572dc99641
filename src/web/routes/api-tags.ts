import { Hono } from 'hono';
import { DomainError, notFound } from '../../core/errors.ts';
import type { TagWithCount } from '../../core/store.ts';
import { checkTag } from '../../core/tag-input.ts';
import type { AppEnv } from '../context.ts';
import { apiTagInputSchema, apiTagPatchSchema, type ApiTag } from '../openapi-tags.ts';
import { limitBody, limitWrites, parseWith, readJson, type ApiContext } from './api-request.ts';
import { pathIdOr404, requireRole } from './api-staff.ts';

const ROLES = ['owner', 'author'] as const;
const REFUSAL = 'Managing tags is for the owner and authors.';

function tagOut(c: ApiContext, tag: TagWithCount): ApiTag {
  return { id: tag.id, name: tag.name, slug: tag.slug, url: `${c.get('deps').config.siteUrl}/tag/${tag.slug}`, post_count: tag.postCount };
}

async function withCount(c: ApiContext, id: number): Promise<TagWithCount> {
  const { store, clock } = c.get('deps');
  const tag = (await store.tags.listWithCounts(clock.now())).find((t) => t.id === id);
  if (!tag) throw notFound('The tag');
  return tag;
}

/** Checks name and address as Admin → Tags does: 422 naming each field. */
function checked(values: { name: string; slug: string }): { name: string; slug: string } {
  const result = checkTag(values);
  if (!result.ok) throw new DomainError('validation_failed', Object.entries(result.fields).map(([field, problem]) => `${field}: ${problem}`)[0], result.fields);
  return result;
}

/** Tags in the JSON API, mounted at /api/tags; the contract is openapi-tags.ts. */
export function apiTagRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    requireRole(c, 'read', ROLES, REFUSAL);
    const { store, clock } = c.get('deps');
    return c.json({ tags: (await store.tags.listWithCounts(clock.now())).map((t) => tagOut(c, t)) });
  });

  app.post('/', limitWrites, limitBody, async (c) => {
    requireRole(c, 'write', ROLES, REFUSAL);
    const { store, changes, config } = c.get('deps');
    const input = parseWith(apiTagInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"name": "Social media"}');
    const values = checked({ name: input.name, slug: input.slug ?? '' });
    const tag = await store.tags.create(values.name, values.slug);
    changes.publish('tags-changed');
    c.header('Location', `${config.siteUrl}/api/tags/${tag.id}`);
    return c.json(tagOut(c, await withCount(c, tag.id)), 201);
  });

  app.patch('/:id{[0-9]+}', limitWrites, limitBody, async (c) => {
    requireRole(c, 'write', ROLES, REFUSAL);
    const { store, changes } = c.get('deps');
    const input = parseWith(apiTagPatchSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"name": "Social media", "slug": "social"}');
    const current = await withCount(c, pathIdOr404(c, 'id', 'The tag'));
    const values = checked({ name: input.name ?? current.name, slug: input.slug ?? current.slug });
    await store.tags.rename(current.id, values.name, values.slug);
    changes.publish('tags-changed');
    return c.json(tagOut(c, await withCount(c, current.id)));
  });

  app.delete('/:id{[0-9]+}', limitWrites, async (c) => {
    requireRole(c, 'write', ROLES, REFUSAL);
    const tag = await withCount(c, pathIdOr404(c, 'id', 'The tag'));
    await c.get('deps').store.tags.delete(tag.id);
    c.get('deps').changes.publish('tags-changed');
    return c.body(null, 204);
  });

  return app;
}
