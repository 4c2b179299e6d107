// Disciplinary cases (DOMAIN.md §14.3–14.4): INVESTIGATION → HEARING → DECIDED → (UNDER_REVIEW →) FINAL, with the
// member's statement, the decision's measures, separation of duties, and publication of a 纪律处分 at FINAL. Each move
// is one transaction with its event row, audit entry and (at publication) outbox event.
import { and, count, eq, gte, inArray, ne, sql, type SQL } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.service.js';
import { disciplinaryCaseCondition, noteMembershipRightsChanged, RATINGS_ASSOCIATION_ID, selfRegulationAdminAssociation } from '../auth/policy.js';
import { isMember, type Viewer } from '../auth/viewer.js';
import type { DbOrTx, Tx } from '../db/client.js';
import { pageCondition, pageOrderBy, type PageRequest } from '../db/page.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector, isUniqueViolation } from '../errors.js';
import { encodeGlobalId } from '../global-id.js';
import { recordMembershipChange } from '../members/members.service.js';
import { membershipsTable } from '../members/members.table.js';
import { enqueueEvent } from '../outbox/outbox.service.js';
import { isValidDocumentNumber, normalizeDocumentNumber } from '../policies/document-number.js';
import { cleanText } from '../text.js';
import { todayInShanghai } from '../time.js';
import { ASSOCIATION_IDS } from '../associations/associations.table.js';
import { addWorkingDays } from '../early-reports/early-reports.deadline.js';
import { loadWorkingCalendar } from '../early-reports/early-reports.service.js';
import { recordTrainingObligation } from '../training/training.mutations.js';
import { DISCIPLINARY_SANCTIONS, isDisciplinarySanction, TRAINING_OBLIGATION_MEASURES } from './self-regulation.measures.js';
import { feedSelfRegulatoryIndicator } from './self-regulation.ratings-feed.js';
import {
  disciplinaryCaseEventsTable,
  disciplinaryCasesTable,
  disciplinaryMeasuresTable,
  type AggravatingFactor,
  type DisciplinaryCaseEventRow,
  type DisciplinaryCaseRow,
  type DisciplinaryMeasureRow,
  type DisciplinaryMeasureType,
  type DisciplinaryStage,
} from './self-regulation.table.js';

export const CASE_LIMITS = { summary: 2_000, statement: 10_000, note: 500, decisionNumber: 60, measures: 12 } as const;
/** 复核 is requested within this many working days of the decision (DOMAIN.md §14.4, demo convention). */
export const REVIEW_WINDOW_WORKING_DAYS = 15;

const NOT_FOUND_CASE = { zh: '纪律案件不存在', en: 'Disciplinary case not found' };

function visible(viewer: Viewer): SQL | undefined {
  const c = disciplinaryCasesTable;
  return disciplinaryCaseCondition(viewer, { organization: c.organizationId, association: c.associationId, publishedAt: c.publishedAt });
}

// ---------------------------------------------------------------------------------------------------- reading

export interface CaseFilter {
  organizationId?: number | null;
  stage?: DisciplinaryStage | null;
}

function listConditions(viewer: Viewer, filter: CaseFilter): SQL | undefined {
  const c = disciplinaryCasesTable;
  return and(
    visible(viewer),
    filter.organizationId != null ? eq(c.organizationId, filter.organizationId) : undefined,
    filter.stage != null ? eq(c.stage, filter.stage) : undefined,
  );
}

/** Newest first (id descending). */
export async function listCases(db: DbOrTx, viewer: Viewer, filter: CaseFilter, page: PageRequest): Promise<DisciplinaryCaseRow[]> {
  const c = disciplinaryCasesTable;
  return db
    .select()
    .from(c)
    .where(and(listConditions(viewer, filter), pageCondition(page, c.id, 'desc')))
    .orderBy(pageOrderBy(page, 'desc', c.id))
    .limit(page.limit + 1);
}

