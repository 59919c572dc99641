import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AppEnv } from './context.ts';
import { securityHeadersFor, SESSION_COOKIE } from './middleware.ts';
import { bodyParts, compressedParts, encodingFor, notModified, type CachedPage, type PageCache } from './page-cache.ts';
import { isCompressible, MIN_BYTES, varyWithEncoding, weakEtag, type Encoding } from './compression.ts';
import { OWN_COOKIE } from './routes/own-comments.ts';
import { wantsActivityJson } from './federation-middleware.ts';
import { noteRequest } from '../adapters/process-load.ts';

/** Servers that are shutting down: each answer they still give ends its connection. */
const draining = new WeakSet<http.Server>();
/** Each server's requests not yet answered, so that draining can end their connections too. */
const unanswered = new WeakMap<http.Server, Set<http.ServerResponse>>();

/**
 * Page requests for the app, started in arrival order with a budget of CPU per turn of the
 * event loop.
 *
 * Node accepts one new connection per turn and, in that turn, runs the handler of every
 * request it has read. Rendering a page is CPU from start to end (SQLite answers at once),
 * so with 32 busy kept-alive connections a turn lasted 32 renders, and a connection
 * arriving then waited one such turn per connection ahead of it before its first request
 * was even read: the 32nd waited ~0.8 s (bench/README.md, "Why a0's p99 was ten times its
 * p50"). Here each request waits in a queue and is started in the check phase, once the
 * renders started before it in this turn have taken less than `budgetMs` (Node runs each
 * render's promise continuations before the next start); the rest waits for the next turn,
 * before which the loop accepts a connection, reads what arrived and answers cache hits.
 * So a request waits for the renders ahead of it, and a new connection for a few of them.
 */
export class FairStart {
  private readonly waiting: Array<() => void> = [];
  private turnOpen = false;
  private turnStarted = 0;
  private readonly budgetMs: number;

  constructor(budgetMs = 2) {
    this.budgetMs = budgetMs;
  }

  private readonly closeTurn = (): void => {
    this.turnOpen = false;
  };

  // One `run` is queued per waiting request; each starts the oldest, or waits a turn.
  private readonly run = (): void => {
    const now = performance.now();
    if (!this.turnOpen) {
      this.turnOpen = true;
      this.turnStarted = now;
      // Queued now, it runs first in the next turn's check phase.
      setImmediate(this.closeTurn);
    } else if (now - this.turnStarted >= this.budgetMs) {
      setImmediate(this.run);
      return;
    }
    this.waiting.shift()?.();
  };

  /** Runs `start` after those queued before it, in this turn's check phase or a later one. */
  enqueue(start: () => void): void {
    this.waiting.push(start);
    setImmediate(this.run);
  }

  get length(): number {
    return this.waiting.length;
  }
}

/** The answer ends its connection: `Connection: close` if its head is not written yet, else the socket closes after it. */
function lastOnItsConnection(res: http.ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
  else res.shouldKeepAlive = false;
}

/**
 * The Node HTTP server. Anonymous GETs whose page is already in the page cache are
 * answered here, before the framework, from the stored bytes (or with a 304); every
 * other request goes to the Hono app.
 */
