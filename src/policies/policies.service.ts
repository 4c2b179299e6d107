// Business rules of policy interpretations: who reads what, search, and the association's and regulator's edits.
import { and, arrayContains, type AnyColumn, asc, count, desc, eq, getTableColumns, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { recordAudit } from '../audit/audit.service.js';
import { activeMemberOf, policyInterpretationScope, type PolicyInterpretationScope } from '../auth/policy.js';
import { staffAssociationOf, type Viewer } from '../auth/viewer.js';
import { ASSOCIATION_IDS } from '../associations/associations.table.js';
import type { DbOrTx } from '../db/client.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector } from '../errors.js';
import { pageCondition, pageConditionByRow, pageOrderBy, type PageRequest } from '../db/page.js';
import { cleanText, hasControlCharacters } from '../text.js';
import { todayInShanghai } from '../time.js';
import { isValidDocumentNumber, normalizeDocumentNumber } from './document-number.js';
import { buildSearchVector, parseSearchQuery, searchExpansions, searchMatches, searchRank, type ParsedQuery } from './policies.search.js';
import {
  policyInterpretationsTable,
  policyRevisionsTable,
  policySourcesTable,
  type PolicyInterpretationRow,
  type PolicyQa,
  type PolicyRevisionRow,
  type PolicyRevisionSnapshot,
  type PolicySourceRow,
  type PolicySourceSnapshot,
} from './policies.table.js';

export type PolicyAudience = PolicyInterpretationRow['audience'];
export type PolicyStatus = PolicyInterpretationRow['status'];
export type PolicyDocumentType = NonNullable<PolicySourceRow['documentType']>;
export type PolicyDocumentValidity = NonNullable<PolicySourceRow['validity']>;

/** An interpretation as the application reads it: every column but the search vector. */
export type PolicyInterpretation = Omit<PolicyInterpretationRow, 'searchVector'>;
/** A search hit also carries what was searched (for the excerpt) and its relevance. */
export type PolicyInterpretationHit = PolicyInterpretation & { search?: { query: ParsedQuery; rank: number; expansions: string[] } };

const { searchVector: _searchVector, ...interpretationColumns } = getTableColumns(policyInterpretationsTable);

export const LIMITS = {
  title: 120,
  summary: 500,
  body: 20_000,
  tags: 10,
  tag: 20,
  sources: 10,
  sourceTitle: 200,
  documentNumber: 60,
  issuer: 100,
  qa: 30,
  question: 300,
  answer: 5_000,
  sourceArticle: 50,
  note: 200,
} as const;

// ---------------------------------------------------------------------------------------------------- visibility

type InterpretationTable = typeof policyInterpretationsTable;

/**
 * The viewer's scope as SQL on the given table (or alias): undefined means every row. An association's staff read every
 * interpretation of their association and the published ones of the others; members the published PUBLIC ones and the
 * published MEMBERS ones of associations their organization is an active member of; others the published PUBLIC ones.
 */
function readableCondition(scope: PolicyInterpretationScope, t: InterpretationTable = policyInterpretationsTable): SQL | undefined {
  if (scope.kind === 'all') return undefined;
  if (scope.kind === 'association') return or(eq(t.associationId, scope.associationId), sql`${t.publishedAt} is not null`);
  const audiences: SQL[] = [];
  if (scope.audiences.includes('PUBLIC')) audiences.push(eq(t.audience, 'PUBLIC'));
  if (scope.audiences.includes('MEMBERS') && scope.memberOrganizationId !== undefined) {
    audiences.push(and(eq(t.audience, 'MEMBERS'), activeMemberOf(sql`${scope.memberOrganizationId}::integer`, t.associationId))!);
  }
  return and(sql`${t.publishedAt} is not null`, audiences.length === 0 ? sql`false` : or(...audiences));
}

/** The interpretations the viewer may draft, revise, publish and archive: the regulator any, an association's staff their association's. */
function writableCondition(scope: PolicyInterpretationScope): SQL | undefined {
  if (scope.kind === 'all') return undefined;
  if (scope.kind === 'association') return eq(policyInterpretationsTable.associationId, scope.associationId);
  return sql`false`;
}

/**
 * The same scope, for a row already in hand (mutation payloads, which only staff receive). For members it answers
 * for PUBLIC rows only (their membership needs the database); they never edit, so never get a payload.
 */
export function canReadPolicyInterpretation(viewer: Viewer, row: Pick<PolicyInterpretation, 'publishedAt' | 'audience' | 'associationId'>): boolean {
  const scope = policyInterpretationScope(viewer);
  if (scope.kind === 'all') return true;
  if (scope.kind === 'association') return row.associationId === scope.associationId || row.publishedAt !== null;
  return row.publishedAt !== null && row.audience === 'PUBLIC' && scope.audiences.includes('PUBLIC');
}

/** Revision history is for those who read an interpretation's drafts: the regulator, and its association's staff. */
export function canReadRevisions(viewer: Viewer, row: Pick<PolicyInterpretation, 'associationId'>): boolean {
  const scope = policyInterpretationScope(viewer);
  return scope.kind === 'all' || (scope.kind === 'association' && scope.associationId === row.associationId);
}

/** The association a new interpretation belongs to: its staff's; the regulator's drafts are the securities association's. */
function associationOfNewInterpretation(actor: Viewer): number {
  return staffAssociationOf(actor) ?? ASSOCIATION_IDS.SZSA;
}

// ---------------------------------------------------------------------------------------------------- reading

export async function loadPolicyInterpretationsByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<PolicyInterpretation[]> {
  return db
    .select(interpretationColumns)
    .from(policyInterpretationsTable)
    .where(and(inArray(policyInterpretationsTable.id, [...ids]), readableCondition(policyInterpretationScope(viewer))));
}

export interface PolicyInterpretationFilter {
  search?: string | null;
  tag?: string | null;
  /** Staff may list drafts or archived ones; for others only PUBLISHED lists anything. */
  status?: PolicyStatus | null;
}

/** Relevance (policies.search.ts): how many words of the query match, then where (title above body) and how well. */
function rankExpression(vector: SQL | AnyColumn, query: ParsedQuery): SQL {
  return searchRank(vector, query);
}

export function normalizeTag(tag: string): string {
  return tag.normalize('NFKC').trim().replace(/\s+/g, ' ');
}

interface ListPlan {
  conditions: SQL | undefined;
  query: ParsedQuery | null;
  /** Nothing can match (a search with no searchable words). */
  empty: boolean;
}

function listPlan(viewer: Viewer, filter: PolicyInterpretationFilter): ListPlan {
  const scope = policyInterpretationScope(viewer);
  const t = policyInterpretationsTable;
  const conditions: (SQL | undefined)[] = [readableCondition(scope)];
  // Archived interpretations leave every list; staff can still ask for them (or for drafts) by status.
  // An association's staff list the drafts and archived ones of their own association only.
  if (!filter.status) conditions.push(ne(t.status, 'ARCHIVED'));
  else if (scope.kind === 'all' || filter.status === 'PUBLISHED') conditions.push(eq(t.status, filter.status));
  else if (scope.kind === 'association') conditions.push(eq(t.status, filter.status), eq(t.associationId, scope.associationId));
  else return { conditions: undefined, query: null, empty: true };
  if (filter.tag != null) {
    const tag = normalizeTag(filter.tag);
    if (tag === '' || [...tag].length > LIMITS.tag || hasControlCharacters(tag)) return { conditions: undefined, query: null, empty: true };
    conditions.push(arrayContains(t.tags, [tag]));
  }
  let query: ParsedQuery | null = null;
  if (filter.search != null && filter.search.trim() !== '') {
    query = parseSearchQuery(filter.search);
    const matches = searchMatches(t.searchVector, query);
    if (!matches) return { conditions: undefined, query: null, empty: true };
    conditions.push(matches);
  }
  return { conditions: and(...conditions), query, empty: false };
}

/**
 * One page of interpretations the viewer may list. Without search: newest first (id descending). With search: most
 * relevant first, ties newest first; the cursor's row is re-ranked in the same statement, so pages stay keyset-stable.
 */
export async function listPolicyInterpretations(
  db: DbOrTx,
  viewer: Viewer,
  filter: PolicyInterpretationFilter,
  page: PageRequest,
): Promise<PolicyInterpretationHit[]> {
  const plan = listPlan(viewer, filter);
  if (plan.empty) return [];
  const t = policyInterpretationsTable;
  if (!plan.query) {
    return db
      .select(interpretationColumns)
      .from(t)
      .where(and(plan.conditions, pageCondition(page, t.id, 'desc')))
      .orderBy(pageOrderBy(page, 'desc', t.id))
      .limit(page.limit + 1);
  }
  const query = plan.query;
  const rank = rankExpression(t.searchVector, query);
  // The cursor row counts only if the viewer may read it: a forged cursor reveals nothing about hidden rows.
  const c = alias(t, 'cursor_row');
  const window = pageConditionByRow(
    page,
    sql`(${rank}, ${t.id})`,
    (key) =>
      sql`select ${rankExpression(c.searchVector, query)}, ${c.id} from ${t} as ${sql.identifier('cursor_row')} where ${and(
        eq(c.id, key),
        readableCondition(policyInterpretationScope(viewer), c as unknown as InterpretationTable),
      )}`,
    'desc',
  );
  const rows = await db
    .select({ ...interpretationColumns, rank: sql<number>`${rank}`.as('rank'), expansions: sql<string[]>`${searchExpansions(query)}`.as('expansions') })
    .from(t)
    .where(and(plan.conditions, window))
    .orderBy(pageOrderBy(page, 'desc', sql`"rank"`, t.id))
    .limit(page.limit + 1);
  return rows.map(({ rank: r, expansions, ...row }) => ({ ...row, search: { query, rank: Number(r), expansions: expansions ?? [] } }));
}

export async function countPolicyInterpretations(db: DbOrTx, viewer: Viewer, filter: PolicyInterpretationFilter): Promise<number> {
  const plan = listPlan(viewer, filter);
  if (plan.empty) return 0;
  const [row] = await db.select({ n: count() }).from(policyInterpretationsTable).where(plan.conditions);
  return row?.n ?? 0;
}

/** Source documents of many interpretations, in their given order. Callers only pass interpretations they may read. */
export async function loadSourcesByInterpretationIds(db: DbOrTx, interpretationIds: readonly number[]): Promise<PolicySourceRow[]> {
  return db
    .select()
    .from(policySourcesTable)
    .where(inArray(policySourcesTable.interpretationId, [...interpretationIds]))
    .orderBy(asc(policySourcesTable.interpretationId), asc(policySourcesTable.position));
}

/** The newest revisions listed per interpretation: a nested list is capped like every list (older ones stay stored). */
export const MAX_REVISIONS_LISTED = 50;

/**
 * Revisions of many interpretations, newest first (at most MAX_REVISIONS_LISTED each); only of interpretations whose
 * drafts the viewer reads (the regulator any, an association's staff their association's).
 */
export async function loadRevisionsByInterpretationIds(db: DbOrTx, viewer: Viewer, interpretationIds: readonly number[]): Promise<PolicyRevisionRow[]> {
  const scope = policyInterpretationScope(viewer);
  if (scope.kind === 'published') return [];
  const r = policyRevisionsTable;
  const i = policyInterpretationsTable;
  const ids =
    scope.kind === 'all'
      ? [...interpretationIds]
      : sql`(select ${i.id} from ${i} where ${and(inArray(i.id, [...interpretationIds]), eq(i.associationId, scope.associationId))})`;
  const ranked = db
    .select({
      id: r.id,
      rank: sql<number>`row_number() over (partition by ${r.interpretationId} order by ${r.revision} desc)`.as('rank'),
    })
    .from(r)
    .where(inArray(r.interpretationId, ids))
    .as('ranked');
  const rows = await db
    .select({ revision: r })
    .from(r)
    .innerJoin(ranked, eq(ranked.id, r.id))
    .where(sql`${ranked.rank} <= ${MAX_REVISIONS_LISTED}`)
    .orderBy(asc(r.interpretationId), desc(r.revision));
  return rows.map((row) => row.revision);
}

// ---------------------------------------------------------------------------------------------------- content checks

export interface PolicySourceInput {
  title: string;
  documentNumber?: string | null;
  issuer?: string | null;
  documentType?: PolicyDocumentType | null;
  issuedOn?: string | null;
  effectiveOn?: string | null;
  validity?: PolicyDocumentValidity | null;
}

export interface PolicyQaInput {
  question: string;
  answer: string;
  sourceArticle?: string | null;
}

export interface PolicyContentInput {
  title?: string | null;
  summary?: string | null;
  body?: string | null;
  audience?: PolicyAudience | null;
  tags?: string[] | null;
  /** The contract's single source document; `sources` takes several. Give one or the other. */
  source?: PolicySourceInput | null;
  sources?: PolicySourceInput[] | null;
  qa?: PolicyQaInput[] | null;
}

type Content = PolicyRevisionSnapshot;

function checkSource(errors: ErrorCollector, input: PolicySourceInput, field: string[], today: string): PolicySourceSnapshot {
  const title = cleanText(errors, input.title, { field: [...field, 'title'], max: LIMITS.sourceTitle, required: true, labelZh: '文件标题', labelEn: 'source title' });
  const issuer = cleanText(errors, input.issuer, { field: [...field, 'issuer'], max: LIMITS.issuer, labelZh: '发文机关', labelEn: 'issuer' });
  let documentNumber = cleanText(errors, input.documentNumber, {
    field: [...field, 'documentNumber'],
    max: LIMITS.documentNumber,
    labelZh: '发文字号',
    labelEn: 'documentNumber',
  });
  if (documentNumber && !hasControlCharacters(documentNumber) && [...documentNumber].length <= LIMITS.documentNumber) {
    documentNumber = normalizeDocumentNumber(documentNumber);
    if (!isValidDocumentNumber(documentNumber, today)) {
      errors.add('INVALID', [...field, 'documentNumber'], {
        zh: '发文字号格式无效，应如“证监会公告〔2013〕17号”“证监会令第130号”“主席令第三十七号”或“JR/T 0158—2018”',
        en: 'documentNumber is not a document number such as 证监会公告〔2013〕17号, 证监会令第130号, 主席令第三十七号 or JR/T 0158—2018',
      });
    }
  }
  const issuedOn = input.issuedOn ?? null;
  const effectiveOn = input.effectiveOn ?? null;
  if (issuedOn && effectiveOn && effectiveOn < issuedOn) {
    errors.add('INVALID', [...field, 'effectiveOn'], { zh: '施行日期不能早于发文日期', en: 'effectiveOn cannot be before issuedOn' });
  }
  return {
    title: title ?? '',
    documentNumber: documentNumber ?? null,
    issuer: issuer ?? null,
    documentType: input.documentType ?? null,
    issuedOn,
    effectiveOn,
    validity: input.validity ?? null,
  };
}

function checkTags(errors: ErrorCollector, tags: string[]): string[] {
  if (tags.length > LIMITS.tags) {
    errors.add('TOO_LONG', ['input', 'tags'], { zh: `标签最多 ${LIMITS.tags} 个`, en: `At most ${LIMITS.tags} tags` });
    return [];
  }
  const out: string[] = [];
  tags.forEach((raw, i) => {
    const tag = cleanText(errors, normalizeTag(raw), { field: ['input', 'tags', String(i)], max: LIMITS.tag, required: true, labelZh: '标签', labelEn: 'tag' });
    if (tag && !out.includes(tag)) out.push(tag);
  });
  return out;
}

function checkQa(errors: ErrorCollector, items: PolicyQaInput[]): PolicyQa[] {
  if (items.length > LIMITS.qa) {
    errors.add('TOO_LONG', ['input', 'qa'], { zh: `问答最多 ${LIMITS.qa} 条`, en: `At most ${LIMITS.qa} Q&A items` });
    return [];
  }
  return items.map((item, i) => {
    const field = ['input', 'qa', String(i)];
    return {
      question: cleanText(errors, item.question, { field: [...field, 'question'], max: LIMITS.question, required: true, multiline: true, labelZh: '问题', labelEn: 'question' }) ?? '',
      answer: cleanText(errors, item.answer, { field: [...field, 'answer'], max: LIMITS.answer, required: true, multiline: true, labelZh: '解答', labelEn: 'answer' }) ?? '',
      sourceArticle: cleanText(errors, item.sourceArticle, { field: [...field, 'sourceArticle'], max: LIMITS.sourceArticle, labelZh: '依据条款', labelEn: 'sourceArticle' }) ?? null,
    };
  });
}

/**
 * Cleans and checks the content fields given; `creating` makes title, summary, body and audience required.
 * Every problem is reported at once; nothing is returned when there is one.
 */
function checkContent(input: PolicyContentInput, creating: boolean, today: string): Partial<Content> {
  const errors = new ErrorCollector();
  const out: Partial<Content> = {};
  const text = (key: 'title' | 'summary' | 'body', max: number, multiline: boolean, labelZh: string) => {
    if (!creating && input[key] === undefined) return;
    const value = cleanText(errors, input[key] ?? '', { field: ['input', key], max, required: true, multiline, labelZh, labelEn: key });
    if (value) out[key] = value;
  };
  text('title', LIMITS.title, false, '标题');
  text('summary', LIMITS.summary, true, '摘要');
  text('body', LIMITS.body, true, '正文');
  if (input.audience) out.audience = input.audience;
  else if (creating || input.audience === null) errors.add('REQUIRED', ['input', 'audience'], { zh: '阅读范围不能为空', en: 'audience is required' });
  if (input.tags !== undefined) out.tags = checkTags(errors, input.tags ?? []);
  else if (creating) out.tags = [];
  if (input.qa !== undefined) out.qa = checkQa(errors, input.qa ?? []);
  else if (creating) out.qa = [];
  if (input.source != null && input.sources != null) {
    errors.add('INVALID', ['input', 'sources'], { zh: 'source 与 sources 只能给出其一', en: 'Give either source or sources, not both' });
  } else if (input.sources != null) {
    if (input.sources.length > LIMITS.sources) {
      errors.add('TOO_LONG', ['input', 'sources'], { zh: `依据文件最多 ${LIMITS.sources} 个`, en: `At most ${LIMITS.sources} source documents` });
    } else out.sources = input.sources.map((s, i) => checkSource(errors, s, ['input', 'sources', String(i)], today));
  } else if (input.source != null) {
    out.sources = [checkSource(errors, input.source, ['input', 'source'], today)];
  } else if (creating || input.source === null || input.sources === null) {
    out.sources = [];
  }
  errors.throwIfAny();
  return out;
}

/** An interpretation's content as the columns that store it, its search vector included (create, revise, seed). */
export function contentColumns(content: Content) {
  return {
    title: content.title,
    summary: content.summary,
    body: content.body,
    audience: content.audience,
    tags: content.tags,
    qa: content.qa,
    searchVector: sql`${searchVectorOf(content)}::tsvector` as unknown as string,
  };
}

/** The tsvector literal of an interpretation's content: title A, summary and tags B, source documents C, body and Q&A D. */
export function searchVectorOf(content: Content): string {
  return buildSearchVector([
    { text: content.title, weight: 'A' },
    { text: content.summary, weight: 'B' },
    { text: content.tags.join('\n'), weight: 'B' },
    ...content.sources.map((s) => ({ text: [s.title, s.documentNumber, s.issuer].filter(Boolean).join('\n'), weight: 'C' as const })),
    { text: content.body, weight: 'D' },
    ...content.qa.map((q) => ({ text: `${q.question}\n${q.answer}`, weight: 'D' as const })),
  ]);
}

function sourceRows(interpretationId: number, sources: PolicySourceSnapshot[]) {
  return sources.map((s, position) => ({ ...s, interpretationId, position }));
}

function snapshotOfSource(row: PolicySourceRow): PolicySourceSnapshot {
  const { title, documentNumber, issuer, documentType, issuedOn, effectiveOn, validity } = row;
  return { title, documentNumber, issuer, documentType, issuedOn, effectiveOn, validity };
}

/** JSON with object keys sorted: jsonb hands keys back in its own order, so plain JSON.stringify cannot compare. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

// ---------------------------------------------------------------------------------------------------- edits

const NOT_FOUND = { zh: '政策解读不存在', en: 'Policy interpretation not found' };

/** The interpretation, locked, if the actor may edit it; another association's looks exactly like a missing one. */
async function lockInterpretation(tx: DbOrTx, actor: Viewer, id: number | null): Promise<PolicyInterpretation> {
  const [row] =
    id === null
      ? []
      : await tx
          .select(interpretationColumns)
          .from(policyInterpretationsTable)
          .where(and(eq(policyInterpretationsTable.id, id), writableCondition(policyInterpretationScope(actor))))
          .for('update');
  if (!row) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND);
  return row;
}