export async function countCases(db: DbOrTx, viewer: Viewer, filter: CaseFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(disciplinaryCasesTable).where(listConditions(viewer, filter));
  return row?.n ?? 0;
}

export async function loadCasesByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<DisciplinaryCaseRow[]> {
  return db.select().from(disciplinaryCasesTable).where(and(inArray(disciplinaryCasesTable.id, [...ids]), visible(viewer)));
}

/** Measures of some cases, heaviest kind last in the order of the enum (callers filter what a viewer may read). */
export async function loadMeasuresByCaseIds(db: DbOrTx, caseIds: readonly number[]): Promise<DisciplinaryMeasureRow[]> {
  const m = disciplinaryMeasuresTable;
  return db.select().from(m).where(inArray(m.caseId, [...caseIds])).orderBy(m.caseId, m.type);
}

export async function loadEventsByCaseIds(db: DbOrTx, caseIds: readonly number[]): Promise<DisciplinaryCaseEventRow[]> {
  const e = disciplinaryCaseEventsTable;
  return db.select().from(e).where(inArray(e.caseId, [...caseIds])).orderBy(e.caseId, e.id);
}

// ---------------------------------------------------------------------------------------------------- moves

function adminAssociation(actor: Viewer): number {
  const associationId = selfRegulationAdminAssociation(actor);
  if (associationId === null) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_CASE);
  return associationId;
}

/** Locks a case the actor acts on: its association's staff, or (member: true) the member itself. Others: NOT_FOUND. */
async function lockCase(tx: Tx, actor: Viewer, id: number | null, as: 'staff' | 'member'): Promise<DisciplinaryCaseRow> {
  const c = disciplinaryCasesTable;
  let own: SQL;
  if (as === 'staff') own = eq(c.associationId, adminAssociation(actor));
  else if (isMember(actor) && actor.organizationId !== null) own = eq(c.organizationId, actor.organizationId);
  else throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_CASE);
  const [row] = id === null ? [] : await tx.select().from(c).where(and(eq(c.id, id), own)).for('update');
  if (!row) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_CASE);
  return row;
}

function requireStage(row: DisciplinaryCaseRow, allowed: DisciplinaryStage[], message?: { zh: string; en: string }) {
  if (!allowed.includes(row.stage)) {
    throw new DomainError(
      'INVALID_STATE',
      ['input', 'id'],
      message ?? { zh: `案件处于 ${row.stage} 阶段，不能执行此操作`, en: `The case is at ${row.stage}; this move is not allowed` },
    );
  }
}

/** Updates the case, appends the stage event and the audit entry, in the caller's transaction. */
async function move(
  tx: Tx,
  actor: Viewer,
  before: DisciplinaryCaseRow,
  to: DisciplinaryStage,
  action: string,
  set: Partial<typeof disciplinaryCasesTable.$inferInsert> = {},
): Promise<DisciplinaryCaseRow> {
  const [after] = await tx
    .update(disciplinaryCasesTable)
    .set({ ...set, stage: to, updatedAt: sql`now()` })
    .where(eq(disciplinaryCasesTable.id, before.id))
    .returning();
  if (to !== before.stage) {
    await tx.insert(disciplinaryCaseEventsTable).values({ caseId: before.id, fromStage: before.stage, toStage: to, actorSub: actor.subject, actorRole: actor.role });
  }
  await recordAudit(tx, actor, { action, entityType: 'DisciplinaryCase', entityId: before.id, before, after });
  return after!;
}

