import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { DomainError } from '../../../core/errors.ts';
import { safeEqual } from '../../../core/tokens.ts';
import { clientIp } from '../../client-ip.ts';
import type { AppEnv } from '../../context.ts';
import { fromOtherSite } from '../../middleware.ts';
import { resubmitView, signInToSaveView, type KeptText } from '../../views/admin/keep-text-view.ts';
import { startSessionCookie } from '../auth.ts';
import { formFields } from './admin-request.ts';
import { editablePost, saveFromEditor } from './posts.ts';

/** Where the editor form posts: a new post, or an existing one. */
const editorPath = /^\/admin\/posts(?:\/([0-9]{1,15}))?$/;

const isForm = (c: Context<AppEnv>) => /^(application\/x-www-form-urlencoded|multipart\/form-data)/.test(c.req.header('content-type') ?? '');

/**
 * The editor's plain form must never lose the text. When it arrives without a session
 * (it ended while the author wrote) or with a token from an older session (they signed
 * in again in another tab), the text is answered back in a form: sign in and save, or
 * save again with a fresh token. Runs before the CSRF check, which would refuse it;
 * nothing is saved here, and a form from another site is left to that check.
 */
export const keepEditorText: MiddlewareHandler<AppEnv> = async (c, next) => {
  const resuming = c.req.path === '/login/resume';
  if (c.req.method !== 'POST' || !(resuming || editorPath.test(c.req.path)) || !isForm(c) || fromOtherSite(c)) return next();
  const fields = await formFields(c);
  const session = c.get('session');
  // The sign-in-to-save page sent after signing in elsewhere: already signed in, save again.
  if (resuming) {
    const target = editorPath.exec(fields._target ?? '');
    if (!session || !target) return next();
    c.header('Cache-Control', 'private, no-store');
    return c.html(resubmitView(c, { target: target[0], fields }).value, 403);
  }
  if (session && typeof fields._csrf === 'string' && safeEqual(fields._csrf, session.csrfToken)) return next();
  const kept: KeptText = { target: c.req.path, fields };
  c.header('Cache-Control', 'private, no-store');
  if (!session) return c.html(signInToSaveView(c, kept).value, 401);
  return c.html(resubmitView(c, kept).value, 403);
};

/** POST /login/resume: signs in from the "sign in to save" page, then saves the kept text as the editor would have. */
export function resumeRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/login/resume', async (c) => {
    const fields = await formFields(c);
    const target = editorPath.exec(fields._target ?? '');
    if (!target) throw new DomainError('validation_failed', 'This form does not say where the text was going. Go back to the editor.');
    const kept: KeptText = { target: target[0], fields };
    c.header('Cache-Control', 'private, no-store');
    let signedIn;
    try {
      signedIn = await c.get('deps').auth.login(fields.email ?? '', fields.password ?? '', clientIp(c));
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'unauthenticated' || error.code === 'rate_limited')) {
        const retry = error.context.retryAfterSeconds;
        if (typeof retry === 'number') c.header('Retry-After', String(retry));
        return c.html(signInToSaveView(c, kept, { email: fields.email, error: `${error.message} Your text is still here.` }).value, error.code === 'rate_limited' ? 429 : 401);
      }
      throw error;
    }
    startSessionCookie(c, signedIn.created.token);
    c.set('user', signedIn.user);
    c.set('session', signedIn.created.session);
    const id = target[1];
    return saveFromEditor(c, id ? await editablePost(c, Number(id)) : null);
  });
  return app;
}
