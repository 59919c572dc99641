import type { Context } from 'hono';
import type { TagWithCount } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField } from '../forms.ts';
import { plural } from '../format.ts';
import { adminLayout, pageHead } from './admin-layout.ts';

/** A rename form sent back with problems. */
export interface TagFormState {
  id: number;
  values: { name: string; slug: string };
  fields: Record<string, string>;
}

/** /admin/tags: each tag with its published post count, a rename form and delete. */
export function tagsView(c: Context<AppEnv>, tags: TagWithCount[], state?: TagFormState): SafeHtml {
  const token = c.get('session')!.csrfToken;
  const errors = state ? Object.values(state.fields) : [];
  const body = html`${pageHead('Tags', undefined, 'Tags are created when you write them on a post. Rename one here (its address too), or delete it.')}
${errors.length ? html`<p class="notice error" role="alert">${errors.join(' ')}</p>` : ''}
${
  tags.length === 0
    ? html`<p class="empty">No tags yet. Add some in a post’s settings.</p>`
    : html`<ul class="tag-list">
  ${tags.map((t) => {
    const mine = state?.id === t.id;
    const name = mine ? state.values.name : t.name;
    const slug = mine ? state.values.slug : t.slug;
    const f = mine ? state.fields : {};
    return html`<li class="tag-item card" id="tag-${t.id}">
    <div class="tag-info">
      <h2 class="tag-name">${t.name}</h2>
      <p class="muted"><a href="/tag/${t.slug}">/tag/${t.slug}</a> · ${plural(t.postCount, 'published post', 'published posts')} · <a href="/admin?tag=${t.slug}">All its posts</a></p>
    </div>
    <form class="tag-form" method="post" action="/admin/tags/${t.id}">
      ${csrfField(token)}
      <div class="tag-fields">
        <div class="field">
          <label for="tag-${t.id}-name">Name</label>
          <input type="text" id="tag-${t.id}-name" name="name" value="${name}" required maxlength="60"${f.name ? html` aria-invalid="true" aria-describedby="tag-${t.id}-name-error"` : ''}>
          ${f.name ? html`<p class="field-error" id="tag-${t.id}-name-error">${f.name}</p>` : ''}
        </div>
        <div class="field">
          <label for="tag-${t.id}-slug">Address</label>
          <input type="text" id="tag-${t.id}-slug" name="slug" value="${slug}" maxlength="60" spellcheck="false"${f.slug ? html` aria-invalid="true" aria-describedby="tag-${t.id}-slug-error"` : ''}>
          ${f.slug ? html`<p class="field-error" id="tag-${t.id}-slug-error">${f.slug}</p>` : ''}
        </div>
      </div>
      <button type="submit" class="secondary small">Save<span class="visually-hidden"> tag ${t.name}</span></button>
    </form>
    <form method="post" action="/admin/tags/${t.id}/delete" data-confirm="Delete the tag “${t.name}”? The posts stay; only the tag is removed from them.">
      ${csrfField(token)}
      <button type="submit" class="danger small">Delete<span class="visually-hidden"> tag ${t.name}</span></button>
    </form>
  </li>`;
  })}
</ul>`
}`;
  return adminLayout(c, { title: 'Tags', body, current: 'tags' });
}
