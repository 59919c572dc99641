import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Hono, type Context } from 'hono';
import { DomainError } from '../../core/errors.ts';
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

const xmlEscape = (s: string) => s.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function xmlRpc(c: Context<AppEnv>, body: string) {
  return c.body(`<?xml version="1.0" encoding="UTF-8"?>\n<methodResponse>${body}</methodResponse>\n`, 200, { 'Content-Type': 'text/xml; charset=UTF-8' });
}
const fault = (c: Context<AppEnv>, code: number, message: string) =>
  xmlRpc(c, `<fault><value><struct><member><name>faultCode</name><value><int>${code}</int></value></member><member><name>faultString</name><value><string>${xmlEscape(message)}</string></value></member></struct></value></fault>`);

/** XML-RPC string parameters of a methodCall (a `<value>` with or without `<string>`). */
function xmlRpcCall(xml: string): { method: string; params: string[] } | null {
  // No DTDs: a pingback needs none, and entity definitions are how XML bombs start.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml) || XMLValidator.validate(xml) !== true) return null;
  const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, processEntities: true, htmlEntities: false, isArray: (name) => name === 'param' });
  const doc = parser.parse(xml) as { methodCall?: { methodName?: unknown; params?: { param?: Array<{ value?: unknown }> } } };
  const call = doc.methodCall;
  if (!call || typeof call.methodName !== 'string') return null;
  const params = (call.params?.param ?? []).map((p) => {
    const v = p.value;
    if (typeof v === 'string') return v.trim();
    if (v && typeof v === 'object' && typeof (v as { string?: unknown }).string === 'string') return ((v as { string: string }).string).trim();
    return '';
  });
  return { method: call.methodName.trim(), params };
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
    const mention = await c.get('deps').store.webmentions.findReceived(Number(c.req.param('id')));
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
    const call = xmlRpcCall(await c.req.text());
    if (!call) return fault(c, -32700, 'parse error: not well formed XML-RPC');
    if (call.method !== 'pingback.ping') return fault(c, -32601, `requested method ${call.method} not found; this server answers pingback.ping`);
    const [source, target] = call.params;
    try {
      const mention = await c.get('deps').webmentions.receive({ source, target }, 'pingback', clientIp(c));
      return xmlRpc(c, `<params><param><value><string>${xmlEscape(`Pingback received; it will be verified: ${c.get('deps').config.siteUrl}/webmention/${mention.id}`)}</string></value></param></params>`);
    } catch (error) {
      if (error instanceof WebmentionRejected) return fault(c, faultFor[error.reason], error.message);
      if (error instanceof DomainError && error.code === 'rate_limited') return fault(c, 0x0031, error.message);
      throw error;
    }
  });

  return app;
}