/** The association's staff open a case (立案) against a member of their association. */
export async function openCase(db: DbOrTx, actor: Viewer, input: { organizationId: number | null; summary: string }): Promise<DisciplinaryCaseRow> {
  const associationId = selfRegulationAdminAssociation(actor);
  const errors = new ErrorCollector();
  const summary = cleanText(errors, input.summary, { field: ['input', 'summary'], max: CASE_LIMITS.summary, required: true, multiline: true, labelZh: '案情摘要', labelEn: 'summary' });
  errors.throwIfAny();
  if (associationId === null) throw new DomainError('NOT_FOUND', ['input', 'organizationId'], { zh: '机构不存在', en: 'Organization not found' });
  return runInTransaction(db, async (tx) => {
    const [membership] =
      input.organizationId === null
        ? []
        : await tx
            .select({ status: membershipsTable.status })
            .from(membershipsTable)
            .where(and(eq(membershipsTable.organizationId, input.organizationId), eq(membershipsTable.associationId, associationId)));
    if (!membership) {
      throw new DomainError('NOT_A_MEMBER', ['input', 'organizationId'], { zh: '该机构不是本协会的会员', en: 'The organization is not a member of your association' });
    }
    const [row] = await tx
      .insert(disciplinaryCasesTable)
      .values({ associationId, organizationId: input.organizationId!, summary: summary!, openedBy: actor.subject })
      .returning();
    await tx.insert(disciplinaryCaseEventsTable).values({ caseId: row!.id, fromStage: null, toStage: 'INVESTIGATION', actorSub: actor.subject, actorRole: actor.role });
    await recordAudit(tx, actor, { action: 'disciplinaryCase.open', entityType: 'DisciplinaryCase', entityId: row!.id, after: row });
    return row!;
  });
}

/** INVESTIGATION → HEARING (事先告知; the member may now state its case). */
export async function startHearing(db: DbOrTx, actor: Viewer, id: number | null): Promise<DisciplinaryCaseRow> {
  return runInTransaction(db, async (tx) => {
    const before = await lockCase(tx, actor, id, 'staff');
    requireStage(before, ['INVESTIGATION']);
    return move(tx, actor, before, 'HEARING', 'disciplinaryCase.startHearing');
  });
}

/** The member's 陈述申辩, during HEARING only (a later statement replaces an earlier one until the hearing closes). */
export async function submitStatement(db: DbOrTx, actor: Viewer, input: { id: number | null; statement: string }): Promise<DisciplinaryCaseRow> {
  const errors = new ErrorCollector();
  const statement = cleanText(errors, input.statement, { field: ['input', 'statement'], max: CASE_LIMITS.statement, required: true, multiline: true, labelZh: '陈述申辩', labelEn: 'statement' });
  errors.throwIfAny();
  return runInTransaction(db, async (tx) => {
    const before = await lockCase(tx, actor, input.id, 'member');
    requireStage(
      before,
      ['HEARING'],
      before.stage === 'INVESTIGATION'
        ? { zh: '听证阶段开始前不能提交陈述申辩', en: 'The statement is submitted once the hearing has started' }
        : { zh: '陈述申辩期已结束', en: 'The hearing is closed: no more statements' },
    );
    return move(tx, actor, before, 'HEARING', 'disciplinaryCase.statement', { statement, statementAt: sql`now()` as unknown as Date });
  });
}

export interface MeasureInput {
  type: DisciplinaryMeasureType;
  note?: string | null;
  endsOn?: string | null;
}

export interface DecideInput {
  id: number | null;
  measures: readonly MeasureInput[];
  decisionNumber?: string | null;
  aggravatingFactors?: readonly AggravatingFactor[] | null;
}

const MEASURE_TYPES = new Set<string>(disciplinaryMeasuresTable.type.enumValues);
const DECISION_PREFIX: Record<number, string> = { [ASSOCIATION_IDS.SZSA]: '深证协处', [ASSOCIATION_IDS.SZLCA]: '深上协处' };

