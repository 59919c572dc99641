import { Hono, type Context } from 'hono';
import { DomainError } from '../../core/errors.ts';
import { toId } from '../../core/ids.ts';
import { WebmentionRejected, type RejectionReason } from '../../core/webmention-service.ts';
import { clientIp } from '../client-ip.ts';
import type { AppEnv } from '../context.ts';
import { endpointPage, mentionStatusPage } from '../views/mention-views.ts';

/** Advertises the endpoints on a post page: `Link` (webmention) and `X-Pingback` headers. */
export function advertiseMentionEndpoints(c: Context<AppEnv>): void {
  const site = c.get('deps').config.siteUrl;
  c.header('Link', `<${site}/webmention>; rel="webmention"`);
  c.header('X-Pingback', `${site}/xmlrpc.php`);
}

const wantsJson = (c: Context<AppEnv>) => /json/.test(c.req.header('accept') ?? '') || c.req.query('format') === 'json';

/** Pingback 1.0 fault codes for the reasons a request is refused at once. */
const faultFor: Record<RejectionReason, number> = {
  'source-missing': 0x0010,
  'source-invalid': 0x0010,
  'same-url': 0x0011,
  'target-missing': 0x0020,
  'target-invalid': 0x0021,
  'target-not-found': 0x0020,
  'target-not-accepting': 0x0021,
  'already-registered': 0x0030,
};

const xmlRpc = (c: Context<AppEnv>, xml: string) => c.body(xml, 200, { 'Content-Type': 'text/xml; charset=UTF-8' });
// The XML-RPC reader (and its XML parser) loads with the first pingback, not with the server.
const xmlrpc = () => import('../../adapters/webmention/xmlrpc.ts');
const fault = async (c: Context<AppEnv>, code: number, message: string) => xmlRpc(c, (await xmlrpc()).faultResponse(code, message));

/**
 * A rejection reason as anyone may read it. Reasons recorded before the fetcher stopped
 * naming addresses said which private address a host resolved to; that stays unsaid.
 */
function publicReason(reason: string | null): string | null {
  return reason && reason.replace(/ resolves to [^,]*, a private or reserved address/g, ' resolves to a private or reserved address');
}

/** Receiving webmentions (`/webmention`, with a status page per request) and pingbacks (`/xmlrpc.php`). */
export function webmentionRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/webmention', (c) => c.html(endpointPage(c).value));

  app.post('/webmention', async (c) => {
    const { webmentions, config } = c.get('deps');
    const type = c.req.header('content-type') ?? '';
    const answer = (status: 400 | 429, code: string, message: string) =>
      wantsJson(c) ? c.json({ error: code, error_description: message }, status) : c.text(`${message}\n`, status);
    if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) {
      return answer(400, 'invalid_request', 'Send source and target as application/x-www-form-urlencoded form fields.');
    }
    const form = await c.req.parseBody();
    const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : undefined);
    try {
      const mention = await webmentions.receive({ source: field('source'), target: field('target') }, 'webmention', clientIp(c));
      const location = `${config.siteUrl}/webmention/${mention.id}`;
      c.header('Location', location);
      if (wantsJson(c)) return c.json({ id: mention.id, status: 'queued', location }, 202);
      // A person who used the form sees the status page; the answer is still 202 with its Location.
      if ((c.req.header('accept') ?? '').includes('text/html')) return c.html(mentionStatusPage(c, mention).value, 202);
      return c.text(`Accepted: the webmention will be verified. Its status: ${location}\n`, 202);
    } catch (error) {
      if (error instanceof WebmentionRejected) return answer(400, error.reason, error.message);
      if (error instanceof DomainError && error.code === 'rate_limited') {
        c.header('Retry-After', String(error.context.retryAfterSeconds ?? 60));
        return answer(429, 'rate_limited', error.message);
      }
      throw error;
    }
  });

  app.get('/webmention/:id{[0-9]+}', async (c) => {
    const id = toId(c.req.param('id'));
    const found = id === null ? null : await c.get('deps').store.webmentions.findReceived(id);
    const mention = found && { ...found, reason: publicReason(found.reason) };
    if (!mention) {
      if (wantsJson(c)) return c.json({ error: 'not_found', error_description: 'No such webmention.' }, 404);
      throw new DomainError('not_found', 'There is no webmention with this number.');
    }
    c.header('Cache-Control', 'no-store');
    if (wantsJson(c)) {
      const { id, source, target, status, reason, type, via, receivedAt, verifiedAt } = mention;
      return c.json({ id, source, target, status, reason, type, via, received: new Date(receivedAt).toISOString(), verified: verifiedAt ? new Date(verifiedAt).toISOString() : null });
    }
    return c.html(mentionStatusPage(c, mention).value);
  });

  app.get('/xmlrpc.php', (c) => c.text('This XML-RPC server accepts POST requests only (pingback.ping).\n', 405, { Allow: 'POST' }));

  app.post('/xmlrpc.php', async (c) => {
    const { parseCall, stringResponse, XmlTooDeep } = await xmlrpc();
    let call;
    try {
      call = parseCall(await c.req.text());
    } catch (error) {
      // A request no pingback could be: refused at the HTTP level too, with the fault for XML-RPC clients.
      if (error instanceof XmlTooDeep) return c.body((await xmlrpc()).faultResponse(-32700, `parse error: ${error.message}`), 400, { 'Content-Type': 'text/xml; charset=UTF-8' });
      throw error;
    }
    if (!call) return fault(c, -32700, 'parse error: not well formed XML-RPC');
    if (call.method !== 'pingback.ping') return fault(c, -32601, `requested method ${call.method} not found; this server answers pingback.ping`);
    const [source, target] = call.params;
    try {
      const mention = await c.get('deps').webmentions.receive({ source, target }, 'pingback', clientIp(c));
      return xmlRpc(c, stringResponse(`Pingback received; it will be verified: ${c.get('deps').config.siteUrl}/webmention/${mention.id}`));
    } catch (error) {
      if (error instanceof WebmentionRejected) return fault(c, faultFor[error.reason], error.message);
      if (error instanceof DomainError && error.code === 'rate_limited') return fault(c, 0x0031, error.message);
      throw error;
    }
  });

  return app;
}
