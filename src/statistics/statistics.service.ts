// Business rules of the statistics returns: what a firm owes, saving (validated against the metric definitions kept as
// data, with warnings), the maker–checker submission, the association's review, and every read of returns and periods.
import { and, asc, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.service.js';
import { activeMemberOf, scopeCondition, statisticsReturnScope, statisticsStaffAssociationOf } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import type { DbOrTx } from '../db/client.js';
import { pageCondition, pageOrderBy, type PageRequest } from '../db/page.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector, isUniqueViolation, type LocalizedMessage, type UserErrorShape } from '../errors.js';
import { encodeGlobalId } from '../global-id.js';
import { organizationsTable } from '../members/members.table.js';
import { enqueueEvent } from '../outbox/outbox.service.js';
import { cleanText } from '../text.js';
import { todayInShanghai } from '../time.js';
import { formatMetric } from './statistics.format.js';
import { periodDates } from './statistics.periods.js';
import {
  statisticsMetricsTable,
  statisticsPeriodsTable,
  statisticsReturnsTable,
  statisticsValuesTable,
  type StatisticsMetricRow,
  type StatisticsPeriodRow,
  type StatisticsReturnRow,
  type StatisticsReturnStatus,
  type StatisticsValueRow,
  type StatisticsWarning,
} from './statistics.table.js';

export const MAX_VALUES_PER_SAVE = 100;
export const MAX_REVIEW_NOTE_LENGTH = 2_000;
/** Largest absolute value stored (base units): 10^16 元 is far beyond any firm. */
export const MAX_ABS_VALUE = 1e16;

const r = statisticsReturnsTable;
const p = statisticsPeriodsTable;
const v = statisticsValuesTable;

// ---------------------------------------------------------------- metric definitions (data)

/** Every metric definition, in report order. One statement. */
export async function loadMetrics(db: DbOrTx): Promise<StatisticsMetricRow[]> {
  return db.select().from(statisticsMetricsTable).orderBy(asc(statisticsMetricsTable.sortOrder), asc(statisticsMetricsTable.code));
}

// ---------------------------------------------------------------- visibility

function visibleReturns(viewer: Viewer): SQL | undefined {
  return scopeCondition(statisticsReturnScope(viewer), { organization: r.organizationId, association: r.associationId });
}

/** A period is owed by an organization: it is an active member of the period's association and of a kind that owes it. */
function owedBy(organizationId: number): SQL {
  return and(
    activeMemberOf(sql`${organizationId}::integer`, p.associationId),
    sql`(select ${organizationsTable.kind} from ${organizationsTable} where ${organizationsTable.id} = ${organizationId}) = any(${p.owedByKinds})`,
  )!;
}

// ---------------------------------------------------------------- periods

/**
 * The periods a viewer sees: a firm or listed company those it owes (with due dates); everyone else the whole
 * calendar (periods are public). Newest first.
 */
function periodConditions(viewer: Viewer): SQL | undefined {
  if ((viewer.role === 'FIRM' || viewer.role === 'LISTED_COMPANY') && viewer.organizationId !== null) return owedBy(viewer.organizationId);
  return undefined;
}

export async function listPeriods(db: DbOrTx, viewer: Viewer, page: PageRequest): Promise<StatisticsPeriodRow[]> {
  return db
    .select()
    .from(p)
    .where(and(periodConditions(viewer), pageCondition(page, p.id, 'desc')))
    .orderBy(pageOrderBy(page, 'desc', p.id))
    .limit(page.limit + 1);
}

export async function countPeriods(db: DbOrTx, viewer: Viewer): Promise<number> {
  const [row] = await db.select({ n: count() }).from(p).where(periodConditions(viewer));
  return row?.n ?? 0;
}

export async function loadPeriodsByIds(db: DbOrTx, ids: readonly number[]): Promise<StatisticsPeriodRow[]> {
  return db.select().from(p).where(inArray(p.id, [...ids]));
}

/** Inserts the periods given (skipping labels the association already has); returns how many were new. */
export async function ensurePeriods(
  db: DbOrTx,
  periods: { associationId: number; label: string; kind: 'MONTHLY' | 'ANNUAL'; startsOn: string; endsOn: string; dueOn: string; owedByKinds: StatisticsPeriodRow['owedByKinds'] }[],
): Promise<number> {
  if (periods.length === 0) return 0;
  const inserted = await db.insert(p).values(periods).onConflictDoNothing().returning({ id: p.id });
  return inserted.length;
}

// ---------------------------------------------------------------- reading returns

export interface StatisticsReturnFilter {
  period?: string | null;
  status?: StatisticsReturnStatus | null;
  /** undefined: any; null: an id that does not parse (matches nothing). */
  organizationId?: number | null;
}

function returnConditions(viewer: Viewer, filter: StatisticsReturnFilter): SQL | undefined {
  return and(
    visibleReturns(viewer),
    eq(r.isLatest, true),
    filter.period ? inArray(r.periodId, sql`(select ${p.id} from ${p} where ${p.label} = ${filter.period})`) : undefined,
    filter.status ? eq(r.status, filter.status) : undefined,
    filter.organizationId === undefined ? undefined : filter.organizationId === null ? sql`false` : eq(r.organizationId, filter.organizationId),
  );
}

/** The latest version of each return the viewer may see, in id order. */
export async function listReturns(db: DbOrTx, viewer: Viewer, filter: StatisticsReturnFilter, page: PageRequest): Promise<StatisticsReturnRow[]> {
  return db
    .select()
    .from(r)
    .where(and(returnConditions(viewer, filter), pageCondition(page, r.id)))
    .orderBy(pageOrderBy(page, 'asc', r.id))
    .limit(page.limit + 1);
}

export async function countReturns(db: DbOrTx, viewer: Viewer, filter: StatisticsReturnFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(r).where(returnConditions(viewer, filter));
  return row?.n ?? 0;
}

/** Any version by id, when the viewer may see it. */
export async function loadReturnsByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<StatisticsReturnRow[]> {
  return db
    .select()
    .from(r)
    .where(and(inArray(r.id, [...ids]), visibleReturns(viewer)));
}

/** The values of return versions (called for returns the viewer already sees). */
export async function loadValuesByReturnIds(db: DbOrTx, ids: readonly number[]): Promise<StatisticsValueRow[]> {
  return db
    .select({ returnId: v.returnId, metricCode: v.metricCode, value: v.value })
    .from(v)
    .innerJoin(statisticsMetricsTable, eq(statisticsMetricsTable.code, v.metricCode))
    .where(inArray(v.returnId, [...ids]))
    .orderBy(asc(statisticsMetricsTable.sortOrder));
}

/**
 * Every version of the returns given (same organization and period), oldest first, tagged with the return asked
 * about. Versions share the organization and association of the return, so they are visible to whoever sees it.
 */
export async function loadVersionsOf(db: DbOrTx, ids: readonly number[]): Promise<(StatisticsReturnRow & { forId: number })[]> {
  const base = sql`select r2.*, r1.id as for_id from ${r} r1 join ${r} r2 on r2.organization_id = r1.organization_id and r2.period_id = r1.period_id
    where r1.id = any(${sql.param([...ids])}::integer[]) order by r2.version`;
  const result = (await db.execute(base)) as unknown as { rows: Record<string, unknown>[] };
  return result.rows.map((row) => ({ ...returnFromRaw(row), forId: Number(row.for_id) }));
}

function returnFromRaw(raw: Record<string, unknown>): StatisticsReturnRow {
  const ts = (x: unknown) => (x === null || x === undefined ? null : x instanceof Date ? x : new Date(String(x)));
  return {
    id: Number(raw.id),
    organizationId: Number(raw.organization_id),
    periodId: Number(raw.period_id),
    associationId: Number(raw.association_id),
    version: Number(raw.version),
    isLatest: Boolean(raw.is_latest),
    status: raw.status as StatisticsReturnStatus,
    warnings: (typeof raw.warnings === 'string' ? JSON.parse(raw.warnings) : raw.warnings) as StatisticsWarning[],
    savedBy: String(raw.saved_by),
    savedAt: ts(raw.saved_at)!,
    submittedBy: (raw.submitted_by as string | null) ?? null,
    submittedAt: ts(raw.submitted_at),
    reviewedBy: (raw.reviewed_by as string | null) ?? null,
    reviewedAt: ts(raw.reviewed_at),
    reviewNote: (raw.review_note as string | null) ?? null,
    createdAt: ts(raw.created_at)!,
  };
}

/** The viewer's own organization's latest return per period (a firm's view of what it owes). */
export async function loadOwnReturnsByPeriodIds(db: DbOrTx, viewer: Viewer, periodIds: readonly number[]): Promise<StatisticsReturnRow[]> {
  if (viewer.organizationId === null) return [];
  return db
    .select()
    .from(r)
    .where(and(inArray(r.periodId, [...periodIds]), eq(r.organizationId, viewer.organizationId), eq(r.isLatest, true), visibleReturns(viewer)));
}

// ---------------------------------------------------------------- saving

export interface MetricValueInput {
  /** A MetricCode; any other text is refused (the definitions are data). */
  metric: string;
  /** Base units (元, 人, 户, 家); null removes the metric from the draft. */
  value: number | null;
}

export interface SaveStatisticsReturnInput {
  period: string;
  values: MetricValueInput[];
}

export interface SaveResult {
  statisticsReturn: StatisticsReturnRow;
  values: StatisticsValueRow[];
}

const NOT_FOUND_PERIOD: LocalizedMessage = { zh: '没有该统计期，或本机构不在其协会的会员中', en: 'No such statistics period for your organization' };
const NOT_FOUND_RETURN: LocalizedMessage = { zh: '统计报表不存在', en: 'Statistics return not found' };

const statusZh: Record<StatisticsReturnStatus, string> = { DRAFT: '已保存未提交', SUBMITTED: '已提交', RETURNED: '已退回修改', ACCEPTED: '已通过' };

function readOnly(row: StatisticsReturnRow, field: string[]): DomainError {
  return new DomainError('INVALID_STATE', field, {
    zh: `该期报表${statusZh[row.status]}，不能修改`,
    en: `The return is ${row.status} and read-only`,
  });
}

/**
 * Checks the input values against the metric definitions (hard rules): known metric, collected for this period kind
 * and this kind of organization, finite, within the stored magnitude, non-negative where the definition says so,
 * whole for counts, once each. Collects every problem.
 */
export function validateValues(
  values: MetricValueInput[],
  metrics: StatisticsMetricRow[],
  context: { periodKind: 'MONTHLY' | 'ANNUAL'; organizationKind: string },
): UserErrorShape[] {
  const byCode = new Map(metrics.map((m) => [m.code, m]));
  const problems: UserErrorShape[] = [];
  const seen = new Set<string>();
  values.forEach((input, i) => {
    const field = ['input', 'values', String(i)];
    const metric = byCode.get(input.metric);
    if (!metric) {
      problems.push({ code: 'INVALID', field: [...field, 'metric'], message: { zh: `未知的统计指标“${input.metric}”`, en: `Unknown metric ${input.metric}` } });
      return;
    }
    if (!metric.periodKinds.includes(context.periodKind) || !metric.appliesToKinds.includes(context.organizationKind as never)) {
      problems.push({
        code: 'INVALID',
        field: [...field, 'metric'],
        message: { zh: `本期不需要报送“${metric.nameZh}”`, en: `${metric.nameEn} is not collected from your organization in this period` },
      });
      return;
    }
    if (seen.has(metric.code)) {
      problems.push({ code: 'DUPLICATE', field: [...field, 'metric'], message: { zh: `“${metric.nameZh}”重复填报`, en: `${metric.nameEn} is given more than once` } });
      return;
    }
    seen.add(metric.code);
    const value = input.value;
    if (value === null) return;
    const valueField = [...field, 'value'];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push({ code: 'INVALID', field: valueField, message: { zh: `“${metric.nameZh}”须为有限数值`, en: `${metric.nameEn} must be a finite number` } });
    } else if (Math.abs(value) > MAX_ABS_VALUE) {
      problems.push({ code: 'OUT_OF_RANGE', field: valueField, message: { zh: `“${metric.nameZh}”数值过大`, en: `${metric.nameEn} is implausibly large` } });
    } else if (metric.nonNegative && value < 0) {
      problems.push({ code: 'OUT_OF_RANGE', field: valueField, message: { zh: `“${metric.nameZh}”不能为负数`, en: `${metric.nameEn} cannot be negative` } });
    } else if (metric.integral && !Number.isInteger(value)) {
      problems.push({ code: 'INVALID', field: valueField, message: { zh: `“${metric.nameZh}”须为整数`, en: `${metric.nameEn} must be a whole number` } });
    }
  });
  return problems;
}

