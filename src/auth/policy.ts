// The one place that decides which rows a viewer may see. Loaders, lists and counts all derive their filters from here.
//
// Several associations share the graph (深证协 SZSA, 深圳上市公司协会 SZLCA): the regulator sees every association's
// private data, an association's staff only their own association's, members their own organization's.
import { eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { ASSOCIATION_IDS } from '../associations/associations.table.js';
import { viewerHasScope } from '../clients/scopes.js';
import { membershipsTable } from '../members/members.table.js';
import type { Viewer } from './viewer.js';
import { isMember, isStaff, staffAssociationOf } from './viewer.js';
import type { DbOrTx } from '../db/client.js';
import { disciplinaryCasesTable, disciplinaryMeasuresTable } from '../self-regulation/self-regulation.table.js';
import type { ExportKind } from '../exports/exports.table.js';

/**
 * A row scope: every row; the rows of some organizations; the rows that belong to one association; the rows of the
 * organizations that are members of one association; or none. Loaders and lists turn it into SQL (scopeCondition),
 * so hidden rows are never fetched.
 */
export type OrgScope =
  | { kind: 'all' }
  | { kind: 'orgs'; organizationIds: number[] }
  | { kind: 'association'; associationId: number }
  | { kind: 'membersOf'; associationId: number }
  | { kind: 'none' };

const all: OrgScope = { kind: 'all' };
const none: OrgScope = { kind: 'none' };
const own = (v: Viewer): OrgScope =>
  v.organizationId === null ? none : { kind: 'orgs', organizationIds: [v.organizationId] };

/** The staff's own association's rows (an association's staff), or null (not association staff). */
function ownAssociation(viewer: Viewer): OrgScope | null {
  const associationId = staffAssociationOf(viewer);
  return associationId === null ? null : { kind: 'association', associationId };
}

/**
 * The association that runs the branch classification ratings (分支机构分类评价) with the bureau: the securities
 * association. Its staff see every rating; other associations' staff see none.
 */
export const RATINGS_ASSOCIATION_ID = ASSOCIATION_IDS.SZSA;

/**
 * Organization contacts (personal information): the organization itself, the staff of an association it is a member
 * of, and the regulator; a service account only with contacts:read.
 */
export function contactScope(viewer: Viewer): OrgScope {
  if (!viewerHasScope(viewer, 'contacts:read')) return none;
  const associationId = staffAssociationOf(viewer);
  if (associationId !== null) return { kind: 'membersOf', associationId };
  if (isStaff(viewer)) return all;
  if (isMember(viewer)) return own(viewer);
  return none;
}

/**
 * Whether a contact's phone and email reach the viewer masked (138****5678, z***@example.com): for service accounts,
 * systems that need to know who a member's contacts are but not to call them. People who may see contacts (the
 * organization, its association's staff, the regulator) see them in full, the regulator's reads recorded.
 */
export function contactDetailsMasked(viewer: Viewer): boolean {
  return viewer.serviceAccount !== undefined;
}

/**
 * Suggestions: a firm or listed company sees its own organization's; an association's staff the suggestions submitted
 * to their association; the regulator all (a service account only with suggestions:read).
 */
export function suggestionScope(viewer: Viewer): OrgScope {
  if (!viewerHasScope(viewer, 'suggestions:read')) return none;
  const association = ownAssociation(viewer);
  if (association) return association;
  if (isStaff(viewer)) return all;
  if (isMember(viewer)) return own(viewer);
  return none;
}

/**
 * Suggestion campaigns (征集通知): the regulator sees all; an association's staff their association's; a firm or
 * listed company the issued campaigns of associations it is an active member of, addressed to its organization's
 * kind; anonymous viewers none.
 */
export type CampaignScope =
  | { kind: 'all' }
  | { kind: 'association'; associationId: number }
  | { kind: 'invited'; organizationId: number }
  | { kind: 'none' };
export function suggestionCampaignScope(viewer: Viewer): CampaignScope {
  const associationId = staffAssociationOf(viewer);
  if (associationId !== null) return { kind: 'association', associationId };
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

/**
 * The same decision as scopeCondition for a row already read (a mutation's payload). A scope by membership needs a
 * query: here it allows nothing, so a caller never shows more than its SQL would; a scope by association needs the
 * row's association.
 */
export function scopeAllows(scope: OrgScope, row: { organizationId: number; associationId?: number }): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'orgs':
      return scope.organizationIds.includes(row.organizationId);
    case 'association':
      return row.associationId === scope.associationId;
    case 'membersOf':
    case 'none':
      return false;
  }
}

/**
 * A row scope as a condition on the rows' columns: no condition, `false`, the organization among some, the row's
 * association, or the organization a member (of any status) of the association. A scope by association needs the
 * rows' association column; without one it matches nothing.
 */
