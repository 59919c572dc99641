import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { safeEqual, sha256Hex } from '../../core/tokens.ts';
import type { Comment } from '../../core/store.ts';
import type { AppEnv } from '../context.ts';
import { secureCookies } from '../middleware.ts';

/**
 * The secrets that prove a reader wrote a comment live in this browser, in a cookie that
 * expires with the edit window: "id.secret" pairs, newest first. While it is present the
 * reader's pages are rendered for them (with Edit and Delete), not served from a cache.
 */
export const OWN_COOKIE = 'kb_own';
const MAX_ENTRIES = 10;

function entries(c: Context<AppEnv>): Array<[number, string]> {
  const raw = getCookie(c, OWN_COOKIE);
  if (!raw || raw.length > 2000) return [];
  const out: Array<[number, string]> = [];
  for (const part of raw.split('~')) {
    const match = /^(\d{1,12})\.([A-Za-z0-9_-]{16,64})$/.exec(part);
    if (match) out.push([Number(match[1]), match[2]]);
  }
  return out.slice(0, MAX_ENTRIES);
}

/** The secret this browser holds for a comment, if any. */
export function ownSecret(c: Context<AppEnv>, commentId: number): string | null {
  return entries(c).find(([id]) => id === commentId)?.[1] ?? null;
}

/**
 * Does this browser hold `comment`'s own secret? The cookie's secret is hashed and compared
 * with the stored hash in constant time: a secret that is merely present, or another
 * comment's, proves nothing.
 */
export function holdsSecretOf(c: Context<AppEnv>, comment: Pick<Comment, 'id' | 'editTokenHash'>): boolean {
  const secret = ownSecret(c, comment.id);
  return secret !== null && comment.editTokenHash !== null && safeEqual(sha256Hex(secret), comment.editTokenHash);
}

/** Remembers that this browser wrote `commentId`, for as long as it may be edited. */
export function rememberOwnComment(c: Context<AppEnv>, commentId: number, secret: string, windowMinutes: number): void {
  const kept = entries(c).filter(([id]) => id !== commentId);
  const value = [[commentId, secret] as [number, string], ...kept].slice(0, MAX_ENTRIES).map(([id, s]) => `${id}.${s}`).join('~');
  setCookie(c, OWN_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'Lax', secure: secureCookies(c), maxAge: Math.max(60, windowMinutes * 60) });
}

/** This reader's comments on `postId` that they can still change, with when the window closes. */
export async function ownComments(c: Context<AppEnv>, postId: number): Promise<Map<number, number>> {
  const list = entries(c);
  const own = new Map<number, number>();
  if (list.length === 0) return own;
  const { store, clock } = c.get('deps');
  const settings = await c.get('deps').commentSettings();
  const comments = await store.comments.findMany(list.map(([id]) => id));
  for (const comment of comments) {
    const secret = list.find(([id]) => id === comment.id)?.[1];
    const until = comment.createdAt + settings.editWindowMinutes * 60_000;
    if (comment.postId !== postId || comment.status === 'trash' || !secret || !comment.editTokenHash) continue;
    if (until < clock.now() || !safeEqual(sha256Hex(secret), comment.editTokenHash)) continue;
    own.set(comment.id, until);
  }
  return own;
}
