// Access tokens: signing by the built-in issuer, and verification with pinned algorithms and required claims.
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { ISSUER_ALGORITHM, type IssuerKeys } from './keys.js';
import { associationCodes, tokenRoles, type TokenRole } from './viewer.js';

export interface AccessClaims {
  sub: string;
  role: TokenRole;
  /** Unified social credit code of the viewer's organization (firm and listed_company roles). */
  org?: string;
  /** Space-separated OAuth scopes (service accounts' tokens): narrowed further by the account's current scopes. */
  scope?: string;
  /** The association role's association code (SZSA, SZLCA); SZSA when absent. */
  assoc?: string;
  /**
   * Service accounts' tokens: the id of the client secret they were issued against. The token works only while that
   * secret does, so rotating the secret (after the overlap the caller chose) or disabling the account revokes it.
   */
  sid?: number;
}

const TTL_FORMAT = /^([1-9]\d{0,6})([smhd])$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
/** The form of a unified social credit code (GB 32100): what an `org` claim must be, character for character. */
const CREDIT_CODE_FORM = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

export const MAX_TTL_SECONDS = 7 * 86400;

/** "90s", "15m", "1h", "2d" → seconds; null when malformed or longer than a week. */
export function parseTtl(ttl: string): number | null {
  const match = TTL_FORMAT.exec(ttl);
  if (!match) return null;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
  return seconds <= MAX_TTL_SECONDS ? seconds : null;
}

export interface IssuerSettings {
  issuer: string;
  audience: string;
}

export async function signAccessToken(
  keys: IssuerKeys,
  settings: IssuerSettings,
  claims: AccessClaims,
  ttlSeconds: number,
): Promise<string> {
  const payload: Record<string, unknown> = { role: claims.role };
  if (claims.org) payload.org = claims.org;
  if (claims.scope) payload.scope = claims.scope;
  if (claims.assoc) payload.assoc = claims.assoc;
  if (claims.sid !== undefined) payload.sid = claims.sid;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: ISSUER_ALGORITHM, kid: keys.kid, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(keys.privateKey);
}

/** Why a presented token was refused: the token's fault (401) or the key set's (503). */
export class TokenError extends Error {
  constructor(readonly reason: 'invalid' | 'unavailable') {
    super(reason === 'invalid' ? 'Invalid or expired token' : 'Token keys unavailable');
    this.name = 'TokenError';
  }
}

export interface TokenVerifier {
  verify(token: string): Promise<AccessClaims>;
}

/** How long a verified token is taken on trust before its signature is checked again, and how many are kept. */
export const VERIFIED_TOKEN_CACHE_MS = 60_000;
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;
const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Verifies with the built-in issuer's key, or with an external issuer's JWKS when `jwksUrl` is set. A client sends
 * the same token with every request, and checking an ES256 signature costs more than answering a small query, so a
 * verified token (by its exact text) is remembered for VERIFIED_TOKEN_CACHE_MS, never past its expiry; a key that an
 * external issuer withdraws therefore stops being honoured within that time. Refusals are not remembered.
 */
export function createTokenVerifier(
  settings: IssuerSettings & { jwksUrl?: string; keys: IssuerKeys },
): TokenVerifier {
  const keySet: JWTVerifyGetKey = settings.jwksUrl
    ? createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 3000, cooldownDuration: 30_000 })
    : createLocalJWKSet({ keys: (settings.keys.verificationJwks ?? [settings.keys.publicJwk]).map((k) => ({ ...k, alg: ISSUER_ALGORITHM })) });
  const algorithms = settings.jwksUrl ? ['ES256', 'RS256', 'EdDSA'] : [ISSUER_ALGORITHM];
  const verified = new Map<string, { claims: AccessClaims; until: number }>();
  return {
    async verify(token) {
      const now = Date.now();
      const known = verified.get(token);
      if (known && known.until > now) return known.claims;
      if (known) verified.delete(token);
      try {
        const { payload } = await jwtVerify(token, keySet, {
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms,
          requiredClaims: ['exp', 'iss', 'aud', 'sub'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        });
        const role = payload.role;
        if (typeof role !== 'string' || !(tokenRoles as readonly string[]).includes(role)) {
          throw new TokenError('invalid');
        }
        const org = payload.org;
        // Exactly a credit code's form: no padding, full-width or lowercase characters for a lookup to normalize away.
        if (org !== undefined && (typeof org !== 'string' || !CREDIT_CODE_FORM.test(org))) throw new TokenError('invalid');
        if ((role === 'firm' || role === 'listed_company') && !org) throw new TokenError('invalid');
        const scope = typeof payload.scope === 'string' ? payload.scope : undefined;
        const assoc = payload.assoc;
        if (assoc !== undefined && (role !== 'association' || typeof assoc !== 'string' || !(associationCodes as readonly string[]).includes(assoc))) {
          throw new TokenError('invalid');
        }
        const sid = payload.sid;
        if (sid !== undefined && (typeof sid !== 'number' || !Number.isSafeInteger(sid) || sid <= 0)) throw new TokenError('invalid');
        const claims: AccessClaims = { sub: payload.sub!, role: role as TokenRole, org, scope, ...(assoc ? { assoc } : {}), ...(sid !== undefined ? { sid } : {}) };
        // Insertion order is age: when full, the oldest entry goes.
        if (verified.size >= VERIFIED_TOKEN_CACHE_SIZE) verified.delete(verified.keys().next().value!);
        verified.set(token, { claims, until: Math.min(now + VERIFIED_TOKEN_CACHE_MS, (payload.exp! + CLOCK_TOLERANCE_SECONDS) * 1000) });
        return claims;
      } catch (error) {
        if (error instanceof TokenError) throw error;
        if (error instanceof errors.JWKSTimeout || (error instanceof Error && /fetch|network|ECONN/i.test(error.message) && !(error instanceof errors.JOSEError))) {
          throw new TokenError('unavailable');
        }
        throw new TokenError('invalid');
      }
    },
  };
}
