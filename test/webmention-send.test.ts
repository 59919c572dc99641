import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCall, stringResponse } from '../src/adapters/webmention/xmlrpc.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from './helpers/test-kumbaya.ts';

// The third-party corpora live in shared/ beside the checkout (or where KUMBAYA_SHARED_DIR says).
const sharedDir = process.env.KUMBAYA_SHARED_DIR || path.join(import.meta.dirname, '../../shared');
interface DiscoveryCase {
  num: number;
  name: string;
  page: string;
  response_headers: Array<{ name: string; value: string }>;
  head_html: string;
  body_html_fragment: string;
  expected_endpoint: string;
  must_not_use: string[];
}
const corpus = JSON.parse(fs.readFileSync(path.join(sharedDir, 'corpora/webmention/discovery-cases.json'), 'utf8')) as { cases: DiscoveryCase[] };

/**
 * webmention.rocks' discovery tests, served locally from the corpus: each case's page at
 * /test/N with its headers and HTML; endpoints accept POSTs (202) and record them; the
 * decoys (/webmention/error, and the page itself in case 20) record a failure. Case 23
 * redirects to a one-time page whose endpoint is relative to the final URL.
 */
class RocksServer {
  readonly posts: Array<{ path: string; body: string }> = [];
  readonly keys = new Map<string, number>();
  /** How many POSTs /flaky/webmention refuses with 503 before accepting. */
  flakyFailures = 0;
  private server!: http.Server;
  base = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): void {
    this.server.closeAllConnections();
    this.server.close();
  }

  private page(c: DiscoveryCase): string {
    const fill = (s: string) => s.replaceAll('{BASE}', this.base);
    return `<!doctype html><html><head><title>Discovery Test #${c.num}</title>${fill(c.head_html)}</head><body><div class="h-entry"><p class="p-name">${c.name}</p><div class="e-content">${fill(c.body_html_fragment)}</div></div></body></html>`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        this.posts.push({ path: url, body });
        if (url === '/wp/xmlrpc.php') {
          const call = parseCall(body);
          const known = this.posts.filter((p) => p.path === url && p.body === body).length > 1;
          const answer = known
            ? '<?xml version="1.0"?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>48</int></value></member><member><name>faultString</name><value><string>The pingback has already been registered.</string></value></member></struct></value></fault></methodResponse>'
            : stringResponse(`Pingback from ${call?.params[0]} to ${call?.params[1]} registered.`);
          return void res.writeHead(200, { 'content-type': 'text/xml' }).end(answer);
        }
        if (url === '/flaky/webmention' && this.flakyFailures-- > 0) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('Down for maintenance');
        res.writeHead(202, { 'content-type': 'text/plain' }).end('Accepted');
      });
      return;
    }
    // A WordPress-like site without webmention: a pingback server in X-Pingback (or only in a <link>).
    if (url === '/wp/header') return void res.writeHead(200, { 'x-pingback': `${this.base}/wp/xmlrpc.php`, 'content-type': 'text/html' }).end('<p>wp</p>');
    if (url === '/wp/link') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><link rel="pingback" href="/wp/xmlrpc.php"></head><body>wp</body></html>');
    if (url === '/flaky') return void res.writeHead(200, { link: '</flaky/webmention>; rel="webmention"', 'content-type': 'text/html' }).end('<p>flaky</p>');
    // Case 23: the target redirects (relative Location) to a one-time page.
    if (url === '/test/23/page') {
      const key = randomBytes(6).toString('hex');
      this.keys.set(key, 0);
      res.writeHead(302, { location: `page/${key}` }).end();
      return;
    }
    const keyed = /^\/test\/23\/page\/([0-9a-f]+)$/.exec(url);
    if (keyed) {
      const seen = this.keys.get(keyed[1]);
      if (seen === undefined || seen > 0) return void res.writeHead(410).end('This page was for one request only.');
      this.keys.set(keyed[1], seen + 1);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', link: `<webmention-endpoint/${keyed[1]}>; rel=webmention` });
      res.end(`<!doctype html><html><body><a rel="webmention" href="webmention-endpoint/${keyed[1]}">endpoint</a></body></html>`);
      return;
    }
    const n = /^\/test\/(\d+)$/.exec(url);
    const c = n && corpus.cases.find((x) => x.num === Number(n[1]));
    if (!c) return void res.writeHead(404).end();
    const headers: Array<[string, string]> = [['content-type', 'text/html; charset=utf-8'], ...c.response_headers.map((h): [string, string] => [h.name, h.value.replaceAll('{BASE}', this.base)])];
    res.writeHead(200, headers.flat());
    res.end(this.page(c));
  }
}

