// The training part of the authorization matrix (issue 17): practitioners, their credits and certificates, programmes
// and sessions of both audiences and both associations, needs surveys and their results, completion rates,
// obligations, the yearly reach, certificate verification, the hours export and the view-event ingestion route.
import { expect } from 'vitest';
import {
  ALL,
  asStaff,
  tag,
  viaCsv,
  viaList,
  viaNode,
  viaNodes,
  viaQuery,
  viaTotalCount,
  withCount,
  noCount,
  type Principal,
  type Probe,
  type World,
} from '../authorization-matrix.table.js';
import { expectNoLeak } from '../support.js';
import { definePart } from './part.js';

interface TrainingFixture {
  practitioner: { id: string; name: string };
  certificate: { id: string; code: string };
  programmes: { public: { id: string; title: string }; members: { id: string; title: string }; szlcaMembers: { id: string; title: string } };
  sessions: { public: string; members: string; szlca: string };
  survey: { id: string; title: string };
  year: number;
}

const PRACTITIONER_SEERS: readonly Principal[] = ['FIRM_OWN', 'ASSOCIATION', 'REGULATOR', 'SA_SCOPED'];
const SZSA_MEMBERS_SEERS: readonly Principal[] = ['FIRM_OWN', 'FIRM_OTHER', 'ASSOCIATION', 'REGULATOR', 'SA_SCOPED'];
const SZLCA_MEMBERS_SEERS: readonly Principal[] = ['LISTED_COMPANY', 'SZLCA_STAFF', 'SZLCA_SA_SCOPED', 'REGULATOR', 'SA_SCOPED'];
const SZSA_RESULTS_SEERS: readonly Principal[] = ['ASSOCIATION', 'REGULATOR', 'SA_SCOPED'];

async function buildTraining(w: World): Promise<TrainingFixture> {
  const { t } = w;
  const staff = (query: string, variables: Record<string, unknown> = {}) => asStaff(t, w.tokens.ASSOCIATION!, query, variables);
  const szlca = (query: string, variables: Record<string, unknown> = {}) => asStaff(t, w.tokens.SZLCA_STAFF!, query, variables);
  const firm = (query: string, variables: Record<string, unknown> = {}) => asStaff(t, w.tokens.FIRM_OWN!, query, variables);
  const mark = tag();
  const programme = async (run: typeof staff, audience: string, title: string) => {
    const created = await run(`mutation($i: CreateTrainingProgrammeInput!) { createTrainingProgramme(input: $i) { trainingProgramme { id } userErrors { code } } }`, { i: { title, audience } });
    expect(created.createTrainingProgramme.userErrors).toEqual([]);
    return { id: created.createTrainingProgramme.trainingProgramme.id as string, title };
  };
  const session = async (run: typeof staff, programmeId: string, title: string) => {
    const scheduled = await run(
      `mutation($i: ScheduleTrainingSessionInput!) { scheduleTrainingSession(input: $i) { trainingSession { id } userErrors { code } } }`,
      { i: { programmeId, title, mode: 'OFFLINE', startsAt: '2026-10-20T09:00:00+08:00', endsAt: '2026-10-20T12:00:00+08:00', creditHours: 3, creditType: 'REQUIRED', lecturers: ['矩阵讲师'] } },
    );
    expect(scheduled.scheduleTrainingSession.userErrors).toEqual([]);
    return scheduled.scheduleTrainingSession.trainingSession.id as string;
  };
  const programmes = {
    public: await programme(staff, 'PUBLIC', `矩阵公开培训 ${mark}`),
    members: await programme(staff, 'MEMBERS', `矩阵会员培训 ${mark}`),
    szlcaMembers: await programme(szlca, 'MEMBERS', `矩阵上市公司培训 ${mark}`),
  };
  const sessions = {
    public: await session(staff, programmes.public.id, `矩阵公开场次 ${mark}`),
    members: await session(staff, programmes.members.id, `矩阵会员场次 ${mark}`),
    szlca: await session(szlca, programmes.szlcaMembers.id, `矩阵上市公司场次 ${mark}`),
  };
  const surveyTitle = `矩阵需求调查 ${mark}`;
  const survey = await staff(`mutation($i: CreateTrainingNeedsSurveyInput!) { createTrainingNeedsSurvey(input: $i) { trainingNeedsSurvey { id } userErrors { code } } }`, {
    i: { title: surveyTitle, closesOn: '2099-12-31', topics: ['NEW_RULES', 'OTHER'] },
  });
  const surveyId = survey.createTrainingNeedsSurvey.trainingNeedsSurvey.id as string;
  const answered = await firm(`mutation($i: AnswerTrainingNeedsSurveyInput!) { answerTrainingNeedsSurvey(input: $i) { trainingNeedsSurvey { id } userErrors { code } } }`, { i: { surveyId, topics: ['NEW_RULES'] } });
  expect(answered.answerTrainingNeedsSurvey.userErrors).toEqual([]);

  const name = `矩阵从业人员${mark}`;
  const registered = await firm(`mutation($i: RegisterPractitionersInput!) { registerPractitioners(input: $i) { practitioners { id } userErrors { code } } }`, {
    i: { practitioners: [{ name, registrationNumber: `S${String(Date.now()).slice(-13).padStart(13, '0')}`, branchId: w.branchA.id }] },
  });
  expect(registered.registerPractitioners.userErrors).toEqual([]);
  const practitionerId = registered.registerPractitioners.practitioners[0].id as string;
  const enrolled = await firm(`mutation($i: EnrolPractitionersInput!) { enrolPractitioners(input: $i) { enrolled userErrors { code } } }`, { i: { sessionId: sessions.public, practitionerIds: [practitionerId] } });
  expect(enrolled.enrolPractitioners).toEqual({ enrolled: 1, userErrors: [] });
  const recorded = await staff(`mutation($i: RecordTrainingAttendanceInput!) { recordTrainingAttendance(input: $i) { recorded userErrors { code } } }`, {
    i: { sessionId: sessions.public, records: [{ practitionerId, attendedMinutes: 180, completed: true }] },
  });
  expect(recorded.recordTrainingAttendance).toEqual({ recorded: 1, userErrors: [] });
  const issued = await staff(`mutation($i: TrainingSessionIdInput!) { issueTrainingCertificates(input: $i) { certificates { id code } userErrors { code } } }`, { i: { id: sessions.public } });
  expect(issued.issueTrainingCertificates.certificates).toHaveLength(1);
  const certificate = issued.issueTrainingCertificates.certificates[0] as { id: string; code: string };
  return { practitioner: { id: practitionerId, name }, certificate, programmes, sessions, survey: { id: surveyId, title: surveyTitle }, year: 2026 };
}

