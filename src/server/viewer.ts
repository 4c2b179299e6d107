// Turns the Authorization header into a viewer: no header is anonymous, a bad token is refused (never anonymous).
import { roleFromClaim, anonymousViewer, type Viewer } from '../auth/viewer.js';
import { TokenError, type TokenVerifier } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { findOrganizationByCreditCode } from '../members/members.service.js';
import { findEnabledServiceAccount, SERVICE_ACCOUNT_SUBJECT } from '../clients/clients.service.js';

export class AuthenticationError extends Error {
  constructor(readonly status: 401 | 503) {
    super(status === 401 ? 'Invalid or expired token' : 'Authentication is unavailable');
  }
}

export async function viewerFromAuthorization(
  header: string | undefined,
  verifier: TokenVerifier,
  db: Db,
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
    const account = await findEnabledServiceAccount(db, claims.sub.slice(SERVICE_ACCOUNT_SUBJECT.length));
    if (!account || account.role !== claims.role) throw new AuthenticationError(401);
    // The token's scope claim can only narrow what the account holds now.
    const granted = claims.scope?.split(' ');
    const scopes = granted ? account.scopes.filter((s) => granted.includes(s)) : account.scopes;
    return { role, subject: claims.sub, organizationId: null, serviceAccount: { id: account.id, clientId: account.clientId, scopes } };
  }
  if (role !== 'FIRM' && role !== 'LISTED_COMPANY') return { role, subject: claims.sub, organizationId: null };
  const org = await findOrganizationByCreditCode(db, claims.org!);
  // A member token must name an existing organization of the matching kind.
  if (!org || (role === 'LISTED_COMPANY') !== (org.kind === 'LISTED_COMPANY')) throw new AuthenticationError(401);
  return { role, subject: claims.sub, organizationId: org.id };
}
