/**
 * WebCrypto imports Fedify repeats, remembered. Fedify imports the blog's private keys
 * from JWK for every queued delivery (a queued message can only carry keys as JSON): for
 * a post to 1,000 servers, 1,000 imports of the same RSA key. And it imports a sender's
 * public key (SPKI, from the PEM its actor publishes, cached as text) for every signed
 * activity that sender posts to the inbox. Importing the same bytes the same way always
 * gives an equal key, and a CryptoKey cannot be changed, so the first import's key is
 * handed out again. Only these two kinds are remembered, a bounded number of each (the
 * oldest forgotten first); every other call goes to WebCrypto unchanged.
 */
const PRIVATE_KEYS = 8;
const PUBLIC_KEYS = 2048;

const installed = new WeakSet<SubtleCrypto>();

type Import = (format: unknown, keyData: unknown, algorithm: unknown, extractable: unknown, usages: unknown) => Promise<CryptoKey>;

/** A bounded map of key imports: a failed import is forgotten at once. */
function remembered(limit: number) {
  const keys = new Map<string, Promise<CryptoKey>>();
  return (id: string, load: () => Promise<CryptoKey>): Promise<CryptoKey> => {
    let key = keys.get(id);
    if (!key) {
      key = load();
      keys.set(id, key);
      if (keys.size > limit) keys.delete(keys.keys().next().value!);
      key.catch(() => keys.delete(id));
    }
    return key;
  };
}

function bytesOf(data: unknown): Buffer | null {
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

export function rememberImportedKeys(subtle: SubtleCrypto = globalThis.crypto.subtle): void {
  if (installed.has(subtle)) return;
  installed.add(subtle);
  const importKey = subtle.importKey.bind(subtle) as Import;
  const privateKeys = remembered(PRIVATE_KEYS);
  const publicKeys = remembered(PUBLIC_KEYS);
  const cached: Import = (format, keyData, algorithm, extractable, usages) => {
    const load = () => importKey(format, keyData, algorithm, extractable, usages);
    if (format === 'jwk' && typeof keyData === 'object' && keyData !== null && typeof (keyData as JsonWebKey).d === 'string') {
      return privateKeys(JSON.stringify([keyData, algorithm, extractable, usages]), load);
    }
    const bytes = format === 'spki' ? bytesOf(keyData) : null;
    if (bytes) {
      // The bytes are copied into the id now: the caller may reuse its buffer.
      return publicKeys(JSON.stringify([bytes.toString('base64'), algorithm, extractable, usages]), load);
    }
    return load();
  };
  Object.defineProperty(subtle, 'importKey', { value: cached, configurable: true, writable: true });
}