export interface CreatePolicyInterpretationInput extends PolicyContentInput {
  title: string;
  summary: string;
  body: string;
  audience: PolicyAudience;
}

/** A new draft, revision 1. */
export async function createPolicyInterpretation(db: DbOrTx, actor: Viewer, input: CreatePolicyInterpretationInput): Promise<PolicyInterpretation> {
  const content = checkContent(input, true, todayInShanghai()) as Content;
  return runInTransaction(db, async (tx) => {
    const [row] = await tx
      .insert(policyInterpretationsTable)
      .values({ ...contentColumns(content), associationId: associationOfNewInterpretation(actor), status: 'DRAFT', revision: 1 })
      .returning(interpretationColumns);
    if (content.sources.length > 0) await tx.insert(policySourcesTable).values(sourceRows(row!.id, content.sources));
    await tx.insert(policyRevisionsTable).values({ interpretationId: row!.id, revision: 1, content, actorSub: actor.subject, actorRole: actor.role });
    await recordAudit(tx, actor, { action: 'policy_interpretation.create', entityType: 'PolicyInterpretation', entityId: row!.id, after: { ...row, sources: content.sources } });
    return row!;
  });
}

export interface UpdatePolicyInterpretationInput extends PolicyContentInput {
  /** When given, the edit applies only if this is still the current revision (no lost updates). */
  expectedRevision?: number | null;
  note?: string | null;
}