export function scopeCondition(scope: OrgScope, columns: { organization: PgColumn; association?: PgColumn }): SQL | undefined {
  switch (scope.kind) {
    case 'all':
      return undefined;
    case 'none':
      return sql`false`;
    case 'orgs':
      return inArray(columns.organization, scope.organizationIds);
    case 'association':
      return columns.association ? eq(columns.association, scope.associationId) : sql`false`;
    case 'membersOf':
      return inArray(
        columns.organization,
        sql`(select ${membershipsTable.organizationId} from ${membershipsTable} where ${membershipsTable.associationId} = ${scope.associationId})`,
      );
  }
}

/**
 * Editing an organization's contacts: the staff of an association (whose membership of the organization the caller
 * checks in SQL: see mayEditContactsCondition), or the organization itself.
 */
export function mayEditContacts(viewer: Viewer, organizationId: number): boolean {
  return viewer.role === 'ASSOCIATION' || (isMember(viewer) && viewer.organizationId === organizationId);
}

/**
 * An organization belongs to an association while its membership there is ACTIVE (a suspended or withdrawn member
 * neither submits to it nor reads what it addresses to members). Both sides are SQL expressions or columns.
 */
export function activeMemberOf(organizationId: SQL | PgColumn, associationId: SQL | PgColumn): SQL {
  const m = membershipsTable;
  return sql`exists (select 1 from ${m} where ${m.organizationId} = ${organizationId} and ${m.associationId} = ${associationId} and ${m.status} = 'ACTIVE')`;
}

// ---------------------------------------------------------------- members and committees: who administers what

/**
 * The SQL half of mayEditContacts: an association's staff edit the contacts of their association's members, an
 * organization its own; nobody else any (a hidden organization or contact looks missing).
 */
export function mayEditContactsCondition(viewer: Viewer, organization: PgColumn): SQL {
  const associationId = staffAssociationOf(viewer);
  if (associationId !== null) return scopeCondition({ kind: 'membersOf', associationId }, { organization })!;
  if (isMember(viewer) && viewer.organizationId !== null) return eq(organization, viewer.organizationId);
  return sql`false`;
}

/**
 * The organizations (and their branches and memberships) an association's staff administer: their association's
 * members. The association whose membership they change is their own. Nobody else administers the directory.
 */
export function organizationAdminScope(viewer: Viewer): OrgScope {
  const associationId = staffAssociationOf(viewer);
  return associationId === null ? none : { kind: 'membersOf', associationId };
}

/** The committees an association's staff change (terms, seats): their own association's; nobody else's. */
export function committeeAdminScope(viewer: Viewer): { kind: 'association'; associationId: number } | { kind: 'none' } {
  const associationId = staffAssociationOf(viewer);
  return associationId === null ? { kind: 'none' } : { kind: 'association', associationId };
}

/**
 * The bodies suggestions are forwarded to (suggestion_recipients): an association's staff their association's, the
 * regulator every association's (a service account only with suggestions:read); a firm or listed company those of the
 * associations it is a member of (where its suggestions went: the rows' association among its memberships); anonymous
 * viewers none.
 */
export function suggestionRecipientScope(viewer: Viewer): OrgScope {
  // The same reach as the suggestions themselves.
  return suggestionScope(viewer);
}

/**
 * The consolidated forwarding letter (汇总报告) of a batch lists other members' suggestions: the forwarding
 * association's staff and the regulator (a service account only with suggestions:read); nobody else.
 */
export function mayReadForwardingLetter(viewer: Viewer, batchAssociationId: number): boolean {
  const scope = suggestionScope(viewer);
  return scope.kind === 'all' || (scope.kind === 'association' && scope.associationId === batchAssociationId);
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
  const associationId = staffAssociationOf(viewer);
  if (associationId !== null && associationId !== RATINGS_ASSOCIATION_ID) return { firms: none, unpublishedCycles: false };
  if (isStaff(viewer)) return { firms: all, unpublishedCycles: true };
  if (viewer.role === 'FIRM') return { firms: own(viewer), unpublishedCycles: false };
  return { firms: none, unpublishedCycles: false };
}

/**
 * The reports root (and the CSV exports under /reports/): an association's staff and the regulator; a service account
 * only with reports:read. What a report counts is further bounded by the row scope of its rows (ratings, suggestions,
 * memberships): an association's staff count their association's, the regulator every association's.
 */
export function reportsScope(viewer: Viewer): { kind: 'all' } | { kind: 'association'; associationId: number } | { kind: 'none' } {
  if (!isStaff(viewer) || !viewerHasScope(viewer, 'reports:read')) return { kind: 'none' };
  const associationId = staffAssociationOf(viewer);
  return associationId === null ? { kind: 'all' } : { kind: 'association', associationId };
}

/**
 * Service accounts: an association's staff signed in as people manage their association's (a service account never
 * manages credentials); the accounts they create are their association's.
 */