function checkMeasures(errors: ErrorCollector, measures: readonly MeasureInput[], today: string) {
  if (measures.length === 0) {
    errors.add('REQUIRED', ['input', 'measures'], { zh: '处理决定至少包含一项措施', en: 'A decision has at least one measure' });
    return [];
  }
  if (measures.length > CASE_LIMITS.measures) {
    errors.add('TOO_LONG', ['input', 'measures'], { zh: `措施不能超过 ${CASE_LIMITS.measures} 项`, en: `At most ${CASE_LIMITS.measures} measures` });
    return [];
  }
  const seen = new Set<string>();
  const cleaned = measures.map((m, i) => {
    const field = (name: string) => ['input', 'measures', String(i), name];
    if (!MEASURE_TYPES.has(m.type)) errors.add('INVALID', field('type'), { zh: '未知的措施类型', en: 'Unknown measure type' });
    else if (seen.has(m.type)) errors.add('DUPLICATE', field('type'), { zh: '同一措施只能列一次', en: 'Each measure type appears once' });
    seen.add(m.type);
    const note = cleanText(errors, m.note, { field: field('note'), max: CASE_LIMITS.note, multiline: true, labelZh: '说明', labelEn: 'note' }) ?? null;
    if (m.endsOn != null && m.endsOn < today) {
      errors.add('INVALID', field('endsOn'), { zh: '截止日期不能早于今天', en: 'endsOn cannot be in the past' });
    }
    return { type: m.type, note, endsOn: m.endsOn ?? null };
  });
  // One violation receives only one 纪律处分 (DOMAIN.md §14.3); 自律管理措施 may be combined with it.
  if (cleaned.filter((m) => isDisciplinarySanction(m.type)).length > 1) {
    errors.add('INVALID', ['input', 'measures'], { zh: '一项违规只能给予一种纪律处分', en: 'One violation receives only one disciplinary sanction' });
  }
  return cleaned;
}

/**
 * HEARING → DECIDED: the decision's measures, its number (given, or the next of the association's year), the
 * aggravating factors (REPEATED_WITHIN_12_MONTHS flagged automatically). The decider is not the opener (SAME_PERSON).
 */
export async function decideCase(db: DbOrTx, actor: Viewer, input: DecideInput): Promise<DisciplinaryCaseRow> {
  const today = todayInShanghai();
  const errors = new ErrorCollector();
  const measures = checkMeasures(errors, input.measures, today);
  let decisionNumber: string | null = null;
  if (input.decisionNumber != null) {
    const raw = cleanText(errors, input.decisionNumber, { field: ['input', 'decisionNumber'], max: CASE_LIMITS.decisionNumber, labelZh: '决定书文号', labelEn: 'decisionNumber' });
    if (raw) {
      decisionNumber = normalizeDocumentNumber(raw);
      if (!isValidDocumentNumber(decisionNumber, today)) {
        errors.add('INVALID', ['input', 'decisionNumber'], { zh: '决定书文号格式无效，例如 深证协处〔2026〕3号', en: 'Malformed decision number, e.g. 深证协处〔2026〕3号' });
      }
    }
  }
  const factors: AggravatingFactor[] = [...new Set(input.aggravatingFactors ?? [])].filter((f) => f !== 'REPEATED_WITHIN_12_MONTHS');
  errors.throwIfAny();
  try {
    return await runInTransaction(db, async (tx) => {
      const before = await lockCase(tx, actor, input.id, 'staff');
      requireStage(before, ['HEARING']);
      if (before.openedBy === actor.subject) {
        throw new DomainError('SAME_PERSON', ['input', 'id'], { zh: '立案人不能作出处理决定', en: 'The staff member who opened the case may not decide it' });
      }
      const c = disciplinaryCasesTable;
      if (decisionNumber === null) {
        // The next number of the association's year, serialized per association by a transaction-level lock.
        await tx.execute(sql`select pg_advisory_xact_lock(${0x64697363}, ${before.associationId})`);
        const year = today.slice(0, 4);
        const prefix = `${DECISION_PREFIX[before.associationId] ?? '自律处'}〔${year}〕`;
        const [last] = await tx
          .select({ n: sql<number>`coalesce(max(substring(${c.decisionNumber} from ${`^${prefix}(\\d+)号$`})::int), 0)` })
          .from(c)
          .where(eq(c.associationId, before.associationId));
        decisionNumber = `${prefix}${Number(last?.n ?? 0) + 1}号`;
      }
      // 从重: two or more violations of the same kind within 12 months; here, another case of the member decided within the last 12 months.
      const yearAgo = `${Number(today.slice(0, 4)) - 1}${today.slice(4)}`;
      const [repeat] = await tx
        .select({ id: c.id })
        .from(c)
        .where(and(eq(c.organizationId, before.organizationId), ne(c.id, before.id), gte(c.decidedOn, yearAgo), inArray(c.stage, ['DECIDED', 'UNDER_REVIEW', 'FINAL'])))
        .limit(1);
      if (repeat) factors.push('REPEATED_WITHIN_12_MONTHS');
      await tx.insert(disciplinaryMeasuresTable).values(measures.map((m) => ({ caseId: before.id, ...m })));
      return move(tx, actor, before, 'DECIDED', 'disciplinaryCase.decide', {
        decidedBy: actor.subject,
        decidedOn: today,
        decisionNumber,
        aggravatingFactors: factors,
      });
    });
  } catch (error) {
    if (isUniqueViolation(error, 'disciplinary_cases_decision_number_key')) {
      throw new DomainError('DUPLICATE', ['input', 'decisionNumber'], { zh: '该决定书文号已被使用', en: 'The decision number is already used' });
    }
    throw error;
  }
}

