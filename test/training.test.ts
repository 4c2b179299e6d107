// Training and continuing education: visibility of every kind of row, the mutations' rules (bad input writes nothing),
// credits and the hours filter against the pure rule, reach and completion, certificates, obligations and search.
import { count, eq } from 'drizzle-orm';
import { ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import { auditLogTable } from '../src/audit/audit.table.js';
import type { DbOrTx } from '../src/db/client.js';
import { countStatements } from '../src/db/instrumentation.js';
import { encodeGlobalId } from '../src/global-id.js';
import { outboxEventsTable } from '../src/outbox/outbox.table.js';
import { creditSummary } from '../src/training/training.hours.js';
import * as mutations from '../src/training/training.mutations.js';
import * as training from '../src/training/training.service.js';
import {
  practitionersTable,
  trainingAttendanceTable,
  trainingCertificatesTable,
  trainingEnrolmentsTable,
  trainingLecturersTable,
  trainingNeedsSurveysTable,
  trainingProgrammesTable,
  trainingSessionsTable,
  trainingSurveyAnswersTable,
} from '../src/training/training.table.js';
import {
  anonymousViewer,
  associationViewer,
  execute,
  firmViewer,
  makeContext,
  regulatorViewer,
  serviceAccountViewer,
  userErrorsOf,
} from './support/context.js';
import { describe, expect, test } from './support/db.js';
import {
  insertBranch,
  insertBranchRating,
  insertMembership,
  insertOrganization,
  insertPractitioner,
  insertRatingCycle,
  insertTrainingAttendance,
  insertTrainingEnrolment,
  insertTrainingNeedsSurvey,
  insertTrainingProgramme,
  insertTrainingSession,
  insertTrainingViewEvent,
} from './support/factories.js';

const szsa = associationViewer();
const szlca = { ...associationViewer(), subject: 'test:association:SZLCA', associationId: ASSOCIATION_IDS.SZLCA };
const regulator = regulatorViewer();
const gid = (type: string, id: number) => encodeGlobalId(type, id);

async function trainingCounts(db: DbOrTx) {
  const tables = [
    trainingNeedsSurveysTable,
    trainingSurveyAnswersTable,
    trainingProgrammesTable,
    trainingSessionsTable,
    trainingLecturersTable,
    practitionersTable,
    trainingEnrolmentsTable,
    trainingAttendanceTable,
    trainingCertificatesTable,
    auditLogTable,
    outboxEventsTable,
  ];
  const out: number[] = [];
  for (const t of tables) out.push((await db.select({ n: count() }).from(t))[0]!.n);
  return out;
}

describe('who sees practitioners', () => {
  test('a firm its own, SZSA staff their trainees, the regulator all; another firm, SZLCA staff, anonymous and an unscoped account none', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    const other = await insertOrganization(tx);
    const p = await insertPractitioner(tx, { organizationId: firm.id });
    const ids = [p.id];
    const sees = async (viewer: Parameters<typeof training.loadPractitionersByIds>[1]) => (await training.loadPractitionersByIds(tx, viewer, ids)).length === 1;
    expect(await sees(firmViewer(firm))).toBe(true);
    expect(await sees(firmViewer(other))).toBe(false);
    expect(await sees(szsa)).toBe(true);
    expect(await sees(szlca)).toBe(false);
    expect(await sees(regulator)).toBe(true);
    expect(await sees(anonymousViewer)).toBe(false);
    expect(await sees(serviceAccountViewer(['webhooks:manage']))).toBe(false);
    expect(await sees(serviceAccountViewer(['training:read']))).toBe(true);
    // Enrolled in an SZLCA session, the practitioner becomes SZLCA's trainee too.
    const szlcaSession = await insertTrainingSession(tx, { associationId: ASSOCIATION_IDS.SZLCA });
    await insertTrainingEnrolment(tx, { sessionId: szlcaSession.id, practitionerId: p.id });
    expect(await sees(szlca)).toBe(true);
  });

  test('node, nodes, list and totalCount agree for another firm (hidden = nonexistent)', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    const other = await insertOrganization(tx);
    const p = await insertPractitioner(tx, { organizationId: firm.id });
    const res = await execute(makeContext(tx, firmViewer(other)), `query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } practitioners(first: 100) { totalCount edges { node { id } } } }`, { id: gid('Practitioner', p.id) });
    expect(res.errors).toBeUndefined();
    expect(res.data.node).toBeNull();
    expect(res.data.nodes).toEqual([null]);
    expect(res.data.practitioners.edges).toEqual([]);
    expect(res.data.practitioners.totalCount).toBe(0);
  });
});

