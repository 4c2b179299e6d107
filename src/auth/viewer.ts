// Who is asking: the viewer built once per request from the verified token (or its absence).
import { ASSOCIATION_IDS, associationCodeEnum, type AssociationCode } from '../associations/associations.table.js';

export const viewerRoles = ['ANONYMOUS', 'FIRM', 'LISTED_COMPANY', 'ASSOCIATION', 'REGULATOR'] as const;
export type ViewerRole = (typeof viewerRoles)[number];

/** The `role` claim's spelling in tokens (and in `npm run token -- --role`). */
export const tokenRoles = ['firm', 'listed_company', 'association', 'regulator'] as const;
export type TokenRole = (typeof tokenRoles)[number];

/** The associations' codes, as tokens (`assoc`) and the schema spell them. */
export const associationCodes: readonly AssociationCode[] = associationCodeEnum.enumValues;

export function roleFromClaim(claim: TokenRole): ViewerRole {
  return claim.toUpperCase() as ViewerRole;
}

export interface Viewer {
  role: ViewerRole;
  /** Token subject; "anonymous" for no token. */
  subject: string;
  /** The viewer's own organization (firms and listed companies only). */
  organizationId: number | null;
  /**
   * Association staff (people and service accounts): the one association they work for. Absent means the securities
   * association (SZSA, id 1), the only one before several joined; null for everyone else.
   */
  associationId?: number | null;
  /** Set when the token belongs to an enabled service account (sub "client:<clientId>"), with its current scopes. */
  serviceAccount?: {
    id: number;
    clientId: string;
    scopes: readonly string[];
    /** It may run only documents of its active trusted-document manifest (docs/TRUSTED-DOCUMENTS.md). */
    trustedDocumentsOnly?: boolean;
  };
  /**
   * The trusted document this request runs ("sha256:…"), when it was sent by id (docs/TRUSTED-DOCUMENTS.md); the read
   * audit records it.
   */
  documentId?: string;
  /**
   * Members only: the member may not act — a FINAL SUSPEND_MEMBERSHIP_RIGHTS measure is in force (issue 20), or it holds
   * no ACTIVE membership of any association (suspended or withdrawn everywhere) — found when the token's organization
   * was looked up (src/auth/authenticate.ts). The viewer reads but changes nothing (mayActAsMember).
   */
  membershipRightsSuspended?: boolean;
}

export const anonymousViewer: Viewer = Object.freeze({ role: 'ANONYMOUS', subject: 'anonymous', organizationId: null });

export const isStaff = (v: Viewer) => v.role === 'ASSOCIATION' || v.role === 'REGULATOR';
export const isMember = (v: Viewer) => v.role === 'FIRM' || v.role === 'LISTED_COMPANY';

/**
 * The association whose staff the viewer is: association staff (people and service accounts) work for one; everyone
 * else for none. A viewer made before several associations (no associationId) works for the securities association.
 */
export function staffAssociationOf(viewer: Viewer): number | null {
  if (viewer.role !== 'ASSOCIATION') return null;
  return viewer.associationId ?? ASSOCIATION_IDS.SZSA;
}
