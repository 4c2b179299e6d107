// Business rules of the dual-zone suggestions: campaigns, exactly-once submission, and the
// review → forward → response status machine, each change with its events, audit entry and outbox event.
import { createHash } from 'node:crypto';
import { and, asc, count, eq, getTableColumns, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { auditEntriesFrom, recordAudit } from '../audit/audit.service.js';
import { activeMemberOf, scopeCondition, suggestionCampaignScope, suggestionScope } from '../auth/policy.js';
import { isMember, staffAssociationOf, type Viewer } from '../auth/viewer.js';
import { ASSOCIATION_CODES, ASSOCIATION_IDS, associationsTable, primaryAssociationOf, type AssociationCode } from '../associations/associations.table.js';
import type { DbOrTx } from '../db/client.js';
import { runInTransaction } from '../db/transaction.js';
import { columnList, preparedStatement, rowAsJson } from '../db/sql/index.js';
import { DomainError, ErrorCollector, isUniqueViolation, type UserErrorShape } from '../errors.js';
import { encodeGlobalId, globalIdSql } from '../global-id.js';
import { pageCondition, pageOrderBy, type PageRequest } from '../db/page.js';
import { membershipsTable, organizationsTable, type OrganizationRow } from '../members/members.table.js';
import { enqueueEvent, outboxEventsFrom } from '../outbox/outbox.service.js';
import { cleanText } from '../text.js';
import { recordDataAccess } from '../data-access/data-access.service.js';
import { todayInShanghai } from '../time.js';
import {
  MAX_BODY_LENGTH,
  MAX_TITLE_LENGTH,
  suggestionCampaignsTable,
  suggestionEventsTable,
  suggestionForwardBatchesTable,
  suggestionReferenceCountersTable,
  suggestionsTable,
  type GovernmentRecipient,
  type ResponseOutcome,
  type SuggestionCampaignRow,
  type SuggestionEventRow,
  type SuggestionForwardBatchRow,
  type SuggestionRow,
  type SuggestionStatus,
  type SuggestionTopic,
} from './suggestions.table.js';

export { MAX_BODY_LENGTH, MAX_TITLE_LENGTH };
export const MAX_NOTE_LENGTH = 2_000;
export const MAX_RESPONSE_LENGTH = 10_000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;
export const MAX_FORWARD_BATCH = 100;

// ---------------------------------------------------------------- the status machine

/** Every allowed move. A review may also start straight from SUBMITTED (see movePath). */
const moves: Record<SuggestionStatus, readonly SuggestionStatus[]> = {
  SUBMITTED: ['UNDER_REVIEW', 'WITHDRAWN'],
  UNDER_REVIEW: ['ACCEPTED', 'REJECTED'],
  ACCEPTED: ['FORWARDED'],
  REJECTED: [],
  FORWARDED: ['RESPONDED'],
  RESPONDED: [],
  WITHDRAWN: [],
};

/**
 * The statuses a suggestion passes through to get from `from` to `to`: the move itself, or
 * UNDER_REVIEW then the decision when a review decision is taken on a SUBMITTED suggestion.
 * Null when the move is not allowed.
 */
export function movePath(from: SuggestionStatus, to: SuggestionStatus): SuggestionStatus[] | null {
  if (moves[from].includes(to)) return [to];
  if (from === 'SUBMITTED' && moves.UNDER_REVIEW.includes(to)) return ['UNDER_REVIEW', to];
  return null;
}

const statusZh: Record<SuggestionStatus, string> = {
  SUBMITTED: '已提交',
  UNDER_REVIEW: '审核中',
  ACCEPTED: '已采纳待报送',
  REJECTED: '未采纳',
  FORWARDED: '已报送',
  RESPONDED: '已反馈',
  WITHDRAWN: '已撤回',
};

function requirePath(row: SuggestionRow, to: SuggestionStatus, field: string[]): SuggestionStatus[] {
  const path = movePath(row.status, to);
  if (!path) {
    throw new DomainError('INVALID_STATE', field, {
      zh: `建议当前状态为“${statusZh[row.status]}”，不能变为“${statusZh[to]}”`,
      en: `The suggestion is ${row.status}; it cannot move to ${to}`,
    });
  }
  return path;
}

// ---------------------------------------------------------------- the campaign rule

/**
 * A campaign accepts submissions from the day it is issued through its deadline (Asia/Shanghai days), from the kinds
 * of organization it invites. One rule for the open-only filter, visibility, the submission statement and
 * isCampaignOpen; `today` is a date value or a placeholder.
 */
function campaignOpenOn(today: string | SQL): SQL {
  return sql`${suggestionCampaignsTable.issuedOn} <= ${today}::date and ${suggestionCampaignsTable.deadline} >= ${today}::date`;
}

function campaignInvites(kind: SQL | PgColumn): SQL {
  return sql`${kind} = any(${suggestionCampaignsTable.invitedKinds})`;
}

/** campaignOpenOn for a campaign already read. */
export function isCampaignOpen(campaign: SuggestionCampaignRow, today = todayInShanghai()): boolean {
  return campaign.issuedOn <= today && today <= campaign.deadline;
}

// ---------------------------------------------------------------- visibility

/** The viewer's row filter on suggestions, from the one policy function: by organization or by association. */
function visibleSuggestions(viewer: Viewer): SQL | undefined {
  return scopeCondition(suggestionScope(viewer), { organization: suggestionsTable.organizationId, association: suggestionsTable.associationId });
}

/**
 * Campaigns the viewer may see (suggestionCampaignScope): the regulator all; an association's staff their
 * association's; a member the issued campaigns of associations it is an active member of, addressed to its kind.
 */
function visibleCampaigns(viewer: Viewer, today: string): SQL | undefined {
  const scope = suggestionCampaignScope(viewer);
  if (scope.kind === 'all') return undefined;
  if (scope.kind === 'none') return sql`false`;
  if (scope.kind === 'association') return eq(suggestionCampaignsTable.associationId, scope.associationId);
  return and(
    sql`${suggestionCampaignsTable.issuedOn} <= ${today}::date`,
    campaignInvites(sql`(select ${organizationsTable.kind} from ${organizationsTable} where ${organizationsTable.id} = ${scope.organizationId})`),
    activeMemberOf(sql`${scope.organizationId}`, suggestionCampaignsTable.associationId),
  );
}

// ---------------------------------------------------------------- reading suggestions

export interface SuggestionFilter {
  status?: SuggestionStatus | null;
  topic?: SuggestionTopic | null;
  /** undefined: any; null: an unparseable id (matches nothing). */
  campaignId?: number | null;
}

function suggestionConditions(viewer: Viewer, filter: SuggestionFilter): SQL | undefined {
  return and(
    visibleSuggestions(viewer),
    filter.status ? eq(suggestionsTable.status, filter.status) : undefined,
    filter.topic ? eq(suggestionsTable.topic, filter.topic) : undefined,
    filter.campaignId === undefined ? undefined : filter.campaignId === null ? sql`false` : eq(suggestionsTable.campaignId, filter.campaignId),
  );
}

/**
 * Suggestions carry what members told their association: a read of some by the regulator or a service account is
 * recorded in the read audit (once per page or loader batch; no statement for anyone else, or when none was read).
 */
async function recordSuggestionsRead(db: DbOrTx, viewer: Viewer, resource: string, rows: readonly SuggestionRow[]): Promise<void> {
  if (rows.length === 0) return;
  await recordDataAccess(db, viewer, { resource, details: { suggestions: rows.slice(0, 100).map((r) => r.id), rows: rows.length } });
}

export async function listSuggestions(db: DbOrTx, viewer: Viewer, filter: SuggestionFilter, page: PageRequest): Promise<SuggestionRow[]> {
  const rows = await db
    .select()
    .from(suggestionsTable)
    .where(and(suggestionConditions(viewer, filter), pageCondition(page, suggestionsTable.id)))
    .orderBy(pageOrderBy(page, 'asc', suggestionsTable.id))
    .limit(page.limit + 1);
  await recordSuggestionsRead(db, viewer, 'suggestions', rows.slice(0, page.limit));
  return rows;
}

export async function countSuggestions(db: DbOrTx, viewer: Viewer, filter: SuggestionFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(suggestionsTable).where(suggestionConditions(viewer, filter));
  return row?.n ?? 0;
}

/** Suggestions by id, only those the viewer may see (hidden ones are never fetched). */
export async function loadSuggestionsByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<SuggestionRow[]> {
  const rows = await db
    .select()
    .from(suggestionsTable)
    .where(and(inArray(suggestionsTable.id, [...ids]), visibleSuggestions(viewer)));
  await recordSuggestionsRead(db, viewer, 'Suggestion', rows);
  return rows;
}

/** One page of visible suggestions for each of many organizations, in one statement. */
export async function listSuggestionsOfOrganizations(
  db: DbOrTx,
  viewer: Viewer,
  organizationIds: readonly number[],
  filter: SuggestionFilter,
  page: PageRequest,
): Promise<SuggestionRow[]> {
  const ranked = db
    .select({
      id: suggestionsTable.id,
      rank: sql<number>`row_number() over (partition by ${suggestionsTable.organizationId} order by ${pageOrderBy(page, 'asc', suggestionsTable.id)})`.as('rank'),
    })
    .from(suggestionsTable)
    .where(
      and(
        inArray(suggestionsTable.organizationId, [...organizationIds]),
        suggestionConditions(viewer, filter),
        pageCondition(page, suggestionsTable.id),
      ),
    )
    .as('ranked');
  const rows = await db
    .select({ suggestion: suggestionsTable })
    .from(suggestionsTable)
    .innerJoin(ranked, eq(ranked.id, suggestionsTable.id))
    .where(sql`${ranked.rank} <= ${page.limit + 1}`)
    .orderBy(pageOrderBy(page, 'asc', suggestionsTable.id));
  const suggestions = rows.map((r) => r.suggestion);
  await recordSuggestionsRead(db, viewer, 'Organization.suggestions', suggestions);
  return suggestions;
}

export async function countSuggestionsOfOrganizations(
  db: DbOrTx,
  viewer: Viewer,
  organizationIds: readonly number[],
  filter: SuggestionFilter,
): Promise<Map<number, number>> {
  const rows = await db
    .select({ organizationId: suggestionsTable.organizationId, n: count() })
    .from(suggestionsTable)
    .where(and(inArray(suggestionsTable.organizationId, [...organizationIds]), suggestionConditions(viewer, filter)))
    .groupBy(suggestionsTable.organizationId);
  return new Map(rows.map((r) => [r.organizationId, r.n]));
}

/** Status history of suggestions the caller has already shown to be visible, oldest first. */
export async function loadEventsBySuggestionIds(db: DbOrTx, suggestionIds: readonly number[]): Promise<SuggestionEventRow[]> {
  return db
    .select()
    .from(suggestionEventsTable)
    .where(inArray(suggestionEventsTable.suggestionId, [...suggestionIds]))
    .orderBy(asc(suggestionEventsTable.id));
}

export async function loadForwardBatchesByIds(db: DbOrTx, ids: readonly number[]): Promise<SuggestionForwardBatchRow[]> {
  return db.select().from(suggestionForwardBatchesTable).where(inArray(suggestionForwardBatchesTable.id, [...ids]));
}

const submittedDay = sql`(${suggestionsTable.submittedAt} at time zone 'Asia/Shanghai')::date`;

/**
 * Counts by topic and status of the suggestions the viewer may see submitted between two Shanghai calendar days
 * (inclusive), in SQL.
 */
/**
 * Suggestions the viewer may see, counted by the association they were submitted to, topic and status (staff see one
 * association's; the regulator every association's, each its own rows).
 */
export async function suggestionSummary(db: DbOrTx, viewer: Viewer, range: { from?: string | null; to?: string | null }) {
  const day = submittedDay;
  const rows = await db
    .select({ associationId: suggestionsTable.associationId, topic: suggestionsTable.topic, status: suggestionsTable.status, count: count() })
    .from(suggestionsTable)
    .where(
      and(
        visibleSuggestions(viewer),
        range.from ? sql`${day} >= ${range.from}::date` : undefined,
        range.to ? sql`${day} <= ${range.to}::date` : undefined,
      ),
    )
    .groupBy(suggestionsTable.associationId, suggestionsTable.topic, suggestionsTable.status)
    .orderBy(asc(suggestionsTable.associationId), asc(suggestionsTable.topic), asc(suggestionsTable.status));
  return rows.map(({ associationId, ...row }) => ({ associationCode: ASSOCIATION_CODES[associationId]!, ...row }));
}

/** One row of the suggestions CSV export. */
export type SuggestionExportRow = Awaited<ReturnType<typeof exportSuggestionBatch>>[number];

/**
 * One keyset batch of the CSV export: the suggestions the viewer may see submitted between two Shanghai days
 * (inclusive, the same days as suggestionSummary) with id > afterId, in id order, with organization, campaign and
 * forwarding batch. The export repeats it until a batch comes back short, so memory stays one batch.
 */
export async function exportSuggestionBatch(db: DbOrTx, viewer: Viewer, range: { from: string; to: string }, afterId: number, limit: number) {
  return db
    .select({
      id: suggestionsTable.id,
      submittedAt: suggestionsTable.submittedAt,
      organizationId: suggestionsTable.organizationId,
      /** The association it was submitted to (ASSOCIATION_CODES gives its code). */
      associationId: suggestionsTable.associationId,
      organizationName: organizationsTable.name,
      organizationCreditCode: organizationsTable.creditCode,
      organizationKind: organizationsTable.kind,
      topic: suggestionsTable.topic,
      status: suggestionsTable.status,
      title: suggestionsTable.title,
      body: suggestionsTable.body,
      campaignDocumentNumber: suggestionCampaignsTable.documentNumber,
      reviewNote: suggestionsTable.reviewNote,
      referenceNumber: suggestionForwardBatchesTable.referenceNumber,
      recipient: suggestionForwardBatchesTable.recipient,
      forwardedAt: suggestionForwardBatchesTable.forwardedAt,
      responseOutcome: suggestionsTable.responseOutcome,
      respondedAt: suggestionsTable.respondedAt,
      response: suggestionsTable.response,
      updatedAt: suggestionsTable.updatedAt,
    })
    .from(suggestionsTable)
    .innerJoin(organizationsTable, eq(organizationsTable.id, suggestionsTable.organizationId))
    .leftJoin(suggestionCampaignsTable, eq(suggestionCampaignsTable.id, suggestionsTable.campaignId))
    .leftJoin(suggestionForwardBatchesTable, eq(suggestionForwardBatchesTable.id, suggestionsTable.forwardBatchId))
    .where(
      and(
        visibleSuggestions(viewer),
        sql`${submittedDay} >= ${range.from}::date`,
        sql`${submittedDay} <= ${range.to}::date`,
        gt(suggestionsTable.id, afterId),
      ),
    )
    .orderBy(asc(suggestionsTable.id))
    .limit(limit);
}

// ---------------------------------------------------------------- campaigns

export interface CampaignFilter {
  /** Only campaigns accepting submissions today. */
  openOnly?: boolean | null;
}

function campaignConditions(viewer: Viewer, filter: CampaignFilter, today: string): SQL | undefined {
  return and(
    visibleCampaigns(viewer, today),
    filter.openOnly ? campaignOpenOn(today) : undefined,
  );
}

export async function listCampaigns(db: DbOrTx, viewer: Viewer, filter: CampaignFilter, page: PageRequest, today = todayInShanghai()) {
  return db
    .select()
    .from(suggestionCampaignsTable)
    .where(and(campaignConditions(viewer, filter, today), pageCondition(page, suggestionCampaignsTable.id)))
    .orderBy(pageOrderBy(page, 'asc', suggestionCampaignsTable.id))
    .limit(page.limit + 1);
}

export async function countCampaigns(db: DbOrTx, viewer: Viewer, filter: CampaignFilter, today = todayInShanghai()): Promise<number> {
  const [row] = await db.select({ n: count() }).from(suggestionCampaignsTable).where(campaignConditions(viewer, filter, today));
  return row?.n ?? 0;
}

export async function loadCampaignsByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[], today = todayInShanghai()): Promise<SuggestionCampaignRow[]> {
  return db
    .select()
    .from(suggestionCampaignsTable)
    .where(and(inArray(suggestionCampaignsTable.id, [...ids]), visibleCampaigns(viewer, today)));
}