describe('who sees programmes and sessions', () => {
  test('PUBLIC to anyone; MEMBERS to active members of its association, its staff and the regulator', async ({ tx }) => {
    const pub = await insertTrainingProgramme(tx, { audience: 'PUBLIC' });
    const members = await insertTrainingProgramme(tx, { audience: 'MEMBERS' });
    const session = await insertTrainingSession(tx, { programmeId: members.id });
    const firm = await insertOrganization(tx);
    const listed = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    const seen = async (viewer: Parameters<typeof training.loadProgrammesByIds>[1]) =>
      (await training.loadProgrammesByIds(tx, viewer, [pub.id, members.id])).map((p) => p.id).sort((a, b) => a - b);
    expect(await seen(anonymousViewer)).toEqual([pub.id]);
    expect(await seen(firmViewer(firm))).toEqual([pub.id, members.id]);
    expect(await seen(firmViewer(listed))).toEqual([pub.id]);
    expect(await seen(szsa)).toEqual([pub.id, members.id]);
    expect(await seen(szlca)).toEqual([pub.id]);
    expect(await seen(regulator)).toEqual([pub.id, members.id]);
    expect(await seen(serviceAccountViewer(['webhooks:manage']))).toEqual([pub.id]);
    expect((await training.loadSessionsByIds(tx, anonymousViewer, [session.id])).length).toBe(0);
    expect((await training.loadSessionsByIds(tx, firmViewer(firm), [session.id])).length).toBe(1);
    // A suspended member no longer reads MEMBERS programmes.
    await insertMembership(tx, { organizationId: firm.id, associationId: ASSOCIATION_IDS.SZSA, status: 'SUSPENDED' });
    expect(await seen(firmViewer(firm))).toEqual([pub.id]);
  });

  test('survey results and completion rates are for the association\'s staff and the regulator only', async ({ tx }) => {
    const survey = await insertTrainingNeedsSurvey(tx);
    const firm = await insertOrganization(tx);
    await mutations.answerTrainingNeedsSurvey(tx, firmViewer(firm), { surveyId: survey.id, topics: ['NEW_RULES', 'OTHER'] });
    const q = `query($id: ID!) { node(id: $id) { ... on TrainingNeedsSurvey { title results { topic respondents } } } }`;
    const asStaff = await execute(makeContext(tx, szsa), q, { id: gid('TrainingNeedsSurvey', survey.id) });
    expect(asStaff.data.node.results).toEqual([
      { topic: 'NEW_RULES', respondents: 1 },
      { topic: 'OTHER', respondents: 1 },
      { topic: 'ANTI_MONEY_LAUNDERING', respondents: 0 },
    ]);
    const asFirm = await execute(makeContext(tx, firmViewer(firm)), q, { id: gid('TrainingNeedsSurvey', survey.id) });
    expect(asFirm.data.node.title).toBe(survey.title);
    expect(asFirm.data.node.results).toBeNull();
    expect((await execute(makeContext(tx, szlca), q, { id: gid('TrainingNeedsSurvey', survey.id) })).data.node).toBeNull();
    expect((await execute(makeContext(tx, anonymousViewer), q, { id: gid('TrainingNeedsSurvey', survey.id) })).data.node).toBeNull();
  });
});

