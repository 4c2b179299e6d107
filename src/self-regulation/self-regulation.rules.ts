// Self-regulatory rules (自律规则, DOMAIN.md §14.2): drafting, consultation with members' comments, adoption, filing,
// force with a document number, amendment as a new version, repeal; who reads what, and Chinese search.
import { and, asc, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { getTableColumns } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.service.js';
import { activeMemberOf, selfRegulationAdminAssociation, selfRegulatoryRuleCondition } from '../auth/policy.js';
import { isMember, type Viewer } from '../auth/viewer.js';
import type { DbOrTx } from '../db/client.js';
import { pageCondition, pageOrderBy, type PageRequest } from '../db/page.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector, isUniqueViolation } from '../errors.js';
import { isValidDocumentNumber, normalizeDocumentNumber } from '../policies/document-number.js';
import { buildSearchVector, parseSearchQuery, searchMatches } from '../policies/policies.search.js';
import { cleanText } from '../text.js';
import { todayInShanghai } from '../time.js';
import {
  selfRegulatoryRuleCommentsTable,
  selfRegulatoryRulesTable,
  type RuleCommentRow,
  type SelfRegulatoryRuleRow,
  type SelfRegulatoryRuleStatus,
} from './self-regulation.table.js';

export const RULE_LIMITS = { title: 120, body: 50_000, comment: 5_000, documentNumber: 60 } as const;
/** A member comments at most this many times on one rule (the comments list stays bounded). */
export const MAX_COMMENTS_PER_ORGANIZATION = 20;

/** A rule as the application reads it: every column but the search vector. */
export type SelfRegulatoryRule = Omit<SelfRegulatoryRuleRow, 'searchVector'>;
const { searchVector: _searchVector, ...ruleColumns } = getTableColumns(selfRegulatoryRulesTable);

/** The lifecycle: each status has one next status; anything else is INVALID_STATE. */
export const RULE_NEXT: Partial<Record<SelfRegulatoryRuleStatus, SelfRegulatoryRuleStatus>> = {
  DRAFT: 'CONSULTATION',
  CONSULTATION: 'ADOPTED',
  ADOPTED: 'FILED',
  FILED: 'IN_FORCE',
  IN_FORCE: 'REPEALED',
};

const NOT_FOUND_RULE = { zh: '自律规则不存在', en: 'Self-regulatory rule not found' };

function visible(viewer: Viewer): SQL | undefined {
  const t = selfRegulatoryRulesTable;
  return selfRegulatoryRuleCondition(viewer, { status: t.status, association: t.associationId });
}

export function ruleSearchVector(rule: { title: string; body: string; documentNumber: string | null }): string {
  return buildSearchVector([
    { text: rule.title, weight: 'A' },
    { text: rule.documentNumber, weight: 'A' },
    { text: rule.body, weight: 'C' },
  ]);
}

// ---------------------------------------------------------------------------------------------------- reading

export interface RuleFilter {
  search?: string | null;
}

/** The conditions of a list, or null when nothing can match (a search with no searchable words). */
function listConditions(viewer: Viewer, filter: RuleFilter): SQL | undefined | null {
  const conditions: (SQL | undefined)[] = [visible(viewer)];
  if (filter.search != null && filter.search.trim() !== '') {
    const matches = searchMatches(selfRegulatoryRulesTable.searchVector, parseSearchQuery(filter.search));
    if (!matches) return null;
    conditions.push(matches);
  }
  return and(...conditions);
}

/** Newest first (id descending), with or without search: a keyset order that never repeats or skips a row. */
export async function listRules(db: DbOrTx, viewer: Viewer, filter: RuleFilter, page: PageRequest): Promise<SelfRegulatoryRule[]> {
  const conditions = listConditions(viewer, filter);
  if (conditions === null) return [];
  const t = selfRegulatoryRulesTable;
  return db
    .select(ruleColumns)
    .from(t)
    .where(and(conditions, pageCondition(page, t.id, 'desc')))
    .orderBy(pageOrderBy(page, 'desc', t.id))
    .limit(page.limit + 1);
}

export async function countRules(db: DbOrTx, viewer: Viewer, filter: RuleFilter): Promise<number> {
  const conditions = listConditions(viewer, filter);
  if (conditions === null) return 0;
  const [row] = await db.select({ n: count() }).from(selfRegulatoryRulesTable).where(conditions);
  return row?.n ?? 0;
}

export async function loadRulesByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<SelfRegulatoryRule[]> {
  return db
    .select(ruleColumns)
    .from(selfRegulatoryRulesTable)
    .where(and(inArray(selfRegulatoryRulesTable.id, [...ids]), visible(viewer)));
}

/** Every version of some rules (by lineage) the viewer may read, oldest first. */
export async function loadRuleVersionsByLineageIds(db: DbOrTx, viewer: Viewer, lineageIds: readonly number[]): Promise<SelfRegulatoryRule[]> {
  const t = selfRegulatoryRulesTable;
  return db
    .select(ruleColumns)
    .from(t)
    .where(and(inArray(t.lineageId, [...lineageIds]), visible(viewer)))
    .orderBy(asc(t.version));
}

/** Comments of some rules, oldest first (callers decide whether the viewer may read them: maySeeRuleComments). */
export async function loadCommentsByRuleIds(db: DbOrTx, ruleIds: readonly number[]): Promise<RuleCommentRow[]> {
  const c = selfRegulatoryRuleCommentsTable;
  return db.select().from(c).where(inArray(c.ruleId, [...ruleIds])).orderBy(asc(c.id));
}

// ---------------------------------------------------------------------------------------------------- changes

function adminAssociation(actor: Viewer): number {
  const associationId = selfRegulationAdminAssociation(actor);
  if (associationId === null) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_RULE);
  return associationId;
}

