// Early reports (抓早抓小): deadlines (pure and in SQL), exactly-once submission with escalation in the same statement,
// bad input (a userError and nothing written), who sees what, the triage queue and its moves, and the reports counts.
import { and, count, eq, sql } from 'drizzle-orm';
import { auditLogTable } from '../src/audit/audit.table.js';
import { ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import type { Viewer } from '../src/auth/viewer.js';
import type { DbOrTx } from '../src/db/client.js';
import { countStatements } from '../src/db/instrumentation.js';
import { rowsOf } from '../src/db/sql/index.js';
import { demoCalendar, demoCalendarRows } from '../src/early-reports/early-reports.calendar.js';
import { addWorkingDays, dueAt, isLate, isWorkingDay } from '../src/early-reports/early-reports.deadline.js';
import { dueAtSql, submitEarlyReport } from '../src/early-reports/early-reports.service.js';
import { earlyReportEventsTable, earlyReportsTable } from '../src/early-reports/early-reports.table.js';
import { encodeGlobalId } from '../src/global-id.js';
import { outboxEventsTable } from '../src/outbox/outbox.table.js';
import { anonymousViewer, associationViewer, execute, firmViewer, makeContext, regulatorViewer, serviceAccountViewer, userErrorsOf } from './support/context.js';
import { describe, expect, test } from './support/db.js';
import { insertBranch, insertEarlyReport, insertMembership, insertOrganization } from './support/factories.js';

const association = associationViewer();
const szlcaStaff: Viewer = { ...associationViewer(), subject: 'test:association:SZLCA', associationId: ASSOCIATION_IDS.SZLCA };
const regulator = regulatorViewer();
const scopedAccount = serviceAccountViewer(['early-reports:read', 'reports:read']);
const unscopedAccount = serviceAccountViewer(['webhooks:manage', 'reports:read']);

const FIELDS = `id status severity category title body late escalatedAt occurredAt reportedAt dueAt
  organization { id } branch { id } events { fromStatus toStatus note }`;
const SUBMIT = `mutation($input: SubmitEarlyReportInput!) { submitEarlyReport(input: $input) { earlyReport { ${FIELDS} } userErrors { field code message } } }`;
const ACK = `mutation($id: ID!) { acknowledgeEarlyReport(input: { id: $id }) { earlyReport { id status } userErrors { field code } } }`;
const ESCALATE = `mutation($id: ID!, $note: String) { escalateEarlyReport(input: { id: $id, note: $note }) { earlyReport { id status escalatedAt events { toStatus note } } userErrors { field code } } }`;
const CLOSE = `mutation($id: ID!, $note: String) { closeEarlyReport(input: { id: $id, note: $note }) { earlyReport { id status } userErrors { field code } } }`;
const NODE = `query($id: ID!) { node(id: $id) { ... on EarlyReport { id title events { toStatus note } } } }`;
const LIST = `query($first: Int, $after: String, $filter: EarlyReportFilter) { earlyReports(first: $first, after: $after, filter: $filter) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id severity reportedAt organization { id name } branch { id name } events { toStatus } } } } }`;

const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

/** A SZSA firm with a branch, another SZSA firm with its own branch, and their viewers. */
async function cast(tx: DbOrTx) {
  const firm = await insertOrganization(tx);
  const branch = await insertBranch(tx, { firmId: firm.id });
  const other = await insertOrganization(tx);
  const otherBranch = await insertBranch(tx, { firmId: other.id });
  const listed = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
  return { firm, branch, other, otherBranch, listed, viewer: firmViewer(firm), otherViewer: firmViewer(other), listedViewer: firmViewer(listed) };
}

async function writes(tx: DbOrTx) {
  const n = async (q: Promise<{ n: number }[]>) => (await q)[0]!.n;
  return {
    reports: await n(tx.select({ n: count() }).from(earlyReportsTable)),
    events: await n(tx.select({ n: count() }).from(earlyReportEventsTable)),
    audit: await n(tx.select({ n: count() }).from(auditLogTable)),
    outbox: await n(tx.select({ n: count() }).from(outboxEventsTable)),
  };
}

function input(overrides: Record<string, unknown> = {}) {
  return { category: 'SYSTEM_OUTAGE', severity: 'MINOR', title: '营业部网络中断', body: '上午交易终端中断约30分钟，已恢复。', occurredAt: hourAgo(), ...overrides };
}

describe('deadlines', () => {
  const calendar = demoCalendar();

  test('working days skip weekends and public holidays and count make-up Saturdays', () => {
    expect(isWorkingDay('2026-02-14', calendar)).toBe(true); // Saturday, 春节调休上班
    expect(isWorkingDay('2026-02-16', calendar)).toBe(false); // Monday, 春节
    expect(isWorkingDay('2026-03-07', calendar)).toBe(false); // an ordinary Saturday
    // Friday 2026-02-13 + 5 working days: 14 (make-up Saturday), then the holiday to 23, 24, 25, 26, 27.
    expect(addWorkingDays('2026-02-13', 5, calendar)).toBe('2026-02-27');
    // An ordinary week: Wednesday + 5 working days is the next Wednesday.
    expect(addWorkingDays('2026-03-04', 5, calendar)).toBe('2026-03-11');
    // National Day 2026: 10-01..10-07 off, 10-10 (Saturday) a working day.
    expect(addWorkingDays('2026-09-30', 5, calendar)).toBe('2026-10-13');
  });

  test('each severity has its deadline; MINOR ends at 24:00 Asia/Shanghai of the fifth working day', () => {
    const at = new Date('2026-03-04T10:00:00+08:00');
    expect(dueAt('CRITICAL', at, calendar).toISOString()).toBe('2026-03-04T04:00:00.000Z');
    expect(dueAt('SEVERE', at, calendar).toISOString()).toBe('2026-03-05T02:00:00.000Z');
    expect(dueAt('MODERATE', at, calendar).toISOString()).toBe('2026-03-07T02:00:00.000Z');
    expect(dueAt('MINOR', at, calendar).toISOString()).toBe('2026-03-11T16:00:00.000Z');
    // Late means after the deadline, not at it.
    expect(isLate('CRITICAL', at, new Date('2026-03-04T12:00:00+08:00'), calendar)).toBe(false);
    expect(isLate('CRITICAL', at, new Date('2026-03-04T12:00:01+08:00'), calendar)).toBe(true);
    expect(isLate('MINOR', at, new Date('2026-03-11T23:59:59+08:00'), calendar)).toBe(false);
    expect(isLate('MINOR', at, new Date('2026-03-12T00:00:01+08:00'), calendar)).toBe(true);
    // Just after midnight in Shanghai is already the next day (UTC still shows the day before).
    expect(dueAt('MINOR', new Date('2026-03-03T16:30:00Z'), calendar).toISOString()).toBe('2026-03-11T16:00:00.000Z');
  });

  test('the SQL deadline (dueAtSql, over the seeded calendar) equals the pure function for instants across 2025–2027', async ({ tx }) => {
    const seeded = rowsOf<{ day: string; working: boolean }>(await tx.execute(sql`select day::text as day, working from working_calendar order by day`));
    expect(seeded).toEqual(demoCalendarRows().map(({ day, working }) => ({ day, working })));
    const cases: { at: string; severity: string }[] = [];
    for (let i = 0; i < 160; i++) {
      const at = new Date(Date.parse('2025-01-01T00:00:00Z') + i * 6.77 * 86_400_000 + (i % 24) * 3_600_000 + (i % 7) * 60_000);
      for (const severity of ['MINOR', 'MODERATE', 'SEVERE', 'CRITICAL']) cases.push({ at: at.toISOString(), severity });
    }
    const rows = rowsOf<{ at: string; severity: string; due: string }>(
      await tx.execute(sql`select at::text as at, severity, to_char(${dueAtSql(sql`severity::early_report_severity`, sql`at`)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as due
        from jsonb_to_recordset(${JSON.stringify(cases)}::jsonb) as t(at timestamptz, severity text)`),
    );
    expect(rows).toHaveLength(cases.length);
    rows.forEach((row, i) => expect(row.due, `${cases[i]!.severity} at ${cases[i]!.at}`).toBe(dueAt(cases[i]!.severity as never, new Date(cases[i]!.at), calendar).toISOString()));
  });
});

describe('submitEarlyReport', () => {
  test('a SEVERE report is ESCALATED in the one submitting statement, with both events, the audit entry and the outbox event', async ({ tx }) => {
    const c = await cast(tx);
    const before = await writes(tx);
    const { result, count: statements } = await countStatements(() =>
      submitEarlyReport(tx, c.viewer, { category: 'REPUTATION_EVENT', severity: 'SEVERE', title: '负面舆情', body: '多家媒体报道', occurredAt: new Date(Date.now() - 3_600_000), branchId: c.branch.id }),
    );
    expect(statements).toBeLessThanOrEqual(4);
    expect(statements).toBe(1);
    const report = result.earlyReport;
    expect(report).toMatchObject({ status: 'ESCALATED', severity: 'SEVERE', organizationId: c.firm.id, associationId: ASSOCIATION_IDS.SZSA, branchId: c.branch.id, late: false });
    expect(report.escalatedAt).toBeInstanceOf(Date);
    expect(await writes(tx)).toEqual({ reports: before.reports + 1, events: before.events + 2, audit: before.audit + 1, outbox: before.outbox + 1 });
    const events = await tx.select().from(earlyReportEventsTable).where(eq(earlyReportEventsTable.reportId, report.id)).orderBy(earlyReportEventsTable.id);
    expect(events.map((e) => [e.fromStatus, e.toStatus, e.actorSub])).toEqual([
      [null, 'SUBMITTED', c.viewer.subject],
      ['SUBMITTED', 'ESCALATED', c.viewer.subject],
    ]);
    const [event] = await tx.select().from(outboxEventsTable).where(and(eq(outboxEventsTable.type, 'early_report.escalated'), eq(outboxEventsTable.entityId, report.id)));
    expect(event).toMatchObject({ entityType: 'EarlyReport', associationId: ASSOCIATION_IDS.SZSA });
    expect(event!.payload).toMatchObject({ earlyReport: encodeGlobalId('EarlyReport', report.id), organization: encodeGlobalId('Organization', c.firm.id), severity: 'SEVERE', status: 'ESCALATED', title: '负面舆情' });
    expect(JSON.stringify(event!.payload)).not.toContain('多家媒体报道');
    // Timestamps as toISOString writes them, as the staff's escalation path sends them.
    expect((event!.payload as Record<string, string>).escalatedAt).toBe(report.escalatedAt!.toISOString());
    expect((event!.payload as Record<string, string>).occurredAt).toBe(report.occurredAt.toISOString());
    const [audit] = await tx.select().from(auditLogTable).where(and(eq(auditLogTable.entityType, 'EarlyReport'), eq(auditLogTable.entityId, report.id)));
    expect(audit).toMatchObject({ action: 'earlyReport.submit', actorSub: c.viewer.subject, actorOrgId: c.firm.id });
  });

  test('a MINOR report stays SUBMITTED with the association: one event, an audit entry, no outbox event', async ({ tx }) => {
    const c = await cast(tx);
    const before = await writes(tx);
    const res = await execute(makeContext(tx, c.viewer), SUBMIT, { input: input() });
    expect(res.errors).toBeUndefined();
    const report = res.data.submitEarlyReport.earlyReport;
    expect(report).toMatchObject({ status: 'SUBMITTED', escalatedAt: null, late: false, events: [{ fromStatus: null, toStatus: 'SUBMITTED', note: null }] });
    expect(await writes(tx)).toEqual({ reports: before.reports + 1, events: before.events + 1, audit: before.audit + 1, outbox: before.outbox });
  });

  test('late is marked against the severity deadline, and stored at submission', async ({ tx }) => {
    const c = await cast(tx);
    const ctx = makeContext(tx, c.viewer);
    const submit = async (severity: string, hoursAgo: number) =>
      (await execute(ctx, SUBMIT, { input: input({ severity, occurredAt: new Date(Date.now() - hoursAgo * 3_600_000).toISOString() }) })).data.submitEarlyReport.earlyReport;
    expect((await submit('CRITICAL', 1)).late).toBe(false);
    expect((await submit('CRITICAL', 3)).late).toBe(true);
    expect((await submit('SEVERE', 23)).late).toBe(false);
    expect((await submit('SEVERE', 25)).late).toBe(true);
    expect((await submit('MODERATE', 71)).late).toBe(false);
    expect((await submit('MODERATE', 73)).late).toBe(true);
    expect((await submit('MINOR', 24 * 20)).late).toBe(true);
    const fresh = await submit('MINOR', 1);
    expect(fresh.late).toBe(false);
    expect(Date.parse(fresh.dueAt) - Date.parse(fresh.occurredAt)).toBeGreaterThan(5 * 86_400_000);
  });

  test('idempotencyKey: the same key and input return the first report and write nothing; other input is IDEMPOTENCY_KEY_REUSED; keys are per organization', async ({ tx }) => {
    const c = await cast(tx);
    const first = await execute(makeContext(tx, c.viewer), SUBMIT, { input: input({ severity: 'CRITICAL', idempotencyKey: 'er-key-1' }) });
    const id = first.data.submitEarlyReport.earlyReport.id;
    const before = await writes(tx);
    const again = await execute(makeContext(tx, c.viewer), SUBMIT, { input: input({ severity: 'CRITICAL', idempotencyKey: 'er-key-1', occurredAt: first.data.submitEarlyReport.earlyReport.occurredAt }) });
    expect(again.data.submitEarlyReport).toMatchObject({ earlyReport: { id }, userErrors: [] });
    expect(await writes(tx)).toEqual(before);
    const changed = await execute(makeContext(tx, c.viewer), SUBMIT, { input: input({ severity: 'SEVERE', idempotencyKey: 'er-key-1' }) });
    expect(changed.data.submitEarlyReport).toMatchObject({ earlyReport: null, userErrors: [{ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'] }] });
    expect(await writes(tx)).toEqual(before);
    const other = await execute(makeContext(tx, c.otherViewer), SUBMIT, { input: input({ severity: 'CRITICAL', idempotencyKey: 'er-key-1' }) });
    expect(other.data.submitEarlyReport.userErrors).toEqual([]);
    expect(other.data.submitEarlyReport.earlyReport.id).not.toBe(id);
  });

  test.for([
    ['occurredAt in the future', { occurredAt: new Date(Date.now() + 3_600_000).toISOString() }, 'INVALID', ['input', 'occurredAt']],
    ['body too long', { body: '长'.repeat(10_001) }, 'TOO_LONG', ['input', 'body']],
    ['control characters in the title', { title: '标题\u0007' }, 'INVALID', ['input', 'title']],
    ['a newline in the title', { title: '标题\n第二行' }, 'INVALID', ['input', 'title']],
    ['an empty body', { body: '   ' }, 'REQUIRED', ['input', 'body']],
    ['a malformed idempotency key', { idempotencyKey: 'has space' }, 'INVALID', ['input', 'idempotencyKey']],
    ['a branch id of another type', { branchId: encodeGlobalId('Organization', 1) }, 'NOT_FOUND', ['input', 'branchId']],
    ['an unknown branch', { branchId: encodeGlobalId('Branch', 999_999) }, 'NOT_FOUND', ['input', 'branchId']],
    ['another firm’s branch', { branchId: 'OTHER' }, 'NOT_OWN_BRANCH', ['input', 'branchId']],
    ['an association it is not a member of', { association: 'SZLCA' }, 'NOT_A_MEMBER', ['input', 'association']],
  ] as const)('bad input — %s — is a userError and writes nothing', async ([, overrides, code, field], { tx }) => {
    const c = await cast(tx);
    const o: Record<string, unknown> = { ...overrides };
    if (o.branchId === 'OTHER') o.branchId = encodeGlobalId('Branch', c.otherBranch.id);
    const before = await writes(tx);
    const res = await execute(makeContext(tx, c.viewer), SUBMIT, { input: input({ severity: 'SEVERE', idempotencyKey: `bad-${code}`, ...o }) });
    expect(res.errors).toBeUndefined();
    const payload = res.data.submitEarlyReport;
    expect(payload.earlyReport).toBeNull();
    expect(payload.userErrors.map((e: { code: string; field: string[] }) => ({ code: e.code, field: e.field }))).toEqual([{ code, field }]);
    expect(payload.userErrors[0].message).toMatch(/[\u4e00-\u9fff]/);
    expect(await writes(tx)).toEqual(before);
  });

  test('a severity or category not in its enum is refused before anything runs', async ({ tx }) => {
    const c = await cast(tx);
    const before = await writes(tx);
    for (const bad of [{ severity: 'CATASTROPHIC' }, { category: 'WEATHER' }]) {
      const res = await execute(makeContext(tx, c.viewer), SUBMIT, { input: input(bad) });
      expect(res.data ?? null).toBeNull();
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toContain(Object.values(bad)[0]);
    }
    expect(await writes(tx)).toEqual(before);
  });

  test('a member of several associations files with the one it names; anonymous, staff and the regulator cannot submit', async ({ tx }) => {
    const c = await cast(tx);
    await insertMembership(tx, { organizationId: c.firm.id, associationId: ASSOCIATION_IDS.SZLCA });
    const res = await execute(makeContext(tx, c.viewer), `mutation($input: SubmitEarlyReportInput!) { submitEarlyReport(input: $input) { earlyReport { id } userErrors { code } } }`, { input: input({ association: 'SZLCA' }) });
    expect(res.data.submitEarlyReport.userErrors).toEqual([]);
    const [row] = await tx.select().from(earlyReportsTable).where(eq(earlyReportsTable.organizationId, c.firm.id));
    expect(row!.associationId).toBe(ASSOCIATION_IDS.SZLCA);
    for (const viewer of [anonymousViewer, association, regulator]) {
      const refused = await execute(makeContext(tx, viewer), SUBMIT, { input: input() });
      expect(refused.errors?.[0]?.extensions?.code, viewer.role).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
    }
    // The service refuses too, whatever calls it.
    expect(await userErrorsOf(submitEarlyReport(tx, association, { category: 'OTHER', severity: 'MINOR', title: 't', body: 'b', occurredAt: new Date(Date.now() - 1000) }))).toEqual([{ code: 'NOT_FOUND', field: null }]);
  });
});

describe('who sees an early report', () => {
  test('a MINOR report: its organization and its association’s staff; the regulator only once staff escalate it', async ({ tx }) => {
    const c = await cast(tx);
    const submitted = await execute(makeContext(tx, c.viewer), SUBMIT, { input: input({ branchId: encodeGlobalId('Branch', c.branch.id) }) });
    const id = submitted.data.submitEarlyReport.earlyReport.id;
    let status = 'SUBMITTED';
    const sees = async (viewer: Viewer) => {
      const node = (await execute(makeContext(tx, viewer), NODE, { id })).data?.node;
      const list = (await execute(makeContext(tx, viewer), `query { earlyReports(first: 100, filter: { severity: MINOR, status: ${status} }) { edges { node { id } } } }`)).data?.earlyReports.edges ?? [];
      const listed = list.some((e: { node: { id: string } }) => e.node.id === id);
      expect(listed, `${viewer.subject}: node and list agree`).toBe(node?.id === id);
      return node?.id === id;
    };
    const who = { firm: c.viewer, other: c.otherViewer, listed: c.listedViewer, association, szlcaStaff, regulator, scopedAccount, unscopedAccount, anonymous: anonymousViewer };
    const seenBy = async () => {
      const out: Record<string, boolean> = {};
      for (const [k, v] of Object.entries(who)) out[k] = await sees(v);
      return out;
    };
    const before = await seenBy();
    expect(before).toEqual({ firm: true, other: false, listed: false, association: true, szlcaStaff: false, regulator: false, scopedAccount: false, unscopedAccount: false, anonymous: false });

    const escalated = await execute(makeContext(tx, association), ESCALATE, { id, note: '涉及多家营业部，报送证监局' });
    expect(escalated.data.escalateEarlyReport).toMatchObject({ earlyReport: { status: 'ESCALATED' }, userErrors: [] });
    status = 'ESCALATED';
    const after = await seenBy();
    expect(after).toEqual({ firm: true, other: false, listed: false, association: true, szlcaStaff: false, regulator: true, scopedAccount: true, unscopedAccount: false, anonymous: false });
    // The member follows the status and the association's notes.
    const mine = (await execute(makeContext(tx, c.viewer), NODE, { id })).data.node;
    expect(mine.events).toEqual([{ toStatus: 'SUBMITTED', note: null }, { toStatus: 'ESCALATED', note: '涉及多家营业部，报送证监局' }]);
  });

  test('a mutation payload never shows a report its caller may not see', async ({ tx }) => {
    const c = await cast(tx);
    const report = await insertEarlyReport(tx, { organizationId: c.firm.id });
    const id = encodeGlobalId('EarlyReport', report.id);
    // Another association's staff: the report does not exist for them.
    const res = await execute(makeContext(tx, szlcaStaff), ACK, { id });
    expect(res.data.acknowledgeEarlyReport).toEqual({ earlyReport: null, userErrors: [{ field: ['input', 'id'], code: 'NOT_FOUND' }] });
    // A service account of the association without early-reports:read cannot move it either.
    const account = serviceAccountViewer(['webhooks:manage'], { id: 0, clientId: 'mgc_000000000000000000000001', role: 'association' });
    const byAccount = await execute(makeContext(tx, account), ACK, { id });
    expect(byAccount.data?.acknowledgeEarlyReport?.earlyReport ?? null).toBeNull();
  });
});

describe('the triage queue and its moves', () => {
  test('most severe first, then oldest first; pages follow the same order and totalCount counts what lists', async ({ tx }) => {
    const szlcaFirm = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    const at = (h: number) => sql`now() - interval '${sql.raw(String(h))} hours'` as unknown as Date;
    const made = [
      await insertEarlyReport(tx, { organizationId: szlcaFirm.id, associationId: ASSOCIATION_IDS.SZLCA, severity: 'MINOR', reportedAt: at(1), occurredAt: new Date(Date.now() - 30 * 3_600_000) }),
      await insertEarlyReport(tx, { organizationId: szlcaFirm.id, associationId: ASSOCIATION_IDS.SZLCA, severity: 'CRITICAL', reportedAt: at(2), occurredAt: new Date(Date.now() - 30 * 3_600_000) }),
      await insertEarlyReport(tx, { organizationId: szlcaFirm.id, associationId: ASSOCIATION_IDS.SZLCA, severity: 'MINOR', reportedAt: at(5), occurredAt: new Date(Date.now() - 30 * 3_600_000) }),
      await insertEarlyReport(tx, { organizationId: szlcaFirm.id, associationId: ASSOCIATION_IDS.SZLCA, severity: 'MODERATE', reportedAt: at(3), occurredAt: new Date(Date.now() - 30 * 3_600_000) }),
      await insertEarlyReport(tx, { organizationId: szlcaFirm.id, associationId: ASSOCIATION_IDS.SZLCA, severity: 'SEVERE', reportedAt: at(4), occurredAt: new Date(Date.now() - 30 * 3_600_000) }),
    ];
    const rank = { CRITICAL: 0, SEVERE: 1, MODERATE: 2, MINOR: 3 } as const;
    const all: { id: string; severity: keyof typeof rank; reportedAt: string }[] = [];
    let after: string | null = null;
    let total = 0;
    for (;;) {
      const res: any = await execute(makeContext(tx, szlcaStaff), LIST, { first: 7, after });
      const conn: any = res.data.earlyReports;
      total = conn.totalCount;
      all.push(...conn.edges.map((e: { node: never }) => e.node));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(all).toHaveLength(total);
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [all[i - 1]!, all[i]!];
      const ordered = rank[a.severity] < rank[b.severity] || (rank[a.severity] === rank[b.severity] && Date.parse(a.reportedAt) <= Date.parse(b.reportedAt));
      expect(ordered, `${a.severity} ${a.reportedAt} before ${b.severity} ${b.reportedAt}`).toBe(true);
    }
    const mine = all.filter((r) => made.some((m) => encodeGlobalId('EarlyReport', m.id) === r.id)).map((r) => made.findIndex((m) => encodeGlobalId('EarlyReport', m.id) === r.id));
    expect(mine).toEqual([1, 4, 3, 2, 0]);
  });

  test('the statements of a page do not grow with its size (nested organization, branch and events included)', async ({ tx }) => {
    const run = (first: number) => countStatements(() => execute(makeContext(tx, association), LIST, { first }));
    const small = await run(2);
    const large = await run(60);
    expect(large.result.errors).toBeUndefined();
    expect(large.result.data.earlyReports.edges.length).toBeGreaterThan(2);
    expect(large.count).toBe(small.count);
    expect(large.count).toBeLessThanOrEqual(5);
  });

  test('SUBMITTED → ACKNOWLEDGED → ESCALATED → CLOSED, each with its event and audit entry, the escalation with its outbox event; other moves are INVALID_STATE', async ({ tx }) => {
    const c = await cast(tx);
    const report = await insertEarlyReport(tx, { organizationId: c.firm.id });
    const id = encodeGlobalId('EarlyReport', report.id);
    const ctx = makeContext(tx, association);
    const before = await writes(tx);
    expect((await execute(ctx, ACK, { id })).data.acknowledgeEarlyReport).toMatchObject({ earlyReport: { status: 'ACKNOWLEDGED' }, userErrors: [] });
    expect((await execute(ctx, ACK, { id })).data.acknowledgeEarlyReport.userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_STATE' }]);
    const escalated = (await execute(ctx, ESCALATE, { id, note: '报送证监局' })).data.escalateEarlyReport;
    expect(escalated.earlyReport.escalatedAt).not.toBeNull();
    expect((await execute(ctx, ESCALATE, { id })).data.escalateEarlyReport.userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_STATE' }]);
    expect((await execute(ctx, ACK, { id })).data.acknowledgeEarlyReport.userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_STATE' }]);
    expect((await execute(ctx, CLOSE, { id, note: '结报：已处置完毕' })).data.closeEarlyReport).toMatchObject({ earlyReport: { status: 'CLOSED' }, userErrors: [] });
    expect((await execute(ctx, CLOSE, { id })).data.closeEarlyReport.userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_STATE' }]);
    expect((await execute(ctx, ESCALATE, { id })).data.escalateEarlyReport.userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_STATE' }]);
    expect(await writes(tx)).toEqual({ reports: before.reports, events: before.events + 3, audit: before.audit + 3, outbox: before.outbox + 1 });
    const [row] = await tx.select().from(earlyReportsTable).where(eq(earlyReportsTable.id, report.id));
    expect(row).toMatchObject({ status: 'CLOSED' });
    expect(row!.escalatedAt).not.toBeNull();
    expect(row!.closedAt).not.toBeNull();
    // Closed after escalation, the regulator still sees it, with the closing note.
    const seen = (await execute(makeContext(tx, regulator), NODE, { id })).data.node;
    expect(seen.events.at(-1)).toEqual({ toStatus: 'CLOSED', note: '结报：已处置完毕' });
  });

  test('SUBMITTED → ESCALATED and SUBMITTED → CLOSED directly; a too-long note is TOO_LONG; the regulator and members cannot move reports', async ({ tx }) => {
    const c = await cast(tx);
    const a = encodeGlobalId('EarlyReport', (await insertEarlyReport(tx, { organizationId: c.firm.id })).id);
    const b = encodeGlobalId('EarlyReport', (await insertEarlyReport(tx, { organizationId: c.firm.id })).id);
    const ctx = makeContext(tx, association);
    expect((await execute(ctx, ESCALATE, { id: a, note: '长'.repeat(2001) })).data.escalateEarlyReport.userErrors).toEqual([{ field: ['input', 'note'], code: 'TOO_LONG' }]);
    expect((await execute(ctx, ESCALATE, { id: a })).data.escalateEarlyReport.earlyReport.status).toBe('ESCALATED');
    expect((await execute(ctx, CLOSE, { id: b })).data.closeEarlyReport.earlyReport.status).toBe('CLOSED');
    for (const viewer of [regulator, c.viewer]) {
      const res = await execute(makeContext(tx, viewer), ACK, { id: a });
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});

describe('Reports.earlyReportCounts', () => {
  const COUNTS = `query($year: Int!) { reports { earlyReportCounts(year: $year) { associationCode month category severity count late escalated } } }`;

  test('the regulator counts every association’s reports of the year, staff their own; counts agree with the rows', async ({ tx }) => {
    const sum = (rows: { count: number }[]) => rows.reduce((s, r) => s + r.count, 0);
    const all = (await execute(makeContext(tx, regulator), COUNTS, { year: 2026 })).data.reports.earlyReportCounts;
    const [{ n }] = rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::integer as n from early_reports where reported_at >= '2026-01-01T00:00:00+08:00' and reported_at < '2027-01-01T00:00:00+08:00'`));
    expect(sum(all)).toBe(n);
    expect(new Set(all.map((r: { associationCode: string }) => r.associationCode))).toEqual(new Set(['SZSA', 'SZLCA']));
    const szsa = (await execute(makeContext(tx, association), COUNTS, { year: 2026 })).data.reports.earlyReportCounts;
    expect(szsa.every((r: { associationCode: string }) => r.associationCode === 'SZSA')).toBe(true);
    expect(sum(szsa)).toBe(sum(all.filter((r: { associationCode: string }) => r.associationCode === 'SZSA')));
    expect(all.every((r: { late: number; escalated: number; count: number; month: number }) => r.late <= r.count && r.escalated <= r.count && r.month >= 1 && r.month <= 12)).toBe(true);
    // A service account with reports:read but not early-reports:read counts nothing.
    expect((await execute(makeContext(tx, unscopedAccount), COUNTS, { year: 2026 })).data.reports.earlyReportCounts).toEqual([]);
    // One aggregate statement.
    const { count: statements } = await countStatements(() => execute(makeContext(tx, regulator), COUNTS, { year: 2026 }));
    expect(statements).toBe(1);
  });
});

describe('the demo reports', () => {
  test('every category and severity, from several firms and listed companies across the months of 2026, some late, serious ones escalated on submission, others by staff', async ({ tx }) => {
    const rows = await tx.select().from(earlyReportsTable).where(eq(earlyReportsTable.submittedBySub, 'seed:early-reports'));
    expect(rows.length).toBe(240);
    expect(new Set(rows.map((r) => r.category)).size).toBe(8);
    expect(new Set(rows.map((r) => r.severity)).size).toBe(4);
    expect(new Set(rows.map((r) => r.associationId))).toEqual(new Set([ASSOCIATION_IDS.SZSA, ASSOCIATION_IDS.SZLCA]));
    expect(new Set(rows.map((r) => r.organizationId)).size).toBeGreaterThanOrEqual(10);
    expect(new Set(rows.map((r) => r.reportedAt.toISOString().slice(0, 7))).size).toBeGreaterThanOrEqual(11);
    expect(rows.some((r) => r.late) && rows.some((r) => !r.late)).toBe(true);
    expect(rows.filter((r) => r.severity === 'SEVERE' || r.severity === 'CRITICAL').every((r) => r.escalatedAt?.getTime() === r.reportedAt.getTime())).toBe(true);
    expect(rows.some((r) => r.severity === 'MINOR' && r.escalatedAt !== null)).toBe(true);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['SUBMITTED', 'ACKNOWLEDGED', 'ESCALATED', 'CLOSED']));
    expect(rows.some((r) => r.branchId !== null)).toBe(true);
    // `late` agrees with the pure rule over the seeded calendar.
    const calendar = demoCalendar();
    for (const r of rows) expect(r.late, `report ${r.id}`).toBe(isLate(r.severity, r.occurredAt, r.reportedAt, calendar));
    // Every report's history starts with SUBMITTED and ends in its status.
    const events = await tx.select().from(earlyReportEventsTable);
    const byReport = new Map<number, string[]>();
    for (const e of events.sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id)) byReport.set(e.reportId, [...(byReport.get(e.reportId) ?? []), e.toStatus]);
    for (const r of rows) {
      const history = byReport.get(r.id)!;
      expect(history[0]).toBe('SUBMITTED');
      expect(history.at(-1), `report ${r.id}`).toBe(r.status);
    }
  });
});
