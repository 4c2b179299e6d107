// Business rules of early reports (抓早抓小): exactly-once submission that escalates SEVERE and CRITICAL reports to the
// regulator in the same statement, the staff's triage queue and status machine, and the counts of the reports root.
//
// Status machine (each move one transaction with its event, audit entry and, for an escalation, outbox event):
//   SUBMITTED → ACKNOWLEDGED            (acknowledge)
//   SUBMITTED | ACKNOWLEDGED → ESCALATED (escalate; SEVERE and CRITICAL are ESCALATED at submission)
//   SUBMITTED | ACKNOWLEDGED | ESCALATED → CLOSED (close, with the 结报 note)
// Anything else (acknowledging an escalated report, moving a closed one, escalating twice) is INVALID_STATE.
import { createHash } from 'node:crypto';
import { and, asc, count, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { auditEntriesFrom, recordAudit } from '../audit/audit.service.js';
import { activeMemberOf, earlyReportCondition, earlyReportTriageAssociation, reportsScope } from '../auth/policy.js';
import { isMember, type Viewer } from '../auth/viewer.js';
import { ASSOCIATION_CODES, ASSOCIATION_IDS, associationsTable, primaryAssociationOf, type AssociationCode } from '../associations/associations.table.js';
import { viewerHasScope } from '../clients/scopes.js';
import type { DbOrTx } from '../db/client.js';
import { pageConditionByRow, pageOrderBy, type PageRequest } from '../db/page.js';
import { columnList, preparedStatement, rowAsJson } from '../db/sql/index.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector, type LocalizedMessage } from '../errors.js';
import { encodeGlobalId, globalIdSql } from '../global-id.js';
import { branchesTable, membershipsTable } from '../members/members.table.js';
import { enqueueEvent, outboxEventsFrom } from '../outbox/outbox.service.js';
import { signalLiveChange } from '../outbox/outbox.signal.js';
import { cleanText } from '../text.js';
import { DEADLINE_HOURS, MINOR_WORKING_DAYS, WORKING_DAY_HORIZON } from './early-reports.deadline.js';
import {
  EARLY_REPORTS_MAX_BODY,
  EARLY_REPORTS_MAX_TITLE,
  earlyReportEventsTable,
  earlyReportsTable,
  workingCalendarTable,
  type EarlyReportCategory,
  type EarlyReportEventRow,
  type EarlyReportRow,
  type EarlyReportSeverity,
  type EarlyReportStatus,
} from './early-reports.table.js';

export { EARLY_REPORTS_MAX_BODY, EARLY_REPORTS_MAX_TITLE };
export const MAX_NOTE_LENGTH = 2_000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;
/** The escalation event's note when a report reaches the regulator on submission. */
export const ESCALATED_ON_SUBMISSION_NOTE = '严重、特别严重报告提交即上报证监局 / SEVERE and CRITICAL reports reach the regulator on submission';

const r = earlyReportsTable;

// ---------------------------------------------------------------- the deadline, in SQL

/**
 * The deadline of a report (early-reports.deadline.ts's dueAt, in SQL): occurredAt plus 2, 24 or 72 hours, or for MINOR
 * the end (Asia/Shanghai) of the fifth working day after the day it occurred, counting in working_calendar.
 */
export function dueAtSql(severity: SQL, occurredAt: SQL): SQL {
  const c = workingCalendarTable;
  const day = sql`((${occurredAt}) at time zone 'Asia/Shanghai')::date`;
  const fifthWorkingDay = sql`(select d from (select ${day} + i as d from generate_series(1, ${sql.raw(String(WORKING_DAY_HORIZON))}) as i) as days
      left join ${c} on ${c.day} = days.d
      where coalesce(${c.working}, extract(isodow from days.d) < 6)
      order by d offset ${sql.raw(String(MINOR_WORKING_DAYS - 1))} limit 1)`;
  return sql`case ${severity}
      when 'CRITICAL' then (${occurredAt}) + interval '${sql.raw(String(DEADLINE_HOURS.CRITICAL))} hours'
      when 'SEVERE' then (${occurredAt}) + interval '${sql.raw(String(DEADLINE_HOURS.SEVERE))} hours'
      when 'MODERATE' then (${occurredAt}) + interval '${sql.raw(String(DEADLINE_HOURS.MODERATE))} hours'
      else ((${fifthWorkingDay}) + 1)::timestamp at time zone 'Asia/Shanghai' end`;
}

// ---------------------------------------------------------------- reading

function visibleReports(viewer: Viewer, table = r): SQL {
  return earlyReportCondition(viewer, { organization: table.organizationId, association: table.associationId, escalatedAt: table.escalatedAt });
}

export interface EarlyReportFilter {
  status?: EarlyReportStatus | null;
  severity?: EarlyReportSeverity | null;
  category?: EarlyReportCategory | null;
}

function reportConditions(viewer: Viewer, filter: EarlyReportFilter): SQL | undefined {
  return and(
    visibleReports(viewer),
    filter.status ? eq(r.status, filter.status) : undefined,
    filter.severity ? eq(r.severity, filter.severity) : undefined,
    filter.category ? eq(r.category, filter.category) : undefined,
  );
}

/**
 * One page of the triage queue: most severe first (CRITICAL … MINOR), then oldest report first, then id. The cursor is a
 * report's id; the page continues after that report's (severity rank, reportedAt, id), read in the same statement and
 * only if the viewer may see it (a forged cursor reveals nothing). One statement whatever the page size.
 */
export async function listEarlyReports(db: DbOrTx, viewer: Viewer, filter: EarlyReportFilter, page: PageRequest): Promise<EarlyReportRow[]> {
  const c = alias(r, 'cursor_row');
  const window = pageConditionByRow(
    page,
    sql`(${r.severityRank}, ${r.reportedAt}, ${r.id})`,
    (key) => sql`select ${c.severityRank}, ${c.reportedAt}, ${c.id} from ${r} as ${sql.identifier('cursor_row')}
      where ${and(eq(c.id, key), visibleReports(viewer, c as unknown as typeof r))}`,
    'asc',
  );
  return db
    .select()
    .from(r)
    .where(and(reportConditions(viewer, filter), window))
    .orderBy(pageOrderBy(page, 'asc', r.severityRank, r.reportedAt, r.id))
    .limit(page.limit + 1);
}

export async function countEarlyReports(db: DbOrTx, viewer: Viewer, filter: EarlyReportFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(r).where(reportConditions(viewer, filter));
  return row?.n ?? 0;
}

/** Reports by id, only those the viewer may see (hidden ones are never fetched). */
export async function loadEarlyReportsByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<EarlyReportRow[]> {
  return db
    .select()
    .from(r)
    .where(and(inArray(r.id, [...ids]), visibleReports(viewer)));
}

/** Status history of reports the caller has already shown to be visible, oldest first. */
export async function loadEventsByReportIds(db: DbOrTx, reportIds: readonly number[]): Promise<EarlyReportEventRow[]> {
  return db
    .select()
    .from(earlyReportEventsTable)
    .where(inArray(earlyReportEventsTable.reportId, [...reportIds]))
    .orderBy(asc(earlyReportEventsTable.id));
}

/** The working-day calendar (the pure deadline functions' input). */
export async function loadWorkingCalendar(db: DbOrTx): Promise<Map<string, boolean>> {
  const rows = await db.select().from(workingCalendarTable);
  return new Map(rows.map((row) => [row.day, row.working]));
}

// ---------------------------------------------------------------- submitting, exactly once

export interface SubmitEarlyReportInput {
  category: EarlyReportCategory;
  severity: EarlyReportSeverity;
  title: string;
  body: string;
  occurredAt: Date;
  /** undefined: none; null: an id that does not parse (NOT_FOUND). */
  branchId?: number | null;
  idempotencyKey?: string | null;
  /** The association it is filed with: one the organization is an active member of; absent, its first association. */
  association?: AssociationCode | null;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7E]+$/;

/** sha256 of the input as stored, so a retry of the same request always matches (the association only when named otherwise than by default). */
export function earlyReportFingerprint(input: {
  category: string;
  severity: string;
  title: string;
  body: string;
  occurredAt: Date;
  branchId: number | null;
  associationId: number | null;
}): string {
  const material: unknown[] = [input.category, input.severity, input.title.normalize('NFC'), input.body.normalize('NFC'), input.occurredAt.toISOString(), input.branchId];
  if (input.associationId != null) material.push(input.associationId);
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

type SubmitValues = {
  organizationId: number;
  associationId: number;
  organizationGid: string;
  branchId: number | null;
  category: EarlyReportCategory;
  severity: EarlyReportSeverity;
  title: string;
  body: string;
  occurredAt: string;
  key: string | null;
  fingerprint: string | null;
  actorSub: string;
  actorRole: string;
  escalationNote: string;
  /** The deadline in hours after occurredAt (all but MINOR; MINOR's counts working days in SQL). */
  dueHours: number | null;
};

/**
 * A submission in ONE statement (so one transaction): data-modifying CTEs insert the report — with its deadline, and
 * for SEVERE and CRITICAL already ESCALATED — unless the key was used before (`on conflict do nothing`), the organization
 * is not an active member of the association, the branch is not its own or the event lies in the future; then, only for
 * a row actually inserted, its events (SUBMITTED, and ESCALATED for the serious ones), the audit entry and, for an
 * escalated report, the outbox event EARLY_REPORT_ESCALATED. A report without its escalation cannot exist: one statement
 * commits all of it or none, and a check constraint refuses a serious report without escalatedAt.
 */
function submitStatement(minor: boolean) {
  return preparedStatement<SubmitValues>(() => {
    const v = (name: keyof SubmitValues): SQL => sql`${sql.placeholder(name)}`;
    const e = earlyReportEventsTable;
    const b = branchesTable;
    const severity = sql`${v('severity')}::early_report_severity`;
    const occurredAt = sql`${v('occurredAt')}::timestamptz`;
    const serious = sql`${severity} in ('SEVERE', 'CRITICAL')`;
    const inserted = sql`inserted`;
    const escalated = sql`inserted where escalated_at is not null`;
    return sql`with inserted as (
        insert into ${r} (${columnList(r.organizationId, r.associationId, r.branchId, r.category, r.severity, r.title, r.body, r.occurredAt, r.dueAt, r.status, r.escalatedAt, r.submittedBySub, r.idempotencyKey, r.inputFingerprint)})
        select ${v('organizationId')}::integer, ${v('associationId')}::integer, ${v('branchId')}::integer, ${v('category')}::early_report_category,
          ${severity}, ${v('title')}::text, ${v('body')}::text, ${occurredAt},
          ${minor ? dueAtSql(severity, occurredAt) : sql`${occurredAt} + ${v('dueHours')}::integer * interval '1 hour'`},
          case when ${serious} then 'ESCALATED' else 'SUBMITTED' end::early_report_status,
          case when ${serious} then now() end, ${v('actorSub')}::text, ${v('key')}::text, ${v('fingerprint')}::text
        where ${activeMemberOf(sql`${v('organizationId')}::integer`, sql`${v('associationId')}::integer`)}
          and ${occurredAt} <= now()
          and (${v('branchId')}::integer is null or exists (select 1 from ${b} where ${b.id} = ${v('branchId')}::integer and ${b.firmId} = ${v('organizationId')}::integer))
        on conflict (${columnList(r.organizationId, r.idempotencyKey)}) do nothing
        returning *),
      events as (
        insert into ${e} (${columnList(e.reportId, e.at, e.fromStatus, e.toStatus, e.note, e.actorSub, e.actorRole)})
        select id, reported_at, null::early_report_status, 'SUBMITTED'::early_report_status, null::text, ${v('actorSub')}::text, ${v('actorRole')}::text from inserted
        union all
        select id, reported_at, 'SUBMITTED'::early_report_status, 'ESCALATED'::early_report_status, ${v('escalationNote')}::text, ${v('actorSub')}::text, ${v('actorRole')}::text
          from ${escalated}),
      audit as (${auditEntriesFrom(inserted, {
        actorSub: v('actorSub'),
        actorRole: v('actorRole'),
        actorOrgId: v('organizationId'),
        action: 'earlyReport.submit',
        entityType: 'EarlyReport',
        entityId: sql`id`,
        after: rowAsJson(r),
      })}),
      outbox as (${outboxEventsFrom(escalated, {
        type: 'early_report.escalated',
        entityType: 'EarlyReport',
        entityId: sql`id`,
        associationId: sql`association_id`,
        payload: escalationPayloadSql(v('organizationGid')),
      })})
      select row_to_json(inserted) as "row" from inserted`;
  });
}
/** MINOR reports count working days in the calendar (dueAtSql); the others' deadlines are fixed hours (DEADLINE_HOURS). */
const submitMinor = submitStatement(true);
const submitFixedDeadline = submitStatement(false);

/** The EARLY_REPORT_ESCALATED payload over a report row's columns: global IDs and the facts, not the body or notes. */
function escalationPayloadSql(organizationGid: SQL): SQL {
  return sql`jsonb_build_object(
    'earlyReport', ${globalIdSql('EarlyReport', sql`id`)},
    'organization', ${organizationGid}::text,
    'category', category, 'severity', severity, 'title', title, 'status', status,
    'occurredAt', ${isoSql(sql`occurred_at`)}, 'reportedAt', ${isoSql(sql`reported_at`)}, 'escalatedAt', ${isoSql(sql`escalated_at`)}, 'late', late)`;
}

/** A timestamp as JavaScript's toISOString writes it (so both escalation paths send the same format). */
function isoSql(column: SQL): SQL {
  return sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** The same payload for a report in hand (escalation by staff). */
function escalationPayload(row: EarlyReportRow): Record<string, unknown> {
  return {
    earlyReport: encodeGlobalId('EarlyReport', row.id),
    organization: encodeGlobalId('Organization', row.organizationId),
    category: row.category,
    severity: row.severity,
    title: row.title,
    status: row.status,
    occurredAt: row.occurredAt,
    reportedAt: row.reportedAt,
    escalatedAt: row.escalatedAt,
    late: row.late,
  };
}

const reportColumns = Object.entries(getTableColumns(r));
/** A report row as the statement returns it (one JSON object keyed by column name), mapped as the builder would. */
function reportFromDriver(raw: Record<string, unknown>): EarlyReportRow {
  const row: Record<string, unknown> = {};
  for (const [key, column] of reportColumns) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as EarlyReportRow;
}

export interface SubmitEarlyReportResult {
  earlyReport: EarlyReportRow;
  /** True when an earlier submission with the same key and input was returned instead. */
  replayed: boolean;
}

const NOT_FOUND_BRANCH: LocalizedMessage = { zh: '分支机构不存在', en: 'Branch not found' };

/**
 * Submits an early report for the viewer's own organization: validation, then one statement (submitStatement). When it
 * inserts nothing, a second statement (a fresh snapshot, after any racing insert with the key has committed) reads the
 * holder of the key: same fingerprint → that first report, otherwise IDEMPOTENCY_KEY_REUSED; with no holder, reads say
 * why (NOT_A_MEMBER, the branch, the clock) — nothing was written.
 */
export async function submitEarlyReport(db: DbOrTx, actor: Viewer, input: SubmitEarlyReportInput, now = new Date()): Promise<SubmitEarlyReportResult> {
  if (!isMember(actor) || actor.organizationId === null) {
    throw new DomainError('NOT_FOUND', null, { zh: '只有会员机构和上市公司可以提交早报告', en: 'Only firms and listed companies submit early reports' });
  }
  const organizationId = actor.organizationId;
  const errors = new ErrorCollector();
  const title = cleanText(errors, input.title, { field: ['input', 'title'], max: EARLY_REPORTS_MAX_TITLE, required: true, labelZh: '标题', labelEn: 'title' });
  const body = cleanText(errors, input.body, { field: ['input', 'body'], max: EARLY_REPORTS_MAX_BODY, required: true, multiline: true, labelZh: '内容', labelEn: 'body' });
  const key = input.idempotencyKey ?? null;
  if (key !== null && (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !IDEMPOTENCY_KEY.test(key))) {
    errors.add('INVALID', ['input', 'idempotencyKey'], {
      zh: `幂等键应为 1–${MAX_IDEMPOTENCY_KEY_LENGTH} 个可打印 ASCII 字符（不含空格）`,
      en: `idempotencyKey must be 1–${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces`,
    });
  }
  const occurredAt = input.occurredAt;
  if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime())) {
    errors.add('INVALID', ['input', 'occurredAt'], { zh: '发生时间无效', en: 'occurredAt is not a valid time' });
  } else if (occurredAt.getTime() > now.getTime()) {
    errors.add('INVALID', ['input', 'occurredAt'], { zh: '发生时间不能晚于当前时间', en: 'occurredAt cannot be in the future' });
  } else if (occurredAt.getUTCFullYear() < 2000) {
    errors.add('OUT_OF_RANGE', ['input', 'occurredAt'], { zh: '发生时间不能早于 2000 年', en: 'occurredAt cannot be before 2000' });
  }
  if (input.branchId === null) errors.add('NOT_FOUND', ['input', 'branchId'], NOT_FOUND_BRANCH);
  errors.throwIfAny();

  const branchId = input.branchId ?? null;
  const primary = primaryAssociationOf(actor.role === 'LISTED_COMPANY' ? 'LISTED_COMPANY' : 'OTHER');
  const associationId = input.association ? ASSOCIATION_IDS[input.association] : primary;
  const fingerprint =
    key === null
      ? null
      : earlyReportFingerprint({ category: input.category, severity: input.severity, title: title!, body: body!, occurredAt, branchId, associationId: associationId !== primary ? associationId : null });
  const values: SubmitValues = {
    organizationId,
    associationId,
    organizationGid: encodeGlobalId('Organization', organizationId),
    branchId,
    category: input.category,
    severity: input.severity,
    title: title!,
    body: body!,
    occurredAt: occurredAt.toISOString(),
    key,
    fingerprint,
    actorSub: actor.subject,
    actorRole: actor.role,
    escalationNote: ESCALATED_ON_SUBMISSION_NOTE,
    dueHours: input.severity === 'MINOR' ? null : DEADLINE_HOURS[input.severity],
  };
  const [inserted] = await (input.severity === 'MINOR' ? submitMinor : submitFixedDeadline)<{ row: Record<string, unknown> }>(db, values);
  if (inserted) return { earlyReport: reportFromDriver(inserted.row), replayed: false };

  if (key !== null) {
    const [existing] = await db
      .select()
      .from(r)
      .where(and(eq(r.organizationId, organizationId), eq(r.idempotencyKey, key)));
    if (existing) {
      if (existing.inputFingerprint === fingerprint) return { earlyReport: existing, replayed: true };
      throw new DomainError('IDEMPOTENCY_KEY_REUSED', ['input', 'idempotencyKey'], {
        zh: '该幂等键已用于内容不同的另一次提交',
        en: 'This idempotencyKey was already used for a different submission',
      });
    }
  }
  return explainRefusal(db, actor, { associationId, branchId });
}

/** Why a submission inserted nothing and no earlier one holds its key (reads only). */
async function explainRefusal(db: DbOrTx, actor: Viewer, { associationId, branchId }: { associationId: number; branchId: number | null }): Promise<never> {
  const [found] = await db
    .select({ name: associationsTable.name, nameEn: associationsTable.nameEn, status: membershipsTable.status })
    .from(associationsTable)
    .leftJoin(membershipsTable, and(eq(membershipsTable.associationId, associationsTable.id), eq(membershipsTable.organizationId, actor.organizationId!)))
    .where(eq(associationsTable.id, associationId));
  if (found?.status !== 'ACTIVE') {
    throw new DomainError('NOT_A_MEMBER', ['input', 'association'], {
      zh: `本机构不是${found?.name ?? '该协会'}的在册会员，不能向其报告`,
      en: `Your organization is not an active member of ${found?.nameEn ? `the ${found.nameEn}` : 'that association'}, so it cannot report to it`,
    });
  }
  if (branchId !== null) {
    const [branch] = await db.select({ firmId: branchesTable.firmId }).from(branchesTable).where(eq(branchesTable.id, branchId));
    if (!branch) throw new DomainError('NOT_FOUND', ['input', 'branchId'], NOT_FOUND_BRANCH);
    if (branch.firmId !== actor.organizationId) {
      throw new DomainError('NOT_OWN_BRANCH', ['input', 'branchId'], { zh: '只能报告本机构分支机构的事项', en: 'A report can only name your own organization\'s branch' });
    }
  }
  // The database's clock is behind the occurrence time given (the application's check passed a moment earlier).
  throw new DomainError('INVALID', ['input', 'occurredAt'], { zh: '发生时间不能晚于当前时间', en: 'occurredAt cannot be in the future' });
}

// ---------------------------------------------------------------- the staff's moves

const moves: Record<EarlyReportStatus, readonly EarlyReportStatus[]> = {
  SUBMITTED: ['ACKNOWLEDGED', 'ESCALATED', 'CLOSED'],
  ACKNOWLEDGED: ['ESCALATED', 'CLOSED'],
  ESCALATED: ['CLOSED'],
  CLOSED: [],
};

export function mayMove(from: EarlyReportStatus, to: EarlyReportStatus): boolean {
  return moves[from].includes(to);
}

const statusZh: Record<EarlyReportStatus, string> = { SUBMITTED: '已提交', ACKNOWLEDGED: '已接收', ESCALATED: '已上报证监局', CLOSED: '已办结' };

const NOT_FOUND_REPORT: LocalizedMessage = { zh: '早报告不存在', en: 'Early report not found' };

function cleanNote(errors: ErrorCollector, note: string | null | undefined) {
  return cleanText(errors, note, { field: ['input', 'note'], max: MAX_NOTE_LENGTH, multiline: true, labelZh: '说明', labelEn: 'note' }) ?? null;
}

/**
 * One move by the staff of the association the report was filed with, in one transaction: lock the report (hidden and
 * missing look the same), check the move, update, its event, the audit entry and, for an escalation, the outbox event.
 */
async function moveReport(db: DbOrTx, actor: Viewer, id: number | null, to: EarlyReportStatus, action: string, rawNote: string | null | undefined): Promise<EarlyReportRow> {
  const errors = new ErrorCollector();
  const note = cleanNote(errors, rawNote);
  errors.throwIfAny();
  const associationId = earlyReportTriageAssociation(actor);
  if (associationId === null || id === null) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_REPORT);
  const moved = await runInTransaction(db, async (tx) => {
    const [before] = await tx
      .select()
      .from(r)
      .where(and(eq(r.id, id), eq(r.associationId, associationId)))
      .for('update');
    if (!before) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_REPORT);
    if (!mayMove(before.status, to)) {
      throw new DomainError('INVALID_STATE', ['input', 'id'], {
        zh: `早报告当前状态为“${statusZh[before.status]}”，不能变为“${statusZh[to]}”`,
        en: `The early report is ${before.status}; it cannot move to ${to}`,
      });
    }
    const [after] = await tx
      .update(r)
      .set({
        status: to,
        updatedAt: sql`now()`,
        ...(to === 'ESCALATED' ? { escalatedAt: sql`coalesce(${r.escalatedAt}, now())` } : {}),
        ...(to === 'CLOSED' ? { closedAt: sql`now()` } : {}),
      } as never)
      .where(eq(r.id, before.id))
      .returning();
    await tx.insert(earlyReportEventsTable).values({ reportId: before.id, fromStatus: before.status, toStatus: to, note, actorSub: actor.subject, actorRole: actor.role });
    await recordAudit(tx, actor, { action, entityType: 'EarlyReport', entityId: before.id, before, after });
    if (to === 'ESCALATED') {
      await enqueueEvent(tx, { type: 'early_report.escalated', entityType: 'EarlyReport', entityId: after!.id, associationId: after!.associationId, payload: escalationPayload(after!) });
    }
    return after!;
  });
  // Live streams following it (src/live): at once in this process, through the poller elsewhere.
  signalLiveChange('EarlyReport', [moved.id]);
  return moved;
}

