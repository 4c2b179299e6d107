// The HTTP routes of training: GET /reports/training-hours.csv, and POST /training/view-events: who may post, NDJSON validation by line, exact duplicate counts within and
// across requests, the association boundary, the body and line limits, and views reaching the session's reach.
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import { encodeGlobalId } from '../src/global-id.js';
import { MAX_VIEW_EVENT_BYTES, MAX_VIEW_EVENT_LINES } from '../src/training/training.ingest.js';
import { trainingViewEventsTable } from '../src/training/training.table.js';
import { insertOrganization, insertPractitioner, insertTrainingEnrolment, insertTrainingSession } from './support/factories.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { clientToken, newServiceAccount } from './support/integration.js';

let t: TestApp;
let tokens: Record<'writer' | 'reader' | 'szlcaWriter' | 'bureauWriter' | 'firm' | 'staff', string>;
let session: { id: number; gid: string };
let szlcaSession: { id: number; gid: string };
let member: { id: number; gid: string };
let outsider: { id: number; gid: string };
let firmCode: string;

const gid = (type: string, id: number) => encodeGlobalId(type, id);
const line = (eventId: string, sessionId: string, practitionerId: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ eventId, sessionId, practitionerId, watchedSeconds: 120, at: '2026-04-28T14:05:00+08:00', ...extra });

async function post(body: string, token: string | undefined, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}/training/view-events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), text };
}

async function viewsOf(sessionId: number) {
  const [row] = await t.database.db.select({ n: count() }).from(trainingViewEventsTable).where(eq(trainingViewEventsTable.sessionId, sessionId));
  return row!.n;
}

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  const s = await insertTrainingSession(db, { mode: 'ONLINE_RECORDED' });
  const s2 = await insertTrainingSession(db, { associationId: ASSOCIATION_IDS.SZLCA });
  session = { id: s.id, gid: gid('TrainingSession', s.id) };
  szlcaSession = { id: s2.id, gid: gid('TrainingSession', s2.id) };
  const firm = await insertOrganization(db);
  firmCode = firm.creditCode;
  const p = await insertPractitioner(db, { organizationId: firm.id });
  member = { id: p.id, gid: gid('Practitioner', p.id) };
  // A practitioner of an organization that is no member of SZSA (a listed company: SZLCA only), not enrolled.
  const listed = await insertOrganization(db, { kind: 'LISTED_COMPANY' });
  const q = await insertPractitioner(db, { organizationId: listed.id });
  outsider = { id: q.id, gid: gid('Practitioner', q.id) };
  const writer = await newServiceAccount(t, { role: 'association', name: '深证协视频平台', scopes: ['training:write'] });
  const reader = await newServiceAccount(t, { role: 'association', name: '深证协只读', scopes: ['training:read'] });
  const bureau = await newServiceAccount(t, { role: 'regulator', name: '证监局培训平台', scopes: ['training:write'] });
  const szlcaWriter = await newServiceAccount(t, { role: 'association', name: '深上协视频平台', scopes: ['training:write'] }, { role: 'ASSOCIATION', subject: 'test:association:SZLCA', organizationId: null, associationId: ASSOCIATION_IDS.SZLCA });
  tokens = {
    writer: await clientToken(t, writer.clientId, writer.clientSecret),
    reader: await clientToken(t, reader.clientId, reader.clientSecret),
    bureauWriter: await clientToken(t, bureau.clientId, bureau.clientSecret),
    szlcaWriter: await clientToken(t, szlcaWriter.clientId, szlcaWriter.clientSecret),
    firm: await t.token('firm', firmCode),
    staff: await t.token('association'),
  };
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('POST /training/view-events', () => {
  it('answers 401 without or with a bad token, 403 to people and to accounts without training:write, 405/415 to the wrong method or type', async () => {
    const body = line('auth-1', session.gid, member.gid);
    const anonymous = await post(body, undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await post(body, 'not.a.token')).status).toBe(401);
    for (const who of ['firm', 'staff', 'reader'] as const) {
      const res = await post(body, tokens[who]);
      expect(res.status, who).toBe(403);
      expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
    }
    expect((await post(body, tokens.writer, { 'content-type': 'text/plain' })).status).toBe(415);
    const get = await fetch(`${t.url}/training/view-events`, { headers: { authorization: `Bearer ${tokens.writer}` } });
    expect(get.status).toBe(405);
    expect(await viewsOf(session.id)).toBe(0);
  });

  it('keeps the good lines, reports the bad ones by number, and counts duplicates exactly within and across requests', async () => {
    const body = [
      line('evt-a', session.gid, member.gid),
      '{not json',
      line('evt-b', session.gid, member.gid),
      line('evt-a', session.gid, member.gid), // the same event again in this request
      '',
      line('evt-c', session.gid, member.gid, { watchedSeconds: -5 }),
      line('evt-d', 'garbage', member.gid),
      line('evt-e', session.gid, member.gid, { at: '2026-04-28 14:05' }),
      line('evt-f', session.gid, member.gid, { extra: 1 }),
      line('evt-g', session.gid, gid('Practitioner', 2_000_000_000)),
      line('evt-h', session.gid, member.gid, { eventId: 'x'.repeat(129) }),
      `{"eventId":"${'y'.repeat(5000)}"}`,
      line('evt-i', session.gid, member.gid),
    ].join('\n');
    const first = await post(body, tokens.writer);
    expect(first.status, first.text).toBe(200);
    expect(first.body.accepted).toBe(3);
    expect(first.body.duplicates).toBe(1);
    expect(first.body.rejected.map((r: { line: number }) => r.line)).toEqual([2, 6, 7, 8, 9, 10, 11, 12]);
    for (const r of first.body.rejected) expect(typeof r.reason).toBe('string');
    expect(first.body.rejected.find((r: { line: number }) => r.line === 10).reason).toBe('unknown session or practitioner');
    expect(await viewsOf(session.id)).toBe(3);

    const second = await post([line('evt-a', session.gid, member.gid), line('evt-j', session.gid, member.gid), line('evt-b', session.gid, member.gid)].join('\r\n') + '\n', tokens.writer);
    expect(second.body).toEqual({ accepted: 1, duplicates: 2, rejected: [] });
    expect(await viewsOf(session.id)).toBe(4);

    // The views count toward the session's reach (public, as the programme is).
    const reach = await t.gql(`query($id: ID!) { node(id: $id) { ... on TrainingSession { reach { participants views } } } }`, { id: session.gid });
    expect(reach.body.data.node.reach).toEqual({ participants: 1, views: 4 });
  });

  it('keeps an association\'s account to its own sessions and their trainees; the bureau\'s account posts for any association', async () => {
    const foreign = await post(line('szlca-1', session.gid, member.gid), tokens.szlcaWriter);
    expect(foreign.body).toEqual({ accepted: 0, duplicates: 0, rejected: [{ line: 1, reason: 'unknown session or practitioner' }] });
    const notTrainee = await post(line('out-1', session.gid, outsider.gid), tokens.writer);
    expect(notTrainee.body.rejected).toHaveLength(1);
    // Enrolled in the session, the listed company's practitioner is the association's trainee.
    await insertTrainingEnrolment(t.database.db, { sessionId: session.id, practitionerId: outsider.id });
    expect((await post(line('out-2', session.gid, outsider.gid), tokens.writer)).body.accepted).toBe(1);
    expect((await post(line('szlca-2', szlcaSession.gid, outsider.gid), tokens.szlcaWriter)).body.accepted).toBe(1);
    expect((await post(line('bureau-1', szlcaSession.gid, outsider.gid), tokens.bureauWriter)).body.accepted).toBe(1);
  });

  it('refuses a body over the limit and too many lines with 413 and a clear error, writing nothing', async () => {
    const before = await viewsOf(session.id);
    const lines = Array.from({ length: MAX_VIEW_EVENT_LINES + 1 }, (_, i) => (i === 0 ? line('limit-1', session.gid, member.gid) : '{}')).join('\n');
    const tooMany = await post(lines, tokens.writer);
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.errors[0].message).toMatch(/50000/);
    const huge = await post(line('limit-2', session.gid, member.gid) + '\n' + 'x'.repeat(MAX_VIEW_EVENT_BYTES), tokens.writer);
    expect(huge.status).toBe(413);
    expect(huge.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await viewsOf(session.id)).toBe(before);
  });

  it('ingests 5,000 events of one request in batches, all or nothing, with exact counts', async () => {
    const body = Array.from({ length: 5000 }, (_, i) => line(`bulk-${i % 4000}`, session.gid, member.gid)).join('\n');
    const before = await viewsOf(session.id);
    const res = await post(body, tokens.writer);
    expect(res.body).toEqual({ accepted: 4000, duplicates: 1000, rejected: [] });
    expect(await viewsOf(session.id)).toBe(before + 4000);
  });
});

