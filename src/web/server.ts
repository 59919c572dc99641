import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AppEnv } from './context.ts';
import { securityHeadersFor, SESSION_COOKIE } from './middleware.ts';
import { bodyParts, notModified, type CachedPage, type PageCache } from './page-cache.ts';
import { OWN_COOKIE } from './routes/own-comments.ts';
import { wantsActivityJson } from './federation-middleware.ts';

/**
 * The Node HTTP server. Anonymous GETs whose page is already in the page cache are
 * answered here, before the framework, from the stored bytes (or with a 304); every
 * other request goes to the Hono app.
 */
export function createServer(app: Hono<AppEnv>, cache: PageCache, siteUrl: string): http.Server {
  const listener = getRequestListener(app.fetch);
  const securityHeaders = securityHeadersFor(siteUrl);
  // Each cached page's response headers, as one flat list built the first time it is served.
  const headerLists = new WeakMap<CachedPage, string[]>();
  const headersOf = (hit: CachedPage): string[] => {
    let list = headerLists.get(hit);
    if (!list) {
      list = [...Object.entries(securityHeaders), ...Object.entries(hit.headers), ['ETag', hit.etag], ['Last-Modified', hit.lastModified], ['X-Cache', 'hit']].flat();
      headerLists.set(hit, list);
    }
    return list;
  };
  return http.createServer((req, res) => {
    const cookie = req.headers.cookie;
    // A server asking for ActivityStreams gets JSON-LD from the app, never a cached HTML page.
    if ((req.method === 'GET' || req.method === 'HEAD') && cache.enabled && !(cookie && (cookie.includes(`${SESSION_COOKIE}=`) || cookie.includes(`${OWN_COOKIE}=`))) && !wantsActivityJson(req.headers.accept)) {
      const hit = cache.get(req.url ?? '/');
      if (hit) {
        const headers = headersOf(hit);
        if (notModified(hit, req.headers['if-none-match'], req.headers['if-modified-since'])) {
          res.writeHead(304, headers);
          res.end();
          return;
        }
        const parts = req.method === 'HEAD' ? [hit.body] : bodyParts(hit, Date.now());
        let length = 0;
        for (const part of parts) length += part.length;
        res.writeHead(200, [...headers, 'Content-Type', hit.contentType, 'Content-Length', String(length)]);
        if (req.method === 'HEAD') {
          res.end();
          return;
        }
        if (parts.length === 1) {
          res.end(parts[0]);
          return;
        }
        // One writev for the shared bytes and the fresh form token, without copying the page.
        res.cork();
        for (let i = 0; i < parts.length - 1; i++) res.write(parts[i]);
        res.end(parts[parts.length - 1]);
        process.nextTick(() => res.uncork());
        return;
      }
    }
    void listener(req, res);
  });
}

export function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Stops accepting connections and resolves once in-flight requests have finished. */
export function closeGracefully(server: http.Server, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, timeoutMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
