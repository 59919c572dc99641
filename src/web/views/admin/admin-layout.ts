import type { Context } from 'hono';
import { iconLink } from '../site-css.ts';
import type { Role } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField } from '../forms.ts';
import { noticeFromQuery } from './notices.ts';
import { formatCount } from '../format.ts';

/** The admin's areas, in the order of the top bar; `roles` limits who sees an area. */
export type AdminArea = 'home' | 'posts' | 'pages' | 'comments' | 'waiting' | 'people' | 'tags' | 'uploads' | 'mail' | 'settings' | 'users' | 'import' | 'fediverse' | 'sites' | 'tokens' | 'profile';

/** Counts shown beside an area's name in the top bar. */
export interface NavCounts {
  /** Comments held for a moderator. */
  pending: number;
  /** Conversations where a reader spoke last ("Waiting for you"). */
  waiting: number;
  /** Mail waiting in the outbox when SMTP_URL is unset (null when mail is sent). */
  mailWaiting?: number | null;
}

/** Under the top bar while SMTP_URL is unset: nothing is sent, and how to change that. */
function mailBanner(waiting: number | null | undefined): SafeHtml | '' {
  if (waiting === null || waiting === undefined) return '';
  // Its own class, not .notice: the page's own notice (?notice=, ?done=) stays the first one.
  return html`<p class="admin-mail-banner" role="status"><strong>Email is not being sent:</strong> SMTP_URL is not set, so ${waiting === 0 ? 'emails will wait' : waiting === 1 ? '1 email waits' : `${formatCount(waiting)} emails wait`} in the outbox. Set SMTP_URL (see “Configuration” in the README) and restart; they are sent then. <a href="/admin/mail">Mail</a></p>`;
}

const areas: Array<{ key: AdminArea; href: string; label: string; roles?: Role[]; count?: { key: 'pending' | 'waiting'; words: string } }> = [
  { key: 'home', href: '/admin', label: 'Home' },
  { key: 'posts', href: '/admin/posts', label: 'Posts' },
  { key: 'pages', href: '/admin/pages', label: 'Pages' },
  { key: 'comments', href: '/admin/comments', label: 'Comments', count: { key: 'pending', words: 'pending' } },
  { key: 'waiting', href: '/admin/waiting', label: 'Waiting for you', count: { key: 'waiting', words: 'waiting for a reply' } },
  { key: 'people', href: '/admin/people', label: 'People', roles: ['owner', 'moderator'] },
  { key: 'tags', href: '/admin/tags', label: 'Tags', roles: ['owner', 'author'] },
  { key: 'uploads', href: '/admin/uploads', label: 'Media', roles: ['owner', 'author'] },
  { key: 'mail', href: '/admin/mail', label: 'Mail' },
  { key: 'settings', href: '/admin/settings', label: 'Settings', roles: ['owner'] },
  { key: 'users', href: '/admin/users', label: 'Users', roles: ['owner'] },
  { key: 'import', href: '/admin/import', label: 'Import', roles: ['owner'] },
  { key: 'fediverse', href: '/admin/fediverse', label: 'Fediverse', roles: ['owner'] },
  { key: 'sites', href: '/admin/sites', label: 'Sites', roles: ['owner'] },
  { key: 'tokens', href: '/admin/tokens', label: 'Tokens' },
  { key: 'profile', href: '/admin/profile', label: 'Profile' },
];

/**
 * The areas a working day goes through stay in the bar; the rest (set up once, visited now
 * and then) fold into "More", so the bar stays on one line beside a long site title.
 */
const everyDay = new Set<AdminArea>(['home', 'posts', 'pages', 'comments', 'waiting', 'people']);

const navCounts = new WeakMap<Request, NavCounts>();

/** Remembers this request's counts for the top bar (loaded once per page by the admin's middleware). */
export function setNavCounts(c: Context<AppEnv>, counts: NavCounts): void {
  navCounts.set(c.req.raw, counts);
}

