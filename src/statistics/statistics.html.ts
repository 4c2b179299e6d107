// The development report as a self-contained HTML page (pure): Chinese text, tables, a bar chart by district and a
// line of monthly totals as inline SVG, no external resources, readable on a phone, printable. Every text is escaped.
// Small cells are suppressed with the same rule as industryStatistics (the page is a publication, whoever reads it).
import { suppressCells } from './statistics.aggregate.js';
import { formatGrowth, formatInUnit } from './statistics.format.js';
import type { DevelopmentReportRow, DevelopmentReportSnapshot, SnapshotCell } from './statistics.table.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export const DISTRICT_ZH: Record<string, string> = {
  FUTIAN: '福田区',
  LUOHU: '罗湖区',
  NANSHAN: '南山区',
  BAOAN: '宝安区',
  LONGGANG: '龙岗区',
  YANTIAN: '盐田区',
  LONGHUA: '龙华区',
  PINGSHAN: '坪山区',
  GUANGMING: '光明区',
  DAPENG: '大鹏新区',
  SHENSHAN: '深汕特别合作区',
};
const DISTRICT_ORDER = Object.keys(DISTRICT_ZH);

export const KIND_ZH: Record<string, string> = {
  SECURITIES_FIRM: '证券公司',
  FUTURES_FIRM: '期货公司',
  FUND_MANAGER: '基金管理公司',
  INVESTMENT_ADVISORY: '证券投资咨询机构',
  LISTED_COMPANY: '上市公司',
  OTHER: '其他',
};
const KIND_ORDER = Object.keys(KIND_ZH);

const STATUS_ZH: Record<string, string> = { DRAFT: '草稿（未发布）', EMBARGOED: '禁发期：仅供协会与证监局审阅，请勿外传', PUBLISHED: '已发布' };

const orderOf = (keys: string[]) => (group: string | null) => (group === null ? keys.length : Math.max(0, keys.indexOf(group)));

type Metric = DevelopmentReportSnapshot['metrics'][number];

function cellText(cell: (SnapshotCell & { suppressed: boolean }) | undefined, metric: Metric): string {
  if (!cell) return '—';
  if (cell.suppressed) return '<span class="sup" title="样本少于 3 家，数据不予公开">*</span>';
  return escapeHtml(formatInUnit(cell.value, metric.displayUnit));
}

