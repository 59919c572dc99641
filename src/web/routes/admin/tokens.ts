import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { scopesForRole } from '../../../core/api-scopes.ts';
import { DomainError, notFound } from '../../../core/errors.ts';
import type { AppEnv } from '../../context.ts';
import { setFlash, takeFlash } from '../../flash.ts';
import { expiryChoices, tokensView, type TokensViewState } from '../../views/admin/tokens-view.ts';
import { currentUser, idParam, redirectWithNotice } from './admin-request.ts';

async function render(c: Context<AppEnv>, state: TokensViewState = {}, status: ContentfulStatusCode = 200) {
  const tokens = await c.get('deps').store.apiTokens.listForUser(currentUser(c).id);
  return c.html(tokensView(c, tokens, state).value, status);
}

const PATH = '/admin/tokens';
const NEW_TOKEN = 'kb_new_token';
const DAY = 24 * 3600 * 1000;

/** The signed-in user's personal access tokens for the API: what each may do, until when. */
export function tokenRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  // The new token's secret comes back once, on the page the creating POST redirects to.
  app.get('/', (c) => render(c, { created: takeFlash<{ name: string; secret: string }>(c, NEW_TOKEN, PATH) ?? undefined }));

  app.post('/', async (c) => {
    const form = await c.req.parseBody({ all: true });
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const name = text(form.name);
    const scopes = [form.scopes ?? []].flat().filter((s): s is string => typeof s === 'string');
    const expires = text(form.expires) || '90';
    const user = currentUser(c);
    try {
      const choice = expiryChoices.find((e) => e.value === expires);
      if (!choice) throw new DomainError('validation_failed', 'Choose when the token expires.', { expires: 'Choose one of the choices.' });
      const expiresAt = choice.days === null ? null : c.get('deps').clock.now() + choice.days * DAY;
      const { secret, token } = await c.get('deps').auth.createApiToken(user, name, { scopes: scopes.filter((s) => s !== ''), expiresAt });
      // Redirected, so that reloading the page cannot create a second token.
      setFlash(c, NEW_TOKEN, PATH, { name: token.name, secret });
      return c.redirect(PATH, 303);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'validation_failed') {
        return render(c, { name, scopes: scopes.filter((s) => (scopesForRole(user.role) as string[]).includes(s)), expires, fields: error.fields }, 422);
      }
      throw error;
    }
  });

  app.post('/:id{[0-9]+}/revoke', async (c) => {
    const revoked = await c.get('deps').store.apiTokens.revoke(idParam(c), currentUser(c).id);
    if (!revoked) throw notFound('The token');
    return redirectWithNotice(c, '/admin/tokens', 'token-revoked');
  });

  return app;
}
