import type { Context } from 'hono';
import type { Role } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField } from '../forms.ts';
import { noticeFromQuery } from './notices.ts';

/** The admin's areas, in the order of the top bar; `roles` limits who sees an area. */
export type AdminArea = 'posts' | 'pages' | 'tags' | 'uploads' | 'settings' | 'users' | 'tokens' | 'profile';

const areas: Array<{ key: AdminArea; href: string; label: string; roles?: Role[] }> = [
  { key: 'posts', href: '/admin', label: 'Posts' },
  { key: 'pages', href: '/admin/pages', label: 'Pages' },
  { key: 'tags', href: '/admin/tags', label: 'Tags', roles: ['owner', 'author'] },
  { key: 'uploads', href: '/admin/uploads', label: 'Uploads', roles: ['owner', 'author'] },
  { key: 'settings', href: '/admin/settings', label: 'Settings', roles: ['owner'] },
  { key: 'users', href: '/admin/users', label: 'Users', roles: ['owner'] },
  { key: 'tokens', href: '/admin/tokens', label: 'Tokens' },
  { key: 'profile', href: '/admin/profile', label: 'Profile' },
];

export const roleLabels: Record<Role, string> = { owner: 'Owner', author: 'Author', moderator: 'Moderator' };

export interface AdminLayoutOptions {
  title: string;
  body: SafeHtml;
  /** The area to mark as current in the top bar. */
  current?: AdminArea;
  /** Wider main column (the editor). */
  wide?: boolean;
}

/** The admin's page frame: top bar (site, areas, user, sign out), the ?notice= message, main. */
export function adminLayout(c: Context<AppEnv>, o: AdminLayoutOptions): SafeHtml {
  const { assets } = c.get('deps');
  const site = c.get('site');
  const user = c.get('user')!;
  const session = c.get('session')!;
  const path = c.req.path.replace(/\/+$/, '') || '/';
  const visible = areas.filter((a) => !a.roles || a.roles.includes(user.role));
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · ${site.title} admin</title>
<meta name="robots" content="noindex">
<meta name="color-scheme" content="light dark">
<meta name="csrf-token" content="${session.csrfToken}">
<link rel="stylesheet" href="${assets.url('site.css')}">
<link rel="stylesheet" href="${assets.url('admin.css')}">
<link rel="icon" href="${assets.url('favicon.svg')}" type="image/svg+xml">
<script src="${assets.url('admin.js')}" defer></script>
</head>
<body class="admin">
<a class="skip-link" href="#content">Skip to content</a>
<header class="admin-bar">
  <div class="admin-bar-inner">
    <a class="admin-brand" href="/"><span class="admin-brand-title">${site.title}</span><span class="admin-brand-hint">View site</span></a>
    <nav class="admin-nav" aria-label="Admin">
      <ul>
        ${visible.map((a) => {
          const here = a.key === o.current;
          const exact = here && (path === a.href || (a.key === 'posts' && path === '/admin'));
          return html`<li><a href="${a.href}"${here ? html` aria-current="${exact ? 'page' : 'true'}"` : ''}>${a.label}</a></li>`;
        })}
      </ul>
    </nav>
    <div class="admin-user">
      <span class="admin-user-name">${user.name}<span class="visually-hidden">, signed in as</span> <span class="role-tag">${roleLabels[user.role]}</span></span>
      <form method="post" action="/logout">
        ${csrfField(session.csrfToken)}
        <button type="submit" class="secondary small">Sign out</button>
      </form>
    </div>
  </div>
</header>
<main id="content" class="admin-main${o.wide ? ' is-wide' : ''}" tabindex="-1">
${noticeFromQuery(c)}
${o.body}
</main>
</body>
</html>`;
}

/** Page heading with optional actions on the right ("New post"). */
export function pageHead(title: string, actions?: SafeHtml, intro?: SafeHtml | string): SafeHtml {
  return html`<div class="admin-head">
  <h1>${title}</h1>
  ${actions ? html`<div class="admin-head-actions">${actions}</div>` : ''}
</div>
${intro ? html`<p class="admin-intro">${intro}</p>` : ''}`;
}