/** Saves an edit as the next revision; the earlier revisions stay. An edit that changes nothing saves nothing. */
export async function updatePolicyInterpretation(db: DbOrTx, actor: Viewer, id: number | null, input: UpdatePolicyInterpretationInput): Promise<PolicyInterpretation> {
  const noteErrors = new ErrorCollector();
  const note = cleanText(noteErrors, input.note, { field: ['input', 'note'], max: LIMITS.note, labelZh: '修订说明', labelEn: 'note' });
  let changes: Partial<Content>;
  try {
    changes = checkContent(input, false, todayInShanghai());
  } catch (error) {
    if (error instanceof DomainError) throw new DomainError([...noteErrors.errors, ...error.errors]);
    throw error;
  }
  noteErrors.throwIfAny();
  return runInTransaction(db, async (tx) => {
    const before = await lockInterpretation(tx, actor, id);
    if (before.status === 'ARCHIVED') {
      throw new DomainError('INVALID_STATE', ['input', 'id'], { zh: '已归档的政策解读不能修改', en: 'An archived interpretation cannot be edited' });
    }
    if (input.expectedRevision != null && input.expectedRevision !== before.revision) {
      throw new DomainError('INVALID_STATE', ['input', 'expectedRevision'], {
        zh: `该政策解读已更新到第 ${before.revision} 版，请在最新版本上修改`,
        en: `The interpretation is now at revision ${before.revision}; edit the latest revision`,
      });
    }
    const currentSources = (await tx
      .select()
      .from(policySourcesTable)
      .where(eq(policySourcesTable.interpretationId, before.id))
      .orderBy(asc(policySourcesTable.position))).map(snapshotOfSource);
    const current: Content = {
      title: before.title,
      summary: before.summary,
      body: before.body,
      audience: before.audience,
      tags: before.tags,
      qa: before.qa,
      sources: currentSources,
    };
    const next: Content = { ...current, ...changes };
    if (canonicalJson(next) === canonicalJson(current)) return before;
    const revision = before.revision + 1;
    const [after] = await tx
      .update(policyInterpretationsTable)
      .set({ ...contentColumns(next), revision, updatedAt: sql`now()` })
      .where(eq(policyInterpretationsTable.id, before.id))
      .returning(interpretationColumns);
    if (changes.sources) {
      await tx.delete(policySourcesTable).where(eq(policySourcesTable.interpretationId, before.id));
      if (next.sources.length > 0) await tx.insert(policySourcesTable).values(sourceRows(before.id, next.sources));
    }
    await tx.insert(policyRevisionsTable).values({ interpretationId: before.id, revision, content: next, note: note ?? null, actorSub: actor.subject, actorRole: actor.role });
    await recordAudit(tx, actor, {
      action: 'policy_interpretation.update',
      entityType: 'PolicyInterpretation',
      entityId: before.id,
      before: { revision: before.revision },
      after: { revision, note: note ?? null },
    });
    return after!;
  });
}