/** DECIDED → UNDER_REVIEW: the member asks once for 复核, within the review window. */
export async function requestReview(db: DbOrTx, actor: Viewer, id: number | null): Promise<DisciplinaryCaseRow> {
  return runInTransaction(db, async (tx) => {
    const before = await lockCase(tx, actor, id, 'member');
    requireStage(
      before,
      ['DECIDED'],
      before.reviewRequestedAt
        ? { zh: '复核只能申请一次', en: 'A review is requested only once' }
        : { zh: `案件处于 ${before.stage} 阶段，不能申请复核`, en: `The case is at ${before.stage}; a review cannot be requested` },
    );
    // Working days as the early reports count them: Monday to Friday, save the public holidays and make-up days of the
    // working calendar.
    const lastDay = addWorkingDays(before.decidedOn!, REVIEW_WINDOW_WORKING_DAYS, await loadWorkingCalendar(tx));
    if (todayInShanghai() > lastDay) {
      throw new DomainError('DEADLINE_PASSED', ['input', 'id'], { zh: `复核申请期限已于 ${lastDay} 届满`, en: `The review window closed on ${lastDay}` });
    }
    return move(tx, actor, before, 'UNDER_REVIEW', 'disciplinaryCase.requestReview', { reviewRequestedAt: sql`now()` as unknown as Date });
  });
}

/** What finalizing a case did beyond the case itself (for tests and the audit entry). */
export interface FinalizeConsequences {
  published: boolean;
  membershipWithdrawn: boolean;
  /** MANDATORY_TRAINING measures: each becomes a training obligation of the member (recordTrainingObligation). */
  trainingObligations: DisciplinaryMeasureRow[];
  ratingsFeed: Awaited<ReturnType<typeof feedSelfRegulatoryIndicator>>;
  /** The decision suspends membership rights (the viewer resolver must look the member up again). */
  suspends: boolean;
}

/**
 * DECIDED or UNDER_REVIEW → FINAL (the association's staff; after a review the reviewer is neither the opener nor the
 * decider). In the same transaction: publication of a 纪律处分 (published_at, outbox DISCIPLINARY_DECISION_PUBLISHED
 * with public fields only), EXPEL withdraws the membership, MANDATORY_TRAINING becomes a training obligation, and the
 * member's branches' self-regulatory indicator of the next rating cycle is fed.
 */