export interface CreateCampaignInput {
  title: string;
  description?: string | null;
  documentNumber: string;
  topics: SuggestionTopic[];
  invitedKinds: OrganizationRow['kind'][];
  issuedOn?: string | null;
  deadline: string;
}

export async function createCampaign(db: DbOrTx, actor: Viewer, input: CreateCampaignInput): Promise<SuggestionCampaignRow> {
  const today = todayInShanghai();
  const errors = new ErrorCollector();
  const title = cleanText(errors, input.title, { field: ['input', 'title'], max: MAX_TITLE_LENGTH, required: true, labelZh: '标题', labelEn: 'title' });
  const description = cleanText(errors, input.description, { field: ['input', 'description'], max: MAX_BODY_LENGTH, multiline: true, labelZh: '说明', labelEn: 'description' });
  const documentNumber = cleanText(errors, input.documentNumber, { field: ['input', 'documentNumber'], max: 50, required: true, labelZh: '文号', labelEn: 'documentNumber' });
  const topics = [...new Set(input.topics)];
  if (topics.length === 0) errors.add('REQUIRED', ['input', 'topics'], { zh: '至少选择一个议题', en: 'topics must name at least one topic' });
  const invitedKinds = [...new Set(input.invitedKinds)];
  if (invitedKinds.length === 0) {
    errors.add('REQUIRED', ['input', 'invitedKinds'], { zh: '至少选择一类征集对象', en: 'invitedKinds must name at least one kind of organization' });
  }
  const issuedOn = input.issuedOn ?? today;
  // The campaign is the issuing staff's association's.
  const associationId = staffAssociationOf(actor);
  if (associationId === null) {
    throw new DomainError('NOT_FOUND', null, { zh: '只有协会工作人员可以发布征集通知', en: 'Only an association\'s staff issue campaigns' });
  }
  if (input.deadline < issuedOn) errors.add('INVALID', ['input', 'deadline'], { zh: '截止日期不能早于发布日期', en: 'deadline cannot be before issuedOn' });
  else if (input.deadline < today) errors.add('INVALID', ['input', 'deadline'], { zh: '截止日期不能早于今天', en: 'deadline cannot be in the past' });
  errors.throwIfAny();
  try {
    return await runInTransaction(db, async (tx) => {
      const [row] = await tx
        .insert(suggestionCampaignsTable)
        .values({ associationId, title: title!, description: description ?? null, documentNumber: documentNumber!, topics, invitedKinds, issuedOn, deadline: input.deadline })
        .returning();
      await recordAudit(tx, actor, { action: 'suggestionCampaign.create', entityType: 'SuggestionCampaign', entityId: row!.id, after: row });
      return row!;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'suggestion_campaigns_document_number_key')) {
      throw new DomainError('DUPLICATE', ['input', 'documentNumber'], { zh: '已有相同文号的征集通知', en: 'Another campaign already has this documentNumber' });
    }
    throw error;
  }
}

