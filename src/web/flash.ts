import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from './context.ts';
import { secureCookies } from './middleware.ts';

/**
 * A value shown once on the page a POST redirects to (POST → 303 → GET): a short-lived
 * cookie, sealed with AES-256-GCM under a key derived from the site secret, bound to the
 * session, and cleared when read. So a reload shows nothing and repeats nothing, and the
 * value never rests in the browser in readable form. Cookies rather than server memory:
 * the GET may reach another instance.
 */
const FLASH_SECONDS = 300;

const keyFor = (secret: string) => createHmac('sha256', secret).update('kumbaya flash v1').digest();

export function setFlash(c: Context<AppEnv>, name: string, path: string, value: unknown): void {
  const session = c.get('session');
  if (!session) throw new Error('a flash needs a session');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(c.get('deps').secret), iv);
  cipher.setAAD(Buffer.from(`${name}:${session.idHash}`));
  const payload = JSON.stringify({ value, expires: Date.now() + FLASH_SECONDS * 1000 });
  const sealed = Buffer.concat([iv, cipher.update(payload, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64url');
  setCookie(c, name, sealed, { path, httpOnly: true, sameSite: 'Strict', secure: secureCookies(c), maxAge: FLASH_SECONDS });
}

/** The flash's value, once: the cookie is cleared. Null when absent, expired, forged or from another session. */
export function takeFlash<T>(c: Context<AppEnv>, name: string, path: string): T | null {
  const sealed = getCookie(c, name);
  if (!sealed) return null;
  deleteCookie(c, name, { path, httpOnly: true, sameSite: 'Strict', secure: secureCookies(c) });
  const session = c.get('session');
  if (!session) return null;
  try {
    const bytes = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keyFor(c.get('deps').secret), bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(`${name}:${session.idHash}`));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const { value, expires } = JSON.parse(Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8')) as { value: T; expires: number };
    return expires > Date.now() ? value : null;
  } catch {
    return null;
  }
}
