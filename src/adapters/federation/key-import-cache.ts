/**
 * Fedify imports the blog's private keys from JWK for every queued delivery (a queued
 * message can only carry the keys as JSON): for a post to 1,000 servers, 1,000 imports of
 * the same RSA key, a fraction of a millisecond of CPU each, more on a busy machine.
 * Importing the same JWK the same way always gives an equal key, and a CryptoKey cannot
 * be changed, so the first import's key is handed out again. Only private keys imported
 * from JWK are remembered (a handful: the blog's RSA and Ed25519 keys, a new pair after
 * a restore); everything else goes to WebCrypto unchanged.
 */
const REMEMBERED = 8;

let installed = false;

export function rememberImportedPrivateKeys(subtle: SubtleCrypto = globalThis.crypto.subtle): void {
  if (installed) return;
  installed = true;
  const importKey = subtle.importKey.bind(subtle) as (...args: unknown[]) => Promise<CryptoKey>;
  const keys = new Map<string, Promise<CryptoKey>>();
  const cached = (format: unknown, keyData: unknown, algorithm: unknown, extractable: unknown, usages: unknown): Promise<CryptoKey> => {
    if (format !== 'jwk' || typeof keyData !== 'object' || keyData === null || typeof (keyData as JsonWebKey).d !== 'string') return importKey(format, keyData, algorithm, extractable, usages);
    const id = JSON.stringify([keyData, algorithm, extractable, usages]);
    let key = keys.get(id);
    if (!key) {
      key = importKey(format, keyData, algorithm, extractable, usages);
      keys.set(id, key);
      if (keys.size > REMEMBERED) keys.delete(keys.keys().next().value!);
      key.catch(() => keys.delete(id));
    }
    return key;
  };
  Object.defineProperty(subtle, 'importKey', { value: cached, configurable: true, writable: true });
}
