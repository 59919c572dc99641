import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Fetching URLs that strangers name (webmention sources, link targets) without letting
 * them point Kumbaya at the operator's own network (SSRF). Only http and https; the host
 * is resolved and every address checked: loopback, private, link-local, unique-local,
 * multicast, unspecified, reserved and IPv4-mapped forms of those are refused unless the
 * operator allows private addresses. The connection uses the address that was checked
 * (the check is the socket's own DNS lookup), so a second answer cannot slip in (DNS
 * rebinding). Every redirect is checked the same way; bodies stop at a size limit and the
 * whole exchange at a deadline.
 */

export type RefusalCode = 'bad-url' | 'scheme' | 'private-address' | 'too-many-redirects' | 'too-large' | 'timeout' | 'network';

export class FetchRefused extends Error {
  readonly code: RefusalCode;
  constructor(code: RefusalCode, message: string) {
    super(message);
    this.name = 'FetchRefused';
    this.code = code;
  }

  /** Trying again will not help (as opposed to timeouts and network errors). */
  get permanent(): boolean {
    return this.code !== 'timeout' && this.code !== 'network';
  }
}

export interface SafeFetchOptions {
  /** Allow private, loopback and link-local addresses (WEBMENTION_ALLOW_PRIVATE, for tests). */
  allowPrivate: boolean;
  userAgent: string;
  method?: 'GET' | 'POST' | 'HEAD';
  /** Form fields for a POST (sent application/x-www-form-urlencoded), or a raw body with its type. */
  form?: Record<string, string>;
  body?: { type: string; text: string };
  accept?: string;
  /** For the whole exchange, redirects included. Default 10 s. */
  timeoutMs?: number;
  /** Largest body read. Default 1 MB. */
  maxBytes?: number;
  /** Default 5; POSTs are never redirected (the answer is reported as is). */
  maxRedirects?: number;
  /** More headers for each request, redirects included (a signature covers its own URL). */
  headersFor?: (url: URL) => Promise<Record<string, string>>;
}

export interface SafeResponse {
  status: number;
  /** The final URL, after redirects. */
  url: string;
  /** Every value of a header (case-insensitive name), in order. */
  headerValues(name: string): string[];
  header(name: string): string | undefined;
  body: string;
}

export type SafeFetch = (url: string, options: SafeFetchOptions) => Promise<SafeResponse>;

/** True for addresses a public fetch may connect to. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

function checkedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => !allowPrivate && !isPublicAddress(a.address));
      if (bad || list.length === 0) {
        // The address itself is never named: the reason is shown to whoever sent the mention,
        // and would tell them what the site's internal names resolve to.
        const refusal = new FetchRefused('private-address', bad ? `${hostname} resolves to a private or reserved address` : `${hostname} resolves to no address`);
        return callback(refusal as NodeJS.ErrnoException, '', 4);
      }
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchRefused('bad-url', `not a URL: ${raw.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchRefused('scheme', `only http and https URLs are fetched, not ${url.protocol}`);
  return url;
}

interface Hop {
  status: number;
  rawHeaders: string[];
  body: string;
}

async function once(url: URL, options: SafeFetchOptions, deadline: AbortSignal, maxBytes: number): Promise<Hop> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // An IP literal is connected to without a lookup: check it here.
  if (ipaddr.isValid(host) && !options.allowPrivate && !isPublicAddress(host)) {
    throw new FetchRefused('private-address', `${host} is a private or reserved address`);
  }
  const payload = options.form ? { type: 'application/x-www-form-urlencoded', text: new URLSearchParams(options.form).toString() } : options.body;
  const headers: Record<string, string> = { 'user-agent': options.userAgent, accept: options.accept ?? '*/*', ...(options.headersFor ? await options.headersFor(url) : {}) };
  if (payload) Object.assign(headers, { 'content-type': payload.type, 'content-length': String(Buffer.byteLength(payload.text)) });
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(url, { method: options.method ?? 'GET', headers, lookup: checkedLookup(options.allowPrivate), signal: deadline }, (response) => {
      const declared = Number(response.headers['content-length'] ?? 0);
      if (declared > maxBytes) {
        response.destroy();
        return reject(new FetchRefused('too-large', `the response is ${declared} bytes, more than the ${maxBytes} allowed`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          response.destroy();
          reject(new FetchRefused('too-large', `the response is more than the ${maxBytes} bytes allowed`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, rawHeaders: response.rawHeaders, body: decode(Buffer.concat(chunks), response.headers['content-type']) }));
      response.on('error', (error) => reject(error));
    });
    request.on('error', (error) => {
      if (error instanceof FetchRefused) return reject(error);
      if (deadline.aborted) return reject(new FetchRefused('timeout', `no complete answer from ${url.host} in time`));
      const cause = (error as NodeJS.ErrnoException).cause;
      reject(cause instanceof FetchRefused ? cause : new FetchRefused('network', `${url.host}: ${error.message}`));
    });
    request.end(payload?.text);
  });
}

function decode(bytes: Buffer, contentType: string | undefined): string {
  const charset = /charset=["']?([\w-]+)/i.exec(contentType ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** Fetches `raw` under the rules above; throws FetchRefused when a rule stops it. */
export const safeFetch: SafeFetch = async (raw, options) => {
  const maxRedirects = options.method === 'POST' ? 0 : (options.maxRedirects ?? 5);
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const deadline = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  let url = parseUrl(raw);
  for (let redirects = 0; ; redirects++) {
    const hop = await once(url, options, deadline, maxBytes);
    const values = (name: string) => {
      const out: string[] = [];
      for (let i = 0; i < hop.rawHeaders.length; i += 2) if (hop.rawHeaders[i].toLowerCase() === name.toLowerCase()) out.push(hop.rawHeaders[i + 1]);
      return out;
    };
    const location = values('location')[0];
    if (maxRedirects > 0 && [301, 302, 303, 307, 308].includes(hop.status) && location) {
      if (redirects >= maxRedirects) throw new FetchRefused('too-many-redirects', `more than ${maxRedirects} redirects`);
      url = parseUrl(new URL(location, url).href);
      continue;
    }
    return { status: hop.status, url: url.href, headerValues: values, header: (name) => values(name)[0], body: hop.body };
  }
};
