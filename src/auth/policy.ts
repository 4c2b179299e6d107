// The one place that decides which rows a viewer may see. Loaders, lists and counts all derive their filters from here.
import { inArray, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { viewerHasScope } from '../clients/scopes.js';
import type { Viewer } from './viewer.js';
import { isMember, isStaff } from './viewer.js';

/**
 * A row scope: every row, the rows of some organizations, or none.
 * Loaders and lists turn it into SQL, so hidden rows are never fetched.
 */
export type OrgScope = { kind: 'all' } | { kind: 'orgs'; organizationIds: number[] } | { kind: 'none' };

const all: OrgScope = { kind: 'all' };
const none: OrgScope = { kind: 'none' };
const own = (v: Viewer): OrgScope =>
  v.organizationId === null ? none : { kind: 'orgs', organizationIds: [v.organizationId] };

/** Organization contacts: the organization itself, the association and the regulator. */
export function contactScope(viewer: Viewer): OrgScope {
  if (isStaff(viewer)) return all;
  if (isMember(viewer)) return own(viewer);
  return none;
}

/**
 * Suggestions: a firm or listed company sees its own organization's; the association and the regulator see all
 * (a service account only with suggestions:read).
 */
export function suggestionScope(viewer: Viewer): OrgScope {
  if (!viewerHasScope(viewer, 'suggestions:read')) return none;
  if (isStaff(viewer)) return all;
  if (isMember(viewer)) return own(viewer);
  return none;
}

/**
 * Suggestion campaigns (征集通知): staff see all; a firm or listed company sees the issued campaigns
 * addressed to its organization's kind; anonymous viewers none.
 */
export type CampaignScope = { kind: 'all' } | { kind: 'invited'; organizationId: number } | { kind: 'none' };
export function suggestionCampaignScope(viewer: Viewer): CampaignScope {
  if (isStaff(viewer)) return { kind: 'all' };
  if (isMember(viewer) && viewer.organizationId !== null) {
    return { kind: 'invited', organizationId: viewer.organizationId };
  }
  return { kind: 'none' };
}

/** The directory (organizations, branches, committees, seats) is public. */
export function directoryScope(_viewer: Viewer): OrgScope {
  return all;
}

export function scopeAllows(scope: OrgScope, organizationId: number): boolean {
  if (scope.kind === 'all') return true;
  if (scope.kind === 'none') return false;
  return scope.organizationIds.includes(organizationId);
}

/** A row scope as a condition on the rows' organization column: no condition, `false`, or `column in (…)`. */
export function scopeCondition(scope: OrgScope, organizationColumn: PgColumn): SQL | undefined {
  if (scope.kind === 'all') return undefined;
  if (scope.kind === 'none') return sql`false`;
  return inArray(organizationColumn, scope.organizationIds);
}

/** Editing an organization's contacts: the association, or the organization itself. */
export function mayEditContacts(viewer: Viewer, organizationId: number): boolean {
  return viewer.role === 'ASSOCIATION' || (isMember(viewer) && viewer.organizationId === organizationId);
}

/** A forwarding batch's internal note: the association and the regulator only. */
export function maySeeForwardingNote(viewer: Viewer): boolean {
  return isStaff(viewer);
}

/**
 * Branch ratings: which firms' branches, and whether ratings of cycles not yet published are included.
 * The association and the regulator see every rating (a service account only with ratings:read); a firm sees its
 * own branches' ratings of published cycles; listed companies and anonymous viewers see none.
 */
export interface RatingScope {
  firms: OrgScope;
  unpublishedCycles: boolean;
}

export function branchRatingScope(viewer: Viewer): RatingScope {
  if (!viewerHasScope(viewer, 'ratings:read')) return { firms: none, unpublishedCycles: false };
  if (isStaff(viewer)) return { firms: all, unpublishedCycles: true };
  if (viewer.role === 'FIRM') return { firms: own(viewer), unpublishedCycles: false };
  return { firms: none, unpublishedCycles: false };
}

/**
 * The reports root (and the CSV exports under /reports/): the association and the regulator; a service account only
 * with reports:read. What a report counts is further bounded by the row scope of its rows (ratings, suggestions).
 */
export function reportsScope(viewer: Viewer): { kind: 'all' } | { kind: 'none' } {
  return isStaff(viewer) && viewerHasScope(viewer, 'reports:read') ? { kind: 'all' } : { kind: 'none' };
}

/** Service accounts and the read audit: association staff signed in as people (a service account never manages credentials). */
export function serviceAccountScope(viewer: Viewer): { kind: 'all' } | { kind: 'none' } {
  return viewer.role === 'ASSOCIATION' && !viewer.serviceAccount ? { kind: 'all' } : { kind: 'none' };
}

/** Whose reads of protected data the read audit records: the regulator (people or systems) and any service account. */
export function isRecordedReader(viewer: Viewer): boolean {
  return viewer.role === 'REGULATOR' || viewer.serviceAccount !== undefined;
}

/** The read audit (who read ratings): the association, in person or through its own service account. */
export function dataAccessLogScope(viewer: Viewer): { kind: 'all' } | { kind: 'none' } {
  return viewer.role === 'ASSOCIATION' ? { kind: 'all' } : { kind: 'none' };
}

/**
 * Webhook subscriptions and their deliveries: association staff (in person) see all; a service account
 * holding webhooks:manage sees the ones it created; everyone else none.
 */
export type WebhookScope = { kind: 'all' } | { kind: 'account'; serviceAccountId: number } | { kind: 'none' };
export function webhookScope(viewer: Viewer): WebhookScope {
  if (viewer.serviceAccount) {
    return viewer.serviceAccount.scopes.includes('webhooks:manage')
      ? { kind: 'account', serviceAccountId: viewer.serviceAccount.id }
      : { kind: 'none' };
  }
  return viewer.role === 'ASSOCIATION' ? { kind: 'all' } : { kind: 'none' };
}

/**
 * Policy interpretations: the association and the regulator read every one (drafts, archived ones and revision
 * history included); firms and listed companies read published PUBLIC and MEMBERS ones; anyone else published
 * PUBLIC ones. Archived interpretations stay readable (their page keeps working) but leave every list.
 */
export type PolicyInterpretationScope =
  | { kind: 'all' }
  | { kind: 'published'; audiences: ('PUBLIC' | 'MEMBERS')[] };
export function policyInterpretationScope(viewer: Viewer): PolicyInterpretationScope {
  if (isStaff(viewer)) return { kind: 'all' };
  if (isMember(viewer)) return { kind: 'published', audiences: ['PUBLIC', 'MEMBERS'] };
  return { kind: 'published', audiences: ['PUBLIC'] };
}

// ---------------------------------------------------------------- ratings: who scores what
// (Which ratings a viewer reads is branchRatingScope above.)

/** A scoring stage of the rating workflow (the same values as ratings.grading's Stage). */
export type ScoringStage = 'SELF' | 'ASSOCIATION' | 'BUREAU';

/** The stage a viewer scores in: a firm self-assesses, the association scores, the regulator reviews; nobody else scores. */
export function scoringStageOf(viewer: Viewer): ScoringStage | null {
  if (viewer.role === 'FIRM') return 'SELF';
  if (viewer.role === 'ASSOCIATION') return 'ASSOCIATION';
  if (viewer.role === 'REGULATOR') return 'BUREAU';
  return null;
}

/** Whether the viewer may call scoreBranchRating at all (the cycle's stage decides the rest). */
export function mayScoreBranchRatings(viewer: Viewer): boolean {
  return scoringStageOf(viewer) !== null;
}

/** Whose branches the viewer may score: a firm only its own (in self-assessment); the association and the bureau any. */
export function mayScoreBranch(viewer: Viewer, branch: { firmId: number }): boolean {
  return scoringStageOf(viewer) !== 'SELF' || branch.firmId === viewer.organizationId;
}

/** Override rules (rate directly D, downgrade one grade) are applied by the association and the bureau, never in self-assessment. */
export function mayApplyOverrideRules(viewer: Viewer): boolean {
  const stage = scoringStageOf(viewer);
  return stage === 'ASSOCIATION' || stage === 'BUREAU';
}

/** A grade adjustment is the bureau's, in its review. */
export function mayAdjustGrade(viewer: Viewer): boolean {
  return scoringStageOf(viewer) === 'BUREAU';
}