/** DRAFT → PUBLISHED: readers of its audience see it from now on. */
export async function publishPolicyInterpretation(db: DbOrTx, actor: Viewer, id: number | null): Promise<PolicyInterpretation> {
  return runInTransaction(db, async (tx) => {
    const before = await lockInterpretation(tx, actor, id);
    if (before.status !== 'DRAFT') {
      throw new DomainError('INVALID_STATE', ['input', 'id'], {
        zh: before.status === 'PUBLISHED' ? '该政策解读已发布' : '已归档的政策解读不能发布',
        en: before.status === 'PUBLISHED' ? 'The interpretation is already published' : 'An archived interpretation cannot be published',
      });
    }
    const [after] = await tx
      .update(policyInterpretationsTable)
      .set({ status: 'PUBLISHED', publishedAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(policyInterpretationsTable.id, before.id))
      .returning(interpretationColumns);
    await recordAudit(tx, actor, {
      action: 'policy_interpretation.publish',
      entityType: 'PolicyInterpretation',
      entityId: before.id,
      before: { status: before.status },
      after: { status: after!.status, revision: after!.revision, publishedAt: after!.publishedAt },
    });
    return after!;
  });
}

/** DRAFT or PUBLISHED → ARCHIVED: gone from every list; its page stays for those who could read it. */
export async function archivePolicyInterpretation(db: DbOrTx, actor: Viewer, id: number | null): Promise<PolicyInterpretation> {
  return runInTransaction(db, async (tx) => {
    const before = await lockInterpretation(tx, actor, id);
    if (before.status === 'ARCHIVED') {
      throw new DomainError('INVALID_STATE', ['input', 'id'], { zh: '该政策解读已归档', en: 'The interpretation is already archived' });
    }
    const [after] = await tx
      .update(policyInterpretationsTable)
      .set({ status: 'ARCHIVED', archivedAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(policyInterpretationsTable.id, before.id))
      .returning(interpretationColumns);
    await recordAudit(tx, actor, {
      action: 'policy_interpretation.archive',
      entityType: 'PolicyInterpretation',
      entityId: before.id,
      before: { status: before.status },
      after: { status: after!.status },
    });
    return after!;
  });
}
