// The built-in issuer's key pair, created on first use and kept as JWK files under DATA_DIR/keys.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export const ISSUER_ALGORITHM = 'ES256';

export interface IssuerKeys {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
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
  return {
    kid: jwk.kid!,
    privateKey: (await importJWK(jwk, ISSUER_ALGORITHM)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, ISSUER_ALGORITHM)) as CryptoKey,
    publicJwk,
  };
}