// ---------------------------------------------------------------- submitting, exactly once

export interface SubmitSuggestionInput {
  topic: SuggestionTopic;
  title: string;
  body: string;
  idempotencyKey?: string | null;
  /** undefined: not under a campaign; null: an id that does not parse (NOT_FOUND). */
  campaignId?: number | null;
  /**
   * The association it is submitted to; one the organization is an active member of (else NOT_A_MEMBER). Absent: the
   * campaign's association when answering a campaign, otherwise the organization's first association.
   */
  association?: AssociationCode | null;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7E]+$/;

/**
 * sha256 of the input as it is stored (trimmed), so a retry of the same request always matches. The association joins
 * only when it is not the one the input would get anyway (a campaign's, or the organization's first), so fingerprints
 * taken before several associations still match their retries.
 */
export function inputFingerprint(input: { topic: string; title: string; body: string; campaignId: number | null; associationId?: number | null }): string {
  const material: unknown[] = [input.topic, input.title.normalize('NFC'), input.body.normalize('NFC'), input.campaignId];
  if (input.associationId != null) material.push(input.associationId);
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

export interface SubmitResult {
  suggestion: SuggestionRow;
  /** True when an earlier submission with the same key and input was returned instead. */
  replayed: boolean;
}

/**
 * Submits a suggestion for the viewer's own organization.
 *
 * The write is ONE statement (so one transaction): data-modifying CTEs insert the suggestion with
 * `on conflict (organization_id, idempotency_key) do nothing`, and, only for a row actually inserted,
 * its SUBMITTED event, the audit entry and the outbox event. The campaign rules (invited kind, issued,
 * deadline, topic) are a condition of the same insert. When nothing was inserted, a second statement
 * (a fresh snapshot, after any racing insert has committed) reads the row that holds the key: same
 * fingerprint → that first suggestion, otherwise IDEMPOTENCY_KEY_REUSED. The unique index, not a
 * check-then-insert, is what makes racing duplicates produce one row.
 */
type SubmitValues = {
  organizationId: number;
  /**
   * Outside a campaign: the association it goes to. Within one: the association the input named (the campaign's must
   * be the same), or null (the campaign's).
   */
  associationId: number | null;
  organizationGid: string;
  campaignId: number | null;
  campaignGid: string | null;
  topic: SuggestionTopic;
  title: string;
  body: string;
  key: string | null;
  fingerprint: string | null;
  today: string;
  actorSub: string;
  actorRole: string;
};

/**
 * A submission in one statement: the suggestion (unless the key was used before, the organization is not an active
 * member of the association, or the campaign refuses), its first event, the audit entry and the outbox event. Prepared
 * (rendered once), in two forms: within a campaign, which must be open, invite the organization's kind, take the topic
 * and belong to the association named (if any), the suggestion going to the campaign's association; or outside any, to
 * the association given.
 */
function submitStatement(withCampaign: boolean) {
  return preparedStatement<SubmitValues>(() => {
    const v = (name: keyof SubmitValues): SQL => sql`${sql.placeholder(name)}`;
    const s = suggestionsTable;
    const c = suggestionCampaignsTable;
    const o = organizationsTable;
    const values = (association: SQL | PgColumn) =>
      sql`${v('organizationId')}::integer, ${association}, ${v('campaignId')}::integer, ${v('topic')}::suggestion_topic, ${v('title')}::text, ${v('body')}::text, ${v('key')}::text, ${v('fingerprint')}::text`;
    const source = withCampaign
      ? sql`select ${values(c.associationId)} from ${c} join ${o} on ${o.id} = ${v('organizationId')}::integer
          where ${c.id} = ${v('campaignId')}::integer and ${campaignOpenOn(v('today'))}
            and ${campaignInvites(o.kind)} and ${v('topic')}::suggestion_topic = any(${c.topics})
            and (${v('associationId')}::integer is null or ${c.associationId} = ${v('associationId')}::integer)
            and ${activeMemberOf(sql`${v('organizationId')}::integer`, c.associationId)}`
      : sql`select ${values(sql`${v('associationId')}::integer`)}
          where ${activeMemberOf(sql`${v('organizationId')}::integer`, sql`${v('associationId')}::integer`)}`;
    const e = suggestionEventsTable;
    const inserted = sql`inserted`;
    return sql`with inserted as (
        insert into ${s} (${columnList(s.organizationId, s.associationId, s.campaignId, s.topic, s.title, s.body, s.idempotencyKey, s.inputFingerprint)})
        ${source}
        on conflict (${columnList(s.organizationId, s.idempotencyKey)}) do nothing
        returning *),
      event as (
        insert into ${e} (${columnList(e.suggestionId, e.at, e.fromStatus, e.toStatus, e.actorRole)})
        select id, submitted_at, null, 'SUBMITTED', ${v('actorRole')}::text from inserted),
      audit as (${auditEntriesFrom(inserted, {
        actorSub: v('actorSub'),
        actorRole: v('actorRole'),
        actorOrgId: v('organizationId'),
        action: 'suggestion.submit',
        entityType: 'Suggestion',
        entityId: sql`id`,
        after: rowAsJson(s),
      })}),
      outbox as (${outboxEventsFrom(inserted, {
        type: 'suggestion.submitted',
        entityType: 'Suggestion',
        entityId: sql`id`,
        associationId: sql`association_id`,
        payload: sql`jsonb_build_object(
          'suggestion', ${globalIdSql('Suggestion', sql`id`)},
          'organization', ${v('organizationGid')}::text,
          'campaign', ${v('campaignGid')}::text,
          'topic', topic, 'title', title, 'status', status, 'submittedAt', submitted_at)`,
      })})
      select row_to_json(inserted) as "row" from inserted`;
  });
}
const submitToCampaign = submitStatement(true);
const submitOutsideCampaign = submitStatement(false);

const suggestionColumns = Object.entries(getTableColumns(suggestionsTable));
/**
 * A suggestions row as the statement returns it (one JSON object keyed by column name: one field for the driver to
 * decode, not seventeen; PGlite decodes every field in JavaScript) as the builder would map it.
 */
function suggestionFromDriver(raw: Record<string, unknown>): SuggestionRow {
  const row: Record<string, unknown> = {};
  for (const [key, column] of suggestionColumns) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as SuggestionRow;
}

export async function submitSuggestion(db: DbOrTx, actor: Viewer, input: SubmitSuggestionInput): Promise<SubmitResult> {
  if (!isMember(actor) || actor.organizationId === null) {
    throw new DomainError('NOT_FOUND', null, { zh: '只有会员机构和上市公司可以提交建议', en: 'Only firms and listed companies submit suggestions' });
  }
  const organizationId = actor.organizationId;
  const errors = new ErrorCollector();
  const title = cleanText(errors, input.title, { field: ['input', 'title'], max: MAX_TITLE_LENGTH, required: true, labelZh: '标题', labelEn: 'title' });
  const body = cleanText(errors, input.body, { field: ['input', 'body'], max: MAX_BODY_LENGTH, required: true, multiline: true, labelZh: '正文', labelEn: 'body' });
  const key = input.idempotencyKey ?? null;
  if (key !== null && (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !IDEMPOTENCY_KEY.test(key))) {
    errors.add('INVALID', ['input', 'idempotencyKey'], {
      zh: `幂等键应为 1–${MAX_IDEMPOTENCY_KEY_LENGTH} 个可打印 ASCII 字符（不含空格）`,
      en: `idempotencyKey must be 1–${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces`,
    });
  }
  if (input.campaignId === null) errors.add('NOT_FOUND', ['input', 'campaignId'], NOT_FOUND_CAMPAIGN);
  errors.throwIfAny();

  const campaignId = input.campaignId ?? null;
  const named = input.association ? ASSOCIATION_IDS[input.association] : null;
  // Outside a campaign the suggestion goes to the association named, or the organization's first (the membership its
  // own columns repeat; a member token's role is its organization's kind); within one, to the campaign's.
  const primary = primaryAssociationOf(actor.role === 'LISTED_COMPANY' ? 'LISTED_COMPANY' : 'OTHER');
  const associationId = campaignId === null ? (named ?? primary) : named;
  const fingerprint =
    key === null
      ? null
      : inputFingerprint({ topic: input.topic, title: title!, body: body!, campaignId, associationId: campaignId === null && associationId !== primary ? associationId : null });
  const today = todayInShanghai();
  const s = suggestionsTable;
  const values: SubmitValues = {
    organizationId,
    associationId,
    organizationGid: encodeGlobalId('Organization', organizationId),
    campaignId,
    campaignGid: campaignId === null ? null : encodeGlobalId('SuggestionCampaign', campaignId),
    topic: input.topic,
    title: title!,
    body: body!,
    key,
    fingerprint,
    today,
    actorSub: actor.subject,
    actorRole: actor.role,
  };
  const [inserted] = await (campaignId === null ? submitOutsideCampaign : submitToCampaign)<{ row: Record<string, unknown> }>(db, values);
  const row = inserted && suggestionFromDriver(inserted.row);
  if (row) return { suggestion: row, replayed: false };

  if (key !== null) {
    const [existing] = await db
      .select()
      .from(s)
      .where(and(eq(s.organizationId, organizationId), eq(s.idempotencyKey, key)));
    if (existing) {
      if (existing.inputFingerprint === fingerprint) return { suggestion: existing, replayed: true };
      throw new DomainError('IDEMPOTENCY_KEY_REUSED', ['input', 'idempotencyKey'], {
        zh: '该幂等键已用于内容不同的另一次提交',
        en: 'This idempotencyKey was already used for a different submission',
      });
    }
  }
  // Nothing inserted and no key holder: the membership or the campaign refused. Say why (reads only; nothing was written).
  return explainRefusal(db, actor, { associationId, campaignId, topic: input.topic, today });
}

const NOT_FOUND_CAMPAIGN = { zh: '征集通知不存在', en: 'Campaign not found' };


/**
 * Why a submission inserted nothing (and no earlier submission holds its key): the organization is not an active member
 * of the association it submits to (NOT_A_MEMBER), or the campaign refused: hidden (including another association's
 * campaign than the one named) as NOT_FOUND, closed, or not collecting the topic.
 */
async function explainRefusal(
  db: DbOrTx,
  actor: Viewer,
  { associationId, campaignId, topic, today }: { associationId: number | null; campaignId: number | null; topic: SuggestionTopic; today: string },
): Promise<never> {
  if (associationId !== null) {
    // The association's names come from its row; the membership, if any, beside them.
    const [found] = await db
      .select({ name: associationsTable.name, nameEn: associationsTable.nameEn, status: membershipsTable.status })
      .from(associationsTable)
      .leftJoin(
        membershipsTable,
        and(eq(membershipsTable.associationId, associationsTable.id), eq(membershipsTable.organizationId, actor.organizationId!)),
      )
      .where(eq(associationsTable.id, associationId));
    if (found?.status !== 'ACTIVE') {
      throw new DomainError('NOT_A_MEMBER', ['input', 'association'], {
        zh: `本机构不是${found?.name ?? '该协会'}的在册会员，不能向其提交建议`,
        en: `Your organization is not an active member of ${found?.nameEn ? `the ${found.nameEn}` : 'that association'}, so it cannot submit suggestions to it`,
      });
    }
  }
  const [campaign] = campaignId === null ? [] : await loadCampaignsByIds(db, actor, [campaignId], today);
  if (!campaign || (associationId !== null && campaign.associationId !== associationId)) {
    throw new DomainError('NOT_FOUND', ['input', 'campaignId'], NOT_FOUND_CAMPAIGN);
  }
  if (campaign.deadline < today) {
    throw new DomainError('INVALID_STATE', ['input', 'campaignId'], {
      zh: `征集已于 ${campaign.deadline} 截止`,
      en: `The campaign closed on ${campaign.deadline}`,
    });
  }
  if (!campaign.topics.includes(topic)) {
    throw new DomainError('INVALID', ['input', 'topic'], {
      zh: '该征集通知不征集此议题的建议',
      en: 'The campaign does not collect suggestions on this topic',
    });
  }
  throw new DomainError('INVALID_STATE', ['input', 'campaignId'], { zh: '该征集通知当前不接受提交', en: 'The campaign is not accepting submissions' });
}

// ---------------------------------------------------------------- moves

const NOT_FOUND_SUGGESTION = { zh: '建议不存在', en: 'Suggestion not found' };

/** Locks a suggestion the actor may see; hidden and missing look the same. */
async function lockSuggestion(tx: DbOrTx, actor: Viewer, id: number | null, field: string[] = ['input', 'id']): Promise<SuggestionRow> {
  const [row] =
    id === null
      ? []
      : await tx
          .select()
          .from(suggestionsTable)
          .where(and(eq(suggestionsTable.id, id), visibleSuggestions(actor)))
          .for('update');
  if (!row) throw new DomainError('NOT_FOUND', field, NOT_FOUND_SUGGESTION);
  return row;
}

/** Appends one event per status passed through; `note` goes on the last one. */
async function appendEvents(
  tx: DbOrTx,
  actor: Viewer,
  moves: { suggestionId: number; from: SuggestionStatus; path: SuggestionStatus[]; note: string | null }[],
): Promise<void> {
  const values = moves.flatMap((m) =>
    m.path.map((to, i) => ({
      suggestionId: m.suggestionId,
      fromStatus: i === 0 ? m.from : m.path[i - 1]!,
      toStatus: to,
      note: i === m.path.length - 1 ? m.note : null,
      actorRole: actor.role,
    })),
  );
  if (values.length > 0) await tx.insert(suggestionEventsTable).values(values);
}

function cleanNote(errors: ErrorCollector, note: string | null | undefined, field = 'note', labelZh = '备注', max = MAX_NOTE_LENGTH, required = false) {
  return cleanText(errors, note, { field: ['input', field], max, multiline: true, required, labelZh, labelEn: field }) ?? null;
}

/** A single-suggestion move inside one transaction: lock, check the path, update, events, audit. */
async function moveOne(
  db: DbOrTx,
  actor: Viewer,
  id: number | null,
  to: SuggestionStatus,
  opts: {
    action: string;
    note: string | null;
    set?: Partial<typeof suggestionsTable.$inferInsert>;
    /** Extra rules on the locked row; may return more columns to set. */
    check?: (row: SuggestionRow, tx: DbOrTx) => Promise<Partial<typeof suggestionsTable.$inferInsert> | void> | void;
    after?: (tx: DbOrTx, before: SuggestionRow, after: SuggestionRow) => Promise<void>;
  },
): Promise<SuggestionRow> {
  return runInTransaction(db, async (tx) => {
    const before = await lockSuggestion(tx, actor, id);
    const extra = await opts.check?.(before, tx);
    const path = requirePath(before, to, ['input', 'id']);
    const [after] = await tx
      .update(suggestionsTable)
      .set({ ...opts.set, ...extra, status: to, updatedAt: sql`now()` })
      .where(eq(suggestionsTable.id, before.id))
      .returning();
    await appendEvents(tx, actor, [{ suggestionId: before.id, from: before.status, path, note: opts.note }]);
    await recordAudit(tx, actor, { action: opts.action, entityType: 'Suggestion', entityId: before.id, before, after });
    await opts.after?.(tx, before, after!);
    return after!;
  });
}

/** The submitting organization withdraws its own suggestion while it is still SUBMITTED. */
export async function withdrawSuggestion(db: DbOrTx, actor: Viewer, id: number | null): Promise<SuggestionRow> {
  return moveOne(db, actor, id, 'WITHDRAWN', {
    action: 'suggestion.withdraw',
    note: null,
    check: (row) => {
      // Only the owner withdraws; to anyone else the suggestion does not exist.
      if (!isMember(actor) || row.organizationId !== actor.organizationId) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_SUGGESTION);
    },
  });
}