/** The count badge beside an area; kept (hidden) at zero so moderation.js can update it in place. */
function navCount(n: number | undefined, key: string, words: string): SafeHtml | '' {
  if (n === undefined) return '';
  return html` <span class="nav-count" data-nav-count="${key}"${n === 0 ? html` hidden` : ''}><span data-n>${formatCount(n)}</span><span class="visually-hidden"> ${words}</span></span>`;
}

export const roleLabels: Record<Role, string> = { owner: 'Owner', author: 'Author', moderator: 'Moderator' };

export interface AdminLayoutOptions {
  title: string;
  body: SafeHtml;
  /** The area to mark as current in the top bar. */
  current?: AdminArea;
  /** Wider main column (the editor). */
  wide?: boolean;
  /** Extra scripts (asset names) this page needs, after admin.js. */
  scripts?: string[];
  /** Extra style sheets (asset names) this page needs, after admin.css. */
  styles?: string[];
}

/** The admin's page frame: top bar (site, areas, user, sign out), the ?notice= message, main. */
export function adminLayout(c: Context<AppEnv>, o: AdminLayoutOptions): SafeHtml {
  const { assets } = c.get('deps');
  const site = c.get('site');
  const user = c.get('user')!;
  const session = c.get('session')!;
  const path = c.req.path.replace(/\/+$/, '') || '/';
  // Tokens and Profile are the user's own: they sit by the name, which keeps the bar on one line.
  const personal = new Set<AdminArea>(['tokens', 'profile']);
  const visible = areas.filter((a) => (!a.roles || a.roles.includes(user.role)) && !personal.has(a.key));
  const counts = navCounts.get(c.req.raw);
  const primary = visible.filter((a) => everyDay.has(a.key));
  const more = visible.filter((a) => !everyDay.has(a.key));
  const moreHere = more.find((a) => a.key === o.current);
  const link = (a: (typeof areas)[number]) => {
    const here = a.key === o.current;
    const exact = here && path === a.href;
    return html`<li><a href="${a.href}"${here ? html` aria-current="${exact ? 'page' : 'true'}"` : ''}>${a.label}${a.count ? navCount(counts?.[a.count.key], a.count.key, a.count.words) : ''}</a></li>`;
  };
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
${(o.styles ?? []).map((name) => html`<link rel="stylesheet" href="${assets.url(name)}">
`)}${iconLink(site, assets)}
<script src="${assets.url('admin.js')}" defer></script>
${(o.scripts ?? []).map((name) => html`<script src="${assets.url(name)}" defer></script>
`)}</head>
<body class="admin">
<a class="skip-link" href="#content">Skip to content</a>
<header class="admin-bar">
  <div class="admin-bar-inner">
    <a class="admin-brand" href="/"><span class="admin-brand-title">${site.title}</span><span class="admin-brand-hint">View site</span></a>
    <nav class="admin-nav" aria-label="Admin">
      <button type="button" class="nav-toggle secondary js-only" aria-expanded="false" aria-controls="admin-areas">Menu</button>
      <ul id="admin-areas">
        ${primary.map(link)}
        ${more.length > 0
          ? html`<li class="nav-more"><details data-nav-more>
          <summary${moreHere ? html` class="is-current"` : ''}>More${moreHere ? html`<span class="nav-more-here">: ${moreHere.label}</span>` : ''}</summary>
          <ul>${more.map(link)}</ul>
        </details></li>`
          : ''}
      </ul>
    </nav>
    <div class="admin-user">
      <span class="admin-user-name"><a href="/admin/profile"${o.current === 'profile' ? html` aria-current="page"` : ''}>${user.name}<span class="visually-hidden">, your profile; signed in as</span></a> <span class="role-tag">${roleLabels[user.role]}</span></span>
      <a class="admin-user-link" href="/admin/tokens"${o.current === 'tokens' ? html` aria-current="page"` : ''}>Tokens</a>
      <form method="post" action="/logout">
        ${csrfField(session.csrfToken)}
        <button type="submit" class="secondary small">Sign out</button>
      </form>
    </div>
  </div>
</header>
<main id="content" class="admin-main${o.wide ? ' is-wide' : ''}" tabindex="-1">
${o.current === 'mail' ? '' : mailBanner(counts?.mailWaiting)}
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
