// Numbers for Chinese readers (pure): amounts in 万元 / 亿元 with thousands separators, counts with their unit.

const grouped = (value: number, decimals: number) =>
  value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: true });

/**
 * An amount in 元 as a Chinese reader expects it: 1.23 亿元 from 1 亿 up, 4,567.89 万元 from 1 万 up, otherwise 元;
 * two decimals, thousands separators, the sign kept ("-3,200.00 万元"). Not finite → "—".
 */
export function formatYuan(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1e8) return `${grouped(value / 1e8, 2)} 亿元`;
  if (abs >= 1e4) return `${grouped(value / 1e4, 2)} 万元`;
  return `${grouped(value, 2)} 元`;
}

/** An amount in 元 shown in a fixed unit (a table column): "12,345.68" for 万元, "1.23" for 亿元. */
export function formatInUnit(value: number | null | undefined, displayUnit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (displayUnit === '亿元') return grouped(value / 1e8, 2);
  if (displayUnit === '万元') return grouped(value / 1e4, 2);
  if (displayUnit === '元') return grouped(value, 2);
  // Counts (人, 户, 家): whole numbers.
  return grouped(Math.round(value), 0);
}

/** A value with its display unit: "1,234.57 万元", "3,456 人". */
export function formatMetric(value: number | null | undefined, displayUnit: string): string {
  const text = formatInUnit(value, displayUnit);
  return text === '—' ? text : `${text} ${displayUnit}`;
}

/** A growth rate: "+12.3%", "-4.0%"; "—" when the base is missing or zero. */
export function formatGrowth(current: number | null | undefined, previous: number | null | undefined): string {
  if (current == null || previous == null || !Number.isFinite(current) || !Number.isFinite(previous) || previous === 0) return '—';
  const rate = ((current - previous) / Math.abs(previous)) * 100;
  return `${rate >= 0 ? '+' : ''}${rate.toFixed(1)}%`;
}