/** The association takes a SUBMITTED suggestion into review. */
export async function startSuggestionReview(db: DbOrTx, actor: Viewer, input: { id: number | null; note?: string | null }): Promise<SuggestionRow> {
  const errors = new ErrorCollector();
  const note = cleanNote(errors, input.note);
  errors.throwIfAny();
  return moveOne(db, actor, input.id, 'UNDER_REVIEW', { action: 'suggestion.startReview', note });
}

export type ReviewDecision = 'ACCEPT' | 'REJECT';

/** The association decides; on a SUBMITTED suggestion the review starts and ends in one step (two events). */
export async function reviewSuggestion(
  db: DbOrTx,
  actor: Viewer,
  input: { id: number | null; decision: ReviewDecision; note?: string | null },
): Promise<SuggestionRow> {
  const errors = new ErrorCollector();
  const note = cleanNote(errors, input.note);
  errors.throwIfAny();
  return moveOne(db, actor, input.id, input.decision === 'ACCEPT' ? 'ACCEPTED' : 'REJECTED', {
    action: `suggestion.review.${input.decision.toLowerCase()}`,
    note,
    set: { reviewNote: note },
  });
}

/**
 * Marks a suggestion as a duplicate of an earlier one: it is rejected (through review) and points at
 * the original. The event note never names the original, whose organization the submitter may not see.
 */