function cleanRuleText(errors: ErrorCollector, input: { title?: string | null; body?: string | null }, required: boolean) {
  const title = cleanText(errors, input.title, { field: ['input', 'title'], max: RULE_LIMITS.title, required, labelZh: '标题', labelEn: 'title' });
  const body = cleanText(errors, input.body, { field: ['input', 'body'], max: RULE_LIMITS.body, required, multiline: true, labelZh: '正文', labelEn: 'body' });
  return { title, body };
}

/** An association's staff draft a rule of their association (version 1 of a new lineage). */
export async function draftRule(db: DbOrTx, actor: Viewer, input: { title: string; body: string }): Promise<SelfRegulatoryRule> {
  const associationId = adminAssociation(actor);
  const errors = new ErrorCollector();
  const { title, body } = cleanRuleText(errors, input, true);
  errors.throwIfAny();
  return runInTransaction(db, async (tx) => {
    const [inserted] = await tx
      .insert(selfRegulatoryRulesTable)
      .values({
        associationId,
        title: title!,
        body: body!,
        draftedBy: actor.subject,
        searchVector: sql`${ruleSearchVector({ title: title!, body: body!, documentNumber: null })}::tsvector` as unknown as string,
      })
      .returning({ id: selfRegulatoryRulesTable.id });
    const [row] = await tx
      .update(selfRegulatoryRulesTable)
      .set({ lineageId: inserted!.id })
      .where(eq(selfRegulatoryRulesTable.id, inserted!.id))
      .returning(ruleColumns);
    await recordAudit(tx, actor, { action: 'selfRegulatoryRule.draft', entityType: 'SelfRegulatoryRule', entityId: row!.id, after: row });
    return row!;
  });
}

async function lockAdministeredRule(tx: DbOrTx, actor: Viewer, id: number | null): Promise<SelfRegulatoryRule> {
  const associationId = adminAssociation(actor);
  const t = selfRegulatoryRulesTable;
  const [row] = id === null ? [] : await tx.select(ruleColumns).from(t).where(and(eq(t.id, id), eq(t.associationId, associationId))).for('update');
  if (!row) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_RULE);
  return row;
}

/**
 * Amends a rule in force: a new DRAFT version (version + 1, same lineage) that supersedes it once it enters into force.
 * One amendment at a time per rule; the text not given is the current one's.
 */
