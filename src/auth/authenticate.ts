// Turns the Authorization header into a viewer: no header is anonymous, a bad token is refused (never anonymous).
import { ASSOCIATION_IDS, type AssociationCode } from '../associations/associations.table.js';
import { roleFromClaim, anonymousViewer, type Viewer } from './viewer.js';
import { TokenError, VERIFIED_TOKEN_CACHE_MS, type TokenVerifier } from './tokens.js';
import type { Db } from '../db/client.js';
import { findViewerOrganization } from '../members/members.reads.js';
import { membershipRightsChangedSince } from './policy.js';
import { findEnabledServiceAccount, SERVICE_ACCOUNT_SUBJECT } from '../clients/clients.service.js';

export class AuthenticationError extends Error {
  constructor(readonly status: 401 | 503) {
    super(status === 401 ? 'Invalid or expired token' : 'Authentication is unavailable');
  }
}

/** Turns an Authorization header into a viewer; one per app (it keeps the member organizations it looked up). */
export type ViewerResolver = (authorization: string | undefined) => Promise<Viewer>;

/** How many member organizations (by credit code) are kept, and for how long: as long as a verified token. */
const MEMBER_ORGANIZATION_CACHE_SIZE = 10_000;

/**
 * The viewer resolver of one app. A member token names its organization by credit code; the organization found (its
 * id and kind) is remembered for VERIFIED_TOKEN_CACHE_MS, as long as the token itself is taken on trust, so a member's
 * requests do not each cost a lookup. A change of an organization's kind or credit code therefore reaches tokens
 * already in use within that time. Lookups that find nothing are not remembered. Service accounts are checked on
 * every request (a disabled account is refused at once).
 */
export function createViewerResolver(verifier: TokenVerifier, db: Db): ViewerResolver {
  const organizations = new Map<string, { id: number; kind: string; membershipRightsSuspended: boolean; at: number; until: number }>();
  const memberOrganization = async (creditCode: string) => {
    const now = Date.now();
    const known = organizations.get(creditCode);
    if (known && known.until > now && !membershipRightsChangedSince(known.at)) return known;
    organizations.delete(creditCode);
    // With it, whether the member's rights are suspended (issue 20): remembered as long, except that a suspension
    // finalized in this process is seen at once (membershipRightsChangedSince); other processes and a suspension that
    // ends by date catch up within VERIFIED_TOKEN_CACHE_MS.
    const org = await findViewerOrganization(db, creditCode);
    if (!org) return null;
    // Insertion order is age: when full, the oldest entry goes.
    if (organizations.size >= MEMBER_ORGANIZATION_CACHE_SIZE) organizations.delete(organizations.keys().next().value!);
    const entry = { id: org.id, kind: org.kind, membershipRightsSuspended: org.membershipRightsSuspended, at: now, until: now + VERIFIED_TOKEN_CACHE_MS };
    organizations.set(creditCode, entry);
    return entry;
  };
  return (authorization) => viewerFromAuthorization(authorization, verifier, db, memberOrganization);
}

async function viewerFromAuthorization(
  header: string | undefined,
  verifier: TokenVerifier,
  db: Db,
  memberOrganization: (creditCode: string) => Promise<{ id: number; kind: string; membershipRightsSuspended: boolean } | null>,
): Promise<Viewer> {
  if (header === undefined) return anonymousViewer;
  const match = /^Bearer ([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)$/.exec(header.trim());
  if (!match) throw new AuthenticationError(401);
  let claims;
  try {
    claims = await verifier.verify(match[1]!);
  } catch (error) {
    throw new AuthenticationError(error instanceof TokenError && error.reason === 'unavailable' ? 503 : 401);
  }
  const role = roleFromClaim(claims.role);
  if (claims.sub.startsWith(SERVICE_ACCOUNT_SUBJECT)) {
    // Checked on every request, so disabling an account refuses its tokens at once (one indexed lookup).
    // The same lookup tells whether the secret the token was issued against still works: rotating it revokes the
    // tokens issued with it once the overlap the caller chose has passed.
    const account = await findEnabledServiceAccount(db, claims.sub.slice(SERVICE_ACCOUNT_SUBJECT.length), claims.sid);
    if (!account || account.role !== claims.role || !account.secretWorks) throw new AuthenticationError(401);
    // The token's scope claim can only narrow what the account holds now.
    const granted = claims.scope?.split(' ');
    const scopes = granted ? account.scopes.filter((s) => granted.includes(s)) : account.scopes;
    return { role, subject: claims.sub, organizationId: null, associationId: account.associationId, serviceAccount: { id: account.id, clientId: account.clientId, scopes, trustedDocumentsOnly: account.trustedDocumentsOnly } };
  }
  if (role === 'ASSOCIATION') {
    return { role, subject: claims.sub, organizationId: null, associationId: ASSOCIATION_IDS[(claims.assoc ?? 'SZSA') as AssociationCode] };
  }
  if (role !== 'FIRM' && role !== 'LISTED_COMPANY') return { role, subject: claims.sub, organizationId: null };
  const org = await memberOrganization(claims.org!);
  // A member token must name an existing organization of the matching kind.
  if (!org || (role === 'LISTED_COMPANY') !== (org.kind === 'LISTED_COMPANY')) throw new AuthenticationError(401);
  return org.membershipRightsSuspended
    ? { role, subject: claims.sub, organizationId: org.id, membershipRightsSuspended: true }
    : { role, subject: claims.sub, organizationId: org.id };
}
