import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { startTestKumbaya } from '../../test/helpers/test-kumbaya.ts';
import { closeGracefully, createServer, listen } from './server.ts';

const HSTS = 'max-age=31536000; includeSubDomains';

/** Every kind of answer: a page (rendered, then from the server's page cache), a 404, JSON, an asset, a redirect. */
async function answers(siteUrl: string): Promise<Array<[string, string | null]>> {
  const k = await startTestKumbaya({ demo: true, env: { SITE_URL: siteUrl } });
  const server = createServer(k.app, k.deps.pageCache, siteUrl);
  try {
    const { port } = await listen(server, 0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    const seen: Array<[string, string | null]> = [];
    for (const path of ['/you-cant-fail-in-social-media', '/you-cant-fail-in-social-media', '/no-such-page', '/healthz', '/favicon.ico', '/api/posts']) {
      const res = await fetch(`${base}${path}`, { redirect: 'manual' });
      await res.arrayBuffer();
      seen.push([`${path} ${res.status} ${res.headers.get('x-cache') ?? ''}`, res.headers.get('strict-transport-security')]);
    }
    assert.ok(seen.some(([what]) => what.endsWith(' hit')), `one answer came from the page cache: ${seen.map(([w]) => w).join(', ')}`);
    return seen;
  } finally {
    await closeGracefully(server, 1000);
    await k.cleanup();
  }
}

describe('Strict-Transport-Security', () => {
  it('is sent on every answer when SITE_URL is https, without preload', async () => {
    for (const [what, header] of await answers('https://blog.example')) assert.equal(header, HSTS, what);
  });

  it('is not sent when SITE_URL is http (a browser would refuse the site afterwards)', async () => {
    for (const [what, header] of await answers('http://localhost:3000')) assert.equal(header, null, what);
  });
});