export async function amendRule(db: DbOrTx, actor: Viewer, input: { id: number | null; title?: string | null; body: string }): Promise<SelfRegulatoryRule> {
  const errors = new ErrorCollector();
  const cleaned = cleanRuleText(errors, { title: input.title ?? undefined, body: input.body }, false);
  if (cleaned.body == null) errors.add('REQUIRED', ['input', 'body'], { zh: '正文不能为空', en: 'body is required' });
  errors.throwIfAny();
  return runInTransaction(db, async (tx) => {
    const current = await lockAdministeredRule(tx, actor, input.id);
    if (current.status !== 'IN_FORCE') {
      throw new DomainError('INVALID_STATE', ['input', 'id'], { zh: '只能修订现行有效的自律规则', en: 'Only a rule in force can be amended' });
    }
    const t = selfRegulatoryRulesTable;
    const [open] = await tx
      .select({ id: t.id })
      .from(t)
      .where(and(eq(t.lineageId, current.lineageId!), inArray(t.status, ['DRAFT', 'CONSULTATION', 'ADOPTED', 'FILED'])))
      .limit(1);
    if (open) throw new DomainError('INVALID_STATE', ['input', 'id'], { zh: '该规则已有在办的修订版本', en: 'An amendment of this rule is already under way' });
    const [latest] = await tx.select({ version: sql<number>`max(${t.version})` }).from(t).where(eq(t.lineageId, current.lineageId!));
    const title = cleaned.title ?? current.title;
    const body = cleaned.body!;
    const [row] = await tx
      .insert(t)
      .values({
        associationId: current.associationId,
        lineageId: current.lineageId,
        version: Number(latest!.version) + 1,
        supersedesId: current.id,
        title,
        body,
        draftedBy: actor.subject,
        searchVector: sql`${ruleSearchVector({ title, body, documentNumber: null })}::tsvector` as unknown as string,
      })
      .returning(ruleColumns);
    await recordAudit(tx, actor, { action: 'selfRegulatoryRule.amend', entityType: 'SelfRegulatoryRule', entityId: row!.id, before: current, after: row });
    return row!;
  });
}

export interface AdvanceRuleInput {
  id: number | null;
  to: SelfRegulatoryRuleStatus;
  documentNumber?: string | null;
  effectiveOn?: string | null;
}

/**
 * Moves a rule one step along DRAFT → CONSULTATION → ADOPTED → FILED → IN_FORCE → REPEALED (the association's staff).
 * IN_FORCE needs a document number (文号) and an effective date; an amendment entering into force repeals the version
 * it supersedes in the same transaction.
 */
export async function advanceRule(db: DbOrTx, actor: Viewer, input: AdvanceRuleInput): Promise<SelfRegulatoryRule> {
  const errors = new ErrorCollector();
  let documentNumber: string | null | undefined;
  if (input.documentNumber != null) {
    const raw = cleanText(errors, input.documentNumber, { field: ['input', 'documentNumber'], max: RULE_LIMITS.documentNumber, labelZh: '文号', labelEn: 'documentNumber' });
    if (raw) {
      documentNumber = normalizeDocumentNumber(raw);
      if (!isValidDocumentNumber(documentNumber, todayInShanghai())) {
        errors.add('INVALID', ['input', 'documentNumber'], { zh: '文号格式无效，例如 深证协会字〔2026〕12号', en: 'Malformed document number, e.g. 深证协会字〔2026〕12号' });
      }
    }
  }
  errors.throwIfAny();
  try {
    return await runInTransaction(db, async (tx) => {
      const before = await lockAdministeredRule(tx, actor, input.id);
      if (RULE_NEXT[before.status] !== input.to) {
        throw new DomainError('INVALID_STATE', ['input', 'to'], {
          zh: `自律规则状态为 ${before.status}，不能变更为 ${input.to}`,
          en: `The rule is ${before.status}; it cannot move to ${input.to}`,
        });
      }
      const set: Partial<typeof selfRegulatoryRulesTable.$inferInsert> = { status: input.to, updatedAt: sql`now()` as unknown as Date };
      if (input.to === 'CONSULTATION') set.consultationOpenedAt = sql`now()` as unknown as Date;
      if (input.to === 'ADOPTED') set.adoptedAt = sql`now()` as unknown as Date;
      if (input.to === 'FILED') set.filedAt = sql`now()` as unknown as Date;
      if (input.to === 'REPEALED') set.repealedAt = sql`now()` as unknown as Date;
      if (input.to === 'IN_FORCE') {
        const number = documentNumber ?? before.documentNumber;
        const effectiveOn = input.effectiveOn ?? before.effectiveOn;
        const missing = new ErrorCollector();
        if (!number) missing.add('REQUIRED', ['input', 'documentNumber'], { zh: '生效须有文号', en: 'A rule enters into force with a document number' });
        if (!effectiveOn) missing.add('REQUIRED', ['input', 'effectiveOn'], { zh: '生效须有施行日期', en: 'A rule enters into force with an effective date' });
        missing.throwIfAny();
        Object.assign(set, {
          documentNumber: number,
          effectiveOn,
          inForceAt: sql`now()`,
          searchVector: sql`${ruleSearchVector({ title: before.title, body: before.body, documentNumber: number! })}::tsvector`,
        });
      } else if (documentNumber !== undefined || input.effectiveOn != null) {
        throw new DomainError('INVALID', ['input', input.effectiveOn != null ? 'effectiveOn' : 'documentNumber'], {
          zh: '文号和施行日期只在生效时填写',
          en: 'documentNumber and effectiveOn are given only when the rule enters into force',
        });
      }
      const [after] = await tx.update(selfRegulatoryRulesTable).set(set).where(eq(selfRegulatoryRulesTable.id, before.id)).returning(ruleColumns);
      await recordAudit(tx, actor, { action: `selfRegulatoryRule.${input.to.toLowerCase()}`, entityType: 'SelfRegulatoryRule', entityId: before.id, before, after });
      if (input.to === 'IN_FORCE' && before.supersedesId !== null) {
        const [superseded] = await tx
          .update(selfRegulatoryRulesTable)
          .set({ status: 'REPEALED', repealedAt: sql`now()`, updatedAt: sql`now()` })
          .where(and(eq(selfRegulatoryRulesTable.id, before.supersedesId), eq(selfRegulatoryRulesTable.status, 'IN_FORCE')))
          .returning(ruleColumns);
        if (superseded) {
          await recordAudit(tx, actor, { action: 'selfRegulatoryRule.superseded', entityType: 'SelfRegulatoryRule', entityId: superseded.id, after: superseded });
        }
      }
      return after!;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'self_regulatory_rules_document_number_key')) {
      throw new DomainError('DUPLICATE', ['input', 'documentNumber'], { zh: '该文号已被另一规则使用', en: 'Another rule already has this document number' });
    }
    throw error;
  }
}