export function acknowledgeEarlyReport(db: DbOrTx, actor: Viewer, input: { id: number | null }): Promise<EarlyReportRow> {
  return moveReport(db, actor, input.id, 'ACKNOWLEDGED', 'earlyReport.acknowledge', null);
}

export function escalateEarlyReport(db: DbOrTx, actor: Viewer, input: { id: number | null; note?: string | null }): Promise<EarlyReportRow> {
  return moveReport(db, actor, input.id, 'ESCALATED', 'earlyReport.escalate', input.note);
}

export function closeEarlyReport(db: DbOrTx, actor: Viewer, input: { id: number | null; note?: string | null }): Promise<EarlyReportRow> {
  return moveReport(db, actor, input.id, 'CLOSED', 'earlyReport.close', input.note);
}

// ---------------------------------------------------------------- reports

export interface EarlyReportCountRow {
  associationCode: AssociationCode;
  month: number;
  category: EarlyReportCategory;
  severity: EarlyReportSeverity;
  count: number;
  late: number;
  escalated: number;
}

/**
 * Reports received in a year (Asia/Shanghai), counted by association, month, category and severity in one statement:
 * an association's staff their association's, the regulator every association's — all reports, escalated or not, as
 * counts only (the 抓早抓小 signal; which reports it may read stays earlyReportScope). A service account needs
 * reports:read and early-reports:read.
 */
