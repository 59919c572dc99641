import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { loadConfig } from '../config/config.ts';
import type { SpamCheckInput } from '../core/spam-check.ts';
import { AkismetClient, akismetFromConfig, DEFAULT_AKISMET_ENDPOINT } from './akismet.ts';

interface Seen {
  method: string;
  path: string;
  contentType: string;
  userAgent: string;
  params: URLSearchParams;
}

type Reply = (req: Seen, res: http.ServerResponse) => void;

/** A local server speaking the Akismet protocol, answering as each test says. */
function akismetServer() {
  const seen: Seen[] = [];
  let reply: Reply = (_req, res) => res.end('false');
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        userAgent: req.headers['user-agent'] ?? '',
        params: new URLSearchParams(body),
      };
      seen.push(entry);
      reply(entry, res);
    });
  });
  return {
    seen,
    answer(next: Reply) {
      reply = next;
    },
    async start(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/1.1/`;
    },
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const comment: SpamCheckInput = {
  ip: '203.0.113.7',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
  referrer: 'https://blog.example.com/you-cant-fail',
  permalink: 'https://blog.example.com/you-cant-fail',
  authorName: 'Torri',
  authorEmail: 'torri@wraps.example',
  authorUrl: 'https://wraps.example',
  content: 'Offline counts too — café & "quotes" + plus=signs',
  createdAt: Date.UTC(2024, 0, 15, 12),
};

describe('Akismet client', () => {
  const server = akismetServer();
  let endpoint: string;
  let client: AkismetClient;

  before(async () => {
    endpoint = await server.start();
    client = new AkismetClient({ key: 'k3y', blog: 'https://blog.example.com', endpoint, blogLang: 'en', timeoutMs: 500 });
  });

  after(() => server.stop());

  beforeEach(() => {
    server.seen.length = 0;
  });

  it('posts every comment-check parameter, form-encoded, with the key as api_key', async () => {
    server.answer((_req, res) => res.end('false'));
    assert.deepEqual(await client.check(comment), { verdict: 'ham', discard: false });
    assert.equal(server.seen.length, 1);
    const [req] = server.seen;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/1.1/comment-check');
    assert.match(req.contentType, /^application\/x-www-form-urlencoded/);
    assert.match(req.userAgent, /Kumbaya/);
    assert.deepEqual(Object.fromEntries(req.params), {
      api_key: 'k3y',
      blog: 'https://blog.example.com',
      user_ip: '203.0.113.7',
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
      referrer: 'https://blog.example.com/you-cant-fail',
      permalink: 'https://blog.example.com/you-cant-fail',
      comment_type: 'comment',
      comment_author: 'Torri',
      comment_author_email: 'torri@wraps.example',
      comment_author_url: 'https://wraps.example',
      comment_content: 'Offline counts too — café & "quotes" + plus=signs',
      comment_date_gmt: '2024-01-15T12:00:00.000Z',
      blog_charset: 'UTF-8',
      blog_lang: 'en',
    });
  });

  it('sends empty values for what is not known', async () => {
    await client.check({ ...comment, ip: null, userAgent: null, referrer: null, authorUrl: null });
    const { params } = server.seen[0];
    for (const name of ['user_ip', 'user_agent', 'referrer', 'comment_author_url']) assert.equal(params.get(name), '', name);
  });

  it('reads "true" as spam', async () => {
    server.answer((_req, res) => res.end('true'));
    assert.deepEqual(await client.check(comment), { verdict: 'spam', discard: false });
  });

  it('reads the discard pro-tip as blatant spam', async () => {
    server.answer((_req, res) => {
      res.setHeader('X-akismet-pro-tip', 'discard');
      res.end('true');
    });
    assert.deepEqual(await client.check(comment), { verdict: 'spam', discard: true });
  });

  it('passes an account alert along without changing the verdict', async () => {
    server.answer((_req, res) => {
      res.setHeader('X-akismet-alert-code', '10008');
      res.setHeader('X-akismet-alert-msg', 'Your plan does not cover this site.');
      res.end('false');
    });
    assert.deepEqual(await client.check(comment), { verdict: 'ham', discard: false, detail: 'Your plan does not cover this site.' });
  });

  it('answers unknown for an invalid key, with the service’s explanation', async () => {
    server.answer((_req, res) => {
      res.setHeader('X-akismet-debug-help', 'Empty "blog" value');
      res.end('invalid');
    });
    const result = await client.check(comment);
    assert.equal(result.verdict, 'unknown');
    assert.equal(result.discard, false);
    assert.match(result.detail ?? '', /invalid.*Empty "blog" value/);
  });

  it('answers unknown for an error status or an unexpected body', async () => {
    server.answer((_req, res) => {
      res.statusCode = 500;
      res.end('true');
    });
    assert.deepEqual(await client.check(comment), { verdict: 'unknown', discard: false, detail: 'comment-check answered HTTP 500' });
    server.answer((_req, res) => res.end('<html>maintenance</html>'));
    assert.equal((await client.check(comment)).verdict, 'unknown');
    server.answer((_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', 'http://127.0.0.1:1/');
      res.end();
    });
    assert.equal((await client.check(comment)).verdict, 'unknown');
  });

  it('gives up quickly on a service that does not answer', async () => {
    server.answer(() => {}); // never responds
    const started = Date.now();
    const result = await client.check(comment);
    assert.equal(result.verdict, 'unknown');
    assert.match(result.detail ?? '', /timed out/);
    assert.ok(Date.now() - started < 2_000);
  });

  it('answers unknown, never throwing, when nothing listens', async () => {
    const closed = akismetServer();
    const url = await closed.start();
    await closed.stop();
    const offline = new AkismetClient({ key: 'k', blog: 'https://blog.example.com', endpoint: url });
    const result = await offline.check(comment);
    assert.equal(result.verdict, 'unknown');
    assert.match(result.detail ?? '', /comment-check failed/);
    assert.equal(await offline.submitSpam(comment), false);
  });

  it('reports moderator decisions with submit-spam and submit-ham', async () => {
    server.answer((_req, res) => res.end('Thanks for making the web a better place.'));
    assert.equal(await client.submitSpam(comment), true);
    assert.equal(await client.submitHam(comment), true);
    assert.deepEqual(server.seen.map((r) => r.path), ['/1.1/submit-spam', '/1.1/submit-ham']);
    assert.equal(server.seen[0].params.get('comment_content'), comment.content);
    assert.equal(server.seen[1].params.get('api_key'), 'k3y');
    server.answer((_req, res) => res.end('invalid'));
    assert.equal(await client.submitHam(comment), false);
  });

  it('accepts an endpoint without the trailing slash, and marks test calls', async () => {
    const testing = new AkismetClient({ key: 'k', blog: 'https://blog.example.com', endpoint: endpoint.replace(/\/$/, ''), isTest: true });
    server.answer((_req, res) => res.end('false'));
    await testing.check(comment);
    assert.equal(server.seen[0].path, '/1.1/comment-check');
    assert.equal(server.seen[0].params.get('is_test'), '1');
    assert.equal(server.seen[0].params.has('blog_lang'), false);
  });
});

describe('Akismet settings', () => {
  it('is off without AKISMET_KEY', () => {
    assert.equal(akismetFromConfig(loadConfig({})), null);
    assert.equal(loadConfig({}).akismetEndpoint, DEFAULT_AKISMET_ENDPOINT);
  });

  it('uses AKISMET_KEY and AKISMET_ENDPOINT', () => {
    const config = loadConfig({ AKISMET_KEY: ' abc123 ', AKISMET_ENDPOINT: 'http://127.0.0.1:9999/akismet', SITE_URL: 'https://blog.example.com' });
    assert.equal(config.akismetKey, 'abc123');
    assert.equal(config.akismetEndpoint, 'http://127.0.0.1:9999/akismet/');
    const client = akismetFromConfig(config);
    assert.ok(client);
    const params = client.params(comment);
    assert.equal(params.get('api_key'), 'abc123');
    assert.equal(params.get('blog'), 'https://blog.example.com');
  });

  it('says how to fix a wrong endpoint', () => {
    assert.throws(() => loadConfig({ AKISMET_ENDPOINT: 'rest.akismet.com' }), /AKISMET_ENDPOINT must be an absolute http\(s\) URL/);
  });
});