export async function markSuggestionDuplicate(
  db: DbOrTx,
  actor: Viewer,
  input: { id: number | null; duplicateOfId: number | null; note?: string | null },
): Promise<SuggestionRow> {
  const errors = new ErrorCollector();
  const extra = cleanNote(errors, input.note);
  errors.throwIfAny();
  const note = extra ? `与此前收到的建议重复 / Duplicate of an earlier suggestion: ${extra}` : '与此前收到的建议重复 / Duplicate of an earlier suggestion';
  return moveOne(db, actor, input.id, 'REJECTED', {
    action: 'suggestion.markDuplicate',
    note,
    check: async (row, tx) => {
      const field = ['input', 'duplicateOfId'];
      const [original] =
        input.duplicateOfId === null
          ? []
          : await tx.select().from(suggestionsTable).where(and(eq(suggestionsTable.id, input.duplicateOfId), visibleSuggestions(actor)));
      if (!original) throw new DomainError('NOT_FOUND', field, NOT_FOUND_SUGGESTION);
      if (original.id >= row.id) {
        throw new DomainError('INVALID', field, { zh: '只能标记为更早提交的建议的重复', en: 'A suggestion can only duplicate an earlier one' });
      }
      if (original.status === 'WITHDRAWN' || original.duplicateOfId !== null) {
        throw new DomainError('INVALID', field, {
          zh: '原建议已撤回或本身是重复建议，请指向最初的建议',
          en: 'The original was withdrawn or is itself a duplicate; point at the first suggestion',
        });
      }
      return { duplicateOfId: original.id };
    },
    set: { reviewNote: note },
  });
}

