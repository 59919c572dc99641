import { FetchError, preloadedContexts, signRequest, type DocumentLoader, type RemoteDocument } from '@fedify/fedify';
import { FetchRefused, type SafeFetch } from '../safe-fetch.ts';

const ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

export interface SafeDocumentLoaderOptions {
  fetch: SafeFetch;
  /** FEDIVERSE_ALLOW_PRIVATE: tests and closed networks only. */
  allowPrivate: boolean;
  userAgent: string;
  /** Sign each GET as the blog actor (servers in "authorized fetch" mode answer only signed requests). */
  signAs?: { keyId: URL; privateKey: CryptoKey };
  /** For the whole exchange, redirects included; default 10 s. */
  timeoutMs?: number;
  /** Largest document read; default 1 MB (an actor is a few kilobytes). */
  maxBytes?: number;
}

/**
 * Fedify's document loader on `safe-fetch.ts`: remote actors and objects are fetched only
 * from public addresses, over a connection pinned to the address that was checked, within
 * 10 s and 1 MB, following at most 5 redirects. The JSON-LD contexts Fedify ships are
 * answered from memory and never fetched, marked static so jsonld processes each once.
 */
export function safeDocumentLoader(options: SafeDocumentLoaderOptions): DocumentLoader {
  const { signAs } = options;
  const signer = signAs
    ? async (target: URL) => {
        const signed = await signRequest(new Request(target, { headers: { accept: ACCEPT } }), signAs.privateKey, signAs.keyId);
        return Object.fromEntries(signed.headers);
      }
    : undefined;
  return async (url: string): Promise<RemoteDocument> => {
    const preloaded = (preloadedContexts as Record<string, unknown>)[url];
    // `tag: 'static'` tells jsonld the context never changes, so it keeps the context it
    // resolved from it (its shared cache, 100 contexts) instead of processing the
    // ActivityStreams and security contexts again for every activity and key it parses.
    if (preloaded !== undefined) return { contextUrl: null, documentUrl: url, document: preloaded, tag: 'static' } as RemoteDocument;
    let response;
    try {
      response = await options.fetch(url, { allowPrivate: options.allowPrivate, userAgent: options.userAgent, accept: ACCEPT, timeoutMs: options.timeoutMs ?? 10_000, maxBytes: options.maxBytes ?? 1024 * 1024, maxRedirects: 5, headersFor: signer });
    } catch (error) {
      if (error instanceof FetchRefused) throw new FetchError(new URL(url), `${url} was not fetched: ${error.message}`);
      throw error;
    }
    // With the status, Fedify can tell a gone key (410: a deleted account) from a failure.
    if (response.status < 200 || response.status > 299) throw new FetchError(new URL(url), `${url} answered HTTP ${response.status}`, response.status >= 300 && response.status <= 599 ? new Response(null, { status: response.status }) : undefined);
    let document: unknown;
    try {
      document = JSON.parse(response.body);
    } catch {
      throw new FetchError(new URL(url), `${url} did not answer JSON`);
    }
    return { contextUrl: null, documentUrl: response.url, document };
  };
}