/**
 * Soft checks (saved, with a warning): outside the metric's range; a move of more than its threshold share against
 * the previous period's accepted value.
 */
export function computeWarnings(values: Map<string, number>, previous: Map<string, number>, metrics: StatisticsMetricRow[]): StatisticsWarning[] {
  const warnings: StatisticsWarning[] = [];
  for (const metric of metrics) {
    const value = values.get(metric.code);
    if (value === undefined) continue;
    if ((metric.minValue !== null && value < metric.minValue) || (metric.maxValue !== null && value > metric.maxValue)) {
      const range = `${formatMetric(metric.minValue, metric.displayUnit)} – ${formatMetric(metric.maxValue, metric.displayUnit)}`;
      warnings.push({
        metric: metric.code,
        code: 'OUT_OF_RANGE',
        zh: `${metric.nameZh}超出常见范围（${range}），请核实`,
        en: `${metric.nameEn} is outside its usual range (${range}); please check`,
      });
    }
    const before = previous.get(metric.code);
    if (before !== undefined && before !== 0) {
      const share = Math.abs(value - before) / Math.abs(before);
      if (share > metric.varianceThreshold) {
        const pct = Math.round(share * 100);
        const limit = Math.round(metric.varianceThreshold * 100);
        warnings.push({
          metric: metric.code,
          code: 'VARIANCE',
          zh: `${metric.nameZh}较上期变动 ${pct}%，超过 ${limit}%，请说明或核实`,
          en: `${metric.nameEn} moved ${pct}% against the previous period, more than ${limit}%; please check`,
        });
      }
    }
  }
  return warnings;
}

