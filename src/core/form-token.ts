import { hmac, safeEqual } from './tokens.ts';

/**
 * A signed comment-form token: the form carries `{postId, issuedAt}` and its HMAC, so a
 * submission proves the form was fetched for this post, not too recently (bots post
 * instantly) and not too long ago (replayed forms). Stateless: any instance holding the
 * site secret can verify it. Pure; the secret and the clock are passed in.
 */

export interface FormTokenCheck {
  /** The site secret the token was signed with. */
  secret: string;
  postId: number;
  /** Epoch milliseconds at submission. */
  now: number;
  /** Fastest a person fills in the form; default 3 s. */
  minSeconds?: number;
  /** How long a rendered form stays usable; default 24 h. */
  maxAgeSeconds?: number;
}

export type FormTokenResult = { ok: true } | { ok: false; reason: 'invalid' | 'too-fast' | 'expired' | 'wrong-post' };

/** Distinguishes these signatures from any other HMAC the site makes with the same secret. */
const purpose = 'comment-form:v1';
/** Tolerated clock difference between instances, so a token issued "in the future" by a neighbour still works. */
const clockSkewMs = 60_000;

/** `<postId base36>.<issuedAt base36>.<signature>`, all URL-safe; `issuedAt` in epoch milliseconds. */
export function issueFormToken({ secret, postId, issuedAt }: { secret: string; postId: number; issuedAt: number }): string {
  if (!Number.isSafeInteger(postId) || postId < 0 || !Number.isSafeInteger(issuedAt) || issuedAt < 0) {
    throw new RangeError('postId and issuedAt must be non-negative integers');
  }
  const payload = `${postId.toString(36)}.${issuedAt.toString(36)}`;
  return `${payload}.${hmac(secret, `${purpose}.${payload}`)}`;
}

/** Checks a submitted token; `token` is whatever the request carried (a missing field is 'invalid'). */
export function verifyFormToken(token: unknown, check: FormTokenCheck): FormTokenResult {
  const { secret } = check;
  const minMs = (check.minSeconds ?? 3) * 1000;
  const maxMs = (check.maxAgeSeconds ?? 24 * 60 * 60) * 1000;
  if (typeof token !== 'string' || token.length > 200) return { ok: false, reason: 'invalid' };
  const match = /^([0-9a-z]{1,12})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: 'invalid' };
  const [, postPart, issuedPart, signature] = match;
  if (!safeEqual(signature, hmac(secret, `${purpose}.${postPart}.${issuedPart}`))) return { ok: false, reason: 'invalid' };
  const postId = Number.parseInt(postPart, 36);
  const issuedAt = Number.parseInt(issuedPart, 36);
  if (postId !== check.postId) return { ok: false, reason: 'wrong-post' };
  if (check.now - issuedAt < -clockSkewMs) return { ok: false, reason: 'invalid' };
  const age = Math.max(0, check.now - issuedAt);
  if (age < minMs) return { ok: false, reason: 'too-fast' };
  if (age > maxMs) return { ok: false, reason: 'expired' };
  return { ok: true };
}
