// Small factories, one per table: `insertX(tx, overrides)` inserts one valid row and returns it. Required columns get
// valid, unique values (a per-process counter, no randomness); missing parents are created. Rows are raw: a factory
// writes no audit entry, outbox event or revision; what a service adds around its rows, test through the service.
// Rows that belong to an association belong to the securities association (SZSA) unless `associationId` is given;
// an organization is a member of its primary association (listed companies SZLCA, everyone else SZSA), as the
// service and migration 0009 make it.
//
// No factory, on purpose:
// - audit_log, audit_chain_head: append-only and hash-chained by triggers; rows come from recordAudit in a service.
// - webhook_fanout_cursor: a single row (id = 1) the fan-out worker advances.
// - suggestion_reference_counters: the per-year counter forwarding increments inside its own transaction; a row
//   written beside it would hand out reference numbers the service then refuses as duplicates.
import { and, eq, max, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { ASSOCIATION_IDS, primaryAssociationOf } from '../../src/associations/associations.table.js';
import { serviceAccountSecretsTable, serviceAccountsTable } from '../../src/clients/clients.table.js';
import { hashSecret } from '../../src/clients/secrets.js';
import { committeePeopleTable, committeeSeatsTable, committeesTable, committeeTermsTable } from '../../src/committees/committees.table.js';
import { dataAccessLogTable } from '../../src/data-access/data-access.table.js';
import type { DbOrTx } from '../../src/db/client.js';
import { creditCodeCheckCharacter } from '../../src/members/identifiers.js';
import { branchesTable, contactsTable, membershipEventsTable, membershipsTable, organizationsTable } from '../../src/members/members.table.js';
import { outboxEventsTable } from '../../src/outbox/outbox.table.js';
import { searchVectorOf } from '../../src/policies/policies.service.js';
import { practiceSearchVector } from '../../src/early-reports/best-practices.service.js';
import { dueAtSql } from '../../src/early-reports/early-reports.service.js';
import { bestPracticesTable, earlyReportsTable } from '../../src/early-reports/early-reports.table.js';
import { policyInterpretationsTable, policyRevisionsTable, policySourcesTable } from '../../src/policies/policies.table.js';
import {
  branchRatingsTable,
  ratingCyclesTable,
  ratingGuidelinesTable,
  ratingIndicatorsTable,
  ratingOverrideDecisionsTable,
  ratingOverrideRulesTable,
  ratingScoreLinesTable,
  supervisoryFollowUpsTable,
} from '../../src/ratings/ratings.table.js';
import {
  suggestionCampaignsTable,
  suggestionEventsTable,
  suggestionForwardBatchesTable,
  suggestionForwardingsTable,
  suggestionRecipientsTable,
  suggestionsTable,
} from '../../src/suggestions/suggestions.table.js';
import {
  webhookDeliveriesTable,
  webhookDeliveryAttemptsTable,
  webhookFanoutsTable,
  webhookSubscriptionsTable,
} from '../../src/webhooks/webhooks.table.js';

import { programmeSearchVector, sessionSearchVector } from '../../src/training/training.mutations.js';
import {
  practitionersTable,
  trainingAttendanceTable,
  trainingEnrolmentsTable,
  trainingNeedsSurveysTable,
  trainingProgrammesTable,
  trainingSessionsTable,
  trainingViewEventsTable,
} from '../../src/training/training.table.js';
import { ruleSearchVector } from '../../src/self-regulation/self-regulation.rules.js';
import {
  disciplinaryCasesTable,
  disciplinaryMeasuresTable,
  selfRegulatoryRuleCommentsTable,
  selfRegulatoryRulesTable,
} from '../../src/self-regulation/self-regulation.table.js';
import { periodDates } from '../../src/statistics/statistics.periods.js';
import {
  statisticsPeriodsTable,
  statisticsReturnsTable,
  statisticsValuesTable,
} from '../../src/statistics/statistics.table.js';

type Insert<T extends PgTable> = T['$inferInsert'];
type Row<T extends PgTable> = T['$inferSelect'];
type Overrides<T extends PgTable> = Partial<Insert<T>>;

let counter = 0;
/** The next number of this process; every unique default is built from it. */
export function nextNumber(): number {
  return ++counter;
}

const DIGITS_ZH = '零一二三四五六七八九';
/** 17 → "一七": unique Chinese text for a number, for names that must read as Chinese. */
export function chineseNumber(n: number): string {
  return String(n).replace(/\d/g, (d) => DIGITS_ZH[Number(d)]!);
}

const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** A valid unified social credit code (GB 32100 check character), unique per n: 91440300 MT <7 base-31 digits> + check. */
export function creditCodeFor(n: number): string {
  let body = '';
  for (let rest = n, i = 0; i < 7; i++, rest = Math.floor(rest / 31)) body = USCC_CHARSET[rest % 31]! + body;
  const first17 = `91440300MT${body}`;
  return first17 + creditCodeCheckCharacter(first17);
}

/** The instant defaults use: fixed, so that rows do not depend on the clock. */
export const FIXED_INSTANT = new Date('2026-01-05T02:00:00Z');

async function one<T>(rows: Promise<T[]>): Promise<T> {
  const [row] = await rows;
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** max(column) + 1 over the rows matching `where` (1 when none). */
async function nextOf(tx: DbOrTx, table: PgTable, column: AnyPgColumn, where?: SQL): Promise<number> {
  const [row] = await tx.select({ n: max(column) }).from(table).where(where);
  return Number(row?.n ?? 0) + 1;
}

// ---------------------------------------------------------------- members

/** A member organization; LISTED_COMPANY gets a STAR-market stock code (689xxx.SH) unless one is given. */
export async function insertOrganization(tx: DbOrTx, overrides: Overrides<typeof organizationsTable> = {}): Promise<Row<typeof organizationsTable>> {
  const n = nextNumber();
  const kind = overrides.kind ?? 'SECURITIES_FIRM';
  const suffix: Record<string, string> = {
    SECURITIES_FIRM: '证券股份有限公司',
    FUTURES_FIRM: '期货有限公司',
    FUND_MANAGER: '基金管理有限公司',
    INVESTMENT_ADVISORY: '投资咨询有限公司',
    LISTED_COMPANY: '科技股份有限公司',
    OTHER: '有限公司',
  };
  const listed = kind === 'LISTED_COMPANY' && overrides.stockCode === undefined;
  const row = await one(
    tx
      .insert(organizationsTable)
      .values({
        kind,
        name: `深圳测试${chineseNumber(n)}${suffix[kind]}`,
        creditCode: creditCodeFor(n),
        district: 'FUTIAN',
        memberSince: '2020-01-01',
        ...(listed ? { stockCode: String(689000 + (n % 1000)).padStart(6, '0'), stockExchange: 'SH' as const } : {}),
        ...overrides,
      })
      .returning(),
  );
  // Its membership in its primary association, which its own membership columns repeat.
  await tx.insert(membershipsTable).values({
    associationId: primaryAssociationOf(row.kind),
    organizationId: row.id,
    category: row.membershipCategory,
    status: row.membershipStatus,
    since: row.memberSince,
  });
  return row;
}

/**
 * A membership: an ACTIVE ORDINARY membership of SZSA since 2020-01-01 of a new organization unless given. An
 * organization already holding a membership of that association (every organization holds one of its primary
 * association) has it changed to the overrides instead, so the call also sets up an existing membership.
 */
export async function insertMembership(tx: DbOrTx, overrides: Overrides<typeof membershipsTable> = {}): Promise<Row<typeof membershipsTable>> {
  const organizationId = overrides.organizationId ?? (await insertOrganization(tx)).id;
  const associationId = overrides.associationId ?? ASSOCIATION_IDS.SZSA;
  const values = { category: 'ORDINARY' as const, status: 'ACTIVE' as const, since: '2020-01-01', ...overrides, associationId, organizationId };
  const { id: _id, associationId: _a, organizationId: _o, ...changes } = values;
  return one(
    tx
      .insert(membershipsTable)
      .values(values)
      .onConflictDoUpdate({ target: [membershipsTable.associationId, membershipsTable.organizationId], set: changes })
      .returning(),
  );
}

export async function insertMembershipEvent(tx: DbOrTx, overrides: Overrides<typeof membershipEventsTable> = {}): Promise<Row<typeof membershipEventsTable>> {
  const organizationId = overrides.organizationId ?? (await insertOrganization(tx)).id;
  return one(tx.insert(membershipEventsTable).values({ associationId: ASSOCIATION_IDS.SZSA, kind: 'JOIN', effectiveOn: '2020-01-01', ...overrides, organizationId }).returning());
}

/** A sales department named after its firm (the service's rule); a securities firm is created unless `firmId` is given. */
export async function insertBranch(tx: DbOrTx, overrides: Overrides<typeof branchesTable> = {}): Promise<Row<typeof branchesTable>> {
  const firm = overrides.firmId
    ? await one(tx.select({ id: organizationsTable.id, name: organizationsTable.name }).from(organizationsTable).where(eq(organizationsTable.id, overrides.firmId)))
    : await insertOrganization(tx);
  const n = nextNumber();
  return one(
    tx
      .insert(branchesTable)
      .values({ kind: 'SALES_DEPARTMENT', name: `${firm.name}深圳测试${chineseNumber(n)}路证券营业部`, district: 'FUTIAN', openedOn: '2020-01-01', ...overrides, firmId: firm.id })
      .returning(),
  );
}

export async function insertContact(tx: DbOrTx, overrides: Overrides<typeof contactsTable> = {}): Promise<Row<typeof contactsTable>> {
  const organizationId = overrides.organizationId ?? (await insertOrganization(tx)).id;
  const n = nextNumber();
  return one(
    tx
      .insert(contactsTable)
      .values({ name: `联系人${chineseNumber(n)}`, title: '合规专员', phone: `0755-8${String(n).padStart(7, '0')}`, email: `contact${n}@example.com.cn`, ...overrides, organizationId })
      .returning(),
  );
}

// ---------------------------------------------------------------- committees

/**
 * A committee. Codes are a closed enum and the template seeds all of them, so this replaces the committee of that code
 * (its terms and seats go with it, by cascade) inside the test's transaction: the test starts from a committee with no
 * terms. Without `code`, the securities association's four codes are taken in turn. The committee is SZSA's, or SZLCA's
 * for that association's codes (BOARD_SECRETARIES, INVESTOR_RELATIONS), unless `associationId` is given.
 */
export async function insertCommittee(tx: DbOrTx, overrides: Overrides<typeof committeesTable> = {}): Promise<Row<typeof committeesTable>> {
  const codes = ['COMPLIANCE', 'INVESTMENT_BANKING', 'BROKERAGE_WEALTH', 'FINTECH'] as const;
  const n = nextNumber();
  const code = overrides.code ?? codes[n % codes.length]!;
  await tx.delete(committeesTable).where(eq(committeesTable.code, code));
  const associationId = code === 'BOARD_SECRETARIES' || code === 'INVESTOR_RELATIONS' ? ASSOCIATION_IDS.SZLCA : ASSOCIATION_IDS.SZSA;
  return one(tx.insert(committeesTable).values({ associationId, name: `测试专业委员会${chineseNumber(n)}`, nameEn: `Test Committee ${n}`, ...overrides, code }).returning());
}

/** The committee's next term (number = last + 1), from 2025-01-01 and open-ended unless given. */
export async function insertCommitteeTerm(tx: DbOrTx, overrides: Overrides<typeof committeeTermsTable> = {}): Promise<Row<typeof committeeTermsTable>> {
  const committeeId = overrides.committeeId ?? (await insertCommittee(tx)).id;
  const number = overrides.number ?? (await nextOf(tx, committeeTermsTable, committeeTermsTable.number, eq(committeeTermsTable.committeeId, committeeId)));
  return one(tx.insert(committeeTermsTable).values({ startsOn: '2025-01-01', ...overrides, committeeId, number }).returning());
}

/** A person of an association's committees (SZSA unless given). */
export async function insertCommitteePerson(tx: DbOrTx, overrides: Overrides<typeof committeePeopleTable> = {}): Promise<Row<typeof committeePeopleTable>> {
  const n = nextNumber();
  return one(tx.insert(committeePeopleTable).values({ associationId: ASSOCIATION_IDS.SZSA, name: `委员${chineseNumber(n)}`, ...overrides }).returning());
}

/**
 * A held MEMBER seat, appointed the day its term starts; a term and an organization are created unless given, and a
 * new person of the committee's association (named `personName` when given) unless `personId` is.
 */
export async function insertCommitteeSeat(tx: DbOrTx, overrides: Overrides<typeof committeeSeatsTable> = {}): Promise<Row<typeof committeeSeatsTable>> {
  const term = overrides.termId
    ? await one(tx.select().from(committeeTermsTable).where(eq(committeeTermsTable.id, overrides.termId)))
    : await insertCommitteeTerm(tx);
  const organizationId = overrides.organizationId ?? (await insertOrganization(tx)).id;
  const person = overrides.personId
    ? await one(tx.select().from(committeePeopleTable).where(eq(committeePeopleTable.id, overrides.personId)))
    : await insertCommitteePerson(tx, {
        associationId: (await one(tx.select({ a: committeesTable.associationId }).from(committeesTable).where(eq(committeesTable.id, term.committeeId)))).a,
        ...(overrides.personName ? { name: overrides.personName } : {}),
      });
  return one(
    tx
      .insert(committeeSeatsTable)
      .values({ role: 'MEMBER', appointedOn: term.startsOn, ...overrides, personName: overrides.personName ?? person.name, personId: person.id, termId: term.id, organizationId })
      .returning(),
  );
}

// ---------------------------------------------------------------- ratings

/** The next guideline version: base 100, A ≥ 90, B ≥ 75, C ≥ 60. */
export async function insertRatingGuideline(tx: DbOrTx, overrides: Overrides<typeof ratingGuidelinesTable> = {}): Promise<Row<typeof ratingGuidelinesTable>> {
  const version = overrides.version ?? (await nextOf(tx, ratingGuidelinesTable, ratingGuidelinesTable.version));
  return one(
    tx
      .insert(ratingGuidelinesTable)
      .values({ title: `测试分类评价指引（第${chineseNumber(version)}版）`, baseScore: 100, thresholdA: 90, thresholdB: 75, thresholdC: 60, ...overrides, version })
      .returning(),
  );
}

/** A BASE indicator worth 10 points; a guideline is created unless given. */
export async function insertRatingIndicator(tx: DbOrTx, overrides: Overrides<typeof ratingIndicatorsTable> = {}): Promise<Row<typeof ratingIndicatorsTable>> {
  const guidelineId = overrides.guidelineId ?? (await insertRatingGuideline(tx)).id;
  const n = nextNumber();
  return one(
    tx
      .insert(ratingIndicatorsTable)
      .values({
        position: n % 30000,
        code: `T${n}`,
        category: 'COMPLIANCE_MANAGEMENT',
        nameZh: `测试指标${chineseNumber(n)}`,
        nameEn: `Test indicator ${n}`,
        method: 'BASE',
        points: 10,
        ...overrides,
        guidelineId,
      })
      .returning(),
  );
}

export async function insertRatingOverrideRule(tx: DbOrTx, overrides: Overrides<typeof ratingOverrideRulesTable> = {}): Promise<Row<typeof ratingOverrideRulesTable>> {
  const guidelineId = overrides.guidelineId ?? (await insertRatingGuideline(tx)).id;
  const n = nextNumber();
  return one(
    tx
      .insert(ratingOverrideRulesTable)
      .values({ code: `OR${n}`, type: 'DIRECT_D', nameZh: `测试否决项${chineseNumber(n)}`, nameEn: `Test override ${n}`, ...overrides, guidelineId })
      .returning(),
  );
}

/** A PLANNED cycle for the year after the last one, under a new guideline unless given; PUBLISHED gets publishedAt. */
export async function insertRatingCycle(tx: DbOrTx, overrides: Overrides<typeof ratingCyclesTable> = {}): Promise<Row<typeof ratingCyclesTable>> {
  const guidelineId = overrides.guidelineId ?? (await insertRatingGuideline(tx)).id;
  const year = overrides.year ?? (await nextOf(tx, ratingCyclesTable, ratingCyclesTable.year));
  const status = overrides.status ?? 'PLANNED';
  return one(
    tx
      .insert(ratingCyclesTable)
      .values({
        status,
        selfAssessmentDueOn: `${year}-03-31`,
        associationScoringDueOn: `${year}-05-31`,
        bureauReviewDueOn: `${year}-06-30`,
        publicationDueOn: `${year}-07-31`,
        publishedAt: status === 'PUBLISHED' ? FIXED_INSTANT : null,
        ...overrides,
        guidelineId,
        year,
      })
      .returning(),
  );
}

/** A B-grade rating (80 points); a cycle and a branch are created unless given. */
export async function insertBranchRating(tx: DbOrTx, overrides: Overrides<typeof branchRatingsTable> = {}): Promise<Row<typeof branchRatingsTable>> {
  const cycleId = overrides.cycleId ?? (await insertRatingCycle(tx)).id;
  const branchId = overrides.branchId ?? (await insertBranch(tx)).id;
  return one(tx.insert(branchRatingsTable).values({ totalScore: 80, computedGrade: 'B', grade: 'B', ...overrides, cycleId, branchId }).returning());
}

/** The guideline a rating is scored under (its cycle's). */
async function guidelineOfRating(tx: DbOrTx, ratingId: number): Promise<number> {
  const row = await one(
    tx.select({ id: ratingCyclesTable.guidelineId }).from(branchRatingsTable).innerJoin(ratingCyclesTable, eq(ratingCyclesTable.id, branchRatingsTable.cycleId)).where(eq(branchRatingsTable.id, ratingId)),
  );
  return row.id;
}

/** A SELF line; the indicator is created under the rating's guideline unless given. */
export async function insertRatingScoreLine(tx: DbOrTx, overrides: Overrides<typeof ratingScoreLinesTable> = {}): Promise<Row<typeof ratingScoreLinesTable>> {
  const ratingId = overrides.ratingId ?? (await insertBranchRating(tx)).id;
  const indicatorId = overrides.indicatorId ?? (await insertRatingIndicator(tx, { guidelineId: await guidelineOfRating(tx, ratingId) })).id;
  return one(
    tx
      .insert(ratingScoreLinesTable)
      .values({ stage: 'SELF', value: 8, enteredBy: 'test:firm:', enteredByRole: 'FIRM', ...overrides, ratingId, indicatorId })
      .returning(),
  );
}

/** An applied ASSOCIATION decision; the rule is created under the rating's guideline unless given. */
export async function insertRatingOverrideDecision(tx: DbOrTx, overrides: Overrides<typeof ratingOverrideDecisionsTable> = {}): Promise<Row<typeof ratingOverrideDecisionsTable>> {
  const ratingId = overrides.ratingId ?? (await insertBranchRating(tx)).id;
  const ruleId = overrides.ruleId ?? (await insertRatingOverrideRule(tx, { guidelineId: await guidelineOfRating(tx, ratingId) })).id;
  return one(
    tx
      .insert(ratingOverrideDecisionsTable)
      .values({ stage: 'ASSOCIATION', applied: true, reason: '测试否决原因', enteredBy: 'test:association:', enteredByRole: 'ASSOCIATION', ...overrides, ratingId, ruleId })
      .returning(),
  );
}

export async function insertSupervisoryFollowUp(tx: DbOrTx, overrides: Overrides<typeof supervisoryFollowUpsTable> = {}): Promise<Row<typeof supervisoryFollowUpsTable>> {
  const ratingId = overrides.ratingId ?? (await insertBranchRating(tx, { grade: 'C', computedGrade: 'C', totalScore: 65 })).id;
  return one(tx.insert(supervisoryFollowUpsTable).values({ type: 'RECTIFICATION_REPORT', owner: 'BRANCH', ...overrides, ratingId }).returning());
}

// ---------------------------------------------------------------- policies

/**
 * A DRAFT interpretation (PUBLISHED / ARCHIVED get publishedAt) with its search vector built from its text, as the
 * service builds it. No sources and no revision rows: add them with the factories below.
 */
export async function insertPolicyInterpretation(tx: DbOrTx, overrides: Overrides<typeof policyInterpretationsTable> = {}): Promise<Row<typeof policyInterpretationsTable>> {
  const n = nextNumber();
  const title = overrides.title ?? `测试政策解读${chineseNumber(n)}`;
  const summary = overrides.summary ?? '测试摘要：本解读说明会员单位的报送要求。';
  const body = overrides.body ?? '## 要点\n\n会员单位应按时报送。';
  const tags = overrides.tags ?? [];
  const qa = overrides.qa ?? [];
  const status = overrides.status ?? 'DRAFT';
  return one(
    tx
      .insert(policyInterpretationsTable)
      .values({
        associationId: ASSOCIATION_IDS.SZSA,
        audience: 'PUBLIC',
        searchVector: searchVectorOf({ title, summary, body, audience: overrides.audience ?? 'PUBLIC', tags, qa, sources: [] }),
        publishedAt: status === 'DRAFT' ? null : FIXED_INSTANT,
        archivedAt: status === 'ARCHIVED' ? FIXED_INSTANT : null,
        ...overrides,
        title,
        summary,
        body,
        tags,
        qa,
        status,
      })
      .returning(),
  );
}

/** The interpretation's next source document (position = last + 1). */
export async function insertPolicySource(tx: DbOrTx, overrides: Overrides<typeof policySourcesTable> = {}): Promise<Row<typeof policySourcesTable>> {
  const interpretationId = overrides.interpretationId ?? (await insertPolicyInterpretation(tx)).id;
  const position = overrides.position ?? (await nextOf(tx, policySourcesTable, policySourcesTable.position, eq(policySourcesTable.interpretationId, interpretationId)));
  const n = nextNumber();
  return one(
    tx
      .insert(policySourcesTable)
      .values({
        title: `关于测试事项的通知（${chineseNumber(n)}）`,
        documentNumber: `深证协发〔2025〕${n}号`,
        issuer: '深圳市证券业协会',
        documentType: 'SELF_REGULATORY_RULE',
        issuedOn: '2025-01-02',
        effectiveOn: '2025-02-01',
        validity: 'IN_FORCE',
        ...overrides,
        interpretationId,
        position,
      })
      .returning(),
  );
}

/** The interpretation's next revision, its content a snapshot of the interpretation as it reads now (no sources). */
export async function insertPolicyRevision(tx: DbOrTx, overrides: Overrides<typeof policyRevisionsTable> = {}): Promise<Row<typeof policyRevisionsTable>> {
  const interpretation = overrides.interpretationId
    ? await one(tx.select().from(policyInterpretationsTable).where(eq(policyInterpretationsTable.id, overrides.interpretationId)))
    : await insertPolicyInterpretation(tx);
  const revision = overrides.revision ?? (await nextOf(tx, policyRevisionsTable, policyRevisionsTable.revision, eq(policyRevisionsTable.interpretationId, interpretation.id)));
  const { title, summary, body, audience, tags, qa } = interpretation;
  return one(
    tx
      .insert(policyRevisionsTable)
      .values({ content: { title, summary, body, audience, tags, qa, sources: [] }, actorSub: 'test:association:', actorRole: 'ASSOCIATION', ...overrides, interpretationId: interpretation.id, revision })
      .returning(),
  );
}

// ---------------------------------------------------------------- suggestions

/** An open campaign (deadline 2099-12-31) inviting securities firms, on OTHER. */
export async function insertSuggestionCampaign(tx: DbOrTx, overrides: Overrides<typeof suggestionCampaignsTable> = {}): Promise<Row<typeof suggestionCampaignsTable>> {
  const n = nextNumber();
  return one(
    tx
      .insert(suggestionCampaignsTable)
      .values({
        associationId: ASSOCIATION_IDS.SZSA,
        title: `关于征集测试意见建议的通知（${chineseNumber(n)}）`,
        documentNumber: `深证协函〔2026〕${1000 + n}号`,
        topics: ['OTHER'],
        invitedKinds: ['SECURITIES_FIRM'],
        issuedOn: '2026-01-05',
        deadline: '2099-12-31',
        ...overrides,
      })
      .returning(),
  );
}

/** A forwarding batch numbered far above what the service's counter hands out (9000 + n), so the two never meet. */
export async function insertSuggestionForwardBatch(tx: DbOrTx, overrides: Overrides<typeof suggestionForwardBatchesTable> = {}): Promise<Row<typeof suggestionForwardBatchesTable>> {
  const year = overrides.year ?? 2026;
  const number = overrides.number ?? 9000 + nextNumber();
  const associationId = overrides.associationId ?? ASSOCIATION_IDS.SZSA;
  const recipient = overrides.recipient ?? 'CSRC_SZ_BUREAU';
  // The association's recipient row for the value (the migration gives every association one per value).
  const recipientId =
    overrides.recipientId ??
    (await one(tx.select({ id: suggestionRecipientsTable.id }).from(suggestionRecipientsTable).where(and(eq(suggestionRecipientsTable.associationId, associationId), eq(suggestionRecipientsTable.code, recipient))))).id;
  return one(
    tx
      .insert(suggestionForwardBatchesTable)
      .values({ referenceNumber: `深证协〔${year}〕${number}号`, forwardedAt: FIXED_INSTANT, ...overrides, associationId, recipient, recipientId, year, number })
      .returning(),
  );
}

/**
 * A SUBMITTED suggestion of a new securities firm unless `organizationId` is given. FORWARDED and RESPONDED get a
 * forwarding batch, RESPONDED an outcome, as the table's checks require.
 */
export async function insertSuggestion(tx: DbOrTx, overrides: Overrides<typeof suggestionsTable> = {}): Promise<Row<typeof suggestionsTable>> {
  const organizationId = overrides.organizationId ?? (await insertOrganization(tx)).id;
  const status = overrides.status ?? 'SUBMITTED';
  const forwarded = status === 'FORWARDED' || status === 'RESPONDED';
  const forwardBatchId = overrides.forwardBatchId ?? (forwarded ? (await insertSuggestionForwardBatch(tx)).id : null);
  const n = nextNumber();
  return one(
    tx
      .insert(suggestionsTable)
      .values({
        associationId: ASSOCIATION_IDS.SZSA,
        topic: 'OTHER',
        title: `关于测试事项的建议（${chineseNumber(n)}）`,
        body: '建议简化测试事项的报送流程。',
        ...(status === 'RESPONDED' ? { response: '已采纳。', responseOutcome: 'ADOPTED' as const, respondedAt: FIXED_INSTANT } : {}),
        ...overrides,
        organizationId,
        status,
        forwardBatchId,
      })
      .returning(),
  ).then(async (row) => {
    // A forwarded suggestion has its primary forwarding, with its response.
    if (row.forwardBatchId !== null) {
      const [batch] = await tx.select().from(suggestionForwardBatchesTable).where(eq(suggestionForwardBatchesTable.id, row.forwardBatchId));
      await tx.insert(suggestionForwardingsTable).values({
        suggestionId: row.id,
        batchId: row.forwardBatchId,
        recipientId: batch!.recipientId,
        response: row.response,
        responseOutcome: row.responseOutcome,
        respondedAt: row.responseOutcome === null ? null : (row.respondedAt ?? FIXED_INSTANT),
      });
    }
    return row;
  });
}

export async function insertSuggestionEvent(tx: DbOrTx, overrides: Overrides<typeof suggestionEventsTable> = {}): Promise<Row<typeof suggestionEventsTable>> {
  const suggestionId = overrides.suggestionId ?? (await insertSuggestion(tx)).id;
  return one(tx.insert(suggestionEventsTable).values({ toStatus: 'SUBMITTED', actorRole: 'FIRM', ...overrides, suggestionId }).returning());
}

// ---------------------------------------------------------------- service accounts, data access, outbox, webhooks

/**
 * An enabled regulator service account with no scopes; its client id is deterministic (mgc_ + 24 hex digits). An
 * association's account (role 'association') is SZSA's unless `associationId` is given.
 */
export async function insertServiceAccount(tx: DbOrTx, overrides: Overrides<typeof serviceAccountsTable> = {}): Promise<Row<typeof serviceAccountsTable>> {
  const n = nextNumber();
  const associationId = overrides.role === 'association' ? ASSOCIATION_IDS.SZSA : null;
  return one(
    tx
      .insert(serviceAccountsTable)
      .values({ clientId: `mgc_${n.toString(16).padStart(24, '0')}`, name: `测试监管数据系统${chineseNumber(n)}`, role: 'regulator', scopes: [], owner: '测试', associationId, ...overrides })
      .returning(),
  );
}

/** A secret of a service account, stored as its scrypt hash; the returned row also carries the plain `secret`. */
export async function insertServiceAccountSecret(
  tx: DbOrTx,
  overrides: Omit<Overrides<typeof serviceAccountSecretsTable>, 'hash'> & { secret?: string } = {},
): Promise<Row<typeof serviceAccountSecretsTable> & { secret: string }> {
  const { secret = `mgs_${String(nextNumber()).padStart(43, '0')}`, ...rest } = overrides;
  const serviceAccountId = rest.serviceAccountId ?? (await insertServiceAccount(tx)).id;
  const row = await one(tx.insert(serviceAccountSecretsTable).values({ ...rest, serviceAccountId, hash: await hashSecret(secret) }).returning());
  return { ...row, secret };
}

export async function insertDataAccessLogEntry(tx: DbOrTx, overrides: Overrides<typeof dataAccessLogTable> = {}): Promise<Row<typeof dataAccessLogTable>> {
  return one(tx.insert(dataAccessLogTable).values({ actorSub: 'test:regulator:', actorRole: 'REGULATOR', resource: 'branchRatings', details: {}, ...overrides }).returning());
}

export async function insertOutboxEvent(tx: DbOrTx, overrides: Overrides<typeof outboxEventsTable> = {}): Promise<Row<typeof outboxEventsTable>> {
  return one(tx.insert(outboxEventsTable).values({ type: 'suggestion.submitted', entityType: 'Suggestion', payload: {}, associationId: ASSOCIATION_IDS.SZSA, ...overrides }).returning());
}

/** A subscription made by association staff (no service account) unless `serviceAccountId` is given. */
export async function insertWebhookSubscription(tx: DbOrTx, overrides: Overrides<typeof webhookSubscriptionsTable> = {}): Promise<Row<typeof webhookSubscriptionsTable>> {
  const n = nextNumber();
  return one(
    tx
      .insert(webhookSubscriptionsTable)
      .values({
        url: `https://hooks.example.test/${n}`,
        eventTypes: ['suggestion.submitted'],
        secret: `whsec_test_${n}`,
        createdBySub: 'test:association:',
        // A staff member's subscription belongs to their association (SZSA unless given); a service account's to its own.
        associationId: overrides.serviceAccountId ? null : ASSOCIATION_IDS.SZSA,
        ...overrides,
      })
      .returning(),
  );
}

export async function insertWebhookFanout(tx: DbOrTx, overrides: Overrides<typeof webhookFanoutsTable> = {}): Promise<Row<typeof webhookFanoutsTable>> {
  const outboxEventId = overrides.outboxEventId ?? (await insertOutboxEvent(tx)).id;
  return one(tx.insert(webhookFanoutsTable).values({ ...overrides, outboxEventId }).returning());
}

/** A PENDING delivery of an outbox event to a subscription (both created unless given), due now. */
export async function insertWebhookDelivery(tx: DbOrTx, overrides: Overrides<typeof webhookDeliveriesTable> = {}): Promise<Row<typeof webhookDeliveriesTable>> {
  const subscriptionId = overrides.subscriptionId ?? (await insertWebhookSubscription(tx)).id;
  const event = overrides.outboxEventId
    ? await one(tx.select().from(outboxEventsTable).where(eq(outboxEventsTable.id, overrides.outboxEventId)))
    : await insertOutboxEvent(tx);
  return one(
    tx
      .insert(webhookDeliveriesTable)
      .values({ eventId: event.eventId, eventType: event.type, ...overrides, subscriptionId, outboxEventId: event.id })
      .returning(),
  );
}

/** The delivery's next attempt (attempt = last + 1), answered 200 in 10 ms. */
export async function insertWebhookDeliveryAttempt(tx: DbOrTx, overrides: Overrides<typeof webhookDeliveryAttemptsTable> = {}): Promise<Row<typeof webhookDeliveryAttemptsTable>> {
  const deliveryId = overrides.deliveryId ?? (await insertWebhookDelivery(tx)).id;
  const attempt = overrides.attempt ?? (await nextOf(tx, webhookDeliveryAttemptsTable, webhookDeliveryAttemptsTable.attempt, eq(webhookDeliveryAttemptsTable.deliveryId, deliveryId)));
  return one(
    tx
      .insert(webhookDeliveryAttemptsTable)
      .values({ startedAt: FIXED_INSTANT, durationMs: 10, responseStatus: 200, workerId: 'test:0:factory', ...overrides, deliveryId, attempt })
      .returning(),
  );
}

// ---- self-regulation (issue 20)

/** A DRAFT rule of SZSA (its own lineage), searchable by its title and text. */
export async function insertSelfRegulatoryRule(tx: DbOrTx, overrides: Overrides<typeof selfRegulatoryRulesTable> = {}): Promise<Row<typeof selfRegulatoryRulesTable>> {
  const n = nextNumber();
  const title = overrides.title ?? `测试自律规则${chineseNumber(n)}`;
  const body = overrides.body ?? '第一条 会员应当守法合规经营。';
  const row = await one(
    tx
      .insert(selfRegulatoryRulesTable)
      .values({
        associationId: ASSOCIATION_IDS.SZSA,
        draftedBy: 'test:factory',
        searchVector: ruleSearchVector({ title, body, documentNumber: overrides.documentNumber ?? null }),
        ...overrides,
        title,
        body,
      })
      .returning(),
  );
  if (row.lineageId !== null) return row;
  return one(tx.update(selfRegulatoryRulesTable).set({ lineageId: row.id }).where(eq(selfRegulatoryRulesTable.id, row.id)).returning());
}

export async function insertSelfRegulatoryRuleComment(tx: DbOrTx, overrides: Overrides<typeof selfRegulatoryRuleCommentsTable> = {}): Promise<Row<typeof selfRegulatoryRuleCommentsTable>> {
  const ruleId = overrides.ruleId ?? (await insertSelfRegulatoryRule(tx, { status: 'CONSULTATION' })).id;
  const organizationId = overrides.organizationId ?? (await insertOrganization(tx)).id;
  return one(tx.insert(selfRegulatoryRuleCommentsTable).values({ authorSub: 'test:factory', body: '建议明确适用范围。', ...overrides, ruleId, organizationId }).returning());
}

/** A case of SZSA in INVESTIGATION against a new securities firm unless given. */
export async function insertDisciplinaryCase(tx: DbOrTx, overrides: Overrides<typeof disciplinaryCasesTable> = {}): Promise<Row<typeof disciplinaryCasesTable>> {
  const organizationId = overrides.organizationId ?? (await insertOrganization(tx)).id;
  return one(
    tx
      .insert(disciplinaryCasesTable)
      .values({ associationId: ASSOCIATION_IDS.SZSA, summary: '未按规定履行适当性管理义务。', openedBy: 'test:opener', ...overrides, organizationId })
      .returning(),
  );
}

export async function insertDisciplinaryMeasure(tx: DbOrTx, overrides: Overrides<typeof disciplinaryMeasuresTable> = {}): Promise<Row<typeof disciplinaryMeasuresTable>> {
  const caseId = overrides.caseId ?? (await insertDisciplinaryCase(tx)).id;
  return one(tx.insert(disciplinaryMeasuresTable).values({ type: 'TALK_REMINDER', ...overrides, caseId }).returning());
}

// ---- statistics (issue 18)

/** A statistics period of SZSA owed by securities, futures and fund firms; label "2019-01"-style unique unless given. */
export async function insertStatisticsPeriod(tx: DbOrTx, overrides: Overrides<typeof statisticsPeriodsTable> = {}): Promise<Row<typeof statisticsPeriodsTable>> {
  const label = overrides.label ?? `20${String(10 + (nextNumber() % 9)).padStart(2, '0')}-${String((nextNumber() % 12) + 1).padStart(2, '0')}`;
  const dates = periodDates(label)!;
  return one(
    tx
      .insert(statisticsPeriodsTable)
      .values({ associationId: ASSOCIATION_IDS.SZSA, owedByKinds: ['SECURITIES_FIRM', 'FUTURES_FIRM', 'FUND_MANAGER'], ...dates, ...overrides, label })
      .onConflictDoUpdate({ target: [statisticsPeriodsTable.associationId, statisticsPeriodsTable.label], set: { label } })
      .returning(),
  );
}

/**
 * A return version (DRAFT, saved by "maker") of a new securities firm for a new period unless given, with `values`
 * (metric code → value) inserted beside it. ACCEPTED / SUBMITTED / RETURNED rows get submitter and reviewer fields.
 */
export async function insertStatisticsReturn(
  tx: DbOrTx,
  overrides: Overrides<typeof statisticsReturnsTable> & { values?: Record<string, number> } = {},
): Promise<Row<typeof statisticsReturnsTable>> {
  const { values = {}, ...row } = overrides;
  const organizationId = row.organizationId ?? (await insertOrganization(tx)).id;
  const periodId = row.periodId ?? (await insertStatisticsPeriod(tx)).id;
  const status = row.status ?? 'DRAFT';
  const filed = status !== 'DRAFT';
  const reviewed = status === 'ACCEPTED' || status === 'RETURNED';
  const created = await one(
    tx
      .insert(statisticsReturnsTable)
      .values({
        associationId: ASSOCIATION_IDS.SZSA,
        savedBy: 'maker',
        submittedBy: filed ? 'checker' : null,
        submittedAt: filed ? FIXED_INSTANT : null,
        reviewedBy: reviewed ? 'staff' : null,
        reviewedAt: reviewed ? FIXED_INSTANT : null,
        ...row,
        status,
        organizationId,
        periodId,
      })
      .returning(),
  );
  const entries = Object.entries(values);
  if (entries.length > 0) await tx.insert(statisticsValuesTable).values(entries.map(([metricCode, value]) => ({ returnId: created.id, metricCode, value })));
  return created;
}

// ---- early-reports (issue 19)

/**
 * An early report of a new SZSA firm (unless given), MINOR, SUBMITTED, occurred an hour before the transaction's now();
 * due_at is computed by the same SQL as a submission. SEVERE and CRITICAL ones are escalated at their report time.
 */
export async function insertEarlyReport(tx: DbOrTx, overrides: Overrides<typeof earlyReportsTable> = {}): Promise<Row<typeof earlyReportsTable>> {
  const organizationId = overrides.organizationId ?? (await insertOrganization(tx)).id;
  const severity = overrides.severity ?? 'MINOR';
  const serious = severity === 'SEVERE' || severity === 'CRITICAL';
  const occurredAt = overrides.occurredAt ? sql`${new Date(overrides.occurredAt).toISOString()}::timestamptz` : sql`(now() - interval '1 hour')`;
  return one(
    tx
      .insert(earlyReportsTable)
      .values({
        associationId: ASSOCIATION_IDS.SZSA,
        category: 'OTHER',
        title: `测试早报告${nextNumber()}`,
        body: '测试内容',
        submittedBySub: 'test:factory',
        status: serious ? 'ESCALATED' : 'SUBMITTED',
        escalatedAt: serious ? sql`now()` : null,
        ...overrides,
        severity,
        organizationId,
        occurredAt: occurredAt as unknown as Date,
        dueAt: overrides.dueAt ?? (dueAtSql(sql`${severity}::early_report_severity`, occurredAt) as unknown as Date),
      } as never)
      .returning(),
  );
}

/** A best practice of a new SZSA firm (unless given), SUBMITTED, with its search vector. */
export async function insertBestPractice(tx: DbOrTx, overrides: Overrides<typeof bestPracticesTable> = {}): Promise<Row<typeof bestPracticesTable>> {
  const organizationId = overrides.organizationId ?? (await insertOrganization(tx)).id;
  const content = { title: overrides.title ?? `测试工作经验${nextNumber()}`, summary: overrides.summary ?? '测试摘要', body: overrides.body ?? '测试正文' };
  const published = overrides.status === 'PUBLISHED';
  return one(
    tx
      .insert(bestPracticesTable)
      .values({
        associationId: ASSOCIATION_IDS.SZSA,
        submittedBySub: 'test:factory',
        publishedAt: published ? sql`now()` : null,
        ...overrides,
        ...content,
        organizationId,
        searchVector: sql`${practiceSearchVector(content)}::tsvector`,
      } as never)
      .returning(),
  );
}

// ---- training (issue 17)

/** A PUBLIC programme of SZSA unless given. */
export async function insertTrainingProgramme(tx: DbOrTx, overrides: Overrides<typeof trainingProgrammesTable> = {}): Promise<Row<typeof trainingProgrammesTable>> {
  const title = overrides.title ?? `测试培训项目${chineseNumber(nextNumber())}`;
  return one(
    tx
      .insert(trainingProgrammesTable)
      .values({ associationId: ASSOCIATION_IDS.SZSA, audience: 'PUBLIC', title, searchVector: sql`${programmeSearchVector(title, overrides.series ?? null)}::tsvector` as unknown as string, ...overrides })
      .returning(),
  );
}

/** A 3-hour REQUIRED OFFLINE session of a new programme (or the given one) on 2026-03-10 10:00 Shanghai time. */
export async function insertTrainingSession(tx: DbOrTx, overrides: Overrides<typeof trainingSessionsTable> = {}): Promise<Row<typeof trainingSessionsTable>> {
  const programme = overrides.programmeId
    ? await one(tx.select().from(trainingProgrammesTable).where(eq(trainingProgrammesTable.id, overrides.programmeId)))
    : await insertTrainingProgramme(tx, overrides.associationId ? { associationId: overrides.associationId } : {});
  const title = overrides.title ?? `测试培训场次${chineseNumber(nextNumber())}`;
  return one(
    tx
      .insert(trainingSessionsTable)
      .values({
        associationId: programme.associationId,
        title,
        mode: 'OFFLINE',
        startsAt: new Date('2026-03-10T02:00:00Z'),
        endsAt: new Date('2026-03-10T05:00:00Z'),
        creditHours: 3,
        creditType: 'REQUIRED',
        searchVector: sql`${sessionSearchVector(title, [])}::tsvector` as unknown as string,
        ...overrides,
        programmeId: programme.id,
      })
      .returning(),
  );
}

/** A practitioner of a new securities firm (or the given one). */
export async function insertPractitioner(tx: DbOrTx, overrides: Overrides<typeof practitionersTable> = {}): Promise<Row<typeof practitionersTable>> {
  const organizationId = overrides.organizationId ?? (await insertOrganization(tx)).id;
  return one(tx.insert(practitionersTable).values({ name: `测试人员${chineseNumber(nextNumber())}`, createdBy: 'test:factory', ...overrides, organizationId }).returning());
}

export async function insertTrainingAttendance(tx: DbOrTx, overrides: Overrides<typeof trainingAttendanceTable> & { sessionId: number; practitionerId: number }): Promise<Row<typeof trainingAttendanceTable>> {
  return one(tx.insert(trainingAttendanceTable).values({ attendedMinutes: 180, completed: true, recordedBy: 'test:factory', ...overrides }).returning());
}

export async function insertTrainingViewEvent(tx: DbOrTx, overrides: Overrides<typeof trainingViewEventsTable> & { sessionId: number; practitionerId: number }): Promise<Row<typeof trainingViewEventsTable>> {
  return one(tx.insert(trainingViewEventsTable).values({ eventId: `test-${nextNumber()}-${Math.random().toString(36).slice(2)}`, watchedSeconds: 600, at: FIXED_INSTANT, ...overrides }).returning());
}

export async function insertTrainingEnrolment(tx: DbOrTx, overrides: Overrides<typeof trainingEnrolmentsTable> & { sessionId: number; practitionerId: number }): Promise<Row<typeof trainingEnrolmentsTable>> {
  return one(tx.insert(trainingEnrolmentsTable).values({ enrolledBy: 'test:factory', ...overrides }).returning());
}

export async function insertTrainingNeedsSurvey(tx: DbOrTx, overrides: Overrides<typeof trainingNeedsSurveysTable> = {}): Promise<Row<typeof trainingNeedsSurveysTable>> {
  return one(
    tx
      .insert(trainingNeedsSurveysTable)
      .values({ associationId: ASSOCIATION_IDS.SZSA, title: `测试需求调查${chineseNumber(nextNumber())}`, closesOn: '2099-12-31', topics: ['NEW_RULES', 'ANTI_MONEY_LAUNDERING', 'OTHER'], createdBy: 'test:factory', ...overrides })
      .returning(),
  );
}
