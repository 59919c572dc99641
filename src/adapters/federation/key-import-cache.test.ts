import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rememberImportedKeys } from './key-import-cache.ts';

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

describe('WebCrypto key imports Fedify repeats are remembered', () => {
  rememberImportedKeys();
  const { subtle } = globalThis.crypto;

  it('the same private JWK gives the same key, which still signs; another JWK another key', async () => {
    const pair = (await subtle.generateKey({ ...RSA, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const jwk = await subtle.exportKey('jwk', pair.privateKey);
    const first = await subtle.importKey('jwk', jwk, RSA, true, ['sign']);
    const again = await subtle.importKey('jwk', JSON.parse(JSON.stringify(jwk)) as JsonWebKey, RSA, true, ['sign']);
    assert.equal(again, first);
    const data = new TextEncoder().encode('a delivery');
    assert.ok(await subtle.verify(RSA, pair.publicKey, await subtle.sign(RSA, again, data), data));

    const other = (await subtle.generateKey({ ...RSA, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify'])) as CryptoKeyPair;
    assert.notEqual(await subtle.importKey('jwk', await subtle.exportKey('jwk', other.privateKey), RSA, true, ['sign']), first);
  });

  it('the same SPKI bytes give the same public key; a public JWK is imported afresh', async () => {
    const pair = (await subtle.generateKey({ ...RSA, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const spki = await subtle.exportKey('spki', pair.publicKey);
    const first = await subtle.importKey('spki', spki, RSA, true, ['verify']);
    assert.equal(await subtle.importKey('spki', new Uint8Array(spki.slice(0)), RSA, true, ['verify']), first);
    const jwk = await subtle.exportKey('jwk', pair.publicKey);
    assert.notEqual(await subtle.importKey('jwk', jwk, RSA, true, ['verify']), await subtle.importKey('jwk', jwk, RSA, true, ['verify']));
  });

  it('a failed import is not remembered', async () => {
    const broken = { kty: 'RSA', d: 'not-a-key', n: 'x', e: 'AQAB' };
    await assert.rejects(subtle.importKey('jwk', broken, RSA, true, ['sign']));
    await assert.rejects(subtle.importKey('jwk', broken, RSA, true, ['sign']));
  });
});
