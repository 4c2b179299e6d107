// Committee terms (换届) and seats: the rules in committees.service.ts, and the GraphQL layer's authorization and ids.
import { and, asc, count, eq } from 'drizzle-orm';
import { auditLogTable } from '../src/audit/audit.table.js';
import {
  appointCommitteeSeat,
  currentTerm,
  endCommitteeSeat,
  loadSeatsByTermIds,
  loadTermsByCommitteeIds,
  openCommitteeTerm,
  type AppointCommitteeSeatInput,
} from '../src/committees/committees.service.js';
import { committeeSeatsTable, committeeTermsTable } from '../src/committees/committees.table.js';
import { ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import type { DbOrTx } from '../src/db/client.js';
import { encodeGlobalId } from '../src/global-id.js';
import { anonymousViewer, associationViewer, execute, firmViewer, makeContext, regulatorViewer, userErrorsOf } from './support/context.js';
import { describe, expect, test } from './support/db.js';
import {
  insertCommittee,
  insertCommitteePerson,
  insertCommitteeSeat,
  insertCommitteeTerm,
  insertDisciplinaryCase,
  insertDisciplinaryMeasure,
  insertOrganization,
} from './support/factories.js';
import { membershipsTable } from '../src/members/members.table.js';

const association = associationViewer();
/** Staff of the listed companies association (SZLCA). */
const szlcaStaff = { ...associationViewer(), subject: 'test:association:SZLCA', associationId: ASSOCIATION_IDS.SZLCA };

const OPEN = `mutation($input: OpenCommitteeTermInput!) { openCommitteeTerm(input: $input) { committeeTerm { id number } userErrors { code field } } }`;
const APPOINT = `mutation($input: AppointCommitteeSeatInput!) { appointCommitteeSeat(input: $input) { committeeSeat { id personName } userErrors { code field } } }`;
const END = `mutation($input: EndCommitteeSeatInput!) { endCommitteeSeat(input: $input) { committeeSeat { id } userErrors { code field } } }`;

async function countRows(db: DbOrTx) {
  const [terms] = await db.select({ n: count() }).from(committeeTermsTable);
  const [seats] = await db.select({ n: count() }).from(committeeSeatsTable);
  const [audit] = await db.select({ n: count() }).from(auditLogTable);
  return [terms!.n, seats!.n, audit!.n];
}

/** A term with no seats and an organization to appoint from it. */
async function termAndOrg(db: DbOrTx, overrides: Parameters<typeof insertCommittee>[1] = {}) {
  const committee = await insertCommittee(db, overrides);
  const term = await insertCommitteeTerm(db, { committeeId: committee.id, startsOn: '2025-01-01' });
  const org = await insertOrganization(db);
  return { committee, term, org };
}

function appointment(termId: number, organizationId: number, fields: Partial<AppointCommitteeSeatInput> = {}): AppointCommitteeSeatInput {
  return { termId, organizationId, personName: '测试委员', role: 'MEMBER', appointedOn: '2025-02-01', ...fields };
}

describe('who may change committees', () => {
  test("an association's staff change their own association's committees only; another's look missing", async ({ tx }) => {
    const szsa = await termAndOrg(tx, { code: 'COMPLIANCE' });
    const szsaSeat = await insertCommitteeSeat(tx, { termId: szsa.term.id });
    const listed = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    const szlcaCommittee = await insertCommittee(tx, { code: 'BOARD_SECRETARIES' });
    expect(szlcaCommittee.associationId).toBe(ASSOCIATION_IDS.SZLCA);
    const szlcaTerm = await insertCommitteeTerm(tx, { committeeId: szlcaCommittee.id, startsOn: '2025-01-01' });
    const szlcaSeat = await insertCommitteeSeat(tx, { termId: szlcaTerm.id, organizationId: listed.id });
    const before = await countRows(tx);
    for (const [staff, committeeId, termId, seatId] of [
      [szlcaStaff, szsa.committee.id, szsa.term.id, szsaSeat.id],
      [association, szlcaCommittee.id, szlcaTerm.id, szlcaSeat.id],
    ] as const) {
      expect(await userErrorsOf(openCommitteeTerm(tx, staff, { committeeId, startsOn: '2026-01-01' }))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'committeeId'] }]);
      expect(await userErrorsOf(appointCommitteeSeat(tx, staff, appointment(termId, listed.id)))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'termId'] }]);
      expect(await userErrorsOf(endCommitteeSeat(tx, staff, { seatId, endedOn: '2025-06-01', reason: 'RESIGNED' }))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'seatId'] }]);
    }
    expect(await countRows(tx)).toEqual(before);
    // Their own: SZLCA staff appoint a listed company's person, not a securities firm's (not an SZLCA member).
    expect(await userErrorsOf(appointCommitteeSeat(tx, szlcaStaff, appointment(szlcaTerm.id, szsa.org.id)))).toEqual([{ code: 'INVALID', field: ['input', 'organizationId'] }]);
    const other = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    expect(await appointCommitteeSeat(tx, szlcaStaff, appointment(szlcaTerm.id, other.id, { personName: '上协委员' }))).toMatchObject({ personName: '上协委员' });
    expect(await endCommitteeSeat(tx, szlcaStaff, { seatId: szlcaSeat.id, endedOn: '2025-06-01', reason: 'RESIGNED' })).toMatchObject({ endedOn: '2025-06-01' });
    expect(await openCommitteeTerm(tx, szlcaStaff, { committeeId: szlcaCommittee.id, startsOn: '2026-01-01' })).toMatchObject({ number: 2 });
  });

  test('the regulator, a firm and anonymous viewers get FORBIDDEN on every committee mutation, and nothing is written', async ({ tx }) => {
    const { committee, term, org } = await termAndOrg(tx);
    const seat = await insertCommitteeSeat(tx, { termId: term.id });
    const before = await countRows(tx);
    const operations: [string, Record<string, unknown>][] = [
      [OPEN, { committeeId: encodeGlobalId('Committee', committee.id), startsOn: '2026-12-01' }],
      [APPOINT, { termId: encodeGlobalId('CommitteeTerm', term.id), organizationId: encodeGlobalId('Organization', org.id), personName: '越权委员', role: 'MEMBER', appointedOn: '2025-02-01' }],
      [END, { seatId: encodeGlobalId('CommitteeSeat', seat.id), endedOn: '2025-03-01', reason: 'RESIGNED' }],
    ];
    for (const viewer of [regulatorViewer(), firmViewer(org), anonymousViewer]) {
      for (const [query, input] of operations) {
        const res = await execute(makeContext(tx, viewer), query, { input });
        expect(res.errors?.[0]?.extensions?.code, `${viewer.role} ${query.slice(11, 40)}`).toBe('FORBIDDEN');
      }
    }
    expect(await countRows(tx)).toEqual(before);
    // The same operations as the association do go through: the refusals above are about the viewer.
    const res = await execute(makeContext(tx, association), APPOINT, { input: operations[1]![1] });
    expect(res.data?.appointCommitteeSeat.userErrors).toEqual([]);
  });
});