export function serviceAccountScope(viewer: Viewer): { kind: 'association'; associationId: number } | { kind: 'none' } {
  const associationId = staffAssociationOf(viewer);
  return associationId !== null && !viewer.serviceAccount ? { kind: 'association', associationId } : { kind: 'none' };
}

/**
 * Trusted-document manifests (docs/TRUSTED-DOCUMENTS.md): the staff who manage a service account (managedByStaffCondition)
 * upload and read its manifests; a service account holding documents:write its own; everyone else none.
 */
export type TrustedDocumentsScope = { kind: 'staff' } | { kind: 'account'; serviceAccountId: number } | { kind: 'none' };
export function trustedDocumentsScope(viewer: Viewer): TrustedDocumentsScope {
  if (viewer.serviceAccount) {
    return viewer.serviceAccount.scopes.includes('documents:write') ? { kind: 'account', serviceAccountId: viewer.serviceAccount.id } : { kind: 'none' };
  }
  return serviceAccountScope(viewer).kind === 'association' ? { kind: 'staff' } : { kind: 'none' };
}

// ---------------------------------------------------------------- platform: the bureau's service accounts

/**
 * The association whose staff register and manage the bureau's (regulator-role) service accounts: the securities
 * association, which ran the bureau's integration before several associations joined. Such an account reads every
 * association's data, so the staff of another association may not mint one.
 */
export const REGULATOR_ACCOUNTS_ASSOCIATION_ID = ASSOCIATION_IDS.SZSA;

/** Whether the viewer registers and manages the bureau's service accounts (see REGULATOR_ACCOUNTS_ASSOCIATION_ID). */
export function managesRegulatorAccounts(viewer: Viewer): boolean {
  const scope = serviceAccountScope(viewer);
  return scope.kind === 'association' && scope.associationId === REGULATOR_ACCOUNTS_ASSOCIATION_ID;
}

/**
 * The rows an association's staff manage, by the rows' association column: their association's, and the bureau's
 * (association null: its service accounts and their webhook subscriptions) for the staff who manage those
 * (managesRegulatorAccounts); `false` for everyone else.
 */
export function managedByStaffCondition(viewer: Viewer, associationColumn: PgColumn): SQL {
  const associationId = staffAssociationOf(viewer);
  if (associationId === null || viewer.serviceAccount) return sql`false`;
  const own = eq(associationColumn, associationId);
  return managesRegulatorAccounts(viewer) ? or(own, isNull(associationColumn))! : own;
}

/** Whose reads of protected data the read audit records: the regulator (people or systems) and any service account. */
export function isRecordedReader(viewer: Viewer): boolean {
  return viewer.role === 'REGULATOR' || viewer.serviceAccount !== undefined;
}

/**
 * The read audit (who read ratings, the securities association's data): that association, in person or through its own
 * service account.
 */
export function dataAccessLogScope(viewer: Viewer): { kind: 'all' } | { kind: 'none' } {
  return staffAssociationOf(viewer) === RATINGS_ASSOCIATION_ID ? { kind: 'all' } : { kind: 'none' };
}

/**
 * Webhook subscriptions and their deliveries: an association's staff (in person) see their association's, and the
 * staff who manage the bureau's service accounts (managesRegulatorAccounts) those accounts' too; a service account
 * holding webhooks:manage sees the ones it created; everyone else none.
 */
export type WebhookScope =
  | { kind: 'association'; associationId: number }
  | { kind: 'account'; serviceAccountId: number }
  | { kind: 'none' };
export function webhookScope(viewer: Viewer): WebhookScope {
  if (viewer.serviceAccount) {
    return viewer.serviceAccount.scopes.includes('webhooks:manage')
      ? { kind: 'account', serviceAccountId: viewer.serviceAccount.id }
      : { kind: 'none' };
  }
  const associationId = staffAssociationOf(viewer);
  return associationId === null ? { kind: 'none' } : { kind: 'association', associationId };
}

/**
 * Policy interpretations: the regulator reads every one (drafts, archived ones and revision history included); an
 * association's staff every one of their association and the published ones of the others; firms and listed
 * companies published PUBLIC ones and the published MEMBERS ones of associations they are members of; anyone else
 * published PUBLIC ones. Archived interpretations stay readable (their page keeps working) but leave every list.
 */
export type PolicyInterpretationScope =
  | { kind: 'all' }
  | { kind: 'association'; associationId: number }
  | { kind: 'published'; audiences: ('PUBLIC' | 'MEMBERS')[]; memberOrganizationId?: number };
export function policyInterpretationScope(viewer: Viewer): PolicyInterpretationScope {
  const associationId = staffAssociationOf(viewer);
  if (associationId !== null) return { kind: 'association', associationId };
  if (isStaff(viewer)) return { kind: 'all' };
  if (isMember(viewer) && viewer.organizationId !== null) {
    return { kind: 'published', audiences: ['PUBLIC', 'MEMBERS'], memberOrganizationId: viewer.organizationId };
  }
  return { kind: 'published', audiences: ['PUBLIC'] };
}