function shanghai(date: Date | string | null): string {
  if (!date) return '—';
  const d = new Date(new Date(date).getTime() + 8 * 3600_000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

function periodZh(label: string | null): string {
  if (!label) return '—';
  return label.length === 4 ? `${label}年度` : `${label.slice(0, 4)}年${Number(label.slice(5))}月`;
}

/** A vertical bar chart (inline SVG) of one metric by group; suppressed cells are drawn as a marked gap. */
export function barChartSvg(title: string, bars: { label: string; value: number | null; text: string }[]): string {
  const width = 640;
  const height = 280;
  const left = 48;
  const bottom = 64;
  const top = 28;
  const max = Math.max(1, ...bars.map((b) => Math.abs(b.value ?? 0)));
  const slot = (width - left - 8) / Math.max(1, bars.length);
  const plot = height - top - bottom;
  const items = bars
    .map((b, i) => {
      const x = left + i * slot + slot * 0.15;
      const w = slot * 0.7;
      const h = b.value === null ? 0 : (Math.abs(b.value) / max) * plot;
      const y = top + plot - h;
      const label = `<text x="${(x + w / 2).toFixed(1)}" y="${height - bottom + 16}" font-size="11" text-anchor="middle">${escapeHtml(b.label)}</text>`;
      const bar =
        b.value === null
          ? `<text x="${(x + w / 2).toFixed(1)}" y="${top + plot - 4}" font-size="12" text-anchor="middle" fill="#888">*</text>`
          : `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="#c0392b"><title>${escapeHtml(`${b.label}：${b.text}`)}</title></rect>` +
            `<text x="${(x + w / 2).toFixed(1)}" y="${(y - 4).toFixed(1)}" font-size="10" text-anchor="middle">${escapeHtml(b.text)}</text>`;
      return bar + label;
    })
    .join('');
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg">
<text x="${width / 2}" y="16" font-size="14" text-anchor="middle" font-weight="bold">${escapeHtml(title)}</text>
<line x1="${left}" y1="${top + plot}" x2="${width - 8}" y2="${top + plot}" stroke="#333"/>${items}</svg>`;
}

/** A line chart (inline SVG) of monthly totals. */
export function lineChartSvg(title: string, points: { label: string; value: number | null; text: string }[]): string {
  const width = 640;
  const height = 260;
  const left = 48;
  const right = 16;
  const top = 28;
  const bottom = 48;
  const shown = points.filter((pt) => pt.value !== null) as { label: string; value: number; text: string }[];
  const max = Math.max(1, ...shown.map((pt) => pt.value));
  const min = Math.min(0, ...shown.map((pt) => pt.value));
  const plot = height - top - bottom;
  const step = (width - left - right) / Math.max(1, points.length - 1);
  const xy = (i: number, value: number) => [left + i * step, top + plot - ((value - min) / (max - min || 1)) * plot] as const;
  const path = points
    .map((pt, i) => (pt.value === null ? null : xy(i, pt.value)))
    .filter((pt): pt is readonly [number, number] => pt !== null)
    .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`)
    .join(' ');
  const dots = points
    .map((pt, i) => {
      const x = left + i * step;
      const label = `<text x="${x.toFixed(1)}" y="${height - bottom + 16}" font-size="10" text-anchor="middle">${escapeHtml(pt.label.slice(5) ? `${Number(pt.label.slice(5))}月` : pt.label)}</text>`;
      if (pt.value === null) return label;
      const [cx, cy] = xy(i, pt.value);
      return `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="3" fill="#1f4e79"><title>${escapeHtml(`${pt.label}：${pt.text}`)}</title></circle>${label}`;
    })
    .join('');
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg">
<text x="${width / 2}" y="16" font-size="14" text-anchor="middle" font-weight="bold">${escapeHtml(title)}</text>
<line x1="${left}" y1="${top + plot}" x2="${width - right}" y2="${top + plot}" stroke="#333"/>
<path d="${path}" fill="none" stroke="#1f4e79" stroke-width="2"/>${dots}</svg>`;
}

const CSS = `body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0 auto;max-width:960px;padding:12px;color:#222;line-height:1.6}
h1{font-size:1.5em;text-align:center}h2{font-size:1.15em;border-left:4px solid #c0392b;padding-left:8px;margin-top:1.6em}
.meta{color:#555;text-align:center;font-size:.9em}.banner{background:#fdecea;border:1px solid #c0392b;padding:8px;text-align:center;font-weight:bold}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #ccc;padding:4px 6px;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}thead th{background:#f3f3f3}.chart{width:100%;height:auto;max-width:640px;display:block;margin:8px auto}
.note{font-size:.85em;color:#555}.sup{color:#888}
@media print{body{max-width:none;padding:0}.banner{border:1px solid #000;background:none}h2{page-break-after:avoid}table,svg{page-break-inside:avoid}a{color:inherit;text-decoration:none}}`;

/** The whole page. */
export function renderDevelopmentReportHtml(report: DevelopmentReportRow & { associationName: string }): string {
  const s = report.snapshot;
  const metrics = s.metrics;
  const metricOf = new Map(metrics.map((m) => [m.code, m]));
  const totals = suppressCells(s.totals, () => 0);
  const previous = suppressCells(s.previousTotals, () => 0);
  const byDistrict = suppressCells(s.byDistrict, orderOf(DISTRICT_ORDER));
  const byKind = suppressCells(s.byKind, orderOf(KIND_ORDER));
  const monthly = suppressCells(
    s.monthly.map((c) => ({ ...c, metric: `${c.metric}@${c.group}` })),
    () => 0,
  ).map((c) => ({ ...c, metric: c.metric.split('@')[0]! }));
  const find = <C extends SnapshotCell>(cells: C[], metric: string, group: string | null = null) => cells.find((c) => c.metric === metric && c.group === group);

  const totalRows = metrics
    .map((m) => {
      const cur = find(totals, m.code);
      const prev = find(previous, m.code);
      const growth = cur && prev && !cur.suppressed && !prev.suppressed ? formatGrowth(cur.value, prev.value) : '—';
      return `<tr><td>${escapeHtml(m.nameZh)}</td><td>${escapeHtml(m.displayUnit)}</td><td>${cellText(cur, m)}</td><td>${cellText(prev, m)}</td><td>${escapeHtml(growth)}</td><td>${cur ? cur.firms : 0}</td></tr>`;
    })
    .join('');

  const groupTable = (cells: ReturnType<typeof suppressCells<SnapshotCell>>, groups: string[], names: Record<string, string>, heading: string) => {
    const present = groups.filter((g) => cells.some((c) => c.group === g));
    if (present.length === 0) return '<p class="note">暂无已审核通过的数据。</p>';
    const head = metrics.map((m) => `<th>${escapeHtml(m.nameZh)}<br>（${escapeHtml(m.displayUnit)}）</th>`).join('');
    const body = present
      .map((g) => `<tr><td>${escapeHtml(names[g] ?? g)}</td>${metrics.map((m) => `<td>${cellText(find(cells, m.code, g), m)}</td>`).join('')}</tr>`)
      .join('');
    return `<div class="scroll"><table><thead><tr><th>${escapeHtml(heading)}</th>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
  };

  const chartMetric = metricOf.get('OPERATING_REVENUE') ?? metrics[0];
  const bars = chartMetric
    ? DISTRICT_ORDER.filter((g) => byDistrict.some((c) => c.group === g && c.metric === chartMetric.code)).map((g) => {
        const cell = find(byDistrict, chartMetric.code, g)!;
        return { label: DISTRICT_ZH[g]!, value: cell.suppressed ? null : cell.value, text: cell.suppressed ? '*' : formatInUnit(cell.value, chartMetric.displayUnit) };
      })
    : [];
  const months = [...new Set(s.monthly.map((c) => c.group!))].sort();
  const line = chartMetric
    ? months.map((label) => {
        const cell = find(monthly, chartMetric.code, label);
        return { label, value: cell && !cell.suppressed ? cell.value : null, text: cell && !cell.suppressed ? formatInUnit(cell.value, chartMetric.displayUnit) : '*' };
      })
    : [];

  const banner = report.status === 'PUBLISHED' ? '' : `<p class="banner">${escapeHtml(STATUS_ZH[report.status])}</p>`;
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="${report.status === 'PUBLISHED' ? 'index' : 'noindex'}">
<title>${escapeHtml(`《${report.title}》`)}</title><style>${CSS}</style></head>
<body>${banner}
<h1>${escapeHtml(`《${report.title}》`)}</h1>
<p class="meta">${escapeHtml(report.associationName)} 编制 · 数据截止：${escapeHtml(shanghai(report.dataCutOff))} · 统计期：${escapeHtml(periodZh(s.period))} · 报送机构 ${s.firmsReporting} 家${
    report.publishedAt ? ` · 发布日期：${escapeHtml(shanghai(report.publishedAt))}` : ''
  }</p>
<h2>一、主要指标</h2>
<div class="scroll"><table><thead><tr><th>指标</th><th>单位</th><th>${escapeHtml(periodZh(s.period))}</th><th>${escapeHtml(periodZh(s.previousPeriod))}</th><th>同比</th><th>机构数</th></tr></thead><tbody>${totalRows}</tbody></table></div>
<h2>二、分区域情况</h2>
${bars.length > 0 && chartMetric ? barChartSvg(`各区${chartMetric.nameZh}（${chartMetric.displayUnit}）`, bars) : ''}
${groupTable(byDistrict, DISTRICT_ORDER, DISTRICT_ZH, '行政区')}
<h2>三、分机构类型情况</h2>
${groupTable(byKind, KIND_ORDER, KIND_ZH, '机构类型')}
<h2>四、月度走势</h2>
${line.length >= 2 && chartMetric ? lineChartSvg(`${periodZh(String(report.year))}各月${chartMetric.nameZh}合计（${chartMetric.displayUnit}）`, line) : '<p class="note">本年度月度数据不足两期，暂不绘制走势图。</p>'}
<h2>说明</h2>
<p class="note">1. 数据来源：会员机构报送、经协会审核通过的统计报表，截至数据截止日；此后的更正以勘误形式另行发布。<br>
2. 金额以万元或亿元列示，保留两位小数；人数、户数、家数为期末数。<br>
3. 标“*”的数据由少于 3 家机构构成，或可据以推算个别机构数据，依统计保密原则不予公开。</p>
</body></html>`;
}