describe('seats', () => {
  test('appoints a member with the name trimmed, ends the seat with a reason, and audits both', async ({ tx }) => {
    const { term, org } = await termAndOrg(tx);
    const seat = await appointCommitteeSeat(tx, association, appointment(term.id, org.id, { personName: ' 测试委员甲 ', appointedOn: '2025-01-05' }));
    expect(seat).toMatchObject({ personName: '测试委员甲', role: 'MEMBER', endedOn: null, endReason: null });

    expect(await userErrorsOf(endCommitteeSeat(tx, association, { seatId: seat.id, endedOn: '2025-01-04', reason: 'RESIGNED' }))).toEqual([
      { code: 'INVALID', field: ['input', 'endedOn'] },
    ]);
    const ended = await endCommitteeSeat(tx, association, { seatId: seat.id, endedOn: '2025-03-01', reason: 'RESIGNED' });
    expect(ended).toMatchObject({ endedOn: '2025-03-01', endReason: 'RESIGNED' });
    expect(await userErrorsOf(endCommitteeSeat(tx, association, { seatId: seat.id, endedOn: '2025-03-02', reason: 'RESIGNED' }))).toEqual([
      { code: 'INVALID_STATE', field: ['input', 'seatId'] },
    ]);

    const audit = await tx
      .select({ action: auditLogTable.action, actorRole: auditLogTable.actorRole })
      .from(auditLogTable)
      .where(and(eq(auditLogTable.entityType, 'CommitteeSeat'), eq(auditLogTable.entityId, seat.id)))
      .orderBy(asc(auditLogTable.id));
    expect(audit).toEqual([
      { action: 'committeeSeat.appoint', actorRole: 'ASSOCIATION' },
      { action: 'committeeSeat.end', actorRole: 'ASSOCIATION' },
    ]);
  });

  test('an organization holds one seat per term', async ({ tx }) => {
    const { term, org } = await termAndOrg(tx);
    await insertCommitteeSeat(tx, { termId: term.id, organizationId: org.id });
    expect(await userErrorsOf(appointCommitteeSeat(tx, association, appointment(term.id, org.id, { personName: '测试委员乙' })))).toEqual([
      { code: 'DUPLICATE', field: ['input', 'organizationId'] },
    ]);
  });

  test('a term has one chair at a time', async ({ tx }) => {
    const { term, org } = await termAndOrg(tx);
    await insertCommitteeSeat(tx, { termId: term.id, role: 'CHAIR' });
    expect(await userErrorsOf(appointCommitteeSeat(tx, association, appointment(term.id, org.id, { personName: '第二主任', role: 'CHAIR' })))).toEqual([
      { code: 'LIMIT_EXCEEDED', field: ['input', 'role'] },
    ]);
    // The refusal leaves the test's transaction usable (the service undid only its own savepoint).
    expect(await appointCommitteeSeat(tx, association, appointment(term.id, org.id, { personName: '副主任', role: 'VICE_CHAIR' }))).toMatchObject({ role: 'VICE_CHAIR' });
  });

  test('a person sits on one committee at a time; a namesake is another person', async ({ tx }) => {
    const compliance = await termAndOrg(tx, { code: 'COMPLIANCE' });
    const fintech = await termAndOrg(tx, { code: 'FINTECH' });
    const held = await insertCommitteeSeat(tx, { termId: compliance.term.id, personName: '李合规' });
    expect(await userErrorsOf(appointCommitteeSeat(tx, association, appointment(fintech.term.id, fintech.org.id, { personName: undefined, personId: held.personId })))).toEqual([
      { code: 'DUPLICATE', field: ['input', 'personId'] },
    ]);
    // Appointing by name records a new person: two people called 李合规 are two people.
    const namesake = await appointCommitteeSeat(tx, association, appointment(fintech.term.id, fintech.org.id, { personName: '李合规' }));
    expect(namesake.personName).toBe('李合规');
    expect(namesake.personId).not.toBe(held.personId);
  });

  test('re-appointment keeps the person record; another association\'s person and both or neither of personId/personName are refused', async ({ tx }) => {
    const { committee, term: first, org } = await termAndOrg(tx, { code: 'COMPLIANCE' });
    const seat = await appointCommitteeSeat(tx, association, appointment(first.id, org.id, { personName: '陈振华', appointedOn: '2025-01-01' }));
    const second = await openCommitteeTerm(tx, association, { committeeId: committee.id, startsOn: '2026-01-01' });
    const again = await appointCommitteeSeat(tx, association, appointment(second.id, org.id, { personName: undefined, personId: seat.personId, appointedOn: '2026-01-01' }));
    expect(again.personId).toBe(seat.personId);
    expect(again.id).not.toBe(seat.id);

    const szlcaPerson = await insertCommitteePerson(tx, { associationId: ASSOCIATION_IDS.SZLCA, name: '上协人员' });
    const other = await insertOrganization(tx);
    expect(await userErrorsOf(appointCommitteeSeat(tx, association, appointment(second.id, other.id, { personName: undefined, personId: szlcaPerson.id, appointedOn: '2026-01-02' })))).toEqual([
      { code: 'NOT_FOUND', field: ['input', 'personId'] },
    ]);
    expect(await userErrorsOf(appointCommitteeSeat(tx, association, appointment(second.id, other.id, { personName: '两者', personId: seat.personId, appointedOn: '2026-01-02' })))).toEqual([
      { code: 'INVALID', field: ['input', 'personId'] },
    ]);
    expect(await userErrorsOf(appointCommitteeSeat(tx, association, appointment(second.id, other.id, { personName: undefined, appointedOn: '2026-01-02' })))).toEqual([
      { code: 'REQUIRED', field: ['input', 'personName'] },
    ]);
  });

  test("a member whose rights are suspended, or whose membership is not active, cannot be appointed", async ({ tx }) => {
    const { term, org } = await termAndOrg(tx);
    const [before] = await tx.select({ n: count() }).from(committeeSeatsTable);
    // A FINAL case with SUSPEND_MEMBERSHIP_RIGHTS in force.
    const kase = await insertDisciplinaryCase(tx, { organizationId: org.id, stage: 'FINAL', decidedOn: '2026-01-05', decisionNumber: `深证协纪〔2026〕${org.id}号`, decidedBy: 'test:decider' });
    await insertDisciplinaryMeasure(tx, { caseId: kase.id, type: 'SUSPEND_MEMBERSHIP_RIGHTS', endsOn: '2099-12-31' });
    expect(await userErrorsOf(appointCommitteeSeat(tx, association, appointment(term.id, org.id)))).toEqual([{ code: 'INVALID_STATE', field: ['input', 'organizationId'] }]);
    // A suspension that ended is no bar.
    const lapsed = await insertOrganization(tx);
    const old = await insertDisciplinaryCase(tx, { organizationId: lapsed.id, stage: 'FINAL', decidedOn: '2019-08-01', decisionNumber: `深证协纪〔2019〕${lapsed.id}号`, decidedBy: 'test:decider' });
    await insertDisciplinaryMeasure(tx, { caseId: old.id, type: 'SUSPEND_MEMBERSHIP_RIGHTS', endsOn: '2020-01-31' });
    expect(await appointCommitteeSeat(tx, association, appointment(term.id, lapsed.id, { personName: '权利已恢复' }))).toMatchObject({ organizationId: lapsed.id });
    // A membership SUSPENDED (or withdrawn) in the committee's association.
    const suspended = await insertOrganization(tx);
    await tx.update(membershipsTable).set({ status: 'SUSPENDED' }).where(eq(membershipsTable.organizationId, suspended.id));
    expect(await userErrorsOf(appointCommitteeSeat(tx, association, appointment(term.id, suspended.id)))).toEqual([{ code: 'INVALID_STATE', field: ['input', 'organizationId'] }]);
    const [after] = await tx.select({ n: count() }).from(committeeSeatsTable);
    expect(after!.n).toBe(before!.n + 1);
  });

  test('refuses bad names, dates and ids over GraphQL with a userError for the field, and writes nothing', async ({ tx }) => {
    const { committee, term, org } = await termAndOrg(tx);
    const ctx = makeContext(tx, association);
    const [before] = await tx.select({ n: count() }).from(committeeSeatsTable);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ personName: '   ' }, 'REQUIRED', 'personName'],
      [{ personName: '名\u0007字' }, 'INVALID', 'personName'],
      [{ personName: '长'.repeat(51) }, 'TOO_LONG', 'personName'],
      [{ appointedOn: '2024-12-31' }, 'INVALID', 'appointedOn'],
      [{ termId: 'garbage' }, 'NOT_FOUND', 'termId'],
      // A valid global id of another type is no term and no organization.
      [{ termId: encodeGlobalId('Committee', committee.id) }, 'NOT_FOUND', 'termId'],
      [{ organizationId: encodeGlobalId('Committee', committee.id) }, 'NOT_FOUND', 'organizationId'],
    ];
    for (const [override, code, field] of cases) {
      const input = { termId: encodeGlobalId('CommitteeTerm', term.id), organizationId: encodeGlobalId('Organization', org.id), personName: '合规测试', role: 'MEMBER', appointedOn: '2025-02-01', ...override };
      const res = await execute(ctx, APPOINT, { input });
      expect(res.data?.appointCommitteeSeat, JSON.stringify(override)).toEqual({ committeeSeat: null, userErrors: [{ code, field: ['input', field] }] });
    }
    const [after] = await tx.select({ n: count() }).from(committeeSeatsTable);
    expect(after!.n).toBe(before!.n);
  });
});