describe('GET /reports/training-hours.csv', () => {
  const csv = async (query: string, token?: string) => {
    const res = await fetch(`${t.url}/reports/training-hours.csv${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
  };

  it('gives a firm its own rows, staff their trainees, the regulator all; 403 to a listed company, 401 without a token, 400 for a bad year', async () => {
    const own = await csv('?year=2026', tokens.firm);
    expect(own.status).toBe(200);
    expect(own.type).toMatch(/^text\/csv/);
    const [header, ...rows] = own.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(header).toBe('practitioner_id,year,name,registration_number,organization_id,organization_credit_code,organization_name,branch_id,branch_name,required_hours,elective_hours,total_hours,met');
    expect(rows.length).toBeGreaterThanOrEqual(1);
    for (const row of rows) expect(row).toContain(firmCode);
    expect(own.text).toContain(member.gid);
    expect(own.text).not.toContain(outsider.gid);
    const staff = await csv('?year=2026', tokens.staff);
    expect(staff.text).toContain(member.gid);
    const regulator = await csv('?year=2026', await t.token('regulator'));
    expect(regulator.text).toContain(outsider.gid);
    const szlcaStaff = await csv('?year=2026', await t.token('association', undefined, 600, { association: 'SZLCA' }));
    expect(szlcaStaff.status).toBe(200);
    expect(szlcaStaff.text).not.toContain(member.gid);
    const listedToken = await t.token('listed_company', (await t.database.db.query.organizationsTable.findFirst({ where: (o, { eq }) => eq(o.kind, 'LISTED_COMPANY') }))!.creditCode);
    expect((await csv('?year=2026', listedToken)).status).toBe(403);
    expect((await csv('?year=2026', tokens.writer)).status).toBe(403);
    expect((await csv('?year=2026')).status).toBe(401);
    for (const bad of ['', '?year=26', '?year=abcd', '?year=2026&year=2025', '?year=3000']) {
      const res = await csv(bad, tokens.firm);
      expect(res.status, bad).toBe(400);
      expect(JSON.parse(res.text).errors[0].message).toMatch(/year is required once/);
    }
  });
});