const recipientZh: Record<GovernmentRecipient, string> = {
  CSRC_SZ_BUREAU: '深圳证监局',
  SAC: '中国证券业协会',
  SZ_FINANCIAL_REGULATOR: '深圳市地方金融管理局',
  SZSE: '深圳证券交易所',
  OTHER: '有关部门',
};

const outcomeZh: Record<ResponseOutcome, string> = {
  ADOPTED: '已采纳',
  PARTIALLY_ADOPTED: '部分采纳',
  NOT_ADOPTED: '未采纳',
  NO_FEEDBACK: '无具体反馈',
};

/**
 * The association's reference number, written in the batch's insert: its short name (the prefix of its documents, data
 * of its row: 深证协, 深上协), the year and the number — 深证协〔2026〕12号.
 */
function referenceNumberSql(associationId: number, year: number, number: number): SQL {
  return sql`(select ${associationsTable.shortName} from ${associationsTable} where ${associationsTable.id} = ${associationId}) || ${`〔${year}〕${number}号`}::text`;
}

export interface ForwardResult {
  suggestions: SuggestionRow[];
  batch: SuggestionForwardBatchRow;
}

/**
 * Forwards accepted suggestions to a government body as one batch with the next reference number of the forwarding
 * staff's association and the year (the staff see only their association's suggestions, so the batch is all
 * theirs). The suggestions are locked (in id order) and checked before the per-association, per-year counter row is
 * incremented with `insert … on conflict do update … returning`: the counter's row lock serializes
 * concurrent forwards, and a forward that fails rolls its increment back, so numbers never repeat or skip.
 */
