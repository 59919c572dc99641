import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FetchRefused, isPublicAddress, safeFetch, type SafeFetchOptions } from './safe-fetch.ts';

const MB = 1024 * 1024;
let server: http.Server;
let base: string;
let lastUserAgent = '';

before(async () => {
  server = http.createServer((req, res) => {
    lastUserAgent = req.headers['user-agent'] ?? '';
    const url = new URL(req.url ?? '/', 'http://x');
    const hops = /^\/hops\/(\d+)$/.exec(url.pathname);
    if (hops) {
      const n = Number(hops[1]);
      if (n === 0) return res.end('arrived');
      res.writeHead(302, { location: `/hops/${n - 1}` }).end();
      return;
    }
    if (url.pathname === '/to-ftp') return res.writeHead(301, { location: 'ftp://example.com/file' }).end();
    if (url.pathname === '/big') {
      // Chunked, without a Content-Length: the limit must be counted while reading.
      const size = Number(url.searchParams.get('bytes'));
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let left = size;
      const write = () => {
        while (left > 0) {
          const part = chunk.subarray(0, Math.min(chunk.length, left));
          left -= part.length;
          if (!res.write(part)) return void res.once('drain', write);
        }
        res.end();
      };
      return write();
    }
    if (url.pathname === '/declared-big') return res.writeHead(200, { 'content-length': String(2 * MB) }).end();
    if (url.pathname === '/silent') return; // never answers
    if (url.pathname === '/echo' && req.method === 'POST') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => res.writeHead(201, { 'content-type': 'text/plain', link: '<a>; rel="x"' }).end(`${req.headers['content-type']}|${body}`));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<p>Grüße</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const allowed: SafeFetchOptions = { allowPrivate: true, userAgent: 'Kumbaya-test/1 (+http://blog.example)' };

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof FetchRefused, `a FetchRefused, not ${String(error)}`);
    return error.code;
  }
  assert.fail('the fetch was not refused');
}

describe('safe fetch', () => {
  it('classifies addresses: only public unicast is allowed', () => {
    for (const a of ['127.0.0.1', '10.0.0.8', '172.16.5.4', '192.168.1.1', '169.254.169.254', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd12::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '100.64.0.1']) {
      assert.equal(isPublicAddress(a), false, a);
    }
    for (const a of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:93.184.216.34']) assert.equal(isPublicAddress(a), true, a);
  });

  it('refuses loopback by default, as an IP literal and through DNS (localhost)', async () => {
    const port = new URL(base).port;
    assert.equal(await refusal(safeFetch(`${base}/`, { ...allowed, allowPrivate: false })), 'private-address');
    assert.equal(await refusal(safeFetch(`http://localhost:${port}/`, { ...allowed, allowPrivate: false })), 'private-address');
    assert.equal(await refusal(safeFetch(`http://[::1]:${port}/`, { ...allowed, allowPrivate: false })), 'private-address');
  });

  it('fetches when private addresses are allowed, with its User-Agent, decoding the charset', async () => {
    const res = await safeFetch(`${base}/page`, allowed);
    assert.equal(res.status, 200);
    assert.equal(res.body, '<p>Grüße</p>');
    assert.equal(lastUserAgent, 'Kumbaya-test/1 (+http://blog.example)');
  });

  it('refuses other schemes, also when a redirect leads there', async () => {
    assert.equal(await refusal(safeFetch('file:///etc/passwd', allowed)), 'scheme');
    assert.equal(await refusal(safeFetch(`${base}/to-ftp`, allowed)), 'scheme');
  });

  it('follows at most 5 redirects and reports the final URL', async () => {
    const five = await safeFetch(`${base}/hops/5`, allowed);
    assert.equal(five.body, 'arrived');
    assert.equal(five.url, `${base}/hops/0`);
    assert.equal(await refusal(safeFetch(`${base}/hops/6`, allowed)), 'too-many-redirects');
  });

  it('stops reading past 1 MB, declared or not', async () => {
    assert.equal((await safeFetch(`${base}/big?bytes=${MB}`, allowed)).body.length, MB);
    assert.equal(await refusal(safeFetch(`${base}/big?bytes=${MB + 1}`, allowed)), 'too-large');
    assert.equal(await refusal(safeFetch(`${base}/declared-big`, allowed)), 'too-large');
  });

  it('gives up at the deadline when the server never answers', async () => {
    assert.equal(await refusal(safeFetch(`${base}/silent`, { ...allowed, timeoutMs: 300 })), 'timeout');
  });

  it('posts form fields and reads every value of a header', async () => {
    const res = await safeFetch(`${base}/echo`, { ...allowed, method: 'POST', form: { source: 'https://b.example/?a=1&b=2', target: 'https://a.example/' } });
    assert.equal(res.status, 201);
    assert.equal(res.body, 'application/x-www-form-urlencoded|source=https%3A%2F%2Fb.example%2F%3Fa%3D1%26b%3D2&target=https%3A%2F%2Fa.example%2F');
    assert.deepEqual(res.headerValues('LINK'), ['<a>; rel="x"']);
  });
});
