import { createHmac } from 'node:crypto';
import { safeEqual } from './tokens.ts';

export type SignedLinkPayload = Record<string, string | number>;

export type SignedLinkCheck =
  | { ok: true; payload: SignedLinkPayload; expiresAt: number }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

function signature(secret: string, purpose: string, body: string): string {
  return createHmac('sha256', secret).update(`kumbaya-link\n${purpose}\n${body}`).digest('base64url');
}

/**
 * A token for a link in an email that lets its holder do one thing without signing in
 * (approve a comment from the notification): the payload and an expiry time, signed with
 * HMAC-SHA256 under the site's secret. `purpose` is part of what is signed, so a token
 * made for one kind of link is refused by another. The payload is readable by whoever
 * holds the token: put ids in it, never secrets.
 */
export function signLink(secret: string, purpose: string, payload: SignedLinkPayload, expiresAt: number): string {
  const body = Buffer.from(JSON.stringify({ p: payload, e: expiresAt })).toString('base64url');
  return `${body}.${signature(secret, purpose, body)}`;
}

/** Checks a token made by `signLink` for the same purpose; says why when it is refused. */
export function verifyLink(secret: string, purpose: string, token: string, now: number): SignedLinkCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]{1,2000}$/.test(parts[0]) || !/^[A-Za-z0-9_-]{43}$/.test(parts[1])) return { ok: false, reason: 'malformed' };
  const [body, sent] = parts;
  if (!safeEqual(sent, signature(secret, purpose, body))) return { ok: false, reason: 'bad-signature' };
  let decoded: { p?: unknown; e?: unknown };
  try {
    decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const { p, e } = decoded ?? {};
  if (typeof e !== 'number' || typeof p !== 'object' || p === null || Array.isArray(p)) return { ok: false, reason: 'malformed' };
  if (now >= e) return { ok: false, reason: 'expired' };
  return { ok: true, payload: p as SignedLinkPayload, expiresAt: e };
}
