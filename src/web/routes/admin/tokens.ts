import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError, notFound } from '../../../core/errors.ts';
import type { AppEnv } from '../../context.ts';
import { setFlash, takeFlash } from '../../flash.ts';
import { tokensView, type TokensViewState } from '../../views/admin/tokens-view.ts';
import { currentUser, formFields, idParam, redirectWithNotice } from './admin-request.ts';

async function render(c: Context<AppEnv>, state: TokensViewState = {}, status: ContentfulStatusCode = 200) {
  const tokens = await c.get('deps').store.apiTokens.listForUser(currentUser(c).id);
  return c.html(tokensView(c, tokens, state).value, status);
}

const PATH = '/admin/tokens';
const NEW_TOKEN = 'kb_new_token';

/** The signed-in user's personal access tokens for the API. */
export function tokenRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  // The new token's secret comes back once, on the page the creating POST redirects to.
  app.get('/', (c) => render(c, { created: takeFlash<{ name: string; secret: string }>(c, NEW_TOKEN, PATH) ?? undefined }));

  app.post('/', async (c) => {
    const form = await formFields(c);
    const name = form.name ?? '';
    try {
      const { secret, token } = await c.get('deps').auth.createApiToken(currentUser(c), name);
      // Redirected, so that reloading the page cannot create a second token.
      setFlash(c, NEW_TOKEN, PATH, { name: token.name, secret });
      return c.redirect(PATH, 303);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'validation_failed') return render(c, { name, fields: error.fields }, 422);
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
