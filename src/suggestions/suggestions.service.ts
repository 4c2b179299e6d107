// Business rules of the dual-zone suggestions: campaigns, exactly-once submission, and the
// review → forward → response status machine, each change with its events, audit entry and outbox event.
import { createHash } from 'node:crypto';
import { and, asc, count, eq, getTableColumns, gt, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { auditEntriesFrom, recordAudit } from '../audit/audit.service.js';
import { activeMemberOf, mayReadForwardingLetter, scopeCondition, suggestionCampaignScope, suggestionRecipientScope, suggestionScope } from '../auth/policy.js';
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
import { signalLiveChange } from '../outbox/outbox.signal.js';
import { cleanText } from '../text.js';
import { recordDataAccess } from '../data-access/data-access.service.js';
import { todayInShanghai } from '../time.js';
import {
  MAX_BODY_LENGTH,
  MAX_TITLE_LENGTH,
  suggestionCampaignsTable,
  suggestionEventsTable,
  suggestionForwardBatchesTable,
  suggestionForwardingsTable,
  suggestionRecipientsTable,
  suggestionReferenceCountersTable,
  suggestionsTable,
  type GovernmentRecipient,
  type ResponseOutcome,
  type SuggestionCampaignRow,
  type SuggestionEventRow,
  type SuggestionForwardBatchRow,
  type SuggestionForwardingRow,
  type SuggestionRecipientRow,
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
  const moved = await runInTransaction(db, async (tx) => {
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
  // Live streams following it (src/live): at once in this process, through the poller elsewhere.
  signalLiveChange('Suggestion', [moved.id]);
  return moved;
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

export const MAX_RECIPIENTS_PER_FORWARD = 10;
/** A suggestion goes to at most this many recipients over its life (Suggestion.forwardings' bound). */
export const MAX_RECIPIENTS_PER_SUGGESTION = 20;
export { mayReadForwardingLetter };
export const MAX_RECIPIENT_NAME_LENGTH = 100;
export const MAX_RECIPIENT_SHORT_NAME_LENGTH = 30;

export interface ForwardResult {
  suggestions: SuggestionRow[];
  /** The first batch (the first recipient's): the payload's referenceNumber. */
  batch: SuggestionForwardBatchRow;
  /** One batch per recipient, in the order the recipients were named. */
  batches: SuggestionForwardBatchRow[];
  forwardings: SuggestionForwardingRow[];
}

const NOT_FOUND_RECIPIENT = { zh: '报送对象不存在', en: 'Recipient not found' };

/**
 * Forwards suggestions to one or more recipients (`recipient`: the contract's GovernmentRecipient value, mapped to the
 * association's row for it; or `recipientIds`: rows of the association; exactly one of the two). Each recipient gets
 * its own batch, with the next reference number of the forwarding staff's association and the year (the staff see only
 * their association's suggestions, so the batch is all theirs), and each suggestion one forwarding per recipient with
 * its own response. An ACCEPTED suggestion moves to FORWARDED and its first forwarding is its primary one. With
 * `recipientIds` a FORWARDED or RESPONDED one may also be forwarded to further recipients (its status and primary
 * forwarding stay; no status event), never twice to the same; with the contract's `recipient` only ACCEPTED ones move,
 * as the contract's status machine says.
 * The suggestions are locked (in id order) and checked before the per-association, per-year counter row is incremented
 * with `insert … on conflict do update … returning`: the counter's row lock serializes concurrent forwards, and a
 * forward that fails rolls its increment back, so numbers never repeat or skip.
 */
export async function forwardSuggestions(
  db: DbOrTx,
  actor: Viewer,
  input: { ids: (number | null)[]; recipient?: GovernmentRecipient | null; recipientIds?: (number | null)[] | null; note?: string | null },
): Promise<ForwardResult> {
  const errors = new ErrorCollector();
  const note = cleanNote(errors, input.note);
  if (input.ids.length === 0) errors.add('REQUIRED', ['input', 'ids'], { zh: '至少选择一条建议', en: 'ids must name at least one suggestion' });
  if (input.ids.length > MAX_FORWARD_BATCH) {
    errors.add('LIMIT_EXCEEDED', ['input', 'ids'], { zh: `每批最多报送 ${MAX_FORWARD_BATCH} 条建议`, en: `A batch holds at most ${MAX_FORWARD_BATCH} suggestions` });
  }
  const byCode = input.recipient !== undefined && input.recipient !== null;
  const byIds = input.recipientIds !== undefined && input.recipientIds !== null;
  if (byCode === byIds) {
    errors.add(byCode ? 'INVALID' : 'REQUIRED', ['input', 'recipientIds'], {
      zh: '请填写 recipient 或 recipientIds 之一（且只填一个）',
      en: 'Give exactly one of recipient and recipientIds',
    });
  } else if (byIds && input.recipientIds!.length === 0) {
    errors.add('REQUIRED', ['input', 'recipientIds'], { zh: '至少选择一个报送对象', en: 'recipientIds must name at least one recipient' });
  } else if (byIds && input.recipientIds!.length > MAX_RECIPIENTS_PER_FORWARD) {
    errors.add('LIMIT_EXCEEDED', ['input', 'recipientIds'], {
      zh: `一次最多报送 ${MAX_RECIPIENTS_PER_FORWARD} 个对象`,
      en: `At most ${MAX_RECIPIENTS_PER_FORWARD} recipients at a time`,
    });
  }
  errors.throwIfAny();
  const ids = [...new Set(input.ids.filter((id): id is number => id !== null))].sort((a, b) => a - b);
  const associationId = staffAssociationOf(actor);
  if (associationId === null) {
    throw new DomainError('NOT_FOUND', null, { zh: '只有协会工作人员可以报送建议', en: 'Only an association\'s staff forward suggestions' });
  }

  const forwarded = await runInTransaction(db, async (tx) => {
    // The recipients: the association's own, active rows (in the order named, once each).
    const wanted = byIds ? input.recipientIds! : [null];
    const recipientRows = await tx
      .select()
      .from(suggestionRecipientsTable)
      .where(
        and(
          eq(suggestionRecipientsTable.associationId, associationId),
          byCode
            ? eq(suggestionRecipientsTable.code, input.recipient!)
            : inArray(suggestionRecipientsTable.id, wanted.filter((id): id is number => id !== null)),
        ),
      );
    const recipients: SuggestionRecipientRow[] = [];
    const recipientProblems: UserErrorShape[] = [];
    wanted.forEach((id, i) => {
      const field = byCode ? ['input', 'recipient'] : ['input', 'recipientIds', String(i)];
      const row = byCode ? recipientRows[0] : id === null ? undefined : recipientRows.find((r) => r.id === id);
      if (!row) recipientProblems.push({ code: 'NOT_FOUND', field, message: NOT_FOUND_RECIPIENT });
      else if (row.retiredAt !== null) {
        recipientProblems.push({ code: 'INVALID_STATE', field, message: { zh: `报送对象“${row.name}”已停用`, en: `The recipient ${row.name} is retired` } });
      } else if (!recipients.includes(row)) recipients.push(row);
    });
    if (recipientProblems.length > 0) throw new DomainError(recipientProblems);

    const rows = await tx
      .select()
      .from(suggestionsTable)
      .where(and(inArray(suggestionsTable.id, ids), visibleSuggestions(actor)))
      .orderBy(asc(suggestionsTable.id))
      .for('update');
    // Every forwarding the suggestions already have: a recipient twice is refused, and so is going past the cap.
    const existing = await tx
      .select({ suggestionId: suggestionForwardingsTable.suggestionId, recipientId: suggestionForwardingsTable.recipientId })
      .from(suggestionForwardingsTable)
      .where(inArray(suggestionForwardingsTable.suggestionId, ids));
    const already = existing.filter((f) => recipients.some((r) => r.id === f.recipientId));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const problems: UserErrorShape[] = [];
    input.ids.forEach((id, i) => {
      const row = id === null ? undefined : byId.get(id);
      const field = ['input', 'ids', String(i)];
      if (!row) problems.push({ code: 'NOT_FOUND', field, message: NOT_FOUND_SUGGESTION });
      else if (!movePath(row.status, 'FORWARDED') && !(byIds && (row.status === 'FORWARDED' || row.status === 'RESPONDED'))) {
        problems.push({
          code: 'INVALID_STATE',
          field,
          message: { zh: `建议当前状态为“${statusZh[row.status]}”，只有已采纳的建议可以报送`, en: `The suggestion is ${row.status}; only ACCEPTED suggestions can be forwarded` },
        });
      } else {
        const twice = already.find((f) => f.suggestionId === row.id);
        if (existing.filter((f) => f.suggestionId === row.id).length + recipients.length > MAX_RECIPIENTS_PER_SUGGESTION) {
          problems.push({
            code: 'LIMIT_EXCEEDED',
            field,
            message: { zh: `每条建议最多报送 ${MAX_RECIPIENTS_PER_SUGGESTION} 个对象`, en: `A suggestion goes to at most ${MAX_RECIPIENTS_PER_SUGGESTION} recipients` },
          });
        } else if (twice) {
          const name = recipients.find((r) => r.id === twice.recipientId)!.name;
          problems.push({ code: 'DUPLICATE', field, message: { zh: `该建议已报送“${name}”`, en: `The suggestion was already forwarded to ${name}` } });
        }
      }
    });
    if (problems.length > 0) throw new DomainError(problems);

    const year = Number(todayInShanghai().slice(0, 4));
    const batches: SuggestionForwardBatchRow[] = [];
    const forwardings: SuggestionForwardingRow[] = [];
    for (const recipient of recipients) {
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
        .values({
          associationId,
          year,
          number,
          referenceNumber: referenceNumberSql(associationId, year, number),
          recipient: recipient.code ?? 'OTHER',
          recipientId: recipient.id,
          note,
        })
        .returning();
      batches.push(batch!);
      forwardings.push(
        ...(await tx
          .insert(suggestionForwardingsTable)
          .values(ids.map((suggestionId) => ({ suggestionId, batchId: batch!.id, recipientId: recipient.id, createdAt: batch!.forwardedAt })))
          .returning()),
      );
    }
    const first = batches[0]!;
    const fresh = rows.filter((r) => r.status !== 'FORWARDED' && r.status !== 'RESPONDED');
    const updated =
      fresh.length === 0
        ? []
        : await tx
            .update(suggestionsTable)
            .set({ status: 'FORWARDED', forwardBatchId: first.id, updatedAt: sql`now()` })
            .where(inArray(suggestionsTable.id, fresh.map((r) => r.id)))
            .returning();
    const after = rows.map((r) => updated.find((u) => u.id === r.id) ?? r);
    const sentTo = batches.map((b, i) => `以${b.referenceNumber}报送${recipients[i]!.name}`).join('；');
    await appendEvents(
      tx,
      actor,
      fresh.map((r) => ({ suggestionId: r.id, from: r.status, path: ['FORWARDED'], note: sentTo })),
    );
    for (const [i, batch] of batches.entries()) {
      await recordAudit(tx, actor, {
        action: 'suggestion.forward',
        entityType: 'SuggestionForwardBatch',
        entityId: batch.id,
        after: { batch, recipient: recipients[i], suggestionIds: ids },
      });
      await enqueueEvent(tx, {
        type: 'suggestion.forwarded',
        entityType: 'SuggestionForwardBatch',
        entityId: batch.id,
        associationId: batch.associationId,
        payload: {
          referenceNumber: batch.referenceNumber,
          recipient: batch.recipient,
          forwardedAt: batch.forwardedAt,
          suggestions: after.map((r) => ({
            suggestion: encodeGlobalId('Suggestion', r.id),
            organization: encodeGlobalId('Organization', r.organizationId),
            topic: r.topic,
            title: r.title,
          })),
        },
      });
    }
    return { suggestions: after, batch: first, batches, forwardings };
  });
  signalLiveChange('Suggestion', forwarded.suggestions.map((row) => row.id));
  return forwarded;
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
      // The suggestion's response is its primary forwarding's.
      if (after.forwardBatchId !== null) {
        await tx
          .update(suggestionForwardingsTable)
          .set({ response: after.response, responseOutcome: after.responseOutcome, respondedAt: after.respondedAt })
          .where(and(eq(suggestionForwardingsTable.suggestionId, after.id), eq(suggestionForwardingsTable.batchId, after.forwardBatchId)));
      }
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

// ---------------------------------------------------------------- recipients (kept by each association)

/** The recipients the viewer may see (suggestionRecipientScope); a member's are its associations'. */
function visibleRecipients(viewer: Viewer): SQL | undefined {
  const scope = suggestionRecipientScope(viewer);
  if (scope.kind === 'all') return undefined;
  if (scope.kind === 'association') return eq(suggestionRecipientsTable.associationId, scope.associationId);
  if (scope.kind === 'orgs') {
    return sql`exists (select 1 from ${membershipsTable} where ${membershipsTable.associationId} = ${suggestionRecipientsTable.associationId}
      and ${inArray(membershipsTable.organizationId, scope.organizationIds)})`;
  }
  return sql`false`;
}

export interface RecipientFilter {
  /** Include retired recipients (default: only those in use). */
  includeRetired?: boolean | null;
}

function recipientConditions(viewer: Viewer, filter: RecipientFilter): SQL | undefined {
  return and(visibleRecipients(viewer), filter.includeRetired ? undefined : isNull(suggestionRecipientsTable.retiredAt));
}

export async function listRecipients(db: DbOrTx, viewer: Viewer, filter: RecipientFilter, page: PageRequest): Promise<SuggestionRecipientRow[]> {
  return db
    .select()
    .from(suggestionRecipientsTable)
    .where(and(recipientConditions(viewer, filter), pageCondition(page, suggestionRecipientsTable.id)))
    .orderBy(pageOrderBy(page, 'asc', suggestionRecipientsTable.id))
    .limit(page.limit + 1);
}

export async function countRecipients(db: DbOrTx, viewer: Viewer, filter: RecipientFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(suggestionRecipientsTable).where(recipientConditions(viewer, filter));
  return Number(row?.n ?? 0);
}

export async function loadRecipientsByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<SuggestionRecipientRow[]> {
  return db
    .select()
    .from(suggestionRecipientsTable)
    .where(and(inArray(suggestionRecipientsTable.id, [...ids]), visibleRecipients(viewer)));
}

/** Forwardings of many suggestions (reached through a visible suggestion), oldest first: the primary one first. */
export async function loadForwardingsBySuggestionIds(db: DbOrTx, suggestionIds: readonly number[]): Promise<SuggestionForwardingRow[]> {
  return db
    .select()
    .from(suggestionForwardingsTable)
    .where(inArray(suggestionForwardingsTable.suggestionId, [...suggestionIds]))
    .orderBy(asc(suggestionForwardingsTable.id));
}

function requireStaffAssociation(actor: Viewer): number {
  const associationId = staffAssociationOf(actor);
  if (associationId === null) throw new DomainError('NOT_FOUND', null, { zh: '只有协会工作人员可以维护报送对象', en: 'Only an association\'s staff keep recipients' });
  return associationId;
}

function cleanRecipientNames(errors: ErrorCollector, input: { name?: string | null; shortName?: string | null }, nameRequired: boolean) {
  const name = cleanText(errors, input.name, { field: ['input', 'name'], max: MAX_RECIPIENT_NAME_LENGTH, required: nameRequired, labelZh: '名称', labelEn: 'name' }) ?? null;
  const shortName =
    cleanText(errors, input.shortName, { field: ['input', 'shortName'], max: MAX_RECIPIENT_SHORT_NAME_LENGTH, required: false, labelZh: '简称', labelEn: 'shortName' }) ?? null;
  return { name, shortName };
}

function mapRecipientConflict(error: unknown): never {
  if (isUniqueViolation(error, 'suggestion_recipients_name_key')) {
    throw new DomainError('DUPLICATE', ['input', 'name'], { zh: '本协会已有同名的报送对象', en: 'Your association already has a recipient of this name' });
  }
  throw error;
}

/** Adds a body to the staff's association's recipients. */
export async function createRecipient(db: DbOrTx, actor: Viewer, input: { name: string; shortName?: string | null }): Promise<SuggestionRecipientRow> {
  const errors = new ErrorCollector();
  const { name, shortName } = cleanRecipientNames(errors, input, true);
  errors.throwIfAny();
  const associationId = requireStaffAssociation(actor);
  try {
    return await runInTransaction(db, async (tx) => {
      const [row] = await tx.insert(suggestionRecipientsTable).values({ associationId, name: name!, shortName }).returning();
      await recordAudit(tx, actor, { action: 'suggestionRecipient.create', entityType: 'SuggestionRecipient', entityId: row!.id, after: row });
      return row!;
    });
  } catch (error) {
    mapRecipientConflict(error);
  }
}

/** Renames one of the staff's association's recipients (the body's name changed); past batches keep the recipient. */
export async function renameRecipient(
  db: DbOrTx,
  actor: Viewer,
  input: { id: number | null; name: string; shortName?: string | null },
): Promise<SuggestionRecipientRow> {
  const errors = new ErrorCollector();
  const { name, shortName } = cleanRecipientNames(errors, input, true);
  errors.throwIfAny();
  const associationId = requireStaffAssociation(actor);
  try {
    return await runInTransaction(db, async (tx) => {
      const before = await lockRecipient(tx, associationId, input.id);
      const [after] = await tx
        .update(suggestionRecipientsTable)
        .set({ name: name!, shortName: input.shortName === undefined ? before.shortName : shortName, updatedAt: sql`now()` })
        .where(eq(suggestionRecipientsTable.id, before.id))
        .returning();
      await recordAudit(tx, actor, { action: 'suggestionRecipient.rename', entityType: 'SuggestionRecipient', entityId: before.id, before, after });
      return after!;
    });
  } catch (error) {
    mapRecipientConflict(error);
  }
}

/** Retires a recipient: no new forwardings to it; its past ones stay. */
export async function retireRecipient(db: DbOrTx, actor: Viewer, input: { id: number | null }): Promise<SuggestionRecipientRow> {
  const associationId = requireStaffAssociation(actor);
  return runInTransaction(db, async (tx) => {
    const before = await lockRecipient(tx, associationId, input.id);
    if (before.retiredAt !== null) {
      throw new DomainError('INVALID_STATE', ['input', 'id'], { zh: '该报送对象已停用', en: 'The recipient is already retired' });
    }
    const [after] = await tx
      .update(suggestionRecipientsTable)
      .set({ retiredAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(suggestionRecipientsTable.id, before.id))
      .returning();
    await recordAudit(tx, actor, { action: 'suggestionRecipient.retire', entityType: 'SuggestionRecipient', entityId: before.id, before, after });
    return after!;
  });
}

async function lockRecipient(tx: DbOrTx, associationId: number, id: number | null): Promise<SuggestionRecipientRow> {
  const [row] =
    id === null
      ? []
      : await tx
          .select()
          .from(suggestionRecipientsTable)
          .where(and(eq(suggestionRecipientsTable.id, id), eq(suggestionRecipientsTable.associationId, associationId)))
          .for('update');
  if (!row) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_RECIPIENT);
  return row;
}

/**
 * Records one recipient's response to one forwarding. On a suggestion's primary forwarding this is
 * recordSuggestionResponse (the suggestion moves FORWARDED → RESPONDED and carries the response); on another it is the
 * forwarding's own, with its audit entry and a suggestion.responded event naming that batch. A forwarding is answered once.
 */
export async function recordForwardingResponse(
  db: DbOrTx,
  actor: Viewer,
  input: { id: number | null; response: string; outcome: ResponseOutcome },
): Promise<SuggestionForwardingRow> {
  const errors = new ErrorCollector();
  const response = cleanNote(errors, input.response, 'response', '反馈内容', MAX_RESPONSE_LENGTH, true);
  errors.throwIfAny();
  return runInTransaction(db, async (tx) => {
    const [found] =
      input.id === null
        ? []
        : await tx
            .select({ forwarding: suggestionForwardingsTable, suggestion: suggestionsTable })
            .from(suggestionForwardingsTable)
            .innerJoin(suggestionsTable, eq(suggestionsTable.id, suggestionForwardingsTable.suggestionId))
            .where(and(eq(suggestionForwardingsTable.id, input.id), visibleSuggestions(actor), staffOnly(actor)))
            .for('update', { of: suggestionForwardingsTable });
    if (!found) throw new DomainError('NOT_FOUND', ['input', 'id'], { zh: '报送记录不存在', en: 'Forwarding not found' });
    const { forwarding, suggestion } = found;
    if (forwarding.responseOutcome !== null) {
      throw new DomainError('INVALID_STATE', ['input', 'id'], { zh: '该报送对象的反馈已记录', en: 'This recipient\'s response is already recorded' });
    }
    if (suggestion.forwardBatchId === forwarding.batchId) {
      await recordSuggestionResponse(tx, actor, { id: suggestion.id, response: response!, outcome: input.outcome });
      const [after] = await tx.select().from(suggestionForwardingsTable).where(eq(suggestionForwardingsTable.id, forwarding.id));
      return after!;
    }
    const [after] = await tx
      .update(suggestionForwardingsTable)
      .set({ response, responseOutcome: input.outcome, respondedAt: sql`now()` })
      .where(eq(suggestionForwardingsTable.id, forwarding.id))
      .returning();
    await recordAudit(tx, actor, { action: 'suggestion.forwarding.respond', entityType: 'SuggestionForwardingEntry', entityId: forwarding.id, before: forwarding, after });
    const [batch] = await loadForwardBatchesByIds(tx, [forwarding.batchId]);
    await enqueueEvent(tx, {
      type: 'suggestion.responded',
      entityType: 'Suggestion',
      entityId: suggestion.id,
      associationId: suggestion.associationId,
      payload: {
        suggestion: encodeGlobalId('Suggestion', suggestion.id),
        organization: encodeGlobalId('Organization', suggestion.organizationId),
        topic: suggestion.topic,
        referenceNumber: batch?.referenceNumber ?? null,
        outcome: after!.responseOutcome,
        respondedAt: after!.respondedAt,
      },
    });
    return after!;
  });
}

/** Responses are recorded by the forwarding association's staff only (the regulator reads them). */
function staffOnly(actor: Viewer): SQL {
  const associationId = staffAssociationOf(actor);
  return associationId === null ? sql`false` : eq(suggestionsTable.associationId, associationId);
}

// ---------------------------------------------------------------- the consolidated forwarding letter (汇总报告)

export interface ForwardingLetter {
  batch: SuggestionForwardBatchRow;
  associationName: string;
  recipientName: string;
  suggestions: { index: number; topic: SuggestionTopic; title: string; body: string; organizationName: string }[];
}

/**
 * One batch's letter: the batch, its association and recipient, and its suggestions with their topics and submitting
 * members, in two statements. Null when the batch does not exist or the viewer may not read it
 * (mayReadForwardingLetter: the forwarding association's staff and the regulator) — the two look the same.
 */
export async function findForwardingLetter(db: DbOrTx, viewer: Viewer, batchId: number | null): Promise<ForwardingLetter | null> {
  if (batchId === null) return null;
  const [head] = await db
    .select({ batch: suggestionForwardBatchesTable, associationName: associationsTable.name, recipientName: suggestionRecipientsTable.name })
    .from(suggestionForwardBatchesTable)
    .innerJoin(associationsTable, eq(associationsTable.id, suggestionForwardBatchesTable.associationId))
    .innerJoin(suggestionRecipientsTable, eq(suggestionRecipientsTable.id, suggestionForwardBatchesTable.recipientId))
    .where(eq(suggestionForwardBatchesTable.id, batchId));
  if (!head || !mayReadForwardingLetter(viewer, head.batch.associationId)) return null;
  const rows = await db
    .select({ topic: suggestionsTable.topic, title: suggestionsTable.title, body: suggestionsTable.body, organizationName: organizationsTable.name })
    .from(suggestionForwardingsTable)
    .innerJoin(suggestionsTable, eq(suggestionsTable.id, suggestionForwardingsTable.suggestionId))
    .innerJoin(organizationsTable, eq(organizationsTable.id, suggestionsTable.organizationId))
    .where(eq(suggestionForwardingsTable.batchId, batchId))
    .orderBy(asc(suggestionsTable.topic), asc(suggestionsTable.id));
  await recordDataAccess(db, viewer, { resource: 'suggestion.forwardingLetter', details: { batch: batchId, rows: rows.length } });
  return { ...head, suggestions: rows.map((r, i) => ({ index: i + 1, ...r })) };
}