const practitionersList = (count: boolean) => `query($after: String) { practitioners(first: 100, after: $after) { ${count ? withCount('') : noCount()} } }`;
const certificatesList = (count: boolean) => `query($after: String) { trainingCertificates(first: 100, after: $after) { ${count ? withCount('') : noCount()} } }`;
const programmesSearch = (count: boolean) => `query($after: String, $s: String) { trainingProgrammes(first: 100, after: $after, search: $s) { ${count ? withCount('') : noCount()} } }`;
const sessionsSearch = (count: boolean) => `query($after: String, $s: String) { trainingSessions(first: 100, after: $after, search: $s) { ${count ? withCount('') : noCount()} } }`;
const surveysList = (count: boolean) => `query($after: String) { trainingNeedsSurveys(first: 100, after: $after) { ${count ? withCount('') : noCount()} } }`;

function programmeRow(object: string, key: 'public' | 'members' | 'szlcaMembers', seenBy: readonly Principal[], of: (w: World) => TrainingFixture) {
  return {
    object,
    seenBy,
    marker: (w: World) => of(w).programmes[key].title,
    probes: [
      viaList('trainingProgrammes(search)', programmesSearch(false), (d) => d.trainingProgrammes, (w) => of(w).programmes[key].id, (w) => ({ s: of(w).programmes[key].title })),
      viaTotalCount('trainingProgrammes(search).totalCount', programmesSearch(true), (d) => d.trainingProgrammes, (w) => of(w).programmes[key].id, (w) => ({ s: of(w).programmes[key].title })),
      viaNode((w) => of(w).programmes[key].id),
      viaNodes((w) => of(w).programmes[key].id),
      viaNode((w) => of(w).programmes[key].id, '... on TrainingProgramme { reach { participants views } }', (n) => typeof n.reach?.views === 'number'),
    ],
  };
}

function sessionRow(object: string, key: 'public' | 'members' | 'szlca', programme: 'public' | 'members' | 'szlcaMembers', seenBy: readonly Principal[], of: (w: World) => TrainingFixture, extra: Probe[] = []) {
  return {
    object,
    seenBy,
    probes: [
      viaList('trainingSessions(search: 矩阵)', sessionsSearch(false), (d) => d.trainingSessions, (w) => of(w).sessions[key], () => ({ s: '矩阵' })),
      viaTotalCount('trainingSessions(search: 矩阵).totalCount', sessionsSearch(true), (d) => d.trainingSessions, (w) => of(w).sessions[key], () => ({ s: '矩阵' })),
      viaNode((w) => of(w).sessions[key]),
      viaNodes((w) => of(w).sessions[key]),
      viaQuery(
        'nested',
        'TrainingProgramme.sessions',
        'query($id: ID!) { node(id: $id) { ... on TrainingProgramme { sessions(first: 10) { totalCount edges { node { id reach { views } } } } } } }',
        (d, w) => !!d.node?.sessions.edges.some((e: any) => e.node.id === of(w).sessions[key]),
        (w) => ({ id: of(w).programmes[programme].id }),
      ),
      ...extra,
    ],
  };
}