for (const { engine, skip } of testEngines()) {
  describe(`sending webmentions (${engine})`, { skip }, () => {
    const rocks = new RocksServer();
    let k: TestKumbaya;
    let now = Date.now();
    before(async () => {
      await rocks.start();
      k = await startTestKumbaya({ engine, env: { WEBMENTION_ALLOW_PRIVATE: 'true' }, clock: { now: () => now } });
    });
    after(async () => {
      rocks.stop();
      await k?.cleanup();
    });

    it('discovers the endpoint of all 23 webmention.rocks cases, posts to it, and never to a decoy', async () => {
      assert.equal(corpus.cases.length, 23);
      const owner = await k.signIn('owner');
      const links = corpus.cases.map((c) => `- [${c.name}](${c.page.replaceAll('{BASE}', rocks.base)})`).join('\n');
      const post = await k.deps.posts.create(owner.user!, { title: 'Discovery', markdown: `Testing every case:\n\n${links}` });
      await k.deps.posts.publish(owner.user!, post.id);
      await k.jobs.tick();
      const source = `${k.config.siteUrl}/${post.slug}`;

      for (const c of corpus.cases) {
        const target = c.page.replaceAll('{BASE}', rocks.base);
        let expected = c.expected_endpoint.replaceAll('{BASE}', rocks.base);
        if (c.num === 23) {
          const [key] = [...rocks.keys.keys()];
          assert.ok(key, 'case 23 was fetched');
          expected = expected.replace('<key>', key);
        }
        const path = new URL(expected).pathname + new URL(expected).search;
        const received = rocks.posts.filter((p) => p.path === path);
        assert.equal(received.length, 1, `case ${c.num} (${c.name}): one POST to ${expected}; got ${JSON.stringify(rocks.posts.filter((p) => p.path.startsWith(`/test/${c.num}`)))}`);
        assert.equal(received[0].body, new URLSearchParams({ source, target }).toString(), `case ${c.num}: the body is source and target only`);
      }
      const decoys = rocks.posts.filter((p) => p.path.includes('/webmention/error') || p.path === '/test/20');
      assert.deepEqual(decoys, [], 'no decoy endpoint was used');
      assert.equal(rocks.posts.length, 23);

      const sent = await k.deps.store.webmentions.listSent(post.id);
      assert.equal(sent.length, 23);
      assert.ok(sent.every((s) => s.status === 'sent' && s.httpStatus === 202 && s.endpoint !== null && s.attempts === 1), JSON.stringify(sent.filter((s) => s.status !== 'sent')));
    });

    it('notifies removed links on update and every link on delete; records targets without an endpoint; pings pingback-only sites; retries a failing endpoint', async () => {
      const owner = await k.signIn('owner');
      const a = `${rocks.base}/test/3`;
      const b = `${rocks.base}/test/5`;
      const none = `${rocks.base}/nothing-here`;
      const post = await k.deps.posts.create(owner.user!, { title: 'Changing links', markdown: `[a](${a}) [none](${none})` });
      await k.deps.posts.publish(owner.user!, post.id);
      await k.jobs.tick();
      const count = (p: string) => rocks.posts.filter((x) => x.path === p && x.body.includes(encodeURIComponent(`/${post.slug}`))).length;
      assert.equal(count('/test/3/webmention'), 1);
      const [noEndpoint] = (await k.deps.store.webmentions.listSent(post.id)).filter((s) => s.target === none);
      assert.deepEqual([noEndpoint.status, noEndpoint.endpoint], ['no-endpoint', null]);

      // Link a removed, b added: both are told.
      await k.deps.posts.update(owner.user!, post.id, { title: 'Changing links', markdown: `[b](${b})` });
      await k.jobs.tick();
      assert.equal(count('/test/3/webmention'), 2, 'the removed link is notified');
      assert.equal(count('/test/5/webmention'), 1);

      await k.deps.posts.trash(owner.user!, post.id);
      await k.jobs.tick();
      assert.equal(count('/test/5/webmention'), 2, 'deleting notifies the links it had');
      assert.equal(count('/test/3/webmention'), 2, 'a link the deleted version no longer had is not told again');

      // Pages that take only pingbacks get one (XML-RPC pingback.ping); "already registered" counts as told.
      const wp = await k.deps.posts.create(owner.user!, { title: 'To WordPress', markdown: `[one](${rocks.base}/wp/header) [two](${rocks.base}/wp/link)` });
      await k.deps.posts.publish(owner.user!, wp.id);
      await k.jobs.tick();
      const calls = rocks.posts.filter((p) => p.path === '/wp/xmlrpc.php').map((p) => parseCall(p.body)!).sort((x, y) => x.params[1].localeCompare(y.params[1]));
      assert.deepEqual(calls, [`${rocks.base}/wp/header`, `${rocks.base}/wp/link`].map((t) => ({ method: 'pingback.ping', params: [`${k.config.siteUrl}/${wp.slug}`, t] })));
      await k.deps.posts.update(owner.user!, wp.id, { title: 'To WordPress', markdown: `[one](${rocks.base}/wp/header) [two](${rocks.base}/wp/link) edited` });
      await k.jobs.tick();
      const pings = await k.deps.store.webmentions.listSent(wp.id);
      assert.deepEqual(pings.map((s) => [s.protocol, s.status, s.endpoint, s.httpStatus, s.attempts]), [
        ['pingback', 'sent', `${rocks.base}/wp/xmlrpc.php`, 200, 2],
        ['pingback', 'sent', `${rocks.base}/wp/xmlrpc.php`, 200, 2],
      ]);
      assert.equal(pings[0].error, 'fault 48: The pingback has already been registered.');

      // An endpoint that fails with 503 is tried again later, and the admin sees each answer.
      rocks.flakyFailures = 1;
      const flaky = await k.deps.posts.create(owner.user!, { title: 'Flaky', markdown: `[flaky](${rocks.base}/flaky)` });
      await k.deps.posts.publish(owner.user!, flaky.id);
      await k.jobs.tick();
      let [record] = await k.deps.store.webmentions.listSent(flaky.id);
      assert.deepEqual([record.status, record.httpStatus, record.error, record.attempts], ['failed', 503, 'Down for maintenance', 1]);
      const [job] = (await k.deps.store.jobs.list({ kind: 'webmention-send', status: 'pending', limit: 1, offset: 0 })).items;
      assert.equal(job.lastError, 'the endpoint answered 503');
      assert.equal(await k.jobs.tick(), 0, 'not before the retry is due');
      now = job.runAt;
      assert.equal(await k.jobs.tick(), 1);
      [record] = await k.deps.store.webmentions.listSent(flaky.id);
      assert.deepEqual([record.status, record.httpStatus, record.error, record.attempts], ['sent', 202, null, 2]);
    });
  });
}
