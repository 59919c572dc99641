import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FetchError } from '@fedify/fedify';
import { safeFetch, type SafeFetch } from '../safe-fetch.ts';
import { safeDocumentLoader } from './document-loader.ts';

describe('the fediverse document loader', () => {
  let server: http.Server;
  let base = '';
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/private-actor') {
        // "Authorized fetch": only signed requests are answered.
        const signature = String(req.headers.signature ?? '');
        res.writeHead(signature.includes('keyId="https://blog.example/@blog#main-key"') && req.headers.date ? 200 : 401, { 'content-type': 'application/activity+json' });
        res.end(JSON.stringify({ id: `${base}/private-actor`, type: 'Person', signedHeaders: /headers="([^"]*)"/.exec(signature)?.[1] }));
      } else if (req.url === '/actor') {
        res.writeHead(200, { 'content-type': 'application/activity+json' });
        res.end(JSON.stringify({ id: `${base}/actor`, type: 'Person', accept: req.headers.accept }));
      } else if (req.url === '/huge') {
        // A "document" past the 1 MB limit, sent without a length so that the limit is met while reading.
        res.writeHead(200, { 'content-type': 'application/activity+json' });
        res.end(`{"id":"${base}/huge","type":"Note","content":"${'x'.repeat(1024 * 1024 + 10)}"}`);
      } else if (req.url === '/silent') {
        // Headers, then nothing: the deadline has to end it.
        res.writeHead(200, { 'content-type': 'application/activity+json' });
        res.write('{"id":');
      } else if (req.url?.startsWith('/hop/')) {
        const n = Number(req.url.slice(5));
        res.writeHead(302, { location: n === 0 ? '/actor' : `/hop/${n - 1}` });
        res.end();
      } else if (req.url === '/html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><p>not json');
      } else {
        res.writeHead(410);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses loopback and private addresses unless FEDIVERSE_ALLOW_PRIVATE', async () => {
    const refusing = safeDocumentLoader({ fetch: safeFetch, allowPrivate: false, userAgent: 'test' });
    await assert.rejects(refusing(`${base}/actor`), (error: unknown) => error instanceof FetchError && /private or reserved/.test(error.message));
    await assert.rejects(refusing('http://10.1.2.3/actor'), FetchError);
    await assert.rejects(refusing('file:///etc/passwd'), FetchError);
    const allowing = safeDocumentLoader({ fetch: safeFetch, allowPrivate: true, userAgent: 'test' });
    const loaded = await allowing(`${base}/actor`);
    assert.equal(loaded.documentUrl, `${base}/actor`);
    assert.equal((loaded.document as { type: string }).type, 'Person');
    assert.match((loaded.document as { accept: string }).accept, /application\/activity\+json/);
  });

  it('refuses every spelling of a private or reserved address', async () => {
    const refusing = safeDocumentLoader({ fetch: safeFetch, allowPrivate: false, userAgent: 'test' });
    for (const url of ['http://localhost:1/actor', 'http://[::1]/actor', 'http://[::ffff:127.0.0.1]/actor', 'http://2130706433/actor', 'http://0.0.0.0/actor', 'http://169.254.169.254/latest/meta-data/', 'http://192.168.1.1/actor', 'http://[fd00::1]/actor', 'http://100.64.0.1/actor']) {
      await assert.rejects(refusing(url), (error: unknown) => error instanceof FetchError && /private or reserved/.test(error.message), url);
    }
  });

  it('follows at most 5 redirects', async () => {
    const loader = safeDocumentLoader({ fetch: safeFetch, allowPrivate: true, userAgent: 'test' });
    assert.equal((await loader(`${base}/hop/4`)).documentUrl, `${base}/actor`, 'five redirects are followed');
    await assert.rejects(loader(`${base}/hop/5`), (error: unknown) => error instanceof FetchError && /redirect/i.test(error.message));
  });

  it('stops reading a document past 1 MB, and a server that does not finish in time', async () => {
    const loader = safeDocumentLoader({ fetch: safeFetch, allowPrivate: true, userAgent: 'test' });
    await assert.rejects(loader(`${base}/huge`), (error: unknown) => error instanceof FetchError && /bytes allowed/.test(error.message));
    const impatient = safeDocumentLoader({ fetch: safeFetch, allowPrivate: true, userAgent: 'test', timeoutMs: 300 });
    await assert.rejects(impatient(`${base}/silent`), (error: unknown) => error instanceof FetchError && /in time/.test(error.message));
  });

  it('reports error statuses and non-JSON answers as fetch errors', async () => {
    const loader = safeDocumentLoader({ fetch: safeFetch, allowPrivate: true, userAgent: 'test' });
    await assert.rejects(loader(`${base}/gone`), (error: unknown) => error instanceof FetchError && /410/.test(error.message));
    await assert.rejects(loader(`${base}/html`), (error: unknown) => error instanceof FetchError && /JSON/.test(error.message));
  });

  it('signs its requests as the blog actor when asked (servers in authorized-fetch mode)', async () => {
    const { privateKey } = (await webcrypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const anonymous = safeDocumentLoader({ fetch: safeFetch, allowPrivate: true, userAgent: 'test' });
    await assert.rejects(anonymous(`${base}/private-actor`), (error: unknown) => error instanceof FetchError && /401/.test(error.message));
    const signing = safeDocumentLoader({ fetch: safeFetch, allowPrivate: true, userAgent: 'test', signAs: { keyId: new URL('https://blog.example/@blog#main-key'), privateKey } });
    const loaded = await signing(`${base}/private-actor`);
    const signed = (loaded.document as { signedHeaders: string }).signedHeaders.split(' ');
    for (const header of ['(request-target)', 'host', 'date']) assert.ok(signed.includes(header), `${header} is signed`);
  });

  it('answers the contexts Fedify ships from memory, without a request', async () => {
    let requests = 0;
    const counting: SafeFetch = async (url, options) => {
      requests++;
      return safeFetch(url, options);
    };
    const loader = safeDocumentLoader({ fetch: counting, allowPrivate: false, userAgent: 'test' });
    const context = await loader('https://www.w3.org/ns/activitystreams');
    assert.ok((context.document as { '@context': unknown })['@context']);
    assert.equal(requests, 0);
  });
});