describe('the association\'s mutations', () => {
  test('scheduleTrainingSession writes the session, its lecturers, an audit entry and TRAINING_SESSION_SCHEDULED in one go', async ({ tx }) => {
    const programme = await mutations.createTrainingProgramme(tx, szsa, { title: '测试项目', series: '行稳致远·专业赋能', audience: 'PUBLIC' });
    const session = await mutations.scheduleTrainingSession(tx, szsa, {
      programmeId: programme.id,
      title: '新《证券法》对行业的影响',
      mode: 'ONLINE_LIVE',
      startsAt: new Date('2026-04-28T06:00:00Z'),
      endsAt: new Date('2026-04-28T08:00:00Z'),
      creditHours: 2,
      creditType: 'REQUIRED',
      lecturers: ['张老师', '李老师'],
    });
    const [event] = await tx.select().from(outboxEventsTable).where(eq(outboxEventsTable.entityId, session.id));
    expect(event).toMatchObject({ type: 'training_session.scheduled', entityType: 'TrainingSession', associationId: ASSOCIATION_IDS.SZSA });
    expect((event!.payload as { sessionId: string }).sessionId).toBe(gid('TrainingSession', session.id));
    const [audit] = await tx.select().from(auditLogTable).where(eq(auditLogTable.action, 'trainingSession.schedule'));
    expect(audit?.entityId).toBe(session.id);
    const res = await execute(makeContext(tx, anonymousViewer), `query($id: ID!) { node(id: $id) { ... on TrainingSession { lecturers creditHours programme { series } } } }`, { id: gid('TrainingSession', session.id) });
    expect(res.data.node).toEqual({ lecturers: ['张老师', '李老师'], creditHours: 2, programme: { series: '行稳致远·专业赋能' } });
  });

  test('bad session input is a userError each and writes nothing', async ({ tx }) => {
    const programme = await insertTrainingProgramme(tx);
    const szlcaProgramme = await insertTrainingProgramme(tx, { associationId: ASSOCIATION_IDS.SZLCA });
    const before = await trainingCounts(tx);
    const base = {
      programmeId: programme.id,
      title: '场次',
      mode: 'OFFLINE' as const,
      startsAt: new Date('2026-05-01T02:00:00Z'),
      endsAt: new Date('2026-05-01T04:00:00Z'),
      creditHours: 2,
      creditType: 'REQUIRED' as const,
    };
    const cases: [Partial<typeof base> & { lecturers?: string[] }, string, string[]][] = [
      [{ title: '   ' }, 'REQUIRED', ['input', 'title']],
      [{ title: '长'.repeat(121) }, 'TOO_LONG', ['input', 'title']],
      [{ title: '含\u0000控制字符' }, 'INVALID', ['input', 'title']],
      [{ creditHours: 0 }, 'OUT_OF_RANGE', ['input', 'creditHours']],
      [{ creditHours: -1 }, 'OUT_OF_RANGE', ['input', 'creditHours']],
      [{ creditHours: 24.5 }, 'OUT_OF_RANGE', ['input', 'creditHours']],
      [{ creditHours: 1.25 }, 'INVALID', ['input', 'creditHours']],
      [{ endsAt: new Date('2026-05-01T02:00:00Z') }, 'INVALID', ['input', 'endsAt']],
      [{ endsAt: new Date('2026-05-01T01:00:00Z') }, 'INVALID', ['input', 'endsAt']],
      [{ lecturers: ['  '] }, 'REQUIRED', ['input', 'lecturers', '0']],
      [{ programmeId: szlcaProgramme.id }, 'NOT_FOUND', ['input', 'programmeId']],
      [{ programmeId: 2_000_000_000 }, 'NOT_FOUND', ['input', 'programmeId']],
    ];
    for (const [change, code, field] of cases) {
      expect(await userErrorsOf(mutations.scheduleTrainingSession(tx, szsa, { ...base, ...change })), JSON.stringify(change)).toContainEqual({ code, field });
    }
    // A wrong enum never reaches the service: GraphQL refuses it.
    const wrongEnum = await execute(makeContext(tx, szsa), `mutation { scheduleTrainingSession(input: { programmeId: "${gid('TrainingProgramme', programme.id)}", title: "x", mode: SOMETIMES, startsAt: "2026-05-01T10:00:00+08:00", endsAt: "2026-05-01T12:00:00+08:00", creditHours: 2, creditType: REQUIRED }) { userErrors { code } } }`);
    expect(wrongEnum.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // A firm may not schedule: FORBIDDEN.
    const firm = await insertOrganization(tx);
    const asFirm = await execute(makeContext(tx, firmViewer(firm)), `mutation { createTrainingProgramme(input: { title: "x", audience: PUBLIC }) { userErrors { code } } }`);
    expect(asFirm.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await trainingCounts(tx)).toEqual(before);
  });

  test('surveys: bad input and a closed survey are userErrors; answering twice replaces the answer', async ({ tx }) => {
    const before = await trainingCounts(tx);
    expect(await userErrorsOf(mutations.createTrainingNeedsSurvey(tx, szsa, { title: '', closesOn: '2099-01-01', topics: [] }))).toEqual([
      { code: 'REQUIRED', field: ['input', 'title'] },
      { code: 'REQUIRED', field: ['input', 'topics'] },
    ]);
    expect(await userErrorsOf(mutations.createTrainingNeedsSurvey(tx, szsa, { title: 'x', closesOn: '2001-01-01', topics: ['OTHER', 'OTHER'] }))).toEqual([
      { code: 'INVALID', field: ['input', 'topics'] },
      { code: 'INVALID', field: ['input', 'closesOn'] },
    ]);
    const closed = await insertTrainingNeedsSurvey(tx, { closesOn: '2020-01-01' });
    const firm = await insertOrganization(tx);
    const listed = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    const mid = await trainingCounts(tx);
    expect(await userErrorsOf(mutations.answerTrainingNeedsSurvey(tx, firmViewer(firm), { surveyId: closed.id, topics: ['OTHER'] }))).toEqual([{ code: 'DEADLINE_PASSED', field: ['input', 'surveyId'] }]);
    const open = await insertTrainingNeedsSurvey(tx);
    const mid2 = await trainingCounts(tx);
    expect(await userErrorsOf(mutations.answerTrainingNeedsSurvey(tx, firmViewer(listed), { surveyId: open.id, topics: ['OTHER'] }))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'surveyId'] }]);
    expect(await userErrorsOf(mutations.answerTrainingNeedsSurvey(tx, firmViewer(firm), { surveyId: open.id, topics: ['WEALTH_MANAGEMENT'] }))).toEqual([{ code: 'INVALID', field: ['input', 'topics'] }]);
    expect(await trainingCounts(tx)).toEqual(mid2);
    expect(mid[0]).toBe(before[0] + 1);
    await mutations.answerTrainingNeedsSurvey(tx, firmViewer(firm), { surveyId: open.id, topics: ['OTHER'] });
    await mutations.answerTrainingNeedsSurvey(tx, firmViewer(firm), { surveyId: open.id, topics: ['NEW_RULES'] });
    const results = await training.surveyResults(tx, [open.id]);
    expect(results.find((r) => r.topic === 'NEW_RULES')?.respondents).toBe(1);
    expect(results.find((r) => r.topic === 'OTHER')?.respondents).toBe(0);
  });
});