function requireFirm(actor: Viewer): number {
  if (actor.role !== 'FIRM' || actor.organizationId === null || actor.serviceAccount) {
    throw new DomainError('NOT_FOUND', null, { zh: '只有会员机构的工作人员可以填报统计报表', en: 'Only a member firm\'s people file statistics returns' });
  }
  return actor.organizationId;
}

/**
 * Saves a firm's draft return for a period (by the token's subject). Creates version 1, updates a DRAFT, or — for a
 * RETURNED return — inserts version + 1 (the returned version stays as it was). Values not named keep their value;
 * a null value removes the metric. A SUBMITTED or ACCEPTED return is read-only (INVALID_STATE).
 *
 * One transaction with a constant number of statements whatever the number of metrics: the period, the definitions,
 * the lock on the latest version, its values with the previous period's accepted ones, the version write, one
 * delete and one insert of the values, and the audit entry.
 */
export async function saveStatisticsReturn(db: DbOrTx, actor: Viewer, input: SaveStatisticsReturnInput, today = todayInShanghai()): Promise<SaveResult> {
  const organizationId = requireFirm(actor);
  const errors = new ErrorCollector();
  if (input.values.length === 0) errors.add('REQUIRED', ['input', 'values'], { zh: '至少填报一项指标', en: 'values must hold at least one metric' });
  if (input.values.length > MAX_VALUES_PER_SAVE) {
    errors.add('LIMIT_EXCEEDED', ['input', 'values'], { zh: `每次最多填报 ${MAX_VALUES_PER_SAVE} 项`, en: `At most ${MAX_VALUES_PER_SAVE} values per save` });
  }
  if (!periodDates(input.period)) {
    errors.add('INVALID', ['input', 'period'], { zh: '期别应形如 2026-11（月度）或 2025（年度）', en: 'period must look like 2026-11 (monthly) or 2025 (annual)' });
  }
  errors.throwIfAny();

  try {
    return await runInTransaction(db, async (tx) => {
      // 1. The period, if the organization owes it (member of its association, of a kind that owes it).
      const [found] = await tx
        .select({ period: p, organizationKind: organizationsTable.kind })
        .from(p)
        .innerJoin(organizationsTable, eq(organizationsTable.id, organizationId))
        .where(and(eq(p.label, input.period), activeMemberOf(sql`${organizationId}::integer`, p.associationId)))
        .orderBy(asc(p.associationId))
        .limit(1);
      if (!found) throw new DomainError('NOT_FOUND', ['input', 'period'], NOT_FOUND_PERIOD);
      const period = found.period;
      if (!period.owedByKinds.includes(found.organizationKind)) {
        throw new DomainError('INVALID', ['input', 'period'], { zh: '本机构不需要报送该期统计报表', en: 'Your organization does not owe a return for this period' });
      }
      if (period.endsOn >= today) {
        throw new DomainError('INVALID', ['input', 'period'], {
          zh: `该统计期至 ${period.endsOn} 结束，结束后才能填报`,
          en: `The period ends on ${period.endsOn}; returns are filed after it ends`,
        });
      }
      // 2. The definitions.
      const metrics = await loadMetrics(tx);
      const problems = validateValues(input.values, metrics, { periodKind: period.kind, organizationKind: found.organizationKind });
      if (problems.length > 0) throw new DomainError(problems);
      // 3. The latest version, locked.
      const [latest] = await tx
        .select()
        .from(r)
        .where(and(eq(r.organizationId, organizationId), eq(r.periodId, period.id), eq(r.isLatest, true)))
        .for('update');
      if (latest && (latest.status === 'SUBMITTED' || latest.status === 'ACCEPTED')) throw readOnly(latest, ['input', 'period']);
      // 4. Its values, and the previous period's accepted ones (for the variance check).
      const known = (await tx.execute(sql`
        select 'current' as src, ${v.metricCode} as metric, ${v.value} as value from ${v} where ${v.returnId} = ${latest?.id ?? 0}
        union all
        select 'previous', pv.metric_code, pv.value from ${v} pv join ${r} pr on pr.id = pv.return_id
        where pr.organization_id = ${organizationId} and pr.is_latest and pr.status = 'ACCEPTED'
          and pr.period_id = (select pp.id from ${p} pp where pp.association_id = ${period.associationId} and pp.kind = ${period.kind}
                              and pp.ends_on < ${period.startsOn}::date order by pp.ends_on desc limit 1)`)) as unknown as {
        rows: { src: string; metric: string; value: number | string }[];
      };
      const current = new Map<string, number>();
      const previous = new Map<string, number>();
      for (const row of known.rows) (row.src === 'current' ? current : previous).set(row.metric, Number(row.value));
      for (const item of input.values) {
        if (item.value === null) current.delete(item.metric);
        else current.set(item.metric, item.value);
      }
      const warnings = computeWarnings(current, previous, metrics);

      // 5. The version row.
      let saved: StatisticsReturnRow;
      if (latest?.status === 'DRAFT') {
        [saved] = (await tx
          .update(r)
          .set({ savedBy: actor.subject, savedAt: sql`now()`, warnings })
          .where(eq(r.id, latest.id))
          .returning()) as [StatisticsReturnRow];
      } else {
        // A first save, or a RETURNED version superseded by the next (which stops being the latest first).
        const version = latest ? latest.version + 1 : 1;
        if (latest) await tx.update(r).set({ isLatest: false }).where(eq(r.id, latest.id));
        const result = (await tx.execute(sql`
          insert into ${r} (organization_id, period_id, association_id, version, is_latest, status, warnings, saved_by)
          values (${organizationId}, ${period.id}, ${period.associationId}, ${version}, true, 'DRAFT', ${JSON.stringify(warnings)}::jsonb, ${actor.subject})
          returning *`)) as unknown as { rows: Record<string, unknown>[] };
        saved = returnFromRaw(result.rows[0]!);
      }
      // 6. The values: replaced as a set, two statements whatever their number.
      await tx.delete(v).where(eq(v.returnId, saved.id));
      const codes = [...current.keys()];
      if (codes.length > 0) {
        await tx.execute(sql`insert into ${v} (return_id, metric_code, value)
          select ${saved.id}, c, x from unnest(${sql.param(codes)}::text[], ${sql.param(codes.map((c) => current.get(c)!))}::float8[]) as t(c, x)`);
      }
      // 7. The audit entry.
      await recordAudit(tx, actor, {
        action: latest && latest.status === 'RETURNED' ? 'statisticsReturn.resave' : 'statisticsReturn.save',
        entityType: 'StatisticsReturn',
        entityId: saved.id,
        before: latest ? { id: latest.id, version: latest.version, status: latest.status } : null,
        after: { ...saved, values: Object.fromEntries(current) },
      });
      const values = metrics.filter((m) => current.has(m.code)).map((m) => ({ returnId: saved.id, metricCode: m.code, value: current.get(m.code)! }));
      return { statisticsReturn: saved, values };
    });
  } catch (error) {
    // Two first saves racing: the partial unique index lets one win; the other is told to retry.
    if (isUniqueViolation(error, 'statistics_returns_latest_key') || isUniqueViolation(error, 'statistics_returns_version_key')) {
      throw new DomainError('INVALID_STATE', ['input', 'period'], { zh: '该期报表正被同时保存，请重试', en: 'The return was saved concurrently; try again' });
    }
    throw error;
  }
}