// ---------------------------------------------------------------- ratings: who scores what
// (Which ratings a viewer reads is branchRatingScope above.)

/** A scoring stage of the rating workflow (the same values as ratings.grading's Stage). */
export type ScoringStage = 'SELF' | 'ASSOCIATION' | 'BUREAU';

/**
 * Whether the viewer runs the rating workflow as the association (guidelines, cycles, imports, its scoring stage):
 * the staff of the association that rates branches (RATINGS_ASSOCIATION_ID) only.
 */
export function mayRunRatings(viewer: Viewer): boolean {
  return staffAssociationOf(viewer) === RATINGS_ASSOCIATION_ID;
}

/**
 * The stage a viewer scores in: a firm self-assesses, the association that rates branches scores, the regulator
 * reviews; nobody else scores (another association's staff included).
 */
export function scoringStageOf(viewer: Viewer): ScoringStage | null {
  if (viewer.role === 'FIRM') return 'SELF';
  if (viewer.role === 'ASSOCIATION') return mayRunRatings(viewer) ? 'ASSOCIATION' : null;
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

/**
 * Following a rating cycle's publication live (Subscription.ratingCyclePublished): whoever reads branch ratings at all
 * (branchRatingScope), as the publication's webhook reaches them — the securities association's staff, the regulator,
 * a service account with ratings:read, and a firm (its grades become visible then); nobody else.
 */
export function mayFollowRatingPublication(viewer: Viewer): boolean {
  return branchRatingScope(viewer).firms.kind !== 'none';
}

// ---------------------------------------------------------------- suggestions: a row already read
// (Which suggestions a viewer reads is suggestionScope above; this decides the same on a row in hand, for payloads.)

/** Whether the viewer may see a suggestion already read (a mutation's payload): suggestionScope, on the row. */
export function maySeeSuggestion(viewer: Viewer, row: { organizationId: number; associationId: number }): boolean {
  return scopeAllows(suggestionScope(viewer), row);
}

// ---- self-regulation (issue 20)
// Rules: IN_FORCE and REPEALED are public; CONSULTATION also reaches the active members of the rule's association;
// every stage reaches that association's staff and the regulator (service accounts only with discipline:read).
// Cases: the member, its association's staff and the regulator (discipline:read) at every stage; a FINAL case with a
// 纪律处分 (published_at set at finalize) is public. And the one consequence every mutation obeys: membership rights
// suspended by a FINAL SUSPEND_MEMBERSHIP_RIGHTS measure in force.

/** Which self-regulatory rules a viewer reads beyond the public ones (IN_FORCE, REPEALED). */
export type SelfRegulatoryRuleScope =
  | { kind: 'all' }
  | { kind: 'association'; associationId: number }
  | { kind: 'member'; organizationId: number }
  | { kind: 'public' };
export function selfRegulatoryRuleScope(viewer: Viewer): SelfRegulatoryRuleScope {
  if (!viewerHasScope(viewer, 'discipline:read')) return { kind: 'public' };
  const associationId = staffAssociationOf(viewer);
  if (associationId !== null) return { kind: 'association', associationId };
  if (isStaff(viewer)) return { kind: 'all' };
  if (isMember(viewer) && viewer.organizationId !== null) return { kind: 'member', organizationId: viewer.organizationId };
  return { kind: 'public' };
}

/** The rules a viewer may read, as a condition on the rules' status and association columns. */
export function selfRegulatoryRuleCondition(viewer: Viewer, columns: { status: PgColumn; association: PgColumn }): SQL | undefined {
  const scope = selfRegulatoryRuleScope(viewer);
  const published = sql`${columns.status} in ('IN_FORCE', 'REPEALED')`;
  switch (scope.kind) {
    case 'all':
      return undefined;
    case 'association':
      return or(published, eq(columns.association, scope.associationId));
    case 'member':
      return or(published, sql`(${columns.status} = 'CONSULTATION' and ${activeMemberOf(sql`${scope.organizationId}::int`, columns.association)})`);
    case 'public':
      return published;
  }
}

/** Consultation comments on a rule: the rule's association's staff and the regulator (discipline:read); null to others. */
export function maySeeRuleComments(viewer: Viewer, rule: { associationId: number }): boolean {
  const scope = selfRegulatoryRuleScope(viewer);
  return scope.kind === 'all' || (scope.kind === 'association' && scope.associationId === rule.associationId);
}

/** Drafting and moving rules, opening and moving cases: an association's staff in person, for their own association. */
export function selfRegulationAdminAssociation(viewer: Viewer): number | null {
  return viewer.serviceAccount ? null : staffAssociationOf(viewer);
}

/** Who reads a disciplinary case in full (before FINAL, its statement, its 自律管理措施): by organization and association. */
export function disciplinaryCaseScope(viewer: Viewer): OrgScope {
  if (!viewerHasScope(viewer, 'discipline:read')) return none;
  const association = ownAssociation(viewer);
  if (association) return association;
  if (isStaff(viewer)) return all;
  if (isMember(viewer)) return own(viewer);
  return none;
}

/** The cases a viewer may read: in full (disciplinaryCaseScope), or published (FINAL with a 纪律处分). */
export function disciplinaryCaseCondition(viewer: Viewer, columns: { organization: PgColumn; association: PgColumn; publishedAt: PgColumn }): SQL | undefined {
  const full = scopeCondition(disciplinaryCaseScope(viewer), columns);
  return full === undefined ? undefined : or(sql`${columns.publishedAt} is not null`, full);
}

/** Whether the viewer reads a case already read in full (statement, every measure, events) or only as published. */
export function maySeeDisciplinaryCaseInFull(viewer: Viewer, row: { organizationId: number; associationId: number }): boolean {
  return scopeAllows(disciplinaryCaseScope(viewer), row);
}

/**
 * Whether an organization's membership rights are suspended on `today` (Asia/Shanghai): a FINAL case holds a
 * SUSPEND_MEMBERSHIP_RIGHTS measure whose endsOn is null or not yet past. One indexed statement.
 */
export function membershipRightsSuspendedCondition(organizationId: SQL | PgColumn, today: string): SQL {
  const m = disciplinaryMeasuresTable;
  const c = disciplinaryCasesTable;
  return sql`exists (select 1 from ${m} join ${c} on ${c.id} = ${m.caseId}
    where ${m.type} = 'SUSPEND_MEMBERSHIP_RIGHTS' and ${c.stage} = 'FINAL' and ${c.organizationId} = ${organizationId}
      and (${m.endsOn} is null or ${m.endsOn} >= ${today}::date))`;
}

/**
 * The membership-rights rule every mutation obeys (the Mutation root's scope `membershipRights`, src/graphql/builder.ts):
 * a member whose rights are suspended (Viewer.membershipRightsSuspended, found with the token's organization) may read
 * but not act. Everyone else acts as their role allows.
 */
export function mayActAsMember(viewer: Viewer): boolean {
  return !(isMember(viewer) && viewer.membershipRightsSuspended === true);
}

/**
 * When membership rights last changed in this process (a suspension finalized). The viewer resolver remembers a
 * member's organization, suspension included, for up to VERIFIED_TOKEN_CACHE_MS; what it remembered before this moment
 * it looks up again, so a suspension finalized here stops the member's next mutation. Other processes (and a suspension
 * that ends by date) catch up within that time.
 */
let membershipRightsChangedAt = 0;
export function noteMembershipRightsChanged(now = Date.now()): void {
  membershipRightsChangedAt = now;
}
export function membershipRightsChangedSince(at: number): boolean {
  return membershipRightsChangedAt >= at;
}

/**
 * Whether a member may not act on `today`: its rights are suspended by a measure (membershipRightsSuspendedCondition),
 * or it holds no ACTIVE membership of any association (suspended or withdrawn everywhere: issue 23). Such a member's
 * tokens read what it may still see (its own data; nothing for members only) and every mutation is FORBIDDEN.
 */
export function memberRightsWithheldCondition(organizationId: SQL | PgColumn, today: string): SQL {
  return sql`(${membershipRightsSuspendedCondition(organizationId, today)}
    or not exists (select 1 from ${membershipsTable} where ${membershipsTable.organizationId} = ${organizationId} and ${membershipsTable.status} = 'ACTIVE'))`;
}

/** Whether an organization's membership rights are suspended on `today` (membershipRightsSuspendedCondition), read now. */
export async function isMembershipRightsSuspended(db: DbOrTx, organizationId: number, today: string): Promise<boolean> {
  const res = (await db.execute(sql`select ${membershipRightsSuspendedCondition(sql`${organizationId}::int`, today)} as suspended`)) as unknown as {
    rows: { suspended: boolean | string }[];
  };
  const value = res.rows[0]?.suspended;
  return value === true || value === 't';
}

// ---- statistics (issue 18)

/**
 * Statistics returns (firm-level values, every version): the firm itself, the staff of the association the return
 * was filed with, and the regulator (a service account only with statistics:read); nobody else.
 */
export function statisticsReturnScope(viewer: Viewer): OrgScope {
  if (!viewerHasScope(viewer, 'statistics:read')) return none;
  const association = ownAssociation(viewer);
  if (association) return association;
  if (viewer.role === 'REGULATOR') return all;
  if (viewer.role === 'FIRM') return own(viewer);
  return none;
}

/** Whether the viewer may see a return already read (a mutation's payload): statisticsReturnScope, on the row. */
export function maySeeStatisticsReturn(viewer: Viewer, row: { organizationId: number; associationId: number }): boolean {
  return scopeAllows(statisticsReturnScope(viewer), row);
}

/**
 * Whether industry aggregates of an association's returns reach the viewer without small-cell suppression: the
 * staff of that association and the regulator (a service account only with statistics:read). Everyone else — firms,
 * listed companies, anonymous viewers, other associations' staff — gets cells of fewer than 3 firms suppressed.
 */
export function seesUnsuppressedStatistics(viewer: Viewer, associationId: number): boolean {
  if (!viewerHasScope(viewer, 'statistics:read')) return false;
  if (viewer.role === 'REGULATOR') return true;
  return staffAssociationOf(viewer) === associationId;
}

/**
 * Who reviews returns (accepts or returns them) and runs the development report: the staff of the return's (the
 * report's) association, in person.
 */
export function statisticsStaffAssociationOf(viewer: Viewer): number | null {
  return viewer.serviceAccount ? null : staffAssociationOf(viewer);
}

/**
 * Development reports: PUBLISHED ones are public; an EMBARGOED one is read by its association's staff and the
 * regulator (a service account only with statistics:read); a DRAFT one by its association's staff only.
 */
export type DevelopmentReportScope =
  | { kind: 'published' }
  | { kind: 'embargoed'; associationId: number | null }
  | { kind: 'association'; associationId: number };
export function developmentReportScope(viewer: Viewer): DevelopmentReportScope {
  if (!viewerHasScope(viewer, 'statistics:read')) return { kind: 'published' };
  const associationId = staffAssociationOf(viewer);
  if (associationId !== null) return { kind: 'association', associationId };
  if (viewer.role === 'REGULATOR') return { kind: 'embargoed', associationId: null };
  return { kind: 'published' };
}

/** developmentReportScope on a row already read. */
export function maySeeDevelopmentReport(viewer: Viewer, row: { associationId: number; status: string }): boolean {
  if (row.status === 'PUBLISHED') return true;
  const scope = developmentReportScope(viewer);
  if (scope.kind === 'association') return row.associationId === scope.associationId;
  if (scope.kind === 'embargoed') return row.status === 'EMBARGOED';
  return false;
}

/** The statistics CSV export: an association's staff (their association's returns) and the regulator; reports:read too. */
export function statisticsExportScope(viewer: Viewer): OrgScope {
  return reportsScope(viewer).kind === 'none' ? none : statisticsReturnScope(viewer);
}

// ---- early-reports (issue 19)

/**
 * Early reports (抓早抓小): a firm or listed company sees its own organization's; an association's staff those filed with
 * their association; the regulator only escalated ones (escalatedAt set: SEVERE and CRITICAL from submission, others
 * once staff escalate them); everyone else none. A service account needs early-reports:read.
 */
export type EarlyReportScope =
  | { kind: 'orgs'; organizationIds: number[] }
  | { kind: 'association'; associationId: number }
  | { kind: 'escalated' }
  | { kind: 'none' };
export function earlyReportScope(viewer: Viewer): EarlyReportScope {
  if (!viewerHasScope(viewer, 'early-reports:read')) return { kind: 'none' };
  const associationId = staffAssociationOf(viewer);
  if (associationId !== null) return { kind: 'association', associationId };
  if (viewer.role === 'REGULATOR') return { kind: 'escalated' };
  if (isMember(viewer) && viewer.organizationId !== null) return { kind: 'orgs', organizationIds: [viewer.organizationId] };
  return { kind: 'none' };
}

/** earlyReportScope as a condition on a report's columns (undefined never: every viewer is bounded). */
export function earlyReportCondition(
  viewer: Viewer,
  columns: { organization: PgColumn; association: PgColumn; escalatedAt: PgColumn },
): SQL {
  const scope = earlyReportScope(viewer);
  switch (scope.kind) {
    case 'orgs':
      return inArray(columns.organization, scope.organizationIds);
    case 'association':
      return eq(columns.association, scope.associationId);
    case 'escalated':
      return sql`${columns.escalatedAt} is not null`;
    case 'none':
      return sql`false`;
  }
}

/** The same decision on a report already read (a mutation's payload). */
export function maySeeEarlyReport(viewer: Viewer, row: { organizationId: number; associationId: number; escalatedAt: Date | string | null }): boolean {
  const scope = earlyReportScope(viewer);
  switch (scope.kind) {
    case 'orgs':
      return scope.organizationIds.includes(row.organizationId);
    case 'association':
      return row.associationId === scope.associationId;
    case 'escalated':
      return row.escalatedAt !== null;
    case 'none':
      return false;
  }
}

/** Who triages early reports (acknowledge, escalate, close) and reviews best practices: an association's staff, for their association's. */
export function earlyReportTriageAssociation(viewer: Viewer): number | null {
  if (!viewerHasScope(viewer, 'early-reports:read')) return null;
  return staffAssociationOf(viewer);
}

/**
 * Best practices (优秀工作经验). Published PUBLIC ones: anyone (service accounts without early-reports:read included).
 * Published MEMBERS ones: active members of the association they were filed with, any association's staff and the
 * regulator. Not yet published (or rejected) ones: the submitting organization, its association's staff and the
 * regulator. A service account without early-reports:read sees published PUBLIC ones only.
 */
export function bestPracticeCondition(
  viewer: Viewer,
  columns: { organization: PgColumn; association: PgColumn; status: PgColumn; audience: PgColumn },
): SQL | undefined {
  const publicOnes = sql`(${columns.status} = 'PUBLISHED' and ${columns.audience} = 'PUBLIC')`;
  if (!viewerHasScope(viewer, 'early-reports:read')) return publicOnes;
  const published = sql`${columns.status} = 'PUBLISHED'`;
  const associationId = staffAssociationOf(viewer);
  if (associationId !== null) return or(published, eq(columns.association, associationId));
  if (viewer.role === 'REGULATOR') return undefined;
  if (isMember(viewer) && viewer.organizationId !== null) {
    return or(
      publicOnes,
      sql`(${published} and ${activeMemberOf(sql`${viewer.organizationId}::integer`, columns.association)})`,
      eq(columns.organization, viewer.organizationId),
    );
  }
  return publicOnes;
}

/**
 * Whether a best practice's organization shows: always unless it was submitted anonymously; then only to the staff of
 * the association it was filed with and the regulator (a service account with early-reports:read), never to other
 * members, other associations' staff or the public — nor to the submitting organization's other readers.
 */
export function maySeeBestPracticeOrganization(viewer: Viewer, row: { anonymous: boolean; associationId: number }): boolean {
  if (!row.anonymous) return true;
  if (!viewerHasScope(viewer, 'early-reports:read')) return false;
  if (viewer.role === 'REGULATOR') return true;
  return staffAssociationOf(viewer) === row.associationId;
}

// ---- training (issue 17)
//
// Practitioners and everything personal about them (credits, enrolments, attendance, certificates, the hours export):
// a firm or listed company its own organization's; an association's staff their association's trainees (the
// practitioners of organizations holding a membership of the association, in any status, and anyone enrolled in one
// of its sessions); the regulator every one; nobody else. A service account needs training:read.
// Programmes and sessions: PUBLIC ones to anyone; MEMBERS ones to the active members of the programme's association,
// that association's staff and the regulator (a service account needs training:read for any non-public row).

export type TrainingScope =
  | { kind: 'all' }
  | { kind: 'association'; associationId: number }
  | { kind: 'orgs'; organizationIds: number[] }
  | { kind: 'none' };

/** Practitioners, their credits, enrolments, attendance and certificates (see the section's comment). */
export function practitionerScope(viewer: Viewer): TrainingScope {
  if (!viewerHasScope(viewer, 'training:read')) return { kind: 'none' };
  const associationId = staffAssociationOf(viewer);
  if (associationId !== null) return { kind: 'association', associationId };
  if (viewer.role === 'REGULATOR') return { kind: 'all' };
  if (isMember(viewer) && viewer.organizationId !== null) return { kind: 'orgs', organizationIds: [viewer.organizationId] };
  return { kind: 'none' };
}

/**
 * Training obligations: the organization itself, the staff of the association the obligation is owed to, the
 * regulator (a service account with training:read).
 */
export function trainingObligationScope(viewer: Viewer): TrainingScope {
  return practitionerScope(viewer);
}

/** Programmes (and their sessions): which MEMBERS-audience ones the viewer reads besides every PUBLIC one. */
export type TrainingProgrammeScope =
  | { kind: 'all' }
  | { kind: 'association'; associationId: number }
  | { kind: 'memberOf'; organizationId: number }
  | { kind: 'public' };
export function trainingProgrammeScope(viewer: Viewer): TrainingProgrammeScope {
  if (!viewerHasScope(viewer, 'training:read')) return { kind: 'public' };
  const associationId = staffAssociationOf(viewer);
  if (associationId !== null) return { kind: 'association', associationId };
  if (viewer.role === 'REGULATOR') return { kind: 'all' };
  if (isMember(viewer) && viewer.organizationId !== null) return { kind: 'memberOf', organizationId: viewer.organizationId };
  return { kind: 'public' };
}

/**
 * Needs surveys: the regulator all; an association's staff their association's; a member those of associations it is an
 * active member of (to answer them); nobody else. Their results (demand per topic): staff and the regulator only.
 */
export function trainingSurveyScope(viewer: Viewer): TrainingProgrammeScope | { kind: 'none' } {
  const scope = trainingProgrammeScope(viewer);
  return scope.kind === 'public' ? { kind: 'none' } : scope;
}

/** Whether the viewer reads a survey's results and a session's or programme's completion rate (of this association). */
export function maySeeTrainingResults(viewer: Viewer, associationId: number): boolean {
  if (!viewerHasScope(viewer, 'training:read')) return false;
  const staffOf = staffAssociationOf(viewer);
  return staffOf !== null ? staffOf === associationId : viewer.role === 'REGULATOR';
}

/** The association whose training the viewer runs (surveys, programmes, sessions, attendance, certificates), or null. */
export function trainingAdminAssociation(viewer: Viewer): number | null {
  return viewer.serviceAccount ? null : staffAssociationOf(viewer);
}

/** Whether the viewer registers and enrols practitioners for its own organization: a securities firm's people. */
export function mayManageOwnPractitioners(viewer: Viewer): boolean {
  return viewer.role === 'FIRM' && viewer.organizationId !== null && !viewer.serviceAccount;
}

/**
 * Who posts view events (POST /training/view-events): a service account holding training:write, for the sessions of
 * its own association (an association's account) or of every association (the bureau's account, which the bureau's
 * training platform uses for sessions it hosts with an association). Null: may not post (403).
 */
export function viewEventIngestScope(viewer: Viewer): { kind: 'all' } | { kind: 'association'; associationId: number } | null {
  if (!viewer.serviceAccount || !viewer.serviceAccount.scopes.includes('training:write')) return null;
  const associationId = staffAssociationOf(viewer);
  if (associationId !== null) return { kind: 'association', associationId };
  return viewer.role === 'REGULATOR' ? { kind: 'all' } : null;
}

/**
 * The training-hours export (/reports/training-hours.csv): the rows of practitionerScope, for a firm, an association's
 * staff and the regulator (a service account needs reports:read and training:read); null: 403.
 */
export function trainingHoursExportScope(viewer: Viewer): TrainingScope | null {
  if (viewer.serviceAccount && !viewerHasScope(viewer, 'reports:read')) return null;
  if (viewer.role === 'LISTED_COMPANY' || viewer.role === 'ANONYMOUS') return null;
  const scope = practitionerScope(viewer);
  return scope.kind === 'none' ? null : scope;
}

// ---- exports (issue 22)

/**
 * Whether the viewer may export rows of this kind at all (the /reports/*.csv routes and the export jobs): ratings and
 * suggestions for an association's staff who read them and the regulator (reports:read and ratings:read or
 * suggestions:read for a service account); statistics returns likewise with statistics:read; training hours also for
 * a firm (its own practitioners), with training:read. Which rows is each domain's visibility function.
 */
export function mayExport(viewer: Viewer, kind: ExportKind): boolean {
  switch (kind) {
    case 'RATINGS':
      return reportsScope(viewer).kind !== 'none' && branchRatingScope(viewer).firms.kind !== 'none';
    case 'SUGGESTIONS':
      return reportsScope(viewer).kind !== 'none' && suggestionScope(viewer).kind !== 'none';
    case 'STATISTICS':
      return statisticsExportScope(viewer).kind !== 'none';
    case 'TRAINING_HOURS':
      return trainingHoursExportScope(viewer) !== null;
  }
}

/**
 * Who starts background export jobs (src/exports): the regulator and an association's staff, people and service
 * accounts, for the kinds they may export (mayExport). Starting one is a read: a service account may, with the scopes.
 * Firms download their own training hours from the CSV route instead.
 */
export function mayStartExportJob(viewer: Viewer, kind: ExportKind): boolean {
  return isStaff(viewer) && mayExport(viewer, kind);
}

/**
 * Export jobs and their files: a service account sees the jobs it started; a person of an association's staff their
 * association's jobs (their own, their colleagues' and their association's service accounts'); a person of the
 * regulator the bureau's (association null); nobody else.
 */
export type ExportJobScope =
  | { kind: 'requester'; subject: string }
  | { kind: 'association'; associationId: number }
  | { kind: 'bureau' }
  | { kind: 'none' };
export function exportJobScope(viewer: Viewer): ExportJobScope {
  if (viewer.serviceAccount) return isStaff(viewer) ? { kind: 'requester', subject: viewer.subject } : { kind: 'none' };
  const associationId = staffAssociationOf(viewer);
  if (associationId !== null) return { kind: 'association', associationId };
  return viewer.role === 'REGULATOR' ? { kind: 'bureau' } : { kind: 'none' };
}

/** exportJobScope as SQL over the jobs' columns (`false` when none is visible). */
export function exportJobCondition(viewer: Viewer, columns: { requestedBySub: PgColumn; association: PgColumn }): SQL {
  const scope = exportJobScope(viewer);
  switch (scope.kind) {
    case 'requester':
      return eq(columns.requestedBySub, scope.subject);
    case 'association':
      return eq(columns.association, scope.associationId);
    case 'bureau':
      return isNull(columns.association);
    case 'none':
      return sql`false`;
  }
}