export async function forwardSuggestions(
  db: DbOrTx,
  actor: Viewer,
  input: { ids: (number | null)[]; recipient: GovernmentRecipient; note?: string | null },
): Promise<ForwardResult> {
  const errors = new ErrorCollector();
  const note = cleanNote(errors, input.note);
  if (input.ids.length === 0) errors.add('REQUIRED', ['input', 'ids'], { zh: '至少选择一条建议', en: 'ids must name at least one suggestion' });
  if (input.ids.length > MAX_FORWARD_BATCH) {
    errors.add('LIMIT_EXCEEDED', ['input', 'ids'], { zh: `每批最多报送 ${MAX_FORWARD_BATCH} 条建议`, en: `A batch holds at most ${MAX_FORWARD_BATCH} suggestions` });
  }
  errors.throwIfAny();
  const ids = [...new Set(input.ids.filter((id): id is number => id !== null))].sort((a, b) => a - b);
  const associationId = staffAssociationOf(actor);
  if (associationId === null) {
    throw new DomainError('NOT_FOUND', null, { zh: '只有协会工作人员可以报送建议', en: 'Only an association\'s staff forward suggestions' });
  }

  return runInTransaction(db, async (tx) => {
    const rows = await tx
      .select()
      .from(suggestionsTable)
      .where(and(inArray(suggestionsTable.id, ids), visibleSuggestions(actor)))
      .orderBy(asc(suggestionsTable.id))
      .for('update');
    const byId = new Map(rows.map((r) => [r.id, r]));
    const problems: UserErrorShape[] = [];
    input.ids.forEach((id, i) => {
      const row = id === null ? undefined : byId.get(id);
      const field = ['input', 'ids', String(i)];
      if (!row) problems.push({ code: 'NOT_FOUND', field, message: NOT_FOUND_SUGGESTION });
      else if (!movePath(row.status, 'FORWARDED')) {
        problems.push({
          code: 'INVALID_STATE',
          field,
          message: { zh: `建议当前状态为“${statusZh[row.status]}”，只有已采纳的建议可以报送`, en: `The suggestion is ${row.status}; only ACCEPTED suggestions can be forwarded` },
        });
      }
    });
    if (problems.length > 0) throw new DomainError(problems);

    const year = Number(todayInShanghai().slice(0, 4));
    const [counter] = await tx
      .insert(suggestionReferenceCountersTable)
      .values({ associationId, year, lastNumber: 1 })
      .onConflictDoUpdate({
        target: [suggestionReferenceCountersTable.associationId, suggestionReferenceCountersTable.year],
        set: { lastNumber: sql`${suggestionReferenceCountersTable.lastNumber} + 1` },
      })
      .returning();
    const number = counter!.lastNumber;
    const [batch] = await tx
      .insert(suggestionForwardBatchesTable)
      .values({ associationId, year, number, referenceNumber: referenceNumberSql(associationId, year, number), recipient: input.recipient, note })
      .returning();
    const updated = await tx
      .update(suggestionsTable)
      .set({ status: 'FORWARDED', forwardBatchId: batch!.id, updatedAt: sql`now()` })
      .where(inArray(suggestionsTable.id, ids))
      .returning();
    updated.sort((a, b) => a.id - b.id);
    await appendEvents(
      tx,
      actor,
      rows.map((r) => ({ suggestionId: r.id, from: r.status, path: ['FORWARDED'], note: `以${batch!.referenceNumber}报送${recipientZh[input.recipient]}` })),
    );
    await recordAudit(tx, actor, {
      action: 'suggestion.forward',
      entityType: 'SuggestionForwardBatch',
      entityId: batch!.id,
      after: { batch, suggestionIds: ids },
    });
    await enqueueEvent(tx, {
      type: 'suggestion.forwarded',
      entityType: 'SuggestionForwardBatch',
      entityId: batch!.id,
      associationId: batch!.associationId,
      payload: {
        referenceNumber: batch!.referenceNumber,
        recipient: batch!.recipient,
        forwardedAt: batch!.forwardedAt,
        suggestions: updated.map((r) => ({
          suggestion: encodeGlobalId('Suggestion', r.id),
          organization: encodeGlobalId('Organization', r.organizationId),
          topic: r.topic,
          title: r.title,
        })),
      },
    });
    return { suggestions: updated, batch: batch! };
  });
}