/** Locks the return (any version) the actor may see; hidden and missing look the same. */
async function lockReturn(tx: DbOrTx, actor: Viewer, id: number | null): Promise<StatisticsReturnRow> {
  const [row] = id === null ? [] : await tx.select().from(r).where(and(eq(r.id, id), visibleReturns(actor))).for('update');
  if (!row) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_RETURN);
  return row;
}

function requireLatest(row: StatisticsReturnRow): void {
  if (!row.isLatest) {
    throw new DomainError('INVALID_STATE', ['input', 'id'], {
      zh: `这是第 ${row.version} 版，已被新版本取代`,
      en: `Version ${row.version} has been superseded by a later version`,
    });
  }
}

/**
 * Submits a firm's DRAFT return: by another person than the one who last saved it (maker–checker: SAME_PERSON),
 * with every required metric present. A second submission, or one of a returned return not yet saved again, is
 * INVALID_STATE. Audit entry and the STATISTICS_RETURN_SUBMITTED event in the same transaction.
 */
export async function submitStatisticsReturn(db: DbOrTx, actor: Viewer, id: number | null): Promise<StatisticsReturnRow> {
  const organizationId = requireFirm(actor);
  return runInTransaction(db, async (tx) => {
    const before = await lockReturn(tx, actor, id);
    if (before.organizationId !== organizationId) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_RETURN);
    requireLatest(before);
    if (before.status === 'RETURNED') {
      throw new DomainError('INVALID_STATE', ['input', 'id'], { zh: '报表已退回，请修改并保存后再提交', en: 'The return was returned: save a corrected version before submitting' });
    }
    if (before.status !== 'DRAFT') throw readOnly(before, ['input', 'id']);
    if (before.savedBy === actor.subject) {
      throw new DomainError('SAME_PERSON', ['input', 'id'], {
        zh: '提交人不能是最后保存报表的经办人，请由另一人复核后提交',
        en: 'The person who last saved the return cannot submit it: another person must check and submit',
      });
    }
    const [period] = await tx.select().from(p).where(eq(p.id, before.periodId));
    const metrics = await loadMetrics(tx);
    const values = await tx.select().from(v).where(eq(v.returnId, before.id));
    const [org] = await tx.select({ kind: organizationsTable.kind, creditCode: organizationsTable.creditCode }).from(organizationsTable).where(eq(organizationsTable.id, organizationId));
    const present = new Set(values.map((x) => x.metricCode));
    const missing = metrics.filter((m) => m.required && m.periodKinds.includes(period!.kind) && m.appliesToKinds.includes(org!.kind) && !present.has(m.code));
    if (missing.length > 0) {
      throw new DomainError('REQUIRED', ['input', 'id'], {
        zh: `以下指标尚未填报：${missing.map((m) => m.nameZh).join('、')}`,
        en: `These metrics are missing: ${missing.map((m) => m.code).join(', ')}`,
      });
    }
    const [after] = await tx
      .update(r)
      .set({ status: 'SUBMITTED', submittedBy: actor.subject, submittedAt: sql`now()` })
      .where(eq(r.id, before.id))
      .returning();
    await recordAudit(tx, actor, { action: 'statisticsReturn.submit', entityType: 'StatisticsReturn', entityId: before.id, before, after });
    await enqueueEvent(tx, {
      type: 'statistics_return.submitted',
      entityType: 'StatisticsReturn',
      entityId: after!.id,
      associationId: after!.associationId,
      payload: {
        statisticsReturn: encodeGlobalId('StatisticsReturn', after!.id),
        organization: encodeGlobalId('Organization', after!.organizationId),
        organizationCreditCode: org!.creditCode,
        period: period!.label,
        periodKind: period!.kind,
        version: after!.version,
        status: after!.status,
        submittedAt: after!.submittedAt,
      },
    });
    return after!;
  });
}

