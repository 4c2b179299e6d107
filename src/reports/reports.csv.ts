// The CSV exports under /reports/: what each may contain for a viewer, and RFC 4180 rows produced in keyset batches,
// so a server's memory holds one batch whatever the size of the export. The HTTP side (the viewer from the
// Authorization header, the charge, the read record, backpressure) is src/server/routes/csv.route.ts.
//
// Same rules as GraphQL: the rows come from the domains' visibility functions (src/auth/policy.ts).
import { branchRatingScope, reportsScope, statisticsExportScope, suggestionScope } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/client.js';
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

const BOM = '\uFEFF';
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

interface Column<R> {
  header: string;
  value: (row: R) => unknown;
  /** Free text from users: guarded against formula injection. */
  text?: boolean;
}

function csvRow<R>(columns: readonly Column<R>[], row: R): string {
  return columns.map((c) => csvCell(c.value(row), c.text)).join(',') + CRLF;
}

function headerRow(columns: readonly Column<unknown>[]): string {
  return columns.map((c) => c.header).join(',') + CRLF;
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

// ---------------------------------------------------------------- what a request may export

const YEAR = /^\d{4}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MIN_YEAR = 2019;
const MAX_YEAR = 2100;

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

type Plan = CsvExport | CsvRefusal;

function planBranchRatings(db: Db, viewer: Viewer, url: URL): Plan {
  // Another association's staff never read the ratings: refused like any role that may not (not an empty file).
  if (reportsScope(viewer).kind === 'none' || branchRatingScope(viewer).firms.kind === 'none') {
    return { status: 403, code: 'FORBIDDEN', message: 'Forbidden: the association and the regulator only (a service account needs reports:read and ratings:read)' };
  }
  const yearText = single(url, 'year');
  const year = yearText !== undefined && YEAR.test(yearText) ? Number(yearText) : NaN;
  if (!(year >= MIN_YEAR && year <= MAX_YEAR)) {
    return { status: 400, code: 'BAD_USER_INPUT', message: `year is required once, as four digits between ${MIN_YEAR} and ${MAX_YEAR}` };
  }
  return {
    resource: 'branch-ratings.csv',
    details: { year },
    fileName: `branch-ratings-${year}.csv`,
    fileNameZh: `分支机构分类评价结果-${year}.csv`,
    head: BOM + headerRow(branchRatingColumns as readonly Column<unknown>[]),
    rows: (write) =>
      streamBatches(
        (after) => ratings.exportBranchRatingBatch(db, viewer, year, after, CSV_BATCH_SIZE),
        (r) => r.id,
        (r) => csvRow(branchRatingColumns, r),
        write,
      ),
  };
}

function planSuggestions(db: Db, viewer: Viewer, url: URL): Plan {
  // An association's staff export their association's suggestions, the regulator every association's.
  if (reportsScope(viewer).kind === 'none' || suggestionScope(viewer).kind === 'none') {
    return { status: 403, code: 'FORBIDDEN', message: 'Forbidden: the association and the regulator only (a service account needs reports:read and suggestions:read)' };
  }
  const from = single(url, 'from');
  const to = single(url, 'to');
  if (!isCalendarDay(from) || !isCalendarDay(to)) {
    return { status: 400, code: 'BAD_USER_INPUT', message: 'from and to are required once each, as calendar days YYYY-MM-DD' };
  }
  if (from > to) return { status: 400, code: 'BAD_USER_INPUT', message: 'from must not be after to' };
  return {
    resource: 'suggestions.csv',
    details: { from, to },
    fileName: `suggestions-${from}_${to}.csv`,
    fileNameZh: `双区建议-${from}_${to}.csv`,
    head: BOM + headerRow(suggestionColumns as readonly Column<unknown>[]),
    rows: (write) =>
      streamBatches(
        (after) => suggestions.exportSuggestionBatch(db, viewer, { from, to }, after, CSV_BATCH_SIZE),
        (s) => s.id,
        (s) => csvRow(suggestionColumns, s),
        write,
      ),
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

function planStatistics(db: Db, viewer: Viewer, url: URL): Plan {
  // An association's staff export the returns filed with their association, the regulator every association's.
  if (statisticsExportScope(viewer).kind === 'none') {
    return { status: 403, code: 'FORBIDDEN', message: 'Forbidden: the association and the regulator only (a service account needs reports:read and statistics:read)' };
  }
  const period = single(url, 'period');
  if (period === undefined || !PERIOD_LABEL.test(period)) {
    return { status: 400, code: 'BAD_USER_INPUT', message: 'period is required once, as YYYY-MM (monthly) or YYYY (annual)' };
  }
  return {
    resource: 'statistics.csv',
    details: { period },
    fileName: `statistics-${period}.csv`,
    fileNameZh: `行业统计报表-${period}.csv`,
    head: BOM + headerRow(statisticsReturnColumns as readonly Column<unknown>[]),
    rows: (write) =>
      streamBatches(
        (after) => statistics.exportReturnBatch(db, viewer, period, after, CSV_BATCH_SIZE),
        (x) => x.id,
        (x) => csvRow(statisticsReturnColumns, x),
        write,
      ),
  };
}

/** Keyset batches (id > last, in id order) until one comes back short; each batch is written as one chunk. */
async function streamBatches<R>(
  fetchAfter: (afterId: number) => Promise<R[]>,
  idOf: (row: R) => number,
  line: (row: R) => string,
  write: (chunk: string) => Promise<boolean>,
): Promise<void> {
  let after = 0;
  for (;;) {
    const batch = await fetchAfter(after);
    if (batch.length === 0) return;
    let chunk = '';
    for (const row of batch) chunk += line(row);
    if (!(await write(chunk))) return;
    if (batch.length < CSV_BATCH_SIZE) return;
    after = idOf(batch[batch.length - 1]!);
  }
}

/**
 * The export at `url` (one of CSV_PATHS) for this viewer, or why not: 403 for viewers who may not read it, 400 for
 * bad parameters.
 */
export function planCsvExport(db: Db, viewer: Viewer, url: URL): CsvExport | CsvRefusal {
  if (url.pathname === '/reports/statistics.csv') return planStatistics(db, viewer, url);
  if (url.pathname === '/reports/training-hours.csv') return planTrainingHours(db, viewer, url);
  return url.pathname === '/reports/suggestions.csv' ? planSuggestions(db, viewer, url) : planBranchRatings(db, viewer, url);
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
function planTrainingHours(db: Db, viewer: Viewer, url: URL): Plan {
  const scope = trainingHoursExportScope(viewer);
  if (!scope) {
    return { status: 403, code: 'FORBIDDEN', message: 'Forbidden: a firm (its own practitioners), the association and the regulator only (a service account needs reports:read and training:read)' };
  }
  const yearText = single(url, 'year');
  const year = yearText !== undefined && YEAR.test(yearText) ? Number(yearText) : NaN;
  if (!(year >= MIN_YEAR && year <= MAX_YEAR)) {
    return { status: 400, code: 'BAD_USER_INPUT', message: `year is required once, as four digits between ${MIN_YEAR} and ${MAX_YEAR}` };
  }
  return {
    resource: 'training-hours.csv',
    details: { year },
    fileName: `training-hours-${year}.csv`,
    fileNameZh: `从业人员培训学时-${year}.csv`,
    head: BOM + headerRow(trainingHoursColumns as readonly Column<unknown>[]),
    rows: (write) =>
      streamBatches(
        (after) => training.exportTrainingHoursBatch(db, scope, year, after, CSV_BATCH_SIZE),
        (r) => r.id,
        (r) => csvRow(trainingHoursColumns, r),
        write,
      ),
  };
}