describe('firms register and enrol their own practitioners', () => {
  test('registerPractitioners: own branches only, registration number format, at most 500, nothing written on error', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    const other = await insertOrganization(tx);
    const ownBranch = await insertBranch(tx, { firmId: firm.id });
    const otherBranch = await insertBranch(tx, { firmId: other.id });
    const viewer = firmViewer(firm);
    const before = await trainingCounts(tx);
    expect(
      await userErrorsOf(
        mutations.registerPractitioners(tx, viewer, [
          { name: '', registrationNumber: null },
          { name: '王五', registrationNumber: 'S123' },
          { name: '赵六', branchId: otherBranch.id, branchIdGiven: true },
          { name: '钱七', branchId: null, branchIdGiven: true },
          { name: '孙八\u0007', registrationNumber: 'S0790520050001' },
          { name: '周九', registrationNumber: 'S0790520050001' },
        ]),
      ),
    ).toEqual([
      { code: 'REQUIRED', field: ['input', 'practitioners', '0', 'name'] },
      { code: 'INVALID', field: ['input', 'practitioners', '1', 'registrationNumber'] },
      { code: 'NOT_FOUND', field: ['input', 'practitioners', '3', 'branchId'] },
      { code: 'INVALID', field: ['input', 'practitioners', '4', 'name'] },
      { code: 'DUPLICATE', field: ['input', 'practitioners', '5', 'registrationNumber'] },
    ]);
    expect(await userErrorsOf(mutations.registerPractitioners(tx, viewer, [{ name: '赵六', branchId: otherBranch.id, branchIdGiven: true }]))).toEqual([
      { code: 'NOT_OWN_BRANCH', field: ['input', 'practitioners', '0', 'branchId'] },
    ]);
    const tooMany = Array.from({ length: 501 }, (_, i) => ({ name: `人员${i}` }));
    expect(await userErrorsOf(mutations.registerPractitioners(tx, viewer, tooMany))).toEqual([{ code: 'LIMIT_EXCEEDED', field: ['input', 'practitioners'] }]);
    expect(await userErrorsOf(mutations.registerPractitioners(tx, viewer, []))).toEqual([{ code: 'REQUIRED', field: ['input', 'practitioners'] }]);
    expect(await trainingCounts(tx)).toEqual(before);

    const rows = await mutations.registerPractitioners(tx, viewer, [{ name: '张三', registrationNumber: 'S0790520050001', branchId: ownBranch.id, branchIdGiven: true }, { name: '李四' }]);
    expect(rows.map((r) => [r.name, r.organizationId, r.branchId])).toEqual([
      ['张三', firm.id, ownBranch.id],
      ['李四', firm.id, null],
    ]);
    const again = await trainingCounts(tx);
    expect(await userErrorsOf(mutations.registerPractitioners(tx, viewer, [{ name: '张三', registrationNumber: 'S0790520050001' }]))).toEqual([{ code: 'DUPLICATE', field: ['input', 'practitioners'] }]);
    expect(await trainingCounts(tx)).toEqual(again);
    // A listed company does not register practitioners.
    const listed = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    expect((await userErrorsOf(mutations.registerPractitioners(tx, firmViewer(listed), [{ name: '某人' }])))[0]?.code).toBe('NOT_FOUND');
  });

  test('enrolPractitioners refuses another firm\'s practitioner as NOT_FOUND and writes nothing; enrolling twice adds nothing', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    const other = await insertOrganization(tx);
    const mine = await insertPractitioner(tx, { organizationId: firm.id });
    const theirs = await insertPractitioner(tx, { organizationId: other.id });
    const session = await insertTrainingSession(tx);
    const before = await trainingCounts(tx);
    expect(await userErrorsOf(mutations.enrolPractitioners(tx, firmViewer(firm), { sessionId: session.id, practitionerIds: [mine.id, theirs.id, null] }))).toEqual([
      { code: 'NOT_FOUND', field: ['input', 'practitionerIds', '1'] },
      { code: 'NOT_FOUND', field: ['input', 'practitionerIds', '2'] },
    ]);
    expect(await userErrorsOf(mutations.enrolPractitioners(tx, firmViewer(firm), { sessionId: null, practitionerIds: [mine.id] }))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'sessionId'] }]);
    expect(await trainingCounts(tx)).toEqual(before);
    expect(await mutations.enrolPractitioners(tx, firmViewer(firm), { sessionId: session.id, practitionerIds: [mine.id] })).toBe(1);
    expect(await mutations.enrolPractitioners(tx, firmViewer(firm), { sessionId: session.id, practitionerIds: [mine.id] })).toBe(0);
  });
});