export type StatisticsReviewDecision = 'ACCEPT' | 'RETURN';

/** The association's staff accept a SUBMITTED return or return it for correction (a note is required then). */
export async function reviewStatisticsReturn(
  db: DbOrTx,
  actor: Viewer,
  input: { id: number | null; decision: StatisticsReviewDecision; note?: string | null },
): Promise<StatisticsReturnRow> {
  const associationId = statisticsStaffAssociationOf(actor);
  if (associationId === null) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_RETURN);
  const errors = new ErrorCollector();
  const note = cleanText(errors, input.note, {
    field: ['input', 'note'],
    max: MAX_REVIEW_NOTE_LENGTH,
    multiline: true,
    required: input.decision === 'RETURN',
    labelZh: '退回意见',
    labelEn: 'note',
  });
  errors.throwIfAny();
  return runInTransaction(db, async (tx) => {
    const before = await lockReturn(tx, actor, input.id);
    if (before.associationId !== associationId) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_RETURN);
    requireLatest(before);
    if (before.status !== 'SUBMITTED') {
      throw new DomainError('INVALID_STATE', ['input', 'id'], {
        zh: `报表当前状态为“${statusZh[before.status]}”，只有已提交的报表可以审核`,
        en: `The return is ${before.status}; only SUBMITTED returns are reviewed`,
      });
    }
    const [after] = await tx
      .update(r)
      .set({ status: input.decision === 'ACCEPT' ? 'ACCEPTED' : 'RETURNED', reviewedBy: actor.subject, reviewedAt: sql`now()`, reviewNote: note ?? null })
      .where(eq(r.id, before.id))
      .returning();
    await recordAudit(tx, actor, { action: `statisticsReturn.review.${input.decision.toLowerCase()}`, entityType: 'StatisticsReturn', entityId: before.id, before, after });
    return after!;
  });
}