describe('terms (换届)', () => {
  test('opening the next term ends the previous term the day before, and every seat still held in it', async ({ tx }) => {
    const { committee, term: previous } = await termAndOrg(tx);
    const held = await insertCommitteeSeat(tx, { termId: previous.id, appointedOn: '2025-01-01' });
    const alreadyEnded = await insertCommitteeSeat(tx, { termId: previous.id, endedOn: '2025-06-30', endReason: 'JOB_CHANGE' });

    expect(await userErrorsOf(openCommitteeTerm(tx, association, { committeeId: committee.id, startsOn: '2024-01-01' }))).toEqual([
      { code: 'INVALID', field: ['input', 'startsOn'] },
    ]);
    const next = await openCommitteeTerm(tx, association, { committeeId: committee.id, startsOn: '2026-09-01' });
    expect(next).toMatchObject({ number: previous.number + 1, startsOn: '2026-09-01', endsOn: null });

    const terms = await loadTermsByCommitteeIds(tx, [committee.id]);
    expect(terms.map((t) => [t.number, t.endsOn])).toEqual([
      [previous.number + 1, null],
      [previous.number, '2026-08-31'],
    ]);
    expect(currentTerm(terms, '2026-08-31')?.id).toBe(previous.id);
    expect(currentTerm(terms, '2026-09-01')?.id).toBe(next.id);
    const seats = await tx.select().from(committeeSeatsTable).where(eq(committeeSeatsTable.termId, previous.id)).orderBy(asc(committeeSeatsTable.id));
    expect(seats.map((s) => [s.id, s.endedOn, s.endReason])).toEqual([
      [held.id, '2026-08-31', 'TERM_EXPIRED'],
      [alreadyEnded.id, '2025-06-30', 'JOB_CHANGE'],
    ]);
    // While the previous term ran it showed its held seats; once it has ended, its final roster (early leavers included).
    expect(await loadSeatsByTermIds(tx, [previous.id, next.id], '2026-08-15')).toEqual([]);
    expect((await loadSeatsByTermIds(tx, [previous.id, next.id], '2026-09-02')).map((s) => s.id)).toEqual([held.id, alreadyEnded.id]);
  });

  test("a past term's final roster reads back through GraphQL, people as person records", async ({ tx }) => {
    const { committee, term: first, org } = await termAndOrg(tx, { code: 'BROKERAGE_WEALTH' });
    const chair = await insertCommitteeSeat(tx, { termId: first.id, role: 'CHAIR', organizationId: org.id, personName: '林振华' });
    const leaver = await insertCommitteeSeat(tx, { termId: first.id, personName: '黄晓燕', endedOn: '2025-06-30', endReason: 'JOB_CHANGE' });
    const second = await openCommitteeTerm(tx, association, { committeeId: committee.id, startsOn: '2025-09-01' });
    await insertCommitteeSeat(tx, { termId: second.id, role: 'CHAIR', organizationId: org.id, personId: chair.personId });
    const res = await execute(
      makeContext(tx, anonymousViewer),
      `query($id: ID!) { node(id: $id) { ... on Committee { terms { number endsOn seats { personName endedOn endReason role person { id name } } } } } }`,
      { id: encodeGlobalId('Committee', committee.id) },
    );
    expect(res.errors).toBeUndefined();
    const chairPerson = { id: encodeGlobalId('CommitteePerson', chair.personId), name: '林振华' };
    expect(res.data.node.terms).toEqual([
      { number: second.number, endsOn: null, seats: [{ personName: '林振华', endedOn: null, endReason: null, role: 'CHAIR', person: chairPerson }] },
      {
        number: first.number,
        endsOn: '2025-08-31',
        seats: [
          { personName: '林振华', endedOn: '2025-08-31', endReason: 'TERM_EXPIRED', role: 'CHAIR', person: chairPerson },
          { personName: '黄晓燕', endedOn: '2025-06-30', endReason: 'JOB_CHANGE', role: 'MEMBER', person: { id: encodeGlobalId('CommitteePerson', leaver.personId), name: '黄晓燕' } },
        ],
      },
    ]);
  });

  test('the committees query shows the current term with its held seats, chair first', async ({ tx }) => {
    const { committee, term } = await termAndOrg(tx, { code: 'FINTECH' });
    const member = await insertCommitteeSeat(tx, { termId: term.id, role: 'MEMBER' });
    const chair = await insertCommitteeSeat(tx, { termId: term.id, role: 'CHAIR' });
    await insertCommitteeSeat(tx, { termId: term.id, endedOn: '2025-06-30', endReason: 'RESIGNED' });
    const res = await execute(makeContext(tx, anonymousViewer), `{ committees { id code currentTerm { number seats { personName role } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.committees.find((c: { code: string }) => c.code === 'FINTECH')).toEqual({
      id: encodeGlobalId('Committee', committee.id),
      code: 'FINTECH',
      currentTerm: { number: term.number, seats: [{ personName: chair.personName, role: 'CHAIR' }, { personName: member.personName, role: 'MEMBER' }] },
    });
  });
});

// These commit: appointments and openings that race need their own connections (PostgreSQL) or queue on the one (PGlite).
describe('under concurrency', () => {
  test('at most seven vice-chairs per term, even when appointments race', async ({ database }) => {
    const { term } = await termAndOrg(database.db, { code: 'BROKERAGE_WEALTH' });
    for (let i = 0; i < 5; i++) await insertCommitteeSeat(database.db, { termId: term.id, role: 'VICE_CHAIR' });
    const orgs = await Promise.all(Array.from({ length: 6 }, () => insertOrganization(database.db)));
    const results = await Promise.allSettled(
      orgs.map((org, i) => appointCommitteeSeat(database.db, association, appointment(term.id, org.id, { personName: `副主任候选${i}`, role: 'VICE_CHAIR' }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { errors?: { code: string }[] }).errors?.[0]?.code] : []));
    expect(refusals).toEqual(Array(4).fill('LIMIT_EXCEEDED'));
    const seats = await loadSeatsByTermIds(database.db, [term.id], '2025-06-01');
    expect(seats.filter((s) => s.role === 'VICE_CHAIR')).toHaveLength(7);
  });

  test('two concurrent openings never make two terms with the same number', async ({ database }) => {
    const { committee } = await termAndOrg(database.db, { code: 'INVESTMENT_BANKING' });
    const results = await Promise.allSettled(
      ['2026-10-01', '2026-10-02'].map((startsOn) => openCommitteeTerm(database.db, association, { committeeId: committee.id, startsOn })),
    );
    const numbers = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.number] : []));
    expect(numbers.length).toBeGreaterThanOrEqual(1);
    expect(new Set(numbers).size).toBe(numbers.length);
    const terms = await loadTermsByCommitteeIds(database.db, [committee.id]);
    expect(new Set(terms.map((t) => t.number)).size).toBe(terms.length);
  });
});