describe('credits, attendance and certificates', () => {
  test('attendance credits the session once; revoking the certificate revokes the credit; verification shows only its fields', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    const p = await insertPractitioner(tx, { organizationId: firm.id, name: '王小明' });
    const session = await insertTrainingSession(tx, { creditHours: 4, title: '反洗钱专题' });
    const before = await trainingCounts(tx);
    expect(await userErrorsOf(mutations.recordTrainingAttendance(tx, szsa, { sessionId: session.id, records: [{ practitionerId: p.id, attendedMinutes: -1, completed: true }] }))).toEqual([
      { code: 'OUT_OF_RANGE', field: ['input', 'records', '0', 'attendedMinutes'] },
    ]);
    expect(await userErrorsOf(mutations.recordTrainingAttendance(tx, szlca, { sessionId: session.id, records: [{ practitionerId: p.id, attendedMinutes: 10, completed: true }] }))).toEqual([
      { code: 'NOT_FOUND', field: ['input', 'sessionId'] },
    ]);
    expect(await trainingCounts(tx)).toEqual(before);
    await mutations.recordTrainingAttendance(tx, szsa, { sessionId: session.id, records: [{ practitionerId: p.id, attendedMinutes: 170, completed: true }] });
    await mutations.recordTrainingAttendance(tx, szsa, { sessionId: session.id, records: [{ practitionerId: p.id, attendedMinutes: 180, completed: true }] });
    expect((await training.creditsOf(tx, [p.id], 2026)).get(p.id)).toMatchObject({ requiredHours: 4, totalHours: 4, met: false });

    const first = await mutations.issueTrainingCertificates(tx, szsa, { id: session.id });
    const second = await mutations.issueTrainingCertificates(tx, szsa, { id: session.id });
    expect(first).toHaveLength(1);
    expect(second.map((c) => c.code)).toEqual(first.map((c) => c.code));
    const code = first[0]!.code;
    expect(code).toMatch(/^TC-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    const verify = `query($c: String!) { verifyTrainingCertificate(code: $c) { valid revoked practitionerName sessionTitle creditHours issuedOn } }`;
    const ok = await execute(makeContext(tx, anonymousViewer), verify, { c: code.toLowerCase() });
    expect(ok.data.verifyTrainingCertificate).toMatchObject({ valid: true, revoked: false, practitionerName: '王小明', sessionTitle: '反洗钱专题', creditHours: 4 });
    expect((await execute(makeContext(tx, anonymousViewer), verify, { c: 'TC-0000-0000-0000-0000' })).data.verifyTrainingCertificate).toBeNull();

    expect(await userErrorsOf(mutations.revokeTrainingCertificate(tx, szsa, { code, reason: ' ' }))).toEqual([{ code: 'REQUIRED', field: ['input', 'reason'] }]);
    expect(await userErrorsOf(mutations.revokeTrainingCertificate(tx, szlca, { code, reason: '代学' }))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'code'] }]);
    await mutations.revokeTrainingCertificate(tx, szsa, { code, reason: '代学' });
    expect(await userErrorsOf(mutations.revokeTrainingCertificate(tx, szsa, { code, reason: '代学' }))).toEqual([{ code: 'INVALID_STATE', field: ['input', 'code'] }]);
    expect((await execute(makeContext(tx, anonymousViewer), verify, { c: code })).data.verifyTrainingCertificate).toMatchObject({ valid: false, revoked: true });
    expect((await training.creditsOf(tx, [p.id], 2026)).get(p.id)?.totalHours).toBe(0);
  });

  test('viewing 80 % of a recorded session completes it; a live session needs attendance', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    const p = await insertPractitioner(tx, { organizationId: firm.id });
    const startsAt = new Date('2026-06-01T02:00:00Z');
    const endsAt = new Date('2026-06-01T04:00:00Z'); // 7,200 s: 5,760 s complete it
    const recorded = await insertTrainingSession(tx, { mode: 'ONLINE_RECORDED', startsAt, endsAt, creditHours: 2, creditType: 'ELECTIVE' });
    const live = await insertTrainingSession(tx, { mode: 'ONLINE_LIVE', startsAt, endsAt, creditHours: 2 });
    await insertTrainingViewEvent(tx, { sessionId: recorded.id, practitionerId: p.id, watchedSeconds: 3000 });
    await insertTrainingViewEvent(tx, { sessionId: live.id, practitionerId: p.id, watchedSeconds: 7200 });
    expect((await training.creditsOf(tx, [p.id], 2026)).get(p.id)?.totalHours).toBe(0);
    await insertTrainingViewEvent(tx, { sessionId: recorded.id, practitionerId: p.id, watchedSeconds: 2760 });
    expect((await training.creditsOf(tx, [p.id], 2026)).get(p.id)).toMatchObject({ electiveHours: 2, requiredHours: 0 });
  });

  test('behindOnHoursInYear (SQL) agrees with the pure rule, and credits cost statements constant in page size', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    const sessions = [
      await insertTrainingSession(tx, { creditHours: 10, creditType: 'REQUIRED' }),
      await insertTrainingSession(tx, { creditHours: 5, creditType: 'ELECTIVE' }),
      await insertTrainingSession(tx, { creditHours: 9, creditType: 'ELECTIVE' }),
      // 2025-12-31 23:00 Shanghai: counts in 2025, not 2026.
      await insertTrainingSession(tx, { creditHours: 6, creditType: 'REQUIRED', startsAt: new Date('2025-12-31T15:00:00Z'), endsAt: new Date('2025-12-31T17:00:00Z') }),
    ];
    const plans = [[0, 1], [0, 2], [1, 2], [0, 1, 3], [0, 0, 1], [], [3]];
    const people = [];
    for (const plan of plans) {
      const p = await insertPractitioner(tx, { organizationId: firm.id });
      for (const i of plan) await insertTrainingAttendance(tx, { sessionId: sessions[i]!.id, practitionerId: p.id });
      people.push(p);
    }
    const viewer = firmViewer(firm);
    for (const year of [2025, 2026]) {
      const behind = (await training.listPractitioners(tx, viewer, { behindOnHoursInYear: year }, { limit: 100, afterKey: null })).map((p) => p.id);
      const expected = people
        .filter((p, i) => !creditSummary(year, plans[i]!.map((k) => ({ sessionId: sessions[k]!.id, startsAt: sessions[k]!.startsAt, creditHours: sessions[k]!.creditHours, creditType: sessions[k]!.creditType }))).met)
        .map((p) => p.id);
      expect(behind, String(year)).toEqual(expected);
    }
    const q = `query($n: Int) { practitioners(first: $n) { edges { node { name credits(year: 2026) { totalHours met } organization { name } } } } }`;
    const run = (n: number) => countStatements(() => execute(makeContext(tx, viewer), q, { n }));
    const two = await run(2);
    const all = await run(7);
    expect(all.result.errors).toBeUndefined();
    expect(all.result.data.practitioners.edges.map((e: any) => e.node.credits.met)).toEqual([true, true, false, true, true, false, false]);
    expect(all.count).toBe(two.count);
    const res = await execute(makeContext(tx, viewer), `{ practitioners(filter: { behindOnHoursInYear: 1800 }) { totalCount } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('reach', () => {
  test('firms, branches, participants and views per session, programme and year; Session.reach batched for lists', async ({ tx }) => {
    const programme = await insertTrainingProgramme(tx);
    const s1 = await insertTrainingSession(tx, { programmeId: programme.id, mode: 'ONLINE_LIVE' });
    const s2 = await insertTrainingSession(tx, { programmeId: programme.id });
    const firmA = await insertOrganization(tx);
    const firmB = await insertOrganization(tx);
    const a1 = await insertBranch(tx, { firmId: firmA.id });
    const a2 = await insertBranch(tx, { firmId: firmA.id });
    const pa1 = await insertPractitioner(tx, { organizationId: firmA.id, branchId: a1.id });
    const pa2 = await insertPractitioner(tx, { organizationId: firmA.id, branchId: a2.id });
    const pb = await insertPractitioner(tx, { organizationId: firmB.id });
    for (let i = 0; i < 3; i++) await insertTrainingViewEvent(tx, { sessionId: s1.id, practitionerId: pa1.id });
    await insertTrainingViewEvent(tx, { sessionId: s1.id, practitionerId: pb.id });
    await insertTrainingAttendance(tx, { sessionId: s1.id, practitionerId: pb.id });
    await insertTrainingAttendance(tx, { sessionId: s2.id, practitionerId: pa2.id, completed: false });
    const sessions = await training.reachOfSessions(tx, [s1.id, s2.id]);
    expect(sessions.get(s1.id)).toEqual({ firms: 2, branches: 1, participants: 2, views: 4 });
    expect(sessions.get(s2.id)).toEqual({ firms: 1, branches: 1, participants: 1, views: 0 });
    expect((await training.reachOfProgrammes(tx, [programme.id])).get(programme.id)).toEqual({ firms: 2, branches: 2, participants: 3, views: 4 });

    const q = `query($id: ID!) { node(id: $id) { ... on TrainingProgramme { reach { firms views } completionRate sessions(first: 10) { edges { node { reach { participants views } completionRate } } } } } }`;
    const asStaff = await countStatements(() => execute(makeContext(tx, szsa), q, { id: gid('TrainingProgramme', programme.id) }));
    expect(asStaff.result.data.node.sessions.edges.map((e: any) => e.node)).toEqual([
      { reach: { participants: 2, views: 4 }, completionRate: 0.5 },
      { reach: { participants: 1, views: 0 }, completionRate: 0 },
    ]);
    expect(asStaff.result.data.node.completionRate).toBeCloseTo(1 / 3);
    // node, programme reach, completion, sessions, session reach, session completion: one statement each.
    expect(asStaff.count).toBeLessThanOrEqual(6);
    const anonymous = await execute(makeContext(tx, anonymousViewer), q, { id: gid('TrainingProgramme', programme.id) });
    expect(anonymous.data.node.reach).toEqual({ firms: 2, views: 4 });
    expect(anonymous.data.node.completionRate).toBeNull();

    const year = await execute(makeContext(tx, regulator), `{ reports { trainingReach(year: 2026) { firms branches participants views } } }`);
    expect(year.data.reports.trainingReach.views).toBeGreaterThanOrEqual(4);
    const szlcaYear = await execute(makeContext(tx, szlca), `{ reports { trainingReach(year: 2026) { views } } }`);
    expect(szlcaYear.data.reports.trainingReach.views).toBe(0);
    const firmYear = await execute(makeContext(tx, firmViewer(firmA)), `{ reports { trainingReach(year: 2026) { views } } }`);
    expect(firmYear.data.reports).toBeNull();
  });
});

describe('statements constant in page size', () => {
  test('trainingSessions { reach completionRate lecturers programme { reach } } costs the same for 2 and 20 sessions', async ({ tx }) => {
    const programme = await insertTrainingProgramme(tx, { title: '语句计数项目' });
    const firm = await insertOrganization(tx);
    const p = await insertPractitioner(tx, { organizationId: firm.id });
    for (let i = 0; i < 20; i++) {
      const s = await insertTrainingSession(tx, { programmeId: programme.id, title: `语句计数场次${i}` });
      await insertTrainingViewEvent(tx, { sessionId: s.id, practitionerId: p.id });
    }
    const q = `query($n: Int, $p: ID) { trainingSessions(first: $n, programmeId: $p) { edges { node { reach { firms views } completionRate lecturers programme { reach { views } } } } } }`;
    const run = (n: number) => countStatements(() => execute(makeContext(tx, szsa), q, { n, p: gid('TrainingProgramme', programme.id) }));
    const two = await run(2);
    const twenty = await run(20);
    expect(twenty.result.errors).toBeUndefined();
    expect(twenty.result.data.trainingSessions.edges).toHaveLength(20);
    expect(twenty.result.data.trainingSessions.edges[19].node.reach).toEqual({ firms: 1, views: 1 });
    expect(twenty.count).toBe(two.count);
  });
});

describe('obligations', () => {
  test('C/D ratings of a published cycle and recorded measures are obligations seen by the member, its association and the regulator', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    const other = await insertOrganization(tx);
    const branch = await insertBranch(tx, { firmId: firm.id });
    const cycle = await insertRatingCycle(tx, { year: 2099, status: 'PUBLISHED', publishedAt: new Date('2099-12-20T02:00:00Z') });
    await insertBranchRating(tx, { cycleId: cycle.id, branchId: branch.id, grade: 'D', computedGrade: 'D' });
    await mutations.recordTrainingObligation(tx, { organizationId: firm.id, associationId: ASSOCIATION_IDS.SZSA, source: 'DISCIPLINARY_MEASURE', sourceId: 42, reason: '要求参加强化培训', dueOn: '2100-03-31' });
    const again = await mutations.recordTrainingObligation(tx, { organizationId: firm.id, associationId: ASSOCIATION_IDS.SZSA, source: 'DISCIPLINARY_MEASURE', sourceId: 42, reason: '重复', dueOn: null });
    expect(again.reason).toBe('要求参加强化培训');
    const q = `query($c: String!) { organization(creditCode: $c) { trainingObligations(first: 10) { totalCount edges { node { source reason dueOn } } } } }`;
    const of = async (viewer: Parameters<typeof makeContext>[1]) => (await execute(makeContext(tx, viewer), q, { c: firm.creditCode })).data.organization.trainingObligations;
    const own = await of(firmViewer(firm));
    expect(own.totalCount).toBe(2);
    expect(own.edges.map((e: any) => e.node.source).sort()).toEqual(['DISCIPLINARY_MEASURE', 'RATING']);
    expect(own.edges.find((e: any) => e.node.source === 'RATING').node.dueOn).toBe('2100-12-31');
    expect((await of(szsa)).totalCount).toBe(2);
    expect((await of(regulator)).totalCount).toBe(2);
    expect((await of(firmViewer(other))).totalCount).toBe(0);
    expect((await of(szlca)).totalCount).toBe(0);
    expect((await of(anonymousViewer)).edges).toEqual([]);
  });
});

describe('search in Chinese', () => {
  test('programmes by their series or a session title; sessions by title or lecturer; only visible ones', async ({ tx }) => {
    const programme = await mutations.createTrainingProgramme(tx, szsa, { title: '分支机构负责人培训', series: '行稳致远·专业赋能', audience: 'PUBLIC' });
    const hidden = await mutations.createTrainingProgramme(tx, szsa, { title: '会员专享：专业赋能', series: null, audience: 'MEMBERS' });
    await mutations.scheduleTrainingSession(tx, szsa, {
      programmeId: programme.id,
      title: '财富管理趋势下的经纪业务转型',
      mode: 'ONLINE_LIVE',
      startsAt: new Date('2026-04-28T06:00:00Z'),
      endsAt: new Date('2026-04-28T08:00:00Z'),
      creditHours: 2,
      creditType: 'ELECTIVE',
      lecturers: ['欧阳明'],
    });
    // Only this test's programmes (the demo data has its own 行稳致远·专业赋能).
    const mine = new Set([programme.id, hidden.id]);
    const titles = async (search: string, viewer = anonymousViewer) =>
      (await training.listProgrammes(tx, viewer, search, { limit: 100, afterKey: null })).map((p) => p.id).filter((id) => mine.has(id));
    expect(await titles('专业赋能')).toEqual([programme.id]);
    expect(await titles('专业赋能', szsa)).toEqual([programme.id, hidden.id]);
    expect(await titles('经纪业务')).toEqual([programme.id]);
    expect(await titles('业赋')).toEqual([programme.id]);
    expect(await titles('赋专')).toEqual([]);
    const sessions = await training.listSessions(tx, anonymousViewer, { search: '欧阳明' }, { limit: 10, afterKey: null });
    expect(sessions.map((s) => s.title)).toEqual(['财富管理趋势下的经纪业务转型']);
    expect(await training.countSessions(tx, anonymousViewer, { search: "'; drop table x; --" })).toBe(0);
  });
});

describe('a failure midway writes nothing', () => {
  test('a unique violation inside registerPractitioners rolls back the whole batch', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    await insertPractitioner(tx, { organizationId: firm.id, registrationNumber: 'S0000000000001' });
    const before = await tx.select({ n: count() }).from(practitionersTable);
    await expect(mutations.registerPractitioners(tx, firmViewer(firm), [{ name: '新人' }, { name: '重号', registrationNumber: 'S0000000000001' }])).rejects.toThrow();
    expect(await tx.select({ n: count() }).from(practitionersTable)).toEqual(before);
  });
});
