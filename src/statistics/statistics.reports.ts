// The yearly development report (发展报告): the association's staff freeze the ACCEPTED data at a cut-off (a snapshot
// of aggregate cells with their firm counts), then move it DRAFT → EMBARGOED → PUBLISHED, one step per call.
import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.service.js';
import { developmentReportScope, statisticsStaffAssociationOf } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import { associationsTable } from '../associations/associations.table.js';
import type { DbOrTx } from '../db/client.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError } from '../errors.js';
import { rawCells } from './statistics.aggregate.js';
import { loadMetrics } from './statistics.service.js';
import {
  developmentReportsTable,
  statisticsPeriodsTable,
  statisticsReturnsTable,
  type DevelopmentReportRow,
  type DevelopmentReportSnapshot,
  type DevelopmentReportStatus,
} from './statistics.table.js';

const d = developmentReportsTable;
export const MIN_REPORT_YEAR = 2000;
export const MAX_REPORT_YEAR = 2100;

function visibleReports(viewer: Viewer): SQL | undefined {
  const scope = developmentReportScope(viewer);
  if (scope.kind === 'association') return or(eq(d.status, 'PUBLISHED'), eq(d.associationId, scope.associationId));
  if (scope.kind === 'embargoed') return inArray(d.status, ['EMBARGOED', 'PUBLISHED']);
  return eq(d.status, 'PUBLISHED');
}

/** The reports the viewer may see, newest year first. */
export async function listDevelopmentReports(db: DbOrTx, viewer: Viewer): Promise<DevelopmentReportRow[]> {
  return db.select().from(d).where(visibleReports(viewer)).orderBy(desc(d.year), asc(d.associationId));
}

export async function loadDevelopmentReportsByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<DevelopmentReportRow[]> {
  return db
    .select()
    .from(d)
    .where(and(inArray(d.id, [...ids]), visibleReports(viewer)));
}

/** One association's report of a year, when the viewer may see it (the HTML page). */
export async function findDevelopmentReport(db: DbOrTx, viewer: Viewer, associationId: number, year: number): Promise<(DevelopmentReportRow & { associationName: string }) | null> {
  const [row] = await db
    .select({ report: d, associationName: associationsTable.name })
    .from(d)
    .innerJoin(associationsTable, eq(associationsTable.id, d.associationId))
    .where(and(eq(d.associationId, associationId), eq(d.year, year), visibleReports(viewer)));
  return row ? { ...row.report, associationName: row.associationName } : null;
}

/** The page a report is read at, served by the API (src/server/routes/development-report.route.ts). */
export function developmentReportPath(report: { year: number; associationId: number }, associationCode: string): string {
  return `/reports/development/${report.year}.html${associationCode === 'SZSA' ? '' : `?association=${associationCode}`}`;
}

/**
 * Freezes the ACCEPTED data of a year as it stands at `cutOff`: the annual period's cells (total, by district, by
 * kind) — or, while the year has no accepted annual returns, its latest monthly period's — the previous year's
 * totals, and the monthly totals of the year's months. Aggregates only (sums with their firm counts).
 */
export async function buildSnapshot(db: DbOrTx, associationId: number, year: number, cutOff: Date): Promise<DevelopmentReportSnapshot> {
  const metrics = await loadMetrics(db);
  const months = await db
    .select({ label: statisticsPeriodsTable.label })
    .from(statisticsPeriodsTable)
    .where(
      and(
        eq(statisticsPeriodsTable.associationId, associationId),
        eq(statisticsPeriodsTable.kind, 'MONTHLY'),
        sql`${statisticsPeriodsTable.label} like ${`${year}-%`}`,
        sql`exists (select 1 from ${statisticsReturnsTable} r where r.period_id = ${statisticsPeriodsTable.id} and r.status = 'ACCEPTED' and r.is_latest and r.reviewed_at <= ${cutOff.toISOString()}::timestamptz)`,
      ),
    )
    .orderBy(asc(statisticsPeriodsTable.label));
  const acceptedBy = cutOff;
  const annualTotals = await rawCells(db, { associationId, label: String(year), by: null, acceptedBy });
  const period = annualTotals.length > 0 ? String(year) : (months.at(-1)?.label ?? null);
  const previousPeriod = period === null ? null : period.length === 4 ? String(year - 1) : `${year - 1}${period.slice(4)}`;
  const cells = async (label: string | null, by: 'DISTRICT' | 'KIND' | null) => (label === null ? [] : rawCells(db, { associationId, label, by, acceptedBy }));
  const totals = period === String(year) ? annualTotals : await cells(period, null);
  const monthly = [];
  for (const month of months) {
    for (const cell of await rawCells(db, { associationId, label: month.label, by: null, acceptedBy })) monthly.push({ ...cell, group: month.label });
  }
  return {
    period,
    previousPeriod,
    metrics: metrics.map((m) => ({ code: m.code, nameZh: m.nameZh, nameEn: m.nameEn, unit: m.unit, displayUnit: m.displayUnit, kind: m.kind })),
    totals,
    previousTotals: await cells(previousPeriod, null),
    byDistrict: await cells(period, 'DISTRICT'),
    byKind: await cells(period, 'KIND'),
    monthly,
    firmsReporting: Math.max(0, ...totals.map((c) => c.firms)),
  };
}

const statusZh: Record<DevelopmentReportStatus, string> = { DRAFT: '草稿', EMBARGOED: '禁发期（仅协会与证监局可阅）', PUBLISHED: '已发布' };

export function reportTitle(year: number, associationName: string): string {
  return associationName.includes('上市公司') ? `深圳上市公司发展报告（${year}）` : `深圳证券业发展报告（${year}）`;
}