export const trainingPart = definePart('training', buildTraining, (of) => [
  {
    object: "Practitioner of firm A",
    seenBy: PRACTITIONER_SEERS,
    marker: (w) => of(w).practitioner.name,
    probes: [
      viaList('practitioners', practitionersList(false), (d) => d.practitioners, (w) => of(w).practitioner.id),
      viaTotalCount('practitioners.totalCount', practitionersList(true), (d) => d.practitioners, (w) => of(w).practitioner.id),
      viaNode((w) => of(w).practitioner.id),
      viaNodes((w) => of(w).practitioner.id),
      viaNode((w) => of(w).practitioner.id, '... on Practitioner { name credits(year: 2026) { totalHours met } branch { id } }', (n, w) => n.name === of(w).practitioner.name && n.credits.totalHours === 3),
      viaQuery(
        'list',
        'practitioners(filter: { behindOnHoursInYear: 2026, search: name })',
        'query($s: String) { practitioners(first: 10, filter: { behindOnHoursInYear: 2026, search: $s }) { totalCount edges { node { id } } } }',
        (d, w) => d.practitioners.edges.some((e: any) => e.node.id === of(w).practitioner.id) && d.practitioners.totalCount === 1,
        (w) => ({ s: of(w).practitioner.name }),
      ),
      viaQuery('nested', 'TrainingCertificate.practitioner', 'query($id: ID!) { node(id: $id) { ... on TrainingCertificate { practitioner { id name } } } }', (d, w) => d.node?.practitioner?.id === of(w).practitioner.id, (w) => ({ id: of(w).certificate.id })),
      viaCsv((w) => `/reports/training-hours.csv?year=${of(w).year}`, (w) => of(w).practitioner.id, PRACTITIONER_SEERS),
    ],
  },
  {
    object: 'TrainingCertificate of firm A\'s practitioner',
    seenBy: PRACTITIONER_SEERS,
    probes: [
      viaList('trainingCertificates', certificatesList(false), (d) => d.trainingCertificates, (w) => of(w).certificate.id),
      viaTotalCount('trainingCertificates.totalCount', certificatesList(true), (d) => d.trainingCertificates, (w) => of(w).certificate.id),
      viaNode((w) => of(w).certificate.id),
      viaNodes((w) => of(w).certificate.id),
      viaQuery(
        'payload',
        'issueTrainingCertificates again (idempotent) → payload.certificates',
        'mutation($i: TrainingSessionIdInput!) { issueTrainingCertificates(input: $i) { certificates { id } userErrors { code } } }',
        (d, w) => !!d.issueTrainingCertificates?.certificates.some((c: any) => c.id === of(w).certificate.id),
        (w) => ({ i: { id: of(w).sessions.public } }),
        ['ASSOCIATION'],
      ),
    ],
  },
  {
    object: 'verifyTrainingCertificate(code) (public: validity, name, session, hours, date)',
    seenBy: ALL,
    probes: [
      viaQuery(
        'root',
        'verifyTrainingCertificate(code)',
        'query($c: String!) { verifyTrainingCertificate(code: $c) { valid revoked practitionerName creditHours } }',
        (d, w) => d.verifyTrainingCertificate?.valid === true && d.verifyTrainingCertificate.practitionerName === of(w).practitioner.name,
        (w) => ({ c: of(w).certificate.code }),
      ),
    ],
  },
  programmeRow('TrainingProgramme, PUBLIC (SZSA)', 'public', ALL, of),
  programmeRow('TrainingProgramme, MEMBERS (SZSA)', 'members', SZSA_MEMBERS_SEERS, of),
  programmeRow('TrainingProgramme, MEMBERS (SZLCA)', 'szlcaMembers', SZLCA_MEMBERS_SEERS, of),
  sessionRow('TrainingSession of a PUBLIC programme', 'public', 'public', ALL, of),
  sessionRow('TrainingSession of a MEMBERS programme (SZSA)', 'members', 'members', SZSA_MEMBERS_SEERS, of, [
    viaQuery(
      'payload',
      'scheduleTrainingSession on the SZSA programme → payload.trainingSession',
      'mutation($i: ScheduleTrainingSessionInput!) { scheduleTrainingSession(input: $i) { trainingSession { id } userErrors { code } } }',
      (d) => !!d.scheduleTrainingSession?.trainingSession?.id,
      (w) => ({ i: { programmeId: of(w).programmes.members.id, title: '矩阵追加场次', mode: 'OFFLINE', startsAt: '2026-11-20T09:00:00+08:00', endsAt: '2026-11-20T10:00:00+08:00', creditHours: 1, creditType: 'ELECTIVE' } }),
      ['ASSOCIATION'],
    ),
  ]),
  sessionRow('TrainingSession of a MEMBERS programme (SZLCA)', 'szlca', 'szlcaMembers', SZLCA_MEMBERS_SEERS, of),
  {
    object: 'TrainingSession.completionRate and TrainingProgramme.completionRate (SZSA staff and the regulator)',
    seenBy: SZSA_RESULTS_SEERS,
    probes: [
      viaNode((w) => of(w).sessions.public, '... on TrainingSession { completionRate }', (n) => n.completionRate !== null),
      viaNode((w) => of(w).programmes.public.id, '... on TrainingProgramme { completionRate }', (n) => n.completionRate !== null),
    ],
  },
  {
    object: 'TrainingNeedsSurvey (SZSA)',
    seenBy: SZSA_MEMBERS_SEERS,
    marker: (w) => of(w).survey.title,
    probes: [
      viaList('trainingNeedsSurveys', surveysList(false), (d) => d.trainingNeedsSurveys, (w) => of(w).survey.id),
      viaTotalCount('trainingNeedsSurveys.totalCount', surveysList(true), (d) => d.trainingNeedsSurveys, (w) => of(w).survey.id),
      viaNode((w) => of(w).survey.id),
      viaNodes((w) => of(w).survey.id),
    ],
  },
  {
    object: 'TrainingNeedsSurvey.results (SZSA staff and the regulator)',
    seenBy: SZSA_RESULTS_SEERS,
    probes: [
      viaNode((w) => of(w).survey.id, '... on TrainingNeedsSurvey { results { topic respondents } }', (n) => Array.isArray(n.results) && n.results.some((r: any) => r.topic === 'NEW_RULES' && r.respondents === 1)),
      viaQuery(
        'list',
        'trainingNeedsSurveys { results }',
        'query { trainingNeedsSurveys(first: 100) { edges { node { id results { topic } } } } }',
        (d, w) => d.trainingNeedsSurveys.edges.some((e: any) => e.node.id === of(w).survey.id && Array.isArray(e.node.results)),
      ),
    ],
  },
  {
    object: "TrainingObligation of firm A (C/D rating of its branch in 2025)",
    seenBy: PRACTITIONER_SEERS,
    probes: [
      viaQuery(
        'nested',
        'organization(creditCode) { trainingObligations }',
        'query($c: String!) { organization(creditCode: $c) { trainingObligations(first: 20) { totalCount edges { node { source organization { id } } } } } }',
        (d) => d.organization.trainingObligations.edges.some((e: any) => e.node.source === 'RATING'),
        (w) => ({ c: w.orgA.creditCode }),
      ),
      viaQuery(
        'list',
        'trainingObligations',
        'query { trainingObligations(first: 100) { edges { node { source organization { id } } } } }',
        (d, w) => d.trainingObligations.edges.some((e: any) => e.node.organization.id === w.orgA.id && e.node.source === 'RATING'),
      ),
    ],
  },
  {
    object: 'reports.trainingReach(year)',
    seenBy: ['ASSOCIATION', 'REGULATOR', 'SA_SCOPED', 'SZLCA_STAFF', 'SZLCA_SA_SCOPED'],
    probes: [viaQuery('root', 'reports { trainingReach(year: 2026) }', '{ reports { trainingReach(year: 2026) { firms branches participants views } } }', (d) => typeof d.reports?.trainingReach?.views === 'number')],
  },
  {
    object: 'POST /training/view-events for an SZSA session (accepted)',
    // The bureau's account (SA_SCOPED holds training:write) posts for any association; SZLCA's account holds it too but
    // not for SZSA's sessions (its line is rejected); people and accounts without the scope get 401/403.
    seenBy: ['SA_SCOPED'],
    probes: [
      {
        path: 'root',
        how: 'POST /training/view-events',
        async run(w, p) {
          const token = w.tokens[p];
          const body = JSON.stringify({ eventId: `matrix-${p}-${tag()}`, sessionId: of(w).sessions.public, practitionerId: of(w).practitioner.id, watchedSeconds: 60, at: '2026-10-20T10:00:00+08:00' });
          const res = await fetch(`${w.t.url}/training/view-events`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-ndjson', ...(token ? { authorization: `Bearer ${token}` } : {}) },
            body,
          });
          const text = await res.text();
          expect([200, 401, 403], `${p}: ${text}`).toContain(res.status);
          if (res.status !== 200) expect(res.status).toBe(token ? 403 : 401);
          expectNoLeak(text);
          return { visible: res.status === 200 && JSON.parse(text).accepted === 1, text };
        },
      },
    ],
  },
]);
