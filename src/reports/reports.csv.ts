// The CSV exports under /reports/: what each may contain for a viewer, and RFC 4180 rows produced in keyset batches,
// so a server's memory holds one batch whatever the size of the export. The HTTP side (the viewer from the
// Authorization header, the charge, the read record, backpressure) is src/server/routes/csv.route.ts.
//
// Same rules as GraphQL: the rows come from the domains' visibility functions (src/auth/policy.ts).
import { mayExport } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db, DbOrTx } from '../db/client.js';
import { encodeGlobalId } from '../global-id.js';
import * as ratings from '../ratings/ratings.reads.js';
import * as statistics from '../statistics/statistics.service.js';
import * as suggestions from '../suggestions/suggestions.service.js';
import { trainingHoursExportScope } from '../auth/policy.js';
import * as training from '../training/training.service.js';

/** Rows fetched per statement: one batch is all an export holds in memory. */
export const CSV_BATCH_SIZE = 500;
/** What one export costs against the caller's rate-limit budget: the price of one full GraphQL page. */
export const CSV_EXPORT_COST = 100;
export const CSV_PATHS = ['/reports/branch-ratings.csv', '/reports/suggestions.csv', '/reports/statistics.csv', '/reports/training-hours.csv'] as const;

export const BOM = '\uFEFF';
const CRLF = '\r\n';

// ---------------------------------------------------------------- RFC 4180 writing

/**
 * Cells a spreadsheet would run as a formula (=, +, -, @, their full-width forms ＝ ＋ － ＠, which Chinese input
 * methods type and Excel and WPS accept, or a leading tab / carriage return) get a leading apostrophe, as OWASP
 * advises for CSV files opened in Excel or WPS. Applied to free text only, never to numbers.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * Quoted when it holds a comma, a quote or a line break (RFC 4180), and also a semicolon: where the locale's list
 * separator is `;` (much of Europe), Excel splits an unquoted `a;=cmd()` into two cells, the second a formula.
 */