/** Records the government body's answer to a forwarded suggestion. */
export async function recordSuggestionResponse(
  db: DbOrTx,
  actor: Viewer,
  input: { id: number | null; response: string; outcome: ResponseOutcome },
): Promise<SuggestionRow> {
  const errors = new ErrorCollector();
  const response = cleanNote(errors, input.response, 'response', '反馈内容', MAX_RESPONSE_LENGTH, true);
  errors.throwIfAny();
  return moveOne(db, actor, input.id, 'RESPONDED', {
    action: 'suggestion.respond',
    note: `${outcomeZh[input.outcome]}：${response}`,
    set: { response, responseOutcome: input.outcome, respondedAt: sql`now()` as never },
    after: async (tx, _before, after) => {
      const [batch] = after.forwardBatchId === null ? [] : await loadForwardBatchesByIds(tx, [after.forwardBatchId]);
      await enqueueEvent(tx, {
        type: 'suggestion.responded',
        entityType: 'Suggestion',
        entityId: after.id,
        associationId: after.associationId,
        payload: {
          suggestion: encodeGlobalId('Suggestion', after.id),
          organization: encodeGlobalId('Organization', after.organizationId),
          topic: after.topic,
          referenceNumber: batch?.referenceNumber ?? null,
          outcome: after.responseOutcome,
          respondedAt: after.respondedAt,
        },
      });
    },
  });
}
