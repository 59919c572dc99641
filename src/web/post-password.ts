import { addressGroup } from '../core/address-group.ts';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { DomainError } from '../core/errors.ts';
import { isProtected, type Post } from '../core/store.ts';
import { hmac, safeEqual, sha256Hex } from '../core/tokens.ts';
import { clientIp } from './client-ip.ts';
import type { AppEnv } from './context.ts';
import { secureCookies } from './middleware.ts';

/**
 * Password-protected posts, as WordPress has them: the title is public, the body and the
 * conversation are for readers who entered the post's password. Entering it sets a cookie
 * for that post alone, signed with the site key and bound to the password, so changing the
 * password locks out every reader who had the old one. Pages for those readers are never
 * kept in the shared page cache (see `privatePage`).
 */
const COOKIE_PREFIX = 'kb_pp_';
/** How long an entered password is remembered (WordPress: 10 days). */
export const UNLOCK_DAYS = 10;
/** Guesses per client address in a window, across all posts. */
const GUESS_WINDOW_MS = 10 * 60_000;
const GUESSES_PER_WINDOW = 10;

const cookieName = (post: Pick<Post, 'id'>) => `${COOKIE_PREFIX}${post.id}`;

function signature(c: Context<AppEnv>, post: Pick<Post, 'id' | 'password'>, expires: number): string {
  return hmac(c.get('deps').secret, `post-password:${post.id}:${expires}:${sha256Hex(post.password ?? '')}`);
}

/** Whether this request carries a valid, unexpired cookie for the post's current password. */
function unlockedByCookie(c: Context<AppEnv>, post: Pick<Post, 'id' | 'password'>): boolean {
  const value = getCookie(c, cookieName(post));
  const match = value ? /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
  if (!match) return false;
  const expires = Number(match[1]);
  return expires > c.get('deps').clock.now() && safeEqual(match[2], signature(c, post, expires));
}

/** May this request see the post's body and comments? Everyone for an unprotected post; the team always; readers once they entered its password. */
export function passwordEntered(c: Context<AppEnv>, post: Pick<Post, 'id' | 'password'>): boolean {
  return !isProtected(post) || c.get('user') !== null || unlockedByCookie(c, post);
}

/**
 * Checks a reader's password for the post. Guesses are counted per client address (10 in
 * 10 minutes, whatever the post), so a password cannot be found by trying many.
 * Right: sets the post's cookie. Wrong: a DomainError the page shows beside the form.
 */
export async function enterPassword(c: Context<AppEnv>, post: Post, entered: string): Promise<void> {
  const { store, clock } = c.get('deps');
  const now = clock.now();
  const limit = await store.rateLimits.hit(`post-password:ip:${addressGroup(clientIp(c))}`, GUESS_WINDOW_MS, GUESSES_PER_WINDOW, now);
  if (!limit.allowed) {
    const retryAfterSeconds = Math.ceil(limit.retryAfterMs / 1000);
    throw new DomainError('rate_limited', `Too many tries. Wait ${Math.ceil(retryAfterSeconds / 60)} minutes and try again.`, { password: 'Too many tries.' }, { retryAfterSeconds });
  }
  // Compared as digests, so the time taken says nothing about how much of it was right.
  if (!isProtected(post) || !safeEqual(sha256Hex(entered), sha256Hex(post.password!))) {
    throw new DomainError('unauthenticated', 'That password is not right. Check it and try again.', { password: 'That password is not right.' });
  }
  const expires = now + UNLOCK_DAYS * 86_400_000;
  setCookie(c, cookieName(post), `${expires}.${signature(c, post, expires)}`, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: secureCookies(c),
    maxAge: UNLOCK_DAYS * 86_400,
  });
}

/** Marks the response as one reader's: no shared page cache, no browser or proxy copy. */
export function privatePage(c: Context<AppEnv>): void {
  c.header('Cache-Control', 'private, no-store');
}