export function csvCell(value: unknown, text = false): string {
  if (value === null || value === undefined) return '';
  let s = value instanceof Date ? shanghaiDateTime(value) : String(value);
  if (text && FORMULA_START.test(s)) s = `'${s}`;
  return /[",;\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** ISO 8601 with the +08:00 offset: what the association's staff read as local time, and still unambiguous. */
export function shanghaiDateTime(value: Date | string): string {
  const d = value instanceof Date ? value : new Date(value);
  return `${new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

export interface Column<R> {
  header: string;
  value: (row: R) => unknown;
  /** Free text from users: guarded against formula injection. */
  text?: boolean;
}

export function csvRow<R>(columns: readonly Column<R>[], row: R): string {
  return columns.map((c) => csvCell(c.value(row), c.text)).join(',') + CRLF;
}

export function headerRow(columns: readonly Column<unknown>[]): string {
  return columns.map((c) => c.header).join(',') + CRLF;
}

/**
 * One JSON Lines record: the CSV's columns as keys, values as they are (no formula guard: JSON is not opened by a
 * spreadsheet), times with the +08:00 offset like the CSV's.
 */
export function jsonLine<R>(columns: readonly Column<R>[], row: R): string {
  const record: Record<string, unknown> = {};
  for (const c of columns) {
    const value = c.value(row);
    record[c.header] = value instanceof Date ? shanghaiDateTime(value) : (value ?? null);
  }
  return `${JSON.stringify(record)}\n`;
}

// ---------------------------------------------------------------- the two exports

export const branchRatingColumns: readonly Column<ratings.BranchRatingExportRow>[] = [
  { header: 'rating_id', value: (r) => encodeGlobalId('BranchRating', r.id) },
  { header: 'year', value: (r) => r.year },
  { header: 'cycle_status', value: (r) => r.cycleStatus },
  { header: 'firm_id', value: (r) => encodeGlobalId('Organization', r.firmId) },
  { header: 'firm_credit_code', value: (r) => r.firmCreditCode },
  { header: 'firm_name', value: (r) => r.firmName, text: true },
  { header: 'branch_id', value: (r) => encodeGlobalId('Branch', r.branchId) },
  { header: 'branch_name', value: (r) => r.branchName, text: true },
  { header: 'branch_kind', value: (r) => r.branchKind },
  { header: 'district', value: (r) => r.district },
  { header: 'self_score', value: (r) => r.selfScore },
  { header: 'association_score', value: (r) => r.associationScore },
  { header: 'bureau_score', value: (r) => r.bureauScore },
  { header: 'total_score', value: (r) => r.totalScore },
  { header: 'computed_grade', value: (r) => r.computedGrade },
  { header: 'grade', value: (r) => r.grade },
  { header: 'adjusted_grade', value: (r) => r.adjustedGrade },
  { header: 'adjustment_reason', value: (r) => r.adjustmentReason, text: true },
  { header: 'under_daily_supervision', value: (r) => ratings.isUnderDailySupervision(r) },
  { header: 'version', value: (r) => r.version },
  { header: 'updated_at', value: (r) => r.updatedAt },
];

export const suggestionColumns: readonly Column<suggestions.SuggestionExportRow>[] = [
  { header: 'suggestion_id', value: (s) => encodeGlobalId('Suggestion', s.id) },
  { header: 'submitted_at', value: (s) => s.submittedAt },
  { header: 'organization_id', value: (s) => encodeGlobalId('Organization', s.organizationId) },
  { header: 'organization_credit_code', value: (s) => s.organizationCreditCode },
  { header: 'organization_name', value: (s) => s.organizationName, text: true },
  { header: 'organization_kind', value: (s) => s.organizationKind },
  { header: 'topic', value: (s) => s.topic },
  { header: 'status', value: (s) => s.status },
  { header: 'title', value: (s) => s.title, text: true },
  { header: 'body', value: (s) => s.body, text: true },
  { header: 'campaign_document_number', value: (s) => s.campaignDocumentNumber, text: true },
  { header: 'review_note', value: (s) => s.reviewNote, text: true },
  { header: 'reference_number', value: (s) => s.referenceNumber, text: true },
  { header: 'recipient', value: (s) => s.recipient },
  { header: 'forwarded_at', value: (s) => s.forwardedAt },
  { header: 'response_outcome', value: (s) => s.responseOutcome },
  { header: 'responded_at', value: (s) => s.respondedAt },
  { header: 'response', value: (s) => s.response, text: true },
  { header: 'updated_at', value: (s) => s.updatedAt },
];

// ---------------------------------------------------------------- what a viewer may export

const YEAR = /^\d{4}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
export const MIN_EXPORT_YEAR = 2019;
export const MAX_EXPORT_YEAR = 2100;
const MIN_YEAR = MIN_EXPORT_YEAR;
const MAX_YEAR = MAX_EXPORT_YEAR;

/** The single value of a query parameter, or undefined when it is missing or repeated. */
function single(url: URL, name: string): string | undefined {
  const values = url.searchParams.getAll(name);
  return values.length === 1 ? values[0] : undefined;
}

function isCalendarDay(text: string | undefined): text is string {
  const m = text === undefined ? null : DAY.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text && Number(m[1]) >= 1900;
}

/** What can be exported: the four kinds of the CSV routes, also run as background jobs (src/exports). */
export type ExportSourceKind = 'RATINGS' | 'SUGGESTIONS' | 'TRAINING_HOURS' | 'STATISTICS';

/** Which rows: `year` for ratings and training hours, `from`/`to` (calendar days) for suggestions, `period` for statistics. */
export interface ExportParameters {
  year?: number;
  period?: string;
  from?: string;
  to?: string;
}

/**
 * The rows of an export the viewer may see (through the domains' visibility functions, as GraphQL), in id order,
 * batch by batch, with their columns: what both the CSV routes and the export jobs write.
 */
export interface ExportSource<R = any> {
  /** e.g. "branch-ratings": the routes' resource is "<name>.csv", the jobs' "export:<name>". */
  name: string;
  /** The parameters that say which rows, for the read audit. */
  details: Record<string, unknown>;
  /** The file name without its extension, in ASCII and in Chinese. */
  fileBase: string;
  fileBaseZh: string;
  columns: readonly Column<R>[];
  batch(afterId: number, limit: number): Promise<R[]>;
  idOf(row: R): number;
}

export interface CsvExport {
  /** What the data-access log calls it, with the parameters. */
  resource: string;
  details: Record<string, unknown>;
  fileName: string;
  /** The Chinese file name offered through filename* (browsers); curl -J uses the ASCII one. */
  fileNameZh: string;
  /** The first chunk: the byte-order mark (Excel reads UTF-8 by it) and the header row. */
  head: string;
  /** Writes every row, batch by batch, through `write`; stops when `write` resolves false (the client left). */
  rows(write: (chunk: string) => Promise<boolean>): Promise<void>;
}

/** Why a request may not have its export: the status and error code to answer with. */
export interface CsvRefusal {
  status: number;
  code: string;
  message: string;
}

type Source = ExportSource | CsvRefusal;

const badYear: CsvRefusal = { status: 400, code: 'BAD_USER_INPUT', message: `year is required once, as four digits between ${MIN_YEAR} and ${MAX_YEAR}` };
const validYear = (year: number | undefined): year is number => year !== undefined && Number.isInteger(year) && year >= MIN_YEAR && year <= MAX_YEAR;

function branchRatingsSource(db: DbOrTx, viewer: Viewer, params: ExportParameters): Source {
  // Another association's staff never read the ratings: refused like any role that may not (not an empty file).
  if (!mayExport(viewer, 'RATINGS')) {
    return { status: 403, code: 'FORBIDDEN', message: 'Forbidden: the association and the regulator only (a service account needs reports:read and ratings:read)' };
  }
  const year = params.year;
  if (!validYear(year)) return badYear;
  return {
    name: 'branch-ratings',
    details: { year },
    fileBase: `branch-ratings-${year}`,
    fileBaseZh: `分支机构分类评价结果-${year}`,
    columns: branchRatingColumns,
    batch: (after, limit) => ratings.exportBranchRatingBatch(db, viewer, year, after, limit),
    idOf: (r: ratings.BranchRatingExportRow) => r.id,
  };
}

function suggestionsSource(db: DbOrTx, viewer: Viewer, params: ExportParameters): Source {
  // An association's staff export their association's suggestions, the regulator every association's.
  if (!mayExport(viewer, 'SUGGESTIONS')) {
    return { status: 403, code: 'FORBIDDEN', message: 'Forbidden: the association and the regulator only (a service account needs reports:read and suggestions:read)' };
  }
  const { from, to } = params;
  if (!isCalendarDay(from) || !isCalendarDay(to)) {
    return { status: 400, code: 'BAD_USER_INPUT', message: 'from and to are required once each, as calendar days YYYY-MM-DD' };
  }
  if (from > to) return { status: 400, code: 'BAD_USER_INPUT', message: 'from must not be after to' };
  return {
    name: 'suggestions',
    details: { from, to },
    fileBase: `suggestions-${from}_${to}`,
    fileBaseZh: `双区建议-${from}_${to}`,
    columns: suggestionColumns,
    batch: (after, limit) => suggestions.exportSuggestionBatch(db, viewer, { from, to }, after, limit),
    idOf: (s: suggestions.SuggestionExportRow) => s.id,
  };
}

// ---------------------------------------------------------------- statistics returns (issue 18)

const STATISTICS_METRIC_COLUMNS = [
  'OPERATING_REVENUE',
  'NET_PROFIT',
  'CLIENT_FUNDS',
  'EQUITY_FUND_TURNOVER',
  'MARGIN_BALANCE',
  'BRANCHES',
  'STAFF',
  'CLIENTS',
  'ASSETS_UNDER_CUSTODY',
] as const;

export const statisticsReturnColumns: readonly Column<statistics.StatisticsReturnExportRow>[] = [
  { header: 'return_id', value: (x) => encodeGlobalId('StatisticsReturn', x.id) },
  { header: 'period', value: (x) => x.period },
  { header: 'organization_id', value: (x) => encodeGlobalId('Organization', x.organizationId) },
  { header: 'organization_credit_code', value: (x) => x.organizationCreditCode },
  { header: 'organization_name', value: (x) => x.organizationName, text: true },
  { header: 'organization_kind', value: (x) => x.organizationKind },
  { header: 'district', value: (x) => x.district },
  { header: 'status', value: (x) => x.status },
  { header: 'version', value: (x) => x.version },
  { header: 'saved_by', value: (x) => x.savedBy, text: true },
  { header: 'saved_at', value: (x) => x.savedAt },
  { header: 'submitted_by', value: (x) => x.submittedBy, text: true },
  { header: 'submitted_at', value: (x) => x.submittedAt },
  { header: 'reviewed_at', value: (x) => x.reviewedAt },
  { header: 'review_note', value: (x) => x.reviewNote, text: true },
  ...STATISTICS_METRIC_COLUMNS.map((code) => ({ header: code.toLowerCase(), value: (x: statistics.StatisticsReturnExportRow) => x.values[code] })),
];

const PERIOD_LABEL = /^\d{4}(-(0[1-9]|1[0-2]))?$/;

function statisticsSource(db: DbOrTx, viewer: Viewer, params: ExportParameters): Source {
  // An association's staff export the returns filed with their association, the regulator every association's.
  if (!mayExport(viewer, 'STATISTICS')) {
    return { status: 403, code: 'FORBIDDEN', message: 'Forbidden: the association and the regulator only (a service account needs reports:read and statistics:read)' };
  }
  const period = params.period;
  if (period === undefined || !PERIOD_LABEL.test(period)) {
    return { status: 400, code: 'BAD_USER_INPUT', message: 'period is required once, as YYYY-MM (monthly) or YYYY (annual)' };
  }
  return {
    name: 'statistics',
    details: { period },
    fileBase: `statistics-${period}`,
    fileBaseZh: `行业统计报表-${period}`,
    columns: statisticsReturnColumns,
    batch: (after, limit) => statistics.exportReturnBatch(db, viewer, period, after, limit),
    idOf: (x: statistics.StatisticsReturnExportRow) => x.id,
  };
}

/** Keyset batches (id > last, in id order) until one comes back short; each batch is written as one chunk. */
async function streamBatches<R>(source: ExportSource<R>, line: (row: R) => string, write: (chunk: string) => Promise<boolean>): Promise<void> {
  let after = 0;
  for (;;) {
    const batch = await source.batch(after, CSV_BATCH_SIZE);
    if (batch.length === 0) return;
    let chunk = '';
    for (const row of batch) chunk += line(row);
    if (!(await write(chunk))) return;
    if (batch.length < CSV_BATCH_SIZE) return;
    after = source.idOf(batch[batch.length - 1]!);
  }
}

/**
 * The rows of an export of `kind` the viewer may see with these parameters, or why not: 403 for viewers who may not
 * read it, 400 for bad parameters. The one decision both the CSV routes and the export jobs follow.
 */
export function exportSource(db: DbOrTx, viewer: Viewer, kind: ExportSourceKind, params: ExportParameters): ExportSource | CsvRefusal {
  switch (kind) {
    case 'RATINGS':
      return branchRatingsSource(db, viewer, params);
    case 'SUGGESTIONS':
      return suggestionsSource(db, viewer, params);
    case 'STATISTICS':
      return statisticsSource(db, viewer, params);
    case 'TRAINING_HOURS':
      return trainingHoursSource(db, viewer, params);
  }
}

const KIND_OF_PATH: Record<(typeof CSV_PATHS)[number], ExportSourceKind> = {
  '/reports/branch-ratings.csv': 'RATINGS',
  '/reports/suggestions.csv': 'SUGGESTIONS',
  '/reports/statistics.csv': 'STATISTICS',
  '/reports/training-hours.csv': 'TRAINING_HOURS',
};

/** The query parameters of a CSV route; a parameter missing or given twice is left undefined (and refused). */
function parametersOf(url: URL): ExportParameters {
  const yearText = single(url, 'year');
  return {
    year: yearText !== undefined && YEAR.test(yearText) ? Number(yearText) : undefined,
    period: single(url, 'period'),
    from: single(url, 'from'),
    to: single(url, 'to'),
  };
}

/**
 * The export at `url` (one of CSV_PATHS) for this viewer, or why not: 403 for viewers who may not read it, 400 for
 * bad parameters.
 */
export function planCsvExport(db: Db, viewer: Viewer, url: URL): CsvExport | CsvRefusal {
  const kind = KIND_OF_PATH[url.pathname as (typeof CSV_PATHS)[number]] ?? 'RATINGS';
  const source = exportSource(db, viewer, kind, parametersOf(url));
  if ('status' in source) return source;
  return {
    resource: `${source.name}.csv`,
    details: source.details,
    fileName: `${source.fileBase}.csv`,
    fileNameZh: `${source.fileBaseZh}.csv`,
    head: BOM + headerRow(source.columns as readonly Column<unknown>[]),
    rows: (write) => streamBatches(source, (row) => csvRow(source.columns, row), write),
  };
}

// ---------------------------------------------------------------- training (issue 17)

export const trainingHoursColumns: readonly Column<training.TrainingHoursExportRow>[] = [
  { header: 'practitioner_id', value: (r) => encodeGlobalId('Practitioner', r.id) },
  { header: 'year', value: (r) => r.year },
  { header: 'name', value: (r) => r.name, text: true },
  { header: 'registration_number', value: (r) => r.registrationNumber, text: true },
  { header: 'organization_id', value: (r) => encodeGlobalId('Organization', r.organizationId) },
  { header: 'organization_credit_code', value: (r) => r.organizationCreditCode },
  { header: 'organization_name', value: (r) => r.organizationName, text: true },
  { header: 'branch_id', value: (r) => (r.branchId === null ? null : encodeGlobalId('Branch', r.branchId)) },
  { header: 'branch_name', value: (r) => r.branchName, text: true },
  { header: 'required_hours', value: (r) => r.requiredHours },
  { header: 'elective_hours', value: (r) => r.electiveHours },
  { header: 'total_hours', value: (r) => r.totalHours },
  { header: 'met', value: (r) => r.met },
];

/**
 * One row per practitioner and year with the year's hours: a firm its own practitioners, an association's staff their
 * association's trainees, the regulator all (a service account needs reports:read and training:read); 403 otherwise.
 */
function trainingHoursSource(db: DbOrTx, viewer: Viewer, params: ExportParameters): Source {
  const scope = trainingHoursExportScope(viewer);
  if (!scope || !mayExport(viewer, 'TRAINING_HOURS')) {
    return { status: 403, code: 'FORBIDDEN', message: 'Forbidden: a firm (its own practitioners), the association and the regulator only (a service account needs reports:read and training:read)' };
  }
  const year = params.year;
  if (!validYear(year)) return badYear;
  return {
    name: 'training-hours',
    details: { year },
    fileBase: `training-hours-${year}`,
    fileBaseZh: `从业人员培训学时-${year}`,
    columns: trainingHoursColumns,
    batch: (after, limit) => training.exportTrainingHoursBatch(db, scope, year, after, limit),
    idOf: (r: training.TrainingHoursExportRow) => r.id,
  };
}
