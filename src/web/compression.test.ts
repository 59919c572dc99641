import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { browserSkipReason, launchBrowser, screenshot } from '../../test/helpers/browser.ts';
import { startTestKumbaya, type TestKumbaya } from '../../test/helpers/test-kumbaya.ts';
import { chooseEncoding, gzipHoleParts, gzipWithHole } from './compression.ts';
import { closeGracefully, createServer, listen } from './server.ts';

describe('chooseEncoding (Accept-Encoding)', () => {
  it('prefers brotli, then gzip, honours q=0 and *, and allows only gzip where brotli is not offered', () => {
    assert.equal(chooseEncoding('gzip, deflate, br, zstd'), 'br');
    assert.equal(chooseEncoding('gzip, deflate, br', false), 'gzip');
    assert.equal(chooseEncoding('gzip'), 'gzip');
    assert.equal(chooseEncoding('x-gzip'), 'gzip');
    assert.equal(chooseEncoding('br;q=0, gzip'), 'gzip');
    assert.equal(chooseEncoding('br;q=0.5, gzip;q=0.8'), 'gzip');
    assert.equal(chooseEncoding('*'), 'br');
    assert.equal(chooseEncoding('*;q=0'), null);
    assert.equal(chooseEncoding('identity'), null);
    assert.equal(chooseEncoding('deflate'), null);
    assert.equal(chooseEncoding(''), null);
    assert.equal(chooseEncoding(undefined), null);
    assert.equal(chooseEncoding('br', false), null);
  });
});

describe('gzip joined around a hole', () => {
  const page = Buffer.from(`<html><body>${'<p>Hello, reader. '.repeat(3000)}<input name="formToken" value="HOLE-HOLE-HOLE"><footer>${'é and ü, '.repeat(2000)}</footer></body></html>`);
  const offset = page.indexOf('HOLE-HOLE-HOLE');
  const length = 'HOLE-HOLE-HOLE'.length;
  const variant = gzipWithHole(page, offset, length);

  for (const fill of ['t0k3n.123456789', '', 'x'.repeat(70_000), 'ñ'.repeat(40)]) {
    it(`decodes to the page with the hole filled (${fill.length} characters), checksum and length included`, () => {
      const expected = Buffer.concat([page.subarray(0, offset), Buffer.from(fill), page.subarray(offset + length)]);
      // gunzipSync checks the trailer's CRC-32 and length: a wrong combination throws.
      const decoded = zlib.gunzipSync(Buffer.concat(gzipHoleParts(variant, Buffer.from(fill))));
      assert.ok(decoded.equals(expected));
    });
  }

  it('compresses the page (the shared bytes are deflated once)', () => {
    assert.ok(variant.head.length + variant.tail.length < page.length / 5, `${variant.head.length + variant.tail.length} of ${page.length}`);
  });
});

