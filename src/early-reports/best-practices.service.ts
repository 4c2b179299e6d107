// Business rules of the best-practice library (优秀工作经验): members submit (optionally anonymously), the staff of the
// association it was filed with review it — SUBMITTED → UNDER_REVIEW → PUBLISHED (to PUBLIC or MEMBERS) | REJECTED — and
// the published ones are searchable in Chinese with the policy interpretations' search machinery (policies.search.ts).
import { and, asc, count, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import { alias, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { recordAudit } from '../audit/audit.service.js';
import { bestPracticeCondition, earlyReportTriageAssociation } from '../auth/policy.js';
import { isMember, type Viewer } from '../auth/viewer.js';
import { ASSOCIATION_IDS, associationsTable, primaryAssociationOf, type AssociationCode } from '../associations/associations.table.js';
import type { DbOrTx } from '../db/client.js';
import { pageCondition, pageConditionByRow, pageOrderBy, type PageRequest } from '../db/page.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector, type LocalizedMessage } from '../errors.js';
import { membershipsTable } from '../members/members.table.js';
import { loadPolicyInterpretationsByIds, type PolicyInterpretation } from '../policies/policies.service.js';
import { loadProgrammesByIds } from '../training/training.service.js';
import type { TrainingProgrammeRow } from '../training/training.table.js';
import { buildSearchVector, parseSearchQuery, searchMatches, searchRank, type ParsedQuery } from '../policies/policies.search.js';
import { cleanText } from '../text.js';
import {
  EARLY_REPORTS_MAX_BODY,
  EARLY_REPORTS_MAX_SUMMARY,
  EARLY_REPORTS_MAX_TITLE,
  bestPracticeEventsTable,
  bestPracticePolicyLinksTable,
  bestPracticesTable,
  bestPracticeTrainingLinksTable,
  type BestPracticeRow,
  type BestPracticeStatus,
} from './early-reports.table.js';

export const MAX_REVIEW_NOTE_LENGTH = 2_000;
/** At most this many related policy interpretations per best practice. */
export const MAX_RELATED_INTERPRETATIONS = 10;
export const MAX_RELATED_PROGRAMMES = 10;

const b = bestPracticesTable;
type BestPracticeTable = typeof bestPracticesTable;

/** A best practice as the application reads it: every column but the search vector. */
export type BestPractice = Omit<BestPracticeRow, 'searchVector'>;
const { searchVector: _searchVector, ...practiceColumns } = getTableColumns(b);

function visiblePractices(viewer: Viewer, table: BestPracticeTable = b): SQL | undefined {
  return bestPracticeCondition(viewer, { organization: table.organizationId, association: table.associationId, status: table.status, audience: table.audience });
}

/** The tsvector literal of a practice: title A, summary B, body D. */
export function practiceSearchVector(content: { title: string; summary: string; body: string }): string {
  return buildSearchVector([
    { text: content.title, weight: 'A' },
    { text: content.summary, weight: 'B' },
    { text: content.body, weight: 'D' },
  ]);
}

// ---------------------------------------------------------------- reading

export async function loadBestPracticesByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<BestPractice[]> {
  return db
    .select(practiceColumns)
    .from(b)
    .where(and(inArray(b.id, [...ids]), visiblePractices(viewer)));
}

export interface BestPracticeFilter {
  search?: string | null;
  status?: BestPracticeStatus | null;
}

/** Relevance as policy interpretations rank it (policies.search.ts): words matched, then where and how well. */
function rankExpression(vector: SQL | AnyPgColumn, query: ParsedQuery): SQL {
  return searchRank(vector, query);
}

interface ListPlan {
  conditions: SQL | undefined;
  query: ParsedQuery | null;
  empty: boolean;
}

function listPlan(viewer: Viewer, filter: BestPracticeFilter): ListPlan {
  const conditions: (SQL | undefined)[] = [visiblePractices(viewer), filter.status ? eq(b.status, filter.status) : undefined];
  let query: ParsedQuery | null = null;
  if (filter.search != null && filter.search.trim() !== '') {
    query = parseSearchQuery(filter.search);
    const matches = searchMatches(b.searchVector, query);
    if (!matches) return { conditions: undefined, query: null, empty: true };
    conditions.push(matches);
  }
  return { conditions: and(...conditions), query, empty: false };
}

/**
 * One page of the practices the viewer may read. Without search: newest first (id descending). With search: most
 * relevant first, ties newest first, the cursor's row re-ranked in the same statement (and only if the viewer may read it).
 */
export async function listBestPractices(db: DbOrTx, viewer: Viewer, filter: BestPracticeFilter, page: PageRequest): Promise<BestPractice[]> {
  const plan = listPlan(viewer, filter);
  if (plan.empty) return [];
  if (!plan.query) {
    return db
      .select(practiceColumns)
      .from(b)
      .where(and(plan.conditions, pageCondition(page, b.id, 'desc')))
      .orderBy(pageOrderBy(page, 'desc', b.id))
      .limit(page.limit + 1);
  }
  const query = plan.query;
  const rank = rankExpression(b.searchVector, query);
  const c = alias(b, 'cursor_row');
  const window = pageConditionByRow(
    page,
    sql`(${rank}, ${b.id})`,
    (key) =>
      sql`select ${rankExpression(c.searchVector, query)}, ${c.id} from ${b} as ${sql.identifier('cursor_row')} where ${and(
        eq(c.id, key),
        visiblePractices(viewer, c as unknown as BestPracticeTable),
      )}`,
    'desc',
  );
  const rows = await db
    .select({ ...practiceColumns, rank: sql<number>`${rank}`.as('rank') })
    .from(b)
    .where(and(plan.conditions, window))
    .orderBy(pageOrderBy(page, 'desc', sql`"rank"`, b.id))
    .limit(page.limit + 1);
  return rows.map(({ rank: _rank, ...row }) => row);
}

export async function countBestPractices(db: DbOrTx, viewer: Viewer, filter: BestPracticeFilter): Promise<number> {
  const plan = listPlan(viewer, filter);
  if (plan.empty) return 0;
  const [row] = await db.select({ n: count() }).from(b).where(plan.conditions);
  return row?.n ?? 0;
}

/** The related interpretations of practices already shown visible, in their order, limited to those the viewer may read. */
export async function loadRelatedInterpretations(db: DbOrTx, viewer: Viewer, practiceIds: readonly number[]): Promise<{ bestPracticeId: number; interpretation: PolicyInterpretation }[]> {
  const links = await db
    .select()
    .from(bestPracticePolicyLinksTable)
    .where(inArray(bestPracticePolicyLinksTable.bestPracticeId, [...practiceIds]))
    .orderBy(asc(bestPracticePolicyLinksTable.bestPracticeId), asc(bestPracticePolicyLinksTable.position));
  if (links.length === 0) return [];
  const readable = new Map((await loadPolicyInterpretationsByIds(db, viewer, [...new Set(links.map((l) => l.policyInterpretationId))])).map((p) => [p.id, p]));
  return links.flatMap((l) => {
    const interpretation = readable.get(l.policyInterpretationId);
    return interpretation ? [{ bestPracticeId: l.bestPracticeId, interpretation }] : [];
  });
}

/** The related training programmes of practices already shown visible, in their order, limited to those the viewer may see. */
export async function loadRelatedProgrammes(db: DbOrTx, viewer: Viewer, practiceIds: readonly number[]): Promise<{ bestPracticeId: number; programme: TrainingProgrammeRow }[]> {
  const links = await db
    .select()
    .from(bestPracticeTrainingLinksTable)
    .where(inArray(bestPracticeTrainingLinksTable.bestPracticeId, [...practiceIds]))
    .orderBy(asc(bestPracticeTrainingLinksTable.bestPracticeId), asc(bestPracticeTrainingLinksTable.position));
  if (links.length === 0) return [];
  const visible = new Map((await loadProgrammesByIds(db, viewer, [...new Set(links.map((l) => l.trainingProgrammeId))])).map((p) => [p.id, p]));
  return links.flatMap((l) => {
    const programme = visible.get(l.trainingProgrammeId);
    return programme ? [{ bestPracticeId: l.bestPracticeId, programme }] : [];
  });
}

// ---------------------------------------------------------------- submitting

export interface SubmitBestPracticeInput {
  title: string;
  summary: string;
  body: string;
  anonymous?: boolean | null;
  association?: AssociationCode | null;
}

export async function submitBestPractice(db: DbOrTx, actor: Viewer, input: SubmitBestPracticeInput): Promise<BestPractice> {
  if (!isMember(actor) || actor.organizationId === null) {
    throw new DomainError('NOT_FOUND', null, { zh: '只有会员机构和上市公司可以提交工作经验', en: 'Only firms and listed companies submit best practices' });
  }
  const organizationId = actor.organizationId;
  const errors = new ErrorCollector();
  const title = cleanText(errors, input.title, { field: ['input', 'title'], max: EARLY_REPORTS_MAX_TITLE, required: true, labelZh: '标题', labelEn: 'title' });
  const summary = cleanText(errors, input.summary, { field: ['input', 'summary'], max: EARLY_REPORTS_MAX_SUMMARY, required: true, multiline: true, labelZh: '摘要', labelEn: 'summary' });
  const body = cleanText(errors, input.body, { field: ['input', 'body'], max: EARLY_REPORTS_MAX_BODY, required: true, multiline: true, labelZh: '正文', labelEn: 'body' });
  errors.throwIfAny();
  const associationId = input.association ? ASSOCIATION_IDS[input.association] : primaryAssociationOf(actor.role === 'LISTED_COMPANY' ? 'LISTED_COMPANY' : 'OTHER');
  const content = { title: title!, summary: summary!, body: body! };
  return runInTransaction(db, async (tx) => {
    const [association] = await tx
      .select({ name: associationsTable.name, nameEn: associationsTable.nameEn, status: membershipsTable.status })
      .from(associationsTable)
      .leftJoin(membershipsTable, and(eq(membershipsTable.associationId, associationsTable.id), eq(membershipsTable.organizationId, organizationId)))
      .where(eq(associationsTable.id, associationId));
    if (association?.status !== 'ACTIVE') {
      throw new DomainError('NOT_A_MEMBER', ['input', 'association'], {
        zh: `本机构不是${association?.name ?? '该协会'}的在册会员，不能向其提交工作经验`,
        en: `Your organization is not an active member of ${association?.nameEn ? `the ${association.nameEn}` : 'that association'}, so it cannot submit best practices to it`,
      });
    }
    const [row] = await tx
      .insert(b)
      .values({
        organizationId,
        associationId,
        ...content,
        anonymous: input.anonymous ?? false,
        submittedBySub: actor.subject,
        searchVector: sql`${practiceSearchVector(content)}::tsvector` as unknown as string,
      })
      .returning(practiceColumns);
    await tx.insert(bestPracticeEventsTable).values({ bestPracticeId: row!.id, toStatus: 'SUBMITTED', actorSub: actor.subject, actorRole: actor.role });
    await recordAudit(tx, actor, { action: 'bestPractice.submit', entityType: 'BestPractice', entityId: row!.id, after: row });
    return row!;
  });
}

// ---------------------------------------------------------------- review

const NOT_FOUND_PRACTICE: LocalizedMessage = { zh: '工作经验不存在', en: 'Best practice not found' };
const statusZh: Record<BestPracticeStatus, string> = { SUBMITTED: '已提交', UNDER_REVIEW: '审核中', PUBLISHED: '已发布', REJECTED: '未采用' };

/** SUBMITTED → UNDER_REVIEW → PUBLISHED | REJECTED; a decision on a SUBMITTED practice passes through UNDER_REVIEW. */
export function reviewPath(from: BestPracticeStatus, to: BestPracticeStatus): BestPracticeStatus[] | null {
  if (from === 'SUBMITTED' && to === 'UNDER_REVIEW') return ['UNDER_REVIEW'];
  if (from === 'UNDER_REVIEW' && (to === 'PUBLISHED' || to === 'REJECTED')) return [to];
  if (from === 'SUBMITTED' && (to === 'PUBLISHED' || to === 'REJECTED')) return ['UNDER_REVIEW', to];
  return null;
}

export type BestPracticeDecision = 'PUBLISH' | 'REJECT';

export interface ReviewBestPracticeInput {
  id: number | null;
  /** Absent: only take it into review (startBestPracticeReview). */
  decision?: BestPracticeDecision | null;
  audience?: 'PUBLIC' | 'MEMBERS' | null;
  note?: string | null;
  /** null entries: ids that do not parse (NOT_FOUND). undefined: keep the links. */
  relatedPolicyInterpretationIds?: (number | null)[] | null;
  /** The same for related training programmes (visible to the reviewer). */
  relatedTrainingProgrammeIds?: (number | null)[] | null;
}

/**
 * A review move by the staff of the association the practice was filed with, in one transaction: lock (hidden and
 * missing look the same), check the path, the related interpretations (readable to the reviewer), update, links, one
 * event per status passed, audit.
 */
export async function reviewBestPractice(db: DbOrTx, actor: Viewer, input: ReviewBestPracticeInput): Promise<BestPractice> {
  const errors = new ErrorCollector();
  const note = cleanText(errors, input.note, { field: ['input', 'note'], max: MAX_REVIEW_NOTE_LENGTH, multiline: true, labelZh: '审核意见', labelEn: 'note' }) ?? null;
  if (input.decision === 'PUBLISH' && !input.audience) {
    errors.add('REQUIRED', ['input', 'audience'], { zh: '发布时须选择阅读范围', en: 'audience is required to publish' });
  }
  if (input.decision === 'REJECT' && !note) {
    errors.add('REQUIRED', ['input', 'note'], { zh: '不予采用时须填写审核意见', en: 'note is required to reject' });
  }
  const related = input.relatedPolicyInterpretationIds ?? null;
  if (related && related.length > MAX_RELATED_INTERPRETATIONS) {
    errors.add('LIMIT_EXCEEDED', ['input', 'relatedPolicyInterpretationIds'], {
      zh: `最多关联 ${MAX_RELATED_INTERPRETATIONS} 篇政策解读`,
      en: `At most ${MAX_RELATED_INTERPRETATIONS} related policy interpretations`,
    });
  }
  const programmes = input.relatedTrainingProgrammeIds ?? null;
  if (programmes && programmes.length > MAX_RELATED_PROGRAMMES) {
    errors.add('LIMIT_EXCEEDED', ['input', 'relatedTrainingProgrammeIds'], {
      zh: `最多关联 ${MAX_RELATED_PROGRAMMES} 个培训项目`,
      en: `At most ${MAX_RELATED_PROGRAMMES} related training programmes`,
    });
  }
  errors.throwIfAny();
  const associationId = earlyReportTriageAssociation(actor);
  if (associationId === null || input.id === null) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_PRACTICE);
  const id = input.id;
  const to: BestPracticeStatus = input.decision === 'PUBLISH' ? 'PUBLISHED' : input.decision === 'REJECT' ? 'REJECTED' : 'UNDER_REVIEW';

  return runInTransaction(db, async (tx) => {
    const [before] = await tx
      .select(practiceColumns)
      .from(b)
      .where(and(eq(b.id, id), eq(b.associationId, associationId)))
      .for('update');
    if (!before) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_PRACTICE);
    const path = reviewPath(before.status, to);
    if (!path) {
      throw new DomainError('INVALID_STATE', ['input', 'id'], {
        zh: `工作经验当前状态为“${statusZh[before.status]}”，不能变为“${statusZh[to]}”`,
        en: `The best practice is ${before.status}; it cannot move to ${to}`,
      });
    }
    const relatedIds = related ? [...new Set(related.filter((x): x is number => x !== null))] : null;
    if (related) {
      const readable = new Set((relatedIds!.length ? await loadPolicyInterpretationsByIds(tx, actor, relatedIds!) : []).map((p) => p.id));
      const problems = new ErrorCollector();
      related.forEach((rid, i) => {
        if (rid === null || !readable.has(rid)) {
          problems.add('NOT_FOUND', ['input', 'relatedPolicyInterpretationIds', String(i)], { zh: '政策解读不存在', en: 'Policy interpretation not found' });
        }
      });
      problems.throwIfAny();
    }
    const programmeIds = programmes ? [...new Set(programmes.filter((x): x is number => x !== null))] : null;
    if (programmes) {
      const visible = new Set((programmeIds!.length ? await loadProgrammesByIds(tx, actor, programmeIds!) : []).map((p) => p.id));
      const problems = new ErrorCollector();
      programmes.forEach((pid, i) => {
        if (pid === null || !visible.has(pid)) {
          problems.add('NOT_FOUND', ['input', 'relatedTrainingProgrammeIds', String(i)], { zh: '培训项目不存在', en: 'Training programme not found' });
        }
      });
      problems.throwIfAny();
    }
    const [after] = await tx
      .update(b)
      .set({
        status: to,
        updatedAt: sql`now()`,
        ...(to !== 'UNDER_REVIEW' ? { reviewNote: note, reviewedBySub: actor.subject, reviewedAt: sql`now()` } : {}),
        ...(to === 'PUBLISHED' ? { audience: input.audience!, publishedAt: sql`now()` } : {}),
      } as never)
      .where(eq(b.id, before.id))
      .returning(practiceColumns);
    if (relatedIds) {
      await tx.delete(bestPracticePolicyLinksTable).where(eq(bestPracticePolicyLinksTable.bestPracticeId, before.id));
      if (relatedIds.length > 0) {
        await tx.insert(bestPracticePolicyLinksTable).values(relatedIds.map((pid, position) => ({ bestPracticeId: before.id, policyInterpretationId: pid, position })));
      }
    }
    if (programmeIds) {
      await tx.delete(bestPracticeTrainingLinksTable).where(eq(bestPracticeTrainingLinksTable.bestPracticeId, before.id));
      if (programmeIds.length > 0) {
        await tx.insert(bestPracticeTrainingLinksTable).values(programmeIds.map((pid, position) => ({ bestPracticeId: before.id, trainingProgrammeId: pid, position })));
      }
    }
    await tx.insert(bestPracticeEventsTable).values(
      path.map((status, i) => ({
        bestPracticeId: before.id,
        fromStatus: i === 0 ? before.status : path[i - 1]!,
        toStatus: status,
        note: i === path.length - 1 ? note : null,
        actorSub: actor.subject,
        actorRole: actor.role,
      })),
    );
    await recordAudit(tx, actor, { action: `bestPractice.${to === 'UNDER_REVIEW' ? 'startReview' : input.decision === 'PUBLISH' ? 'publish' : 'reject'}`, entityType: 'BestPractice', entityId: before.id, before, after });
    return after!;
  });
}
