// Client ids, client secrets and their scrypt hashes ("scrypt$N$r$p$salt$hash", per-secret salt).
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;
const MAX_SCRYPT_MEMORY = 64 * 1024 * 1024;

export const CLIENT_ID_FORMAT = /^mgc_[0-9a-f]{24}$/;
export const CLIENT_SECRET_FORMAT = /^mgs_[A-Za-z0-9_-]{43}$/;

export function newClientId(): string {
  return `mgc_${randomBytes(12).toString('hex')}`;
}

export function newClientSecret(): string {
  return `mgs_${randomBytes(32).toString('base64url')}`;
}

function derive(secret: string, salt: Buffer, options: { N: number; r: number; p: number; keyLength: number }): Promise<Buffer> {
  const scryptOptions: ScryptOptions = { N: options.N, r: options.r, p: options.p, maxmem: MAX_SCRYPT_MEMORY };
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, options.keyLength, scryptOptions, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Compares in constant time; a malformed stored hash never matches. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0) || N > 1 << 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length < 16) return false;
  const actual = await derive(secret, salt, { N, r, p, keyLength: expected.length });
  return timingSafeEqual(actual, expected);
}

let dummyHash: Promise<string> | undefined;

/** Spends the time of one verification, so an unknown or disabled client answers no faster than a wrong secret. */
export async function verifyAgainstDummy(secret: string): Promise<false> {
  dummyHash ??= hashSecret(newClientSecret());
  await verifySecret(secret, await dummyHash);
  return false;
}