/** A GET with raw bytes (no decoding by the client). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

function decode(body: Buffer, encoding: string | undefined): string {
  if (encoding === 'br') return zlib.brotliDecompressSync(body).toString('utf8');
  if (encoding === 'gzip') return zlib.gunzipSync(body).toString('utf8');
  assert.equal(encoding, undefined);
  return body.toString('utf8');
}

const withoutToken = (page: string) => page.replace(/name="formToken" value="[^"]*"/, 'name="formToken" value=""');
const tokenOf = (page: string) => /name="formToken" value="([^"]*)"/.exec(page)?.[1];

const POST = '/you-cant-fail-in-social-media';

for (const pageCacheOn of [true, false]) {
  describe(`compressed answers over HTTP (PAGE_CACHE=${pageCacheOn})`, () => {
    let k: TestKumbaya;
    let server: http.Server;
    let base: string;

    before(async () => {
      k = await startTestKumbaya({ demo: true, env: { PAGE_CACHE: String(pageCacheOn) } });
      server = createServer(k.app, k.deps.pageCache, 'http://localhost:3000');
      const { port } = await listen(server, 0, '127.0.0.1');
      base = `http://127.0.0.1:${port}`;
    });
    after(async () => {
      await closeGracefully(server, 1000);
      await k.cleanup();
    });

    it('sends the post page in gzip, br and identity, each decoding to the same page', async () => {
      const identity = await get(base + POST);
      assert.equal(identity.status, 200);
      assert.equal(identity.headers['content-encoding'], undefined);
      assert.match(identity.headers.vary ?? '', /Accept-Encoding/);
      const page = identity.body.toString('utf8');
      assert.ok(tokenOf(page), 'the page has a comment form with a token');
      // A page with a form token is cached as joined gzip (a client that takes only brotli gets it as it is);
      // uncached pages are compressed per request, brotli first.
      for (const [accept, expected] of [
        ['gzip', 'gzip'],
        ['br', pageCacheOn ? undefined : 'br'],
        ['gzip, deflate, br, zstd', pageCacheOn ? 'gzip' : 'br'],
        ['identity', undefined],
      ] as const) {
        // Twice: the first may fill the page cache, the second is answered from it.
        for (let i = 0; i < 2; i++) {
          const res = await get(base + POST, { 'Accept-Encoding': accept });
          assert.equal(res.status, 200);
          const want = expected;
          assert.equal(res.headers['content-encoding'], want, `${accept} #${i + 1} (${res.headers['x-cache']})`);
          assert.equal(Number(res.headers['content-length']), res.body.length);
          assert.match(res.headers.vary ?? '', /Accept-Encoding/);
          const decoded = decode(res.body, res.headers['content-encoding']);
          assert.equal(withoutToken(decoded), withoutToken(page), `${accept} decodes to the page`);
          assert.ok(tokenOf(decoded), 'with a form token');
          if (want) assert.match(String(res.headers.etag ?? 'W/'), /^W\//, 'a compressed body has a weak ETag');
          if (pageCacheOn && i === 1) assert.equal(res.headers['x-cache'], 'hit');
        }
      }
    });

    if (pageCacheOn) {
      it('serves the cached compressed page with a fresh token each tenth of a second, and 304 on its weak ETag', async () => {
        await get(base + POST, { 'Accept-Encoding': 'gzip' });
        const first = await get(base + POST, { 'Accept-Encoding': 'gzip' });
        assert.equal(first.headers['x-cache'], 'hit');
        const compressedSize = first.body.length;
        await new Promise((r) => setTimeout(r, 150));
        const second = await get(base + POST, { 'Accept-Encoding': 'gzip' });
        assert.equal(second.headers['x-cache'], 'hit');
        const [a, b] = [decode(first.body, 'gzip'), decode(second.body, 'gzip')];
        assert.notEqual(tokenOf(a), tokenOf(b), 'each response carries its own token');
        assert.equal(withoutToken(a), withoutToken(b));
        assert.ok(compressedSize < Buffer.byteLength(a) / 2, `compressed: ${compressedSize} of ${Buffer.byteLength(a)} bytes`);
        // The page cache keeps the gzip variant: its shared bytes are the same object each time.
        const cached = k.deps.pageCache.get(POST);
        assert.ok(cached?.compressed?.gzip, 'the page cache holds the gzip variant');
        const etag = String(second.headers.etag);
        assert.match(etag, /^W\//);
        const revalidated = await get(base + POST, { 'Accept-Encoding': 'gzip', 'If-None-Match': etag });
        assert.equal(revalidated.status, 304);
        assert.equal(revalidated.body.length, 0);
      });

      it('serves a page without a form (the home page) and a feed in brotli from the cache', async () => {
        for (const path of ['/', '/feed.xml']) {
          const plain = await get(base + path);
          assert.equal(plain.status, 200, path);
          await get(base + path, { 'Accept-Encoding': 'gzip, br' });
          const res = await get(base + path, { 'Accept-Encoding': 'gzip, br' });
          assert.equal(res.headers['x-cache'], 'hit', path);
          assert.equal(res.headers['content-encoding'], 'br', path);
          assert.equal(decode(res.body, 'br'), plain.body.toString('utf8'), path);
          assert.ok(k.deps.pageCache.get(path)?.compressed?.br, `${path}: the br variant is kept`);
        }
      });
    }

    it('does not compress small answers, images or live streams', async () => {
      const health = await get(base + '/healthz', { 'Accept-Encoding': 'gzip, br' });
      assert.equal(health.status, 200);
      assert.ok(health.body.length < 1024);
      assert.equal(health.headers['content-encoding'], undefined);
      const icon = await get(base + '/favicon.ico', { 'Accept-Encoding': 'gzip, br' });
      assert.equal(icon.headers['content-encoding'], undefined, `favicon (${icon.status} ${icon.headers['content-type']})`);
      const css = await get(base + '/assets/site.css', { 'Accept-Encoding': 'gzip' });
      if (css.status === 200 && css.body.length > 0) assert.equal(css.headers['content-encoding'], Number(css.headers['content-length']) >= 1024 ? 'gzip' : undefined);
      const post = await k.deps.store.posts.findBySlug('you-cant-fail-in-social-media');
      const live = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(`${base}/comments/live/${post!.id}`, { headers: { 'Accept-Encoding': 'gzip, br' } }, resolve).on('error', reject));
      assert.equal(live.statusCode, 200);
      assert.match(String(live.headers['content-type']), /text\/event-stream/);
      assert.equal(live.headers['content-encoding'], undefined);
      live.destroy();
    });
  });
}

describe('a browser reading compressed pages', { skip: browserSkipReason() }, () => {
  it('shows the cached post page sent as gzip and the home page sent as brotli', async () => {
    const k = await startTestKumbaya({ demo: true });
    const server = createServer(k.app, k.deps.pageCache, 'http://localhost:3000');
    const browser = await launchBrowser();
    try {
      const { port } = await listen(server, 0, '127.0.0.1');
      const base = `http://127.0.0.1:${port}`;
      const page = await browser.newPage();
      for (const [path, encoding] of [
        [POST, 'gzip'],
        ['/', 'br'],
      ] as const) {
        await page.goto(base + path);
        const res = await page.reload();
        assert.equal(res?.headers()['x-cache'], 'hit', path);
        assert.equal(res?.headers()['content-encoding'], encoding, path);
        const plain = (await get(base + path)).body.toString('utf8');
        // What Chromium decoded is the page, byte for byte (the form token aside).
        assert.equal(withoutToken((await res!.body()).toString('utf8')), withoutToken(plain), path);
        assert.ok((await page.locator('h1').first().textContent())?.trim(), `${path} shows its heading`);
      }
      await page.goto(base + POST);
      assert.ok(await page.locator('input[name="formToken"]').count(), 'the comment form is there');
      await screenshot(page, 'compressed-post-page');
    } finally {
      await browser.close();
      await closeGracefully(server, 1000);
      await k.cleanup();
    }
  });
});

describe('an uncached page rendered whole (every cache off)', () => {
  let k: TestKumbaya;
  let server: http.Server;
  let base: string;
  const end = http.ServerResponse.prototype.end;
  /** The page buffers the server handed to `end`, captured to see what became of them after the answer. */
  const sent: Array<{ body: Uint8Array; length: number }> = [];

  before(async () => {
    k = await startTestKumbaya({ demo: true, env: { PAGE_CACHE: 'false', CONVERSATION_CACHE: 'false' } });
    server = createServer(k.app, k.deps.pageCache, 'http://localhost:3000');
    const { port } = await listen(server, 0, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
    http.ServerResponse.prototype.end = function (this: http.ServerResponse, ...args: unknown[]) {
      if (args[0] instanceof Uint8Array && args[0].length > 10_000) sent.push({ body: args[0], length: args[0].length });
      return (end as (...a: unknown[]) => http.ServerResponse).apply(this, args);
    } as typeof end;
  });
  after(async () => {
    http.ServerResponse.prototype.end = end;
    await closeGracefully(server, 1000);
    await k.cleanup();
  });

  it('frees its buffer once it is sent (detached: nothing can read another page from it), and the reader gets the whole page, compressed or not', async () => {
    const identity = await get(base + POST);
    assert.equal(identity.status, 200);
    const page = identity.body.toString('utf8');
    assert.match(page, /<\/html>\s*$/, 'the whole page');
    assert.equal(sent.length, 1, 'the answer handed its page to end() as one buffer');
    assert.equal(sent[0].length, identity.body.length);
    // 'finish' comes as the answer is handed to the socket: wait for it, a turn at a time.
    for (let turn = 0; turn < 100 && !(sent[0].body.buffer as ArrayBuffer).detached; turn++) await new Promise((r) => setTimeout(r, 10));
    assert.ok((sent[0].body.buffer as ArrayBuffer).detached, 'the page buffer is freed once sent');
    // Compressed from that buffer (on the thread pool) before it is freed: the reader still gets the whole page.
    for (const accept of ['gzip', 'br']) {
      const res = await get(base + POST, { 'Accept-Encoding': accept });
      assert.equal(res.headers['content-encoding'], accept);
      assert.equal(withoutToken(decode(res.body, accept)), withoutToken(page));
    }
  });
});
