// The built-in issuer's key pair, created on first use and kept as JWK files under DATA_DIR/keys; plus the extra
// verification keys of a key rotation under DATA_DIR/keys/verify/ (docs/OPERATIONS.md, "Rotating the issuer key").
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export const ISSUER_ALGORITHM = 'ES256';

export interface IssuerKeys {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
  /**
   * Public keys tokens are verified with and /.well-known/jwks.json publishes: the signing key first, then each key in
   * DATA_DIR/keys/verify/ (the next key before it signs, or the previous one until its tokens have expired).
   */
  verificationJwks?: JWK[];
}

function keyPath(dataDir: string) {
  return join(resolve(dataDir), 'keys', 'issuer-private.jwk.json');
}

async function readPrivateJwk(file: string): Promise<JWK | null> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Loads the issuer keys, creating them when absent. Creation is exclusive, so a racing process reads the winner's file. */
export async function loadOrCreateIssuerKeys(dataDir: string): Promise<IssuerKeys> {
  const file = keyPath(dataDir);
  let jwk = await readPrivateJwk(file);
  if (!jwk) {
    const pair = await generateKeyPair(ISSUER_ALGORITHM, { extractable: true });
    const fresh = await exportJWK(pair.privateKey);
    fresh.kid = await calculateJwkThumbprint(fresh);
    fresh.alg = ISSUER_ALGORITHM;
    mkdirSync(join(resolve(dataDir), 'keys'), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, JSON.stringify(fresh), { flag: 'wx', mode: 0o600 });
      jwk = fresh;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      jwk = (await readPrivateJwk(file))!;
    }
  }
  const { d: _d, ...publicJwk } = jwk;
  publicJwk.use = 'sig';
  const extra = (await readVerificationKeys(dataDir)).filter((k) => k.kid !== jwk!.kid);
  return {
    kid: jwk.kid!,
    privateKey: (await importJWK(jwk, ISSUER_ALGORITHM)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, ISSUER_ALGORITHM)) as CryptoKey,
    publicJwk,
    verificationJwks: [publicJwk, ...extra],
  };
}

/**
 * The public parts of the JWK files in DATA_DIR/keys/verify/ (private parts are dropped; a file may be a copy of a
 * retired issuer-private.jwk.json). Only ES256 (EC P-256) keys are accepted, so algorithms stay pinned; a malformed
 * file stops the start rather than being skipped silently.
 */
async function readVerificationKeys(dataDir: string): Promise<JWK[]> {
  const dir = join(resolve(dataDir), 'keys', 'verify');
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const keys: JWK[] = [];
  for (const name of names) {
    const { kty, crv, x, y, kid } = JSON.parse(readFileSync(join(dir, name), 'utf8')) as JWK;
    if (kty !== 'EC' || crv !== 'P-256' || !x || !y) throw new Error(`keys/verify/${name} is not an EC P-256 (ES256) key`);
    const key: JWK = { kty, crv, x, y };
    key.kid = kid ?? (await calculateJwkThumbprint(key));
    await importJWK({ ...key, alg: ISSUER_ALGORITHM }, ISSUER_ALGORITHM);
    if (!keys.some((k) => k.kid === key.kid)) keys.push({ ...key, alg: ISSUER_ALGORITHM, use: 'sig' });
  }
  return keys;
}
