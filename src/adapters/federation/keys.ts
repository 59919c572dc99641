import { exportJwk, generateCryptoKeyPair, importJwk } from '@fedify/fedify';
import type { Store } from '../../core/store.ts';

/**
 * The blog actor's two key pairs: RSA (HTTP Signatures, what every server checks) and
 * Ed25519 (object integrity proofs, FEP-8b32). Generated once and kept as JWK in the
 * settings table under a name `isSecretSetting` recognises ("private"), so exports carry
 * them only with secrets. `setIfAbsent` makes instances starting together agree on one pair.
 */
export const KEYS_SETTING = 'fediverse.private_keys';

interface StoredKeys {
  rsa: { privateKey: JsonWebKey; publicKey: JsonWebKey };
  ed25519: { privateKey: JsonWebKey; publicKey: JsonWebKey };
}

export type ActorKeyPairs = CryptoKeyPair[];

async function generate(): Promise<StoredKeys> {
  const [rsa, ed25519] = await Promise.all([generateCryptoKeyPair('RSASSA-PKCS1-v1_5'), generateCryptoKeyPair('Ed25519')]);
  return {
    rsa: { privateKey: await exportJwk(rsa.privateKey), publicKey: await exportJwk(rsa.publicKey) },
    ed25519: { privateKey: await exportJwk(ed25519.privateKey), publicKey: await exportJwk(ed25519.publicKey) },
  };
}

/** The actor's key pairs, RSA first (Fedify uses the first for the actor's publicKey). */
export async function loadActorKeys(store: Store): Promise<ActorKeyPairs> {
  let text = (await store.settings.getAll())[KEYS_SETTING];
  if (!text) text = await store.settings.setIfAbsent(KEYS_SETTING, JSON.stringify(await generate()));
  const stored = JSON.parse(text) as StoredKeys;
  const pair = async (keys: { privateKey: JsonWebKey; publicKey: JsonWebKey }): Promise<CryptoKeyPair> => ({
    privateKey: await importJwk(keys.privateKey, 'private'),
    publicKey: await importJwk(keys.publicKey, 'public'),
  });
  return [await pair(stored.rsa), await pair(stored.ed25519)];
}