/**
 * Advances the year's report of the staff's association by one step: none → DRAFT (freezing the accepted data now),
 * DRAFT → EMBARGOED (staff and the bureau read it), EMBARGOED → PUBLISHED (everyone). A published report is final
 * (ALREADY_PUBLISHED); corrections are errata, never edits.
 */
export async function publishDevelopmentReport(db: DbOrTx, actor: Viewer, input: { year: number }): Promise<DevelopmentReportRow> {
  const associationId = statisticsStaffAssociationOf(actor);
  if (associationId === null) {
    throw new DomainError('NOT_FOUND', null, { zh: '只有协会工作人员可以发布发展报告', en: 'Only an association\'s staff publish development reports' });
  }
  if (!Number.isInteger(input.year) || input.year < MIN_REPORT_YEAR || input.year > MAX_REPORT_YEAR) {
    throw new DomainError('INVALID', ['input', 'year'], { zh: `年份须在 ${MIN_REPORT_YEAR}–${MAX_REPORT_YEAR} 之间`, en: `year must be between ${MIN_REPORT_YEAR} and ${MAX_REPORT_YEAR}` });
  }
  return runInTransaction(db, async (tx) => {
    const [before] = await tx
      .select()
      .from(d)
      .where(and(eq(d.associationId, associationId), eq(d.year, input.year)))
      .for('update');
    if (!before) return freezeReport(tx, actor, associationId, input.year, new Date());
    if (before.status === 'PUBLISHED') {
      throw new DomainError('ALREADY_PUBLISHED', ['input', 'year'], { zh: '该年度发展报告已发布，更正请以勘误发布', en: 'The report is already published; corrections are published as errata' });
    }
    const to: DevelopmentReportStatus = before.status === 'DRAFT' ? 'EMBARGOED' : 'PUBLISHED';
    const [after] = await tx
      .update(d)
      .set(to === 'EMBARGOED' ? { status: to, embargoedAt: sql`now()` as never } : { status: to, publishedAt: sql`now()` as never })
      .where(eq(d.id, before.id))
      .returning();
    await recordAudit(tx, actor, {
      action: `developmentReport.${to.toLowerCase()}`,
      entityType: 'DevelopmentReport',
      entityId: before.id,
      before: { status: before.status },
      after: { status: after!.status, note: statusZh[to] },
    });
    return after!;
  });
}

/**
 * Freezes (or, while still DRAFT, freezes again) the year's report of the staff's association at `cutOff` (default
 * now, never in the future).
 */
export async function freezeDevelopmentReport(db: DbOrTx, actor: Viewer, input: { year: number; dataCutOff?: Date | null }): Promise<DevelopmentReportRow> {
  const associationId = statisticsStaffAssociationOf(actor);
  if (associationId === null) {
    throw new DomainError('NOT_FOUND', null, { zh: '只有协会工作人员可以编制发展报告', en: 'Only an association\'s staff compile development reports' });
  }
  const now = new Date();
  const cutOff = input.dataCutOff ?? now;
  if (!Number.isInteger(input.year) || input.year < MIN_REPORT_YEAR || input.year > MAX_REPORT_YEAR) {
    throw new DomainError('INVALID', ['input', 'year'], { zh: `年份须在 ${MIN_REPORT_YEAR}–${MAX_REPORT_YEAR} 之间`, en: `year must be between ${MIN_REPORT_YEAR} and ${MAX_REPORT_YEAR}` });
  }
  if (cutOff.getTime() > now.getTime()) {
    throw new DomainError('INVALID', ['input', 'dataCutOff'], { zh: '数据截止时间不能晚于现在', en: 'dataCutOff cannot be in the future' });
  }
  return runInTransaction(db, async (tx) => {
    const [before] = await tx
      .select()
      .from(d)
      .where(and(eq(d.associationId, associationId), eq(d.year, input.year)))
      .for('update');
    if (before && before.status !== 'DRAFT') {
      throw new DomainError('INVALID_STATE', ['input', 'year'], { zh: '报告已进入禁发期或已发布，数据不能重新冻结', en: 'The report is embargoed or published; its data cannot be frozen again' });
    }
    if (!before) return freezeReport(tx, actor, associationId, input.year, cutOff);
    // A draft keeps its id (links to it stay valid); its data are frozen again.
    const snapshot = await buildSnapshot(tx, associationId, input.year, cutOff);
    const [after] = await tx.update(d).set({ dataCutOff: cutOff, snapshot, frozenBy: actor.subject }).where(eq(d.id, before.id)).returning();
    await recordAudit(tx, actor, {
      action: 'developmentReport.freeze',
      entityType: 'DevelopmentReport',
      entityId: before.id,
      before: { dataCutOff: before.dataCutOff, period: before.snapshot.period, firmsReporting: before.snapshot.firmsReporting },
      after: { dataCutOff: cutOff, period: snapshot.period, firmsReporting: snapshot.firmsReporting },
    });
    return after!;
  });
}

async function freezeReport(tx: DbOrTx, actor: Viewer, associationId: number, year: number, cutOff: Date): Promise<DevelopmentReportRow> {
  const [association] = await tx.select({ name: associationsTable.name }).from(associationsTable).where(eq(associationsTable.id, associationId));
  const snapshot = await buildSnapshot(tx, associationId, year, cutOff);
  const [row] = await tx
    .insert(d)
    .values({ associationId, year, title: reportTitle(year, association!.name), status: 'DRAFT', dataCutOff: cutOff, snapshot, frozenBy: actor.subject })
    .returning();
  await recordAudit(tx, actor, {
    action: 'developmentReport.freeze',
    entityType: 'DevelopmentReport',
    entityId: row!.id,
    after: { year, dataCutOff: cutOff, period: snapshot.period, firmsReporting: snapshot.firmsReporting },
  });
  return row!;
}