/**
 * A member comments on a rule in consultation (征求意见) of an association it is an active member of. A rule it may not
 * read looks missing; a rule it reads outside consultation is INVALID_STATE.
 */
export async function commentOnRule(db: DbOrTx, actor: Viewer, input: { id: number | null; body: string }): Promise<SelfRegulatoryRule> {
  if (!isMember(actor) || actor.organizationId === null) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_RULE);
  const errors = new ErrorCollector();
  const body = cleanText(errors, input.body, { field: ['input', 'body'], max: RULE_LIMITS.comment, required: true, multiline: true, labelZh: '意见', labelEn: 'body' });
  errors.throwIfAny();
  const organizationId = actor.organizationId;
  return runInTransaction(db, async (tx) => {
    const t = selfRegulatoryRulesTable;
    const [rule] = input.id === null ? [] : await tx.select(ruleColumns).from(t).where(and(eq(t.id, input.id), visible(actor))).for('share');
    if (!rule) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_RULE);
    if (rule.status !== 'CONSULTATION') {
      throw new DomainError('INVALID_STATE', ['input', 'id'], { zh: '只能在征求意见期间提出意见', en: 'Comments are taken only during consultation' });
    }
    // A published rule in consultation is impossible, so a visible CONSULTATION rule is one of the member's associations;
    // still, the member must be an active member of it now.
    const [member] = await tx.select({ ok: activeMemberOf(sql`${organizationId}::int`, sql`${rule.associationId}::int`) }).from(sql`(select 1) as one`);
    if (!member?.ok) throw new DomainError('NOT_A_MEMBER', ['input', 'id'], { zh: '本机构不是该协会的在册会员', en: 'Your organization is not an active member of that association' });
    const c = selfRegulatoryRuleCommentsTable;
    const [made] = await tx.select({ n: count() }).from(c).where(and(eq(c.ruleId, rule.id), eq(c.organizationId, organizationId)));
    if ((made?.n ?? 0) >= MAX_COMMENTS_PER_ORGANIZATION) {
      throw new DomainError('LIMIT_EXCEEDED', ['input', 'id'], {
        zh: `每家会员对同一规则至多提出 ${MAX_COMMENTS_PER_ORGANIZATION} 条意见`,
        en: `At most ${MAX_COMMENTS_PER_ORGANIZATION} comments per member and rule`,
      });
    }
    const [comment] = await tx
      .insert(selfRegulatoryRuleCommentsTable)
      .values({ ruleId: rule.id, organizationId, authorSub: actor.subject, body: body! })
      .returning();
    await recordAudit(tx, actor, { action: 'selfRegulatoryRule.comment', entityType: 'SelfRegulatoryRule', entityId: rule.id, after: comment });
    return rule;
  });
}