// ---------------------------------------------------------------- overdue filers

export interface OutstandingFiler {
  organizationId: number;
  periodId: number;
  /** Latest version's status: null when nothing was saved; DRAFT = saved, not submitted; RETURNED = not corrected. */
  status: StatisticsReturnStatus | null;
  returnId: number | null;
  dueOn: string;
}

/**
 * Firms that owe a period and have not filed it: no return, a DRAFT (saved is not filed) or a RETURNED one not yet
 * resubmitted. Past the due date only, unless `includeNotYetDue`. For the period's association's staff and the
 * regulator (the caller decides: seesUnsuppressedStatistics); in organization id order.
 */
export async function listOutstandingFilers(
  db: DbOrTx,
  period: StatisticsPeriodRow,
  opts: { includeNotYetDue: boolean; today?: string },
  page: PageRequest | null,
): Promise<OutstandingFiler[]> {
  const today = opts.today ?? todayInShanghai();
  if (!opts.includeNotYetDue && period.dueOn >= today) return [];
  const o = organizationsTable;
  const query = sql`select ${o.id} as organization_id, lr.status, lr.id as return_id
    from ${o}
    left join ${r} lr on lr.organization_id = ${o.id} and lr.period_id = ${period.id} and lr.is_latest
    where ${activeMemberOf(o.id, sql`${period.associationId}::integer`)}
      and ${o.kind} = any(${sql.param(period.owedByKinds)}::organization_kind[])
      and (lr.id is null or lr.status in ('DRAFT', 'RETURNED'))
      ${page ? sql`and ${pageCondition(page, o.id) ?? sql`true`}` : sql``}
    order by ${page ? pageOrderBy(page, 'asc', o.id) : o.id}
    ${page ? sql`limit ${page.limit + 1}` : sql``}`;
  const result = (await db.execute(query)) as unknown as { rows: { organization_id: number; status: StatisticsReturnStatus | null; return_id: number | null }[] };
  return result.rows.map((row) => ({
    organizationId: Number(row.organization_id),
    periodId: period.id,
    status: row.status ?? null,
    returnId: row.return_id === null ? null : Number(row.return_id),
    dueOn: period.dueOn,
  }));
}

