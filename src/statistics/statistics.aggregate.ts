// Industry aggregates of ACCEPTED returns, with small-cell suppression applied in the same SQL statement.
//
// The rule (demo convention, DOMAIN.md §12.1), per metric and grouping, for viewers who are not the association's
// staff or the regulator:
// - primary: a cell built from fewer than MIN_FIRMS (3) firms is withheld (value null, suppressed true);
// - complementary: the total of a metric is always published too (by: null), so the withheld cells of a grouping
//   can be recovered together by subtraction (total − the shown cells). When the withheld cells together hold fewer
//   than MIN_FIRMS firms (in particular when exactly one cell is withheld), the smallest shown cell (fewest firms,
//   then the grouping's order) is withheld as well, so the sum recovered always spans at least MIN_FIRMS firms
//   plus a second cell: no firm (not even one inside the withheld cells, who knows its own figure) learns another
//   firm's figure from one grouping and the total;
// - the total itself is withheld when it comes from fewer than MIN_FIRMS firms (then every cell is, too).
// The same rule as a pure function (suppressCells) renders the frozen cells of a development report.
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { organizationsTable } from '../members/members.table.js';
import { statisticsMetricsTable, statisticsPeriodsTable, statisticsReturnsTable, statisticsValuesTable, type SnapshotCell } from './statistics.table.js';

export const MIN_FIRMS = 3;

export type StatisticsGrouping = 'DISTRICT' | 'KIND';

export interface StatisticsCell {
  metric: string;
  district: string | null;
  kind: string | null;
  value: number | null;
  firms: number;
  suppressed: boolean;
}

/**
 * The cells of accepted returns in one statement: a grouping (DISTRICT / KIND / none = one total per metric) of the
 * latest ACCEPTED version of each firm's return for the association's period, with suppression when `mask` is true.
 * `acceptedBy`: only returns reviewed at or before this instant (a report's cut-off).
 */
export function industryStatisticsSql(opts: { associationId: number | SQL; label: string | SQL; by: StatisticsGrouping | null; mask: boolean | SQL; acceptedBy?: Date | null }): SQL {
  const r = statisticsReturnsTable;
  const p = statisticsPeriodsTable;
  const v = statisticsValuesTable;
  const o = organizationsTable;
  const m = statisticsMetricsTable;
  const group = opts.by === 'DISTRICT' ? sql`o.district::text` : opts.by === 'KIND' ? sql`o.kind::text` : sql`null::text`;
  // The grouping's display order: the enum's order (districts as declared, kinds as declared).
  const groupOrder = opts.by === 'DISTRICT' ? sql`o.district` : opts.by === 'KIND' ? sql`o.kind` : sql`null::integer`;
  return sql`with cells as (
      select v.metric_code as metric, ${group} as grp, min(${groupOrder}) as grp_order, count(*)::integer as firms, sum(v.value) as total
      from ${v} v
      join ${r} r on r.id = v.return_id
      join ${p} p on p.id = r.period_id
      join ${o} o on o.id = r.organization_id
      where p.association_id = ${opts.associationId} and p.label = ${opts.label} and r.is_latest and r.status = 'ACCEPTED'
        ${opts.acceptedBy ? sql`and r.reviewed_at <= ${opts.acceptedBy.toISOString()}::timestamptz` : sql``}
      group by v.metric_code, ${group}
    ),
    flagged as (
      select c.*,
        c.firms < ${MIN_FIRMS} as primary_cell,
        coalesce(sum(c.firms) filter (where c.firms < ${MIN_FIRMS}) over (partition by c.metric), 0) as withheld_firms,
        row_number() over (partition by c.metric, c.firms < ${MIN_FIRMS} order by c.firms, c.grp_order nulls last) as rank_in_class
      from cells c
    ),
    decided as (
      select f.*, (f.primary_cell or (f.withheld_firms > 0 and f.withheld_firms < ${MIN_FIRMS} and f.rank_in_class = 1)) as withheld
      from flagged f
    )
    select d.metric, d.grp, d.firms,
      case when ${opts.mask} and d.withheld then null else d.total end as value,
      (${opts.mask} and d.withheld) as suppressed
    from decided d join ${m} m on m.code = d.metric
    order by m.sort_order, d.metric, d.grp_order nulls last`;
}

type RawCell = { metric: string; grp: string | null; firms: number | string; value: number | string | null; suppressed: boolean };

export async function industryStatistics(
  db: DbOrTx,
  opts: { associationId: number; label: string; by: StatisticsGrouping | null; mask: boolean; acceptedBy?: Date | null },
): Promise<StatisticsCell[]> {
  const result = (await db.execute(industryStatisticsSql(opts))) as unknown as { rows: RawCell[] };
  return result.rows.map((row) => ({
    metric: row.metric,
    district: opts.by === 'DISTRICT' ? row.grp : null,
    kind: opts.by === 'KIND' ? row.grp : null,
    value: row.value === null ? null : Number(row.value),
    firms: Number(row.firms),
    suppressed: Boolean(row.suppressed),
  }));
}

/** Raw (unsuppressed) cells as a report freezes them. */
export async function rawCells(
  db: DbOrTx,
  opts: { associationId: number; label: string; by: StatisticsGrouping | null; acceptedBy?: Date | null },
): Promise<SnapshotCell[]> {
  const cells = await industryStatistics(db, { ...opts, mask: false });
  return cells.map((c) => ({ metric: c.metric, group: opts.by === 'DISTRICT' ? c.district : opts.by === 'KIND' ? c.kind : null, value: c.value!, firms: c.firms }));
}

/**
 * The suppression rule of industryStatisticsSql on cells already read (a frozen report), for one grouping: cells of
 * fewer than MIN_FIRMS firms, and — when the withheld cells of a metric hold fewer than MIN_FIRMS firms together —
 * the metric's smallest shown cell. `order` is the grouping's order (ties on firm count).
 */
export function suppressCells<C extends { metric: string; group: string | null; firms: number }>(cells: C[], order: (group: string | null) => number): (C & { suppressed: boolean })[] {
  const byMetric = new Map<string, C[]>();
  for (const cell of cells) byMetric.set(cell.metric, [...(byMetric.get(cell.metric) ?? []), cell]);
  const withheld = new Set<C>();
  for (const group of byMetric.values()) {
    const primary = group.filter((c) => c.firms < MIN_FIRMS);
    primary.forEach((c) => withheld.add(c));
    const firms = primary.reduce((n, c) => n + c.firms, 0);
    if (firms > 0 && firms < MIN_FIRMS) {
      const shown = group.filter((c) => c.firms >= MIN_FIRMS).sort((a, b) => a.firms - b.firms || order(a.group) - order(b.group));
      if (shown[0]) withheld.add(shown[0]);
    }
  }
  return cells.map((c) => ({ ...c, suppressed: withheld.has(c) }));
}