export async function earlyReportCounts(db: DbOrTx, viewer: Viewer, year: number): Promise<EarlyReportCountRow[]> {
  const scope = reportsScope(viewer);
  if (scope.kind === 'none' || !viewerHasScope(viewer, 'early-reports:read')) return [];
  if (!Number.isInteger(year) || year < 2000 || year > 2100) return [];
  const month = sql<number>`extract(month from ${r.reportedAt} at time zone 'Asia/Shanghai')::integer`;
  const rows = await db
    .select({
      associationId: r.associationId,
      month,
      category: r.category,
      severity: r.severity,
      count: count(),
      late: sql<number>`(count(*) filter (where ${r.late}))::integer`,
      escalated: sql<number>`(count(*) filter (where ${r.escalatedAt} is not null))::integer`,
    })
    .from(r)
    .where(
      and(
        scope.kind === 'association' ? eq(r.associationId, scope.associationId) : undefined,
        sql`${r.reportedAt} >= ${`${year}-01-01T00:00:00+08:00`}::timestamptz`,
        sql`${r.reportedAt} < ${`${year + 1}-01-01T00:00:00+08:00`}::timestamptz`,
      ),
    )
    .groupBy(r.associationId, month, r.category, r.severity)
    .orderBy(asc(r.associationId), asc(month), asc(r.category), asc(r.severity));
  return rows.map(({ associationId, ...row }) => ({ ...row, month: Number(row.month), late: Number(row.late), escalated: Number(row.escalated), associationCode: ASSOCIATION_CODES[associationId]! }));
}
