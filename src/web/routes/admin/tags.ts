import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError, notFound } from '../../../core/errors.ts';
import { checkTag } from '../../../core/tag-input.ts';
import type { AppEnv } from '../../context.ts';
import { statusFor } from '../../errors.ts';
import { confirmView } from '../../views/admin/confirm-view.ts';
import { tagsView, type TagFormState } from '../../views/admin/tags-view.ts';
import { allowRoles, confirmed, formFields, idParam, redirectWithNotice } from './admin-request.ts';

async function render(c: Context<AppEnv>, state?: TagFormState, status: ContentfulStatusCode = 200) {
  const { store, clock } = c.get('deps');
  return c.html(tagsView(c, await store.tags.listWithCounts(clock.now()), state).value, status);
}

async function findTag(c: Context<AppEnv>, id: number) {
  const { store, clock } = c.get('deps');
  const tag = (await store.tags.listWithCounts(clock.now())).find((t) => t.id === id);
  if (!tag) throw notFound('The tag');
  return tag;
}

/** Tags: rename (name and address) and delete. Tags are created by writing them on posts (or through the API). */
export function tagRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', allowRoles(['owner', 'author'], 'Managing tags is for the owner and authors.'));

  app.get('/', (c) => render(c));

  app.post('/:id{[0-9]+}', async (c) => {
    const { store, changes } = c.get('deps');
    const tag = await findTag(c, idParam(c));
    const form = await formFields(c);
    const values = { name: form.name ?? '', slug: form.slug ?? '' };
    const checked = checkTag(values);
    if (!checked.ok) return render(c, { id: tag.id, values, fields: checked.fields }, 422);
    try {
      await store.tags.rename(tag.id, checked.name, checked.slug);
    } catch (error) {
      if (error instanceof DomainError && Object.keys(error.fields).length > 0) {
        return render(c, { id: tag.id, values, fields: error.fields }, statusFor[error.code]);
      }
      throw error;
    }
    changes.publish('tags-changed');
    return redirectWithNotice(c, '/admin/tags', 'tag-renamed');
  });

  app.post('/:id{[0-9]+}/delete', async (c) => {
    const { store, changes } = c.get('deps');
    const tag = await findTag(c, idParam(c));
    if (!confirmed(await formFields(c))) {
      return c.html(
        confirmView(c, {
          title: `Delete the tag “${tag.name}”?`,
          message: `It is removed from every post that carries it (${tag.postCount} published). The posts themselves stay.`,
          action: `/admin/tags/${tag.id}/delete`,
          confirmLabel: 'Delete tag',
          cancelHref: '/admin/tags',
          current: 'tags',
        }).value,
      );
    }
    await store.tags.delete(tag.id);
    changes.publish('tags-changed');
    return redirectWithNotice(c, '/admin/tags', 'tag-deleted');
  });

  return app;
}