export async function finalizeCase(db: DbOrTx, actor: Viewer, id: number | null): Promise<DisciplinaryCaseRow & { consequences: FinalizeConsequences }> {
  const finalized = await runInTransaction(db, async (tx) => {
    const before = await lockCase(tx, actor, id, 'staff');
    requireStage(before, ['DECIDED', 'UNDER_REVIEW']);
    if (before.stage === 'UNDER_REVIEW' && (actor.subject === before.openedBy || actor.subject === before.decidedBy)) {
      throw new DomainError('SAME_PERSON', ['input', 'id'], { zh: '复核人不能是立案人或决定人', en: 'The reviewer may be neither the opener nor the decider' });
    }
    const measures = await loadMeasuresByCaseIds(tx, [before.id]);
    const sanctions = measures.filter((m) => isDisciplinarySanction(m.type));
    const published = sanctions.length > 0;
    const after = await move(tx, actor, before, 'FINAL', 'disciplinaryCase.finalize', {
      finalizedBy: actor.subject,
      finalizedAt: sql`now()` as unknown as Date,
      publishedAt: published ? (sql`now()` as unknown as Date) : null,
    });
    if (published) {
      await enqueueEvent(tx, {
        type: 'disciplinary_decision.published',
        entityType: 'DisciplinaryCase',
        entityId: after.id,
        associationId: after.associationId,
        payload: publicDecisionPayload(after, sanctions),
      });
    }
    let membershipWithdrawn = false;
    if (measures.some((m) => m.type === 'EXPEL')) {
      const [membership] = await tx
        .select({ status: membershipsTable.status })
        .from(membershipsTable)
        .where(and(eq(membershipsTable.organizationId, after.organizationId), eq(membershipsTable.associationId, after.associationId)));
      if (membership && membership.status !== 'WITHDRAWN') {
        await recordMembershipChange(tx, actor, {
          organizationId: after.organizationId,
          change: 'WITHDRAW',
          effectiveOn: todayInShanghai(),
          note: `取消会员资格：${after.decisionNumber}`,
        });
        membershipWithdrawn = true;
      }
    }
    // Training obligations (要求参加强化培训): each becomes an obligation of the member, in this transaction, owed to the
    // case's association by the measure's endsOn (recording one twice changes nothing).
    const trainingObligations = measures.filter((m) => TRAINING_OBLIGATION_MEASURES.includes(m.type));
    for (const m of trainingObligations) {
      await recordTrainingObligation(tx, {
        organizationId: after.organizationId,
        associationId: after.associationId,
        source: 'DISCIPLINARY_MEASURE',
        sourceId: m.id,
        reason: `${after.decisionNumber ?? '自律管理措施'}：要求参加强化培训${m.note ? `（${m.note}）` : ''}`,
        dueOn: m.endsOn,
      });
    }
    const ratingsFeed =
      after.associationId === RATINGS_ASSOCIATION_ID ? await feedSelfRegulatoryIndicator(tx, after.organizationId, Number(after.decidedOn!.slice(0, 4))) : null;
    return { ...after, consequences: { published, membershipWithdrawn, trainingObligations, ratingsFeed, suspends: measures.some((m) => m.type === 'SUSPEND_MEMBERSHIP_RIGHTS') } };
  });
  // Committed (or part of the caller's transaction): the member's remembered viewers are looked up again.
  if (finalized.consequences.suspends) noteMembershipRightsChanged();
  return finalized;
}

/** The webhook payload of a published decision: only what anyone may read (never the statement or 自律管理措施). */
export function publicDecisionPayload(row: DisciplinaryCaseRow, sanctions: readonly DisciplinaryMeasureRow[]): Record<string, unknown> {
  return {
    disciplinaryCase: encodeGlobalId('DisciplinaryCase', row.id),
    organization: encodeGlobalId('Organization', row.organizationId),
    association: encodeGlobalId('Association', row.associationId),
    decisionNumber: row.decisionNumber,
    decidedOn: row.decidedOn,
    measures: sanctions.map((m) => ({ type: m.type, endsOn: m.endsOn })),
  };
}

/** The measures a viewer reads: all of them in full, only the 纪律处分 of a published case otherwise. */
export function measuresFor(inFull: boolean, measures: readonly DisciplinaryMeasureRow[]): DisciplinaryMeasureRow[] {
  return inFull ? [...measures] : measures.filter((m) => DISCIPLINARY_SANCTIONS.includes(m.type));
}

