import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Post } from '../core/store.ts';
import { startTestKumbaya, type TestKumbaya } from '../../test/helpers/test-kumbaya.ts';
import { closeGracefully, createServer, listen } from './server.ts';

const KB = 1024;

/** One request over a real socket; the body is sent with Content-Length, or chunked from `chunks`. */
function send(port: number, path: string, body: { length: Buffer } | { chunked: number }, contentType: string): Promise<{ status: number; text: string; connection: string | undefined; bytesSent: number }> {
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    const headers: Record<string, string> = { 'content-type': contentType };
    if ('length' in body) headers['content-length'] = String(body.length.length);
    const req = http.request({ port, host: '127.0.0.1', path, method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, text, connection: res.headers.connection, bytesSent }));
    });
    // The server may close the connection while the body is still being sent: that is the point.
    req.on('error', (error: NodeJS.ErrnoException) => (['EPIPE', 'ECONNRESET'].includes(error.code ?? '') ? undefined : reject(error)));
    if ('length' in body) {
      bytesSent = body.length.length;
      req.end(body.length);
      return;
    }
    // Chunked: keep writing 16 KB pieces, as fast as the socket takes them, up to `chunked` bytes.
    const piece = Buffer.alloc(16 * KB, 'a');
    const pump = () => {
      while (bytesSent < body.chunked && !req.destroyed) {
        bytesSent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

describe('body limits per address, on a real server', () => {
  let k: TestKumbaya;
  let server: http.Server;
  let port = 0;
  let post: Post;
  before(async () => {
    k = await startTestKumbaya();
    const owner = await k.signIn('owner');
    post = (await k.deps.posts.publish(owner.user!, (await k.deps.posts.create(owner.user!, { title: 'Porch evenings', markdown: 'About porches.' })).id)).post;
    server = createServer(k.app, k.deps.pageCache, k.config.siteUrl);
    port = (await listen(server, 0, '127.0.0.1')).port;
  });
  after(async () => {
    await closeGracefully(server, 1000);
    await k.cleanup();
  });

  const healthy = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
  const endpoints = [
    // What each address needs (see bodyLimits in app.ts): a 10,000-character comment, a pingback's two URLs, a small form.
    { path: '/comments', limit: 128 * KB, type: 'application/x-www-form-urlencoded', words: '128 KB' },
    { path: '/comments', limit: 128 * KB, type: 'application/json', words: '128 KB' },
    { path: '/comments/1/edit', limit: 128 * KB, type: 'application/x-www-form-urlencoded', words: '128 KB' },
    { path: '/xmlrpc.php', limit: 32 * KB, type: 'text/xml', words: '32 KB' },
    { path: '/webmention', limit: 16 * KB, type: 'application/x-www-form-urlencoded', words: '16 KB' },
    { path: '/login', limit: 16 * KB, type: 'application/x-www-form-urlencoded', words: '16 KB' },
  ];

  it('refuses a declared Content-Length over the limit with 413 before reading it, and closes the connection', async () => {
    for (const { path, limit, type, words } of endpoints) {
      const res = await send(port, path, { length: Buffer.alloc(limit + 1, 'a') }, type);
      assert.equal(res.status, 413, `${path} ${type}`);
      assert.match(res.text, new RegExp(`larger than the ${words} this address accepts`), path);
      assert.equal(res.connection, 'close', path);
      // At the limit the request is read and judged on what it says (not 413).
      const within = await send(port, path, { length: Buffer.alloc(limit, 'a') }, type);
      assert.notEqual(within.status, 413, `${path} ${type} at the limit`);
      assert.ok(within.status < 500, `${path} ${type} at the limit: ${within.status}`);
    }
    assert.equal(await healthy(), 200);
  });

  it('refuses a chunked body without a length as soon as it passes the limit, long before it ends, and keeps answering', async () => {
    for (const { path, type, limit } of endpoints) {
      const [res, health] = await Promise.all([send(port, path, { chunked: Math.max(KB * KB, 4 * limit) }, type), healthy()]);
      assert.equal(res.status, 413, `${path} ${type}`);
      assert.equal(health, 200);
    }
    // 64 MB offered: the server reads past the limit only what the sockets buffer, then closes.
    const total = 64 * KB * KB;
    const res = await send(port, '/comments', { chunked: total }, 'application/x-www-form-urlencoded');
    assert.equal(res.status, 413);
    assert.ok(res.bytesSent < total, `the server stopped reading after ${res.bytesSent} of ${total} bytes`);
    assert.equal(await healthy(), 200);
  });

  it('still takes the longest valid comment, 10,000 characters of Japanese from a form without JavaScript', async () => {
    const formToken = k.deps.spam.issueFormToken(post.id, k.deps.clock.now() - 60_000);
    const body = new URLSearchParams({ postId: String(post.id), formToken, name: '山田', email: 'yamada@example.jp', website: '', body: '会話'.repeat(5000) });
    const encoded = Buffer.from(body.toString());
    assert.ok(encoded.length > 64 * KB, `the form is ${encoded.length} bytes`);
    const res = await send(port, '/comments', { length: encoded }, 'application/x-www-form-urlencoded');
    assert.equal(res.status, 303, res.text.slice(0, 300));
  });
});