export function createServer(app: Hono<AppEnv>, cache: PageCache, siteUrl: string): http.Server {
  const listener = getRequestListener(app.fetch);
  const securityHeaders = securityHeadersFor(siteUrl);
  // Each cached page's response headers per encoding, as one flat list built the first time it is served.
  const headerLists = new WeakMap<CachedPage, Partial<Record<Encoding | 'identity', string[]>>>();
  const headersOf = (hit: CachedPage, encoding: Encoding | null): string[] => {
    let lists = headerLists.get(hit);
    if (!lists) {
      lists = {};
      headerLists.set(hit, lists);
    }
    let list = lists[encoding ?? 'identity'];
    if (!list) {
      const own = { ...hit.headers };
      if (hit.body.length >= MIN_BYTES && isCompressible(hit.contentType)) own.Vary = varyWithEncoding(own.Vary);
      // The compressed bytes are another representation of the same page: a weak validator.
      list = [...Object.entries(securityHeaders), ...Object.entries(own), ['ETag', encoding ? weakEtag(hit.etag) : hit.etag], ['Last-Modified', hit.lastModified], ['X-Cache', 'hit']].flat();
      lists[encoding ?? 'identity'] = list;
    }
    return list;
  };
  // A compressed page's whole header list, kept for its latest length (the same for every reader while the token is).
  const lastCompressed = new WeakMap<CachedPage, { encoding: Encoding; length: number; list: string[] }>();
  const compressedHeaders = (hit: CachedPage, encoding: Encoding, headers: string[], length: number): string[] => {
    const last = lastCompressed.get(hit);
    if (last && last.encoding === encoding && last.length === length) return last.list;
    const list = [...headers, 'Content-Type', hit.contentType, 'Content-Encoding', encoding, 'Content-Length', String(length)];
    lastCompressed.set(hit, { encoding, length, list });
    return list;
  };
  const pending = new Set<http.ServerResponse>();
  const fair = new FairStart();
  const server = http.createServer((req, res) => {
    // Readers arriving fast: deliveries yield to them (process-load.ts).
    noteRequest();
    // A request that reaches a stopping server on a kept-alive connection is still answered,
    // but it is that connection's last, so the load drains instead of going on.
    if (draining.has(server)) res.setHeader('Connection', 'close');
    const cookie = req.headers.cookie;
    // A server asking for ActivityStreams gets JSON-LD from the app, never a cached HTML page.
    if ((req.method === 'GET' || req.method === 'HEAD') && cache.enabled && !(cookie && (cookie.includes(`${SESSION_COOKIE}=`) || cookie.includes(`${OWN_COOKIE}=`))) && !wantsActivityJson(req.headers.accept)) {
      const key = req.url ?? '/';
      const hit = cache.get(key);
      if (hit) {
        const encoding = encodingFor(hit, req.headers['accept-encoding']);
        const headers = headersOf(hit, encoding);
        if (notModified(hit, req.headers['if-none-match'], req.headers['if-modified-since'])) {
          res.writeHead(304, headers);
          res.end();
          return;
        }
        let parts: Buffer[];
        if (encoding) {
          // Compressed once per cached page; only a hole (the form token) is made per response.
          cache.compress(key, hit, encoding);
          parts = compressedParts(hit, encoding, Date.now());
        } else parts = req.method === 'HEAD' ? [hit.body] : bodyParts(hit, Date.now());
        let length = 0;
        for (const part of parts) length += part.length;
        res.writeHead(200, encoding ? compressedHeaders(hit, encoding, headers, length) : [...headers, 'Content-Type', hit.contentType, 'Content-Length', String(length)]);
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
    // Cache hits above are answered at once; what goes to the app may still be running at shutdown.
    if (!draining.has(server)) {
      pending.add(res);
      res.once('close', () => pending.delete(res));
    }
    // Writes start at once: they are short, and those read together commit together (group
    // commit, node-sqlite-database.ts). Pages wait their turn (FairStart).
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      void listener(req, res);
      return;
    }
    fair.enqueue(() => {
      if (res.destroyed || req.socket.destroyed) return;
      void listener(req, res);
    });
  });
  unanswered.set(server, pending);
  return server;
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

/**
 * Stops accepting connections and resolves once in-flight requests have been answered:
 * idle kept-alive connections are closed now, busy ones after their answer (which says
 * `Connection: close`). Only a request still running after `timeoutMs` is cut.
 */
export function closeGracefully(server: http.Server, timeoutMs = 10_000): Promise<void> {
  draining.add(server);
  // Requests already running end their connection too once answered.
  for (const res of unanswered.get(server) ?? []) lastOnItsConnection(res);
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