/** The period of an association with this label. */
export async function findPeriod(db: DbOrTx, associationId: number, label: string): Promise<StatisticsPeriodRow | null> {
  // A malformed label names no period (and never reaches the database: NUL and lone surrogates are not text to it).
  if (!periodDates(label)) return null;
  const [row] = await db.select().from(p).where(and(eq(p.associationId, associationId), eq(p.label, label)));
  return row ?? null;
}

// ---------------------------------------------------------------- CSV export rows

export interface StatisticsReturnExportRow {
  id: number;
  period: string;
  organizationId: number;
  organizationCreditCode: string;
  organizationName: string;
  organizationKind: string;
  district: string | null;
  status: StatisticsReturnStatus;
  version: number;
  savedBy: string;
  savedAt: Date;
  submittedBy: string | null;
  submittedAt: Date | null;
  reviewedAt: Date | null;
  reviewNote: string | null;
  values: Record<string, number>;
}

/**
 * One batch of the statistics export: the versions in force of a period's returns the viewer may see (the same
 * scope as GraphQL), with their values as one object, after `afterId` in id order. One statement.
 */
export async function exportReturnBatch(db: DbOrTx, viewer: Viewer, period: string, afterId: number, limit: number): Promise<StatisticsReturnExportRow[]> {
  const o = organizationsTable;
  const rows = await db
    .select({
      id: r.id,
      period: p.label,
      organizationId: r.organizationId,
      organizationCreditCode: o.creditCode,
      organizationName: o.name,
      organizationKind: o.kind,
      district: o.district,
      status: r.status,
      version: r.version,
      savedBy: r.savedBy,
      savedAt: r.savedAt,
      submittedBy: r.submittedBy,
      submittedAt: r.submittedAt,
      reviewedAt: r.reviewedAt,
      reviewNote: r.reviewNote,
      values: sql<Record<string, number> | string>`coalesce((select jsonb_object_agg(${v.metricCode}, ${v.value}) from ${v} where ${v.returnId} = ${r.id}), '{}'::jsonb)`,
    })
    .from(r)
    .innerJoin(p, eq(p.id, r.periodId))
    .innerJoin(o, eq(o.id, r.organizationId))
    .where(and(visibleReturns(viewer), eq(r.isLatest, true), eq(p.label, period), sql`${r.id} > ${afterId}`))
    .orderBy(asc(r.id))
    .limit(limit);
  return rows.map((row) => ({ ...row, values: typeof row.values === 'string' ? JSON.parse(row.values) : row.values }));
}
