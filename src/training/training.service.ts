// Reads of training and continuing education: who sees which survey, programme, session, practitioner, certificate
// and obligation (from the policy functions of src/auth/policy.ts, turned into SQL here), credits, reach and
// completion. The changes are in training.mutations.ts, view ingestion in training.ingest.ts.
import { and, asc, count, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import {
  activeMemberOf,
  practitionerScope,
  RATINGS_ASSOCIATION_ID,
  reportsScope,
  trainingObligationScope,
  trainingProgrammeScope,
  trainingSurveyScope,
  type TrainingScope,
} from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import { viewerHasScope } from '../clients/scopes.js';
import type { DbOrTx } from '../db/client.js';
import { pageCondition, pageOrderBy, type PageRequest } from '../db/page.js';
import { keyArray, rowsOf } from '../db/sql/index.js';
import { membershipsTable } from '../members/members.table.js';
import { ratingCyclesTable, branchRatingsTable } from '../ratings/ratings.table.js';
import { branchesTable } from '../members/members.table.js';
import { parseSearchQuery, searchMatches } from '../policies/policies.search.js';
import { escapeLike } from '../text.js';
import { creditSummary, hoursMet, shanghaiYearRange, VIEW_COMPLETION_SHARE, type CompletedSession, type CreditSummary } from './training.hours.js';
import {
  practitionersTable,
  trainingAttendanceTable,
  trainingCertificatesTable,
  trainingEnrolmentsTable,
  trainingLecturersTable,
  trainingNeedsSurveysTable,
  trainingObligationsTable,
  trainingProgrammesTable,
  trainingSessionsTable,
  trainingSurveyAnswersTable,
  trainingViewEventsTable,
  type PractitionerRow,
  type TrainingCertificateRow,
  type TrainingNeedsSurveyRow,
  type TrainingObligationSource,
  type TrainingProgrammeRow,
  type TrainingSessionRow,
  type TrainingTopic,
} from './training.table.js';

const { searchVector: _p, ...programmeColumns } = getTableColumns(trainingProgrammesTable);
const { searchVector: _s, ...sessionColumns } = getTableColumns(trainingSessionsTable);
export { programmeColumns, sessionColumns };

// ---------------------------------------------------------------- visibility as SQL

/**
 * Practitioners the viewer may see (practitionerScope). An association's trainees: practitioners of organizations
 * holding a membership of the association, or enrolled in one of its sessions.
 */
export function visiblePractitioners(viewer: Viewer, p = practitionersTable): SQL | undefined {
  return practitionerCondition(practitionerScope(viewer), p);
}

export function practitionerCondition(scope: TrainingScope, p = practitionersTable): SQL | undefined {
  switch (scope.kind) {
    case 'all':
      return undefined;
    case 'none':
      return sql`false`;
    case 'orgs':
      return inArray(p.organizationId, scope.organizationIds);
    case 'association':
      return sql`(${p.organizationId} in (select ${membershipsTable.organizationId} from ${membershipsTable} where ${membershipsTable.associationId} = ${scope.associationId})
        or exists (select 1 from ${trainingEnrolmentsTable} join ${trainingSessionsTable} on ${trainingSessionsTable.id} = ${trainingEnrolmentsTable.sessionId}
                   where ${trainingEnrolmentsTable.practitionerId} = ${p.id} and ${trainingSessionsTable.associationId} = ${scope.associationId}))`;
  }
}

/** Programmes the viewer may see (trainingProgrammeScope): PUBLIC ones, and the MEMBERS ones its scope allows. */
export function visibleProgrammes(viewer: Viewer): SQL | undefined {
  const scope = trainingProgrammeScope(viewer);
  const t = trainingProgrammesTable;
  switch (scope.kind) {
    case 'all':
      return undefined;
    case 'association':
      return sql`(${t.audience} = 'PUBLIC' or ${t.associationId} = ${scope.associationId})`;
    case 'memberOf':
      return sql`(${t.audience} = 'PUBLIC' or ${activeMemberOf(sql`${scope.organizationId}`, t.associationId)})`;
    case 'public':
      return sql`${t.audience} = 'PUBLIC'`;
  }
}

/** Sessions of programmes the viewer may see. */
export function visibleSessions(viewer: Viewer): SQL | undefined {
  const programmes = visibleProgrammes(viewer);
  if (programmes === undefined) return undefined;
  return sql`${trainingSessionsTable.programmeId} in (select ${trainingProgrammesTable.id} from ${trainingProgrammesTable} where ${programmes})`;
}

function visibleSurveys(viewer: Viewer): SQL | undefined {
  const scope = trainingSurveyScope(viewer);
  const t = trainingNeedsSurveysTable;
  switch (scope.kind) {
    case 'all':
      return undefined;
    case 'association':
      return eq(t.associationId, scope.associationId);
    case 'memberOf':
      return activeMemberOf(sql`${scope.organizationId}`, t.associationId);
    default:
      return sql`false`;
  }
}

// ---------------------------------------------------------------- surveys

export async function listSurveys(db: DbOrTx, viewer: Viewer, page: PageRequest): Promise<TrainingNeedsSurveyRow[]> {
  const t = trainingNeedsSurveysTable;
  return db.select().from(t).where(and(visibleSurveys(viewer), pageCondition(page, t.id))).orderBy(pageOrderBy(page, 'asc', t.id)).limit(page.limit + 1);
}

export async function countSurveys(db: DbOrTx, viewer: Viewer): Promise<number> {
  const [row] = await db.select({ n: count() }).from(trainingNeedsSurveysTable).where(visibleSurveys(viewer));
  return row?.n ?? 0;
}

export async function loadSurveysByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<TrainingNeedsSurveyRow[]> {
  const t = trainingNeedsSurveysTable;
  return db.select().from(t).where(and(inArray(t.id, [...ids]), visibleSurveys(viewer)));
}

export interface TopicDemand {
  surveyId: number;
  topic: TrainingTopic;
  respondents: number;
}

/** Respondents (answering organizations) per offered topic of many surveys, most wanted first; zeros included. */
export async function surveyResults(db: DbOrTx, surveyIds: readonly number[]): Promise<TopicDemand[]> {
  const s = trainingNeedsSurveysTable;
  const a = trainingSurveyAnswersTable;
  const rows = rowsOf<{ survey_id: number; topic: TrainingTopic; respondents: number }>(
    await db.execute(sql`
      select s.id as survey_id, offered.topic, count(a.id)::int as respondents
      from ${s} s cross join lateral unnest(s.topics) as offered(topic)
      left join ${a} a on a.survey_id = s.id and offered.topic = any(a.topics)
      where s.id = any(${keyArray(surveyIds)})
      group by s.id, offered.topic
      order by s.id, respondents desc, offered.topic`),
  );
  return rows.map((r) => ({ surveyId: r.survey_id, topic: r.topic, respondents: Number(r.respondents) }));
}

// ---------------------------------------------------------------- programmes and sessions

/** The search condition over a tsvector column: any word of the query, synonyms included (policies.search.ts), or null when empty. */
function searchCondition(vector: SQL | PgColumn, search: string | null | undefined): SQL | null | undefined {
  if (search == null || search.trim() === '') return undefined;
  return searchMatches(vector, parseSearchQuery(search));
}

/** Programmes matching a search: by their own title and series, or by one of their sessions' titles and lecturers. */
function programmeSearch(search: string | null | undefined): SQL | undefined {
  const own = searchCondition(trainingProgrammesTable.searchVector, search);
  if (own === undefined) return undefined;
  if (own === null) return sql`false`;
  const sessions = searchCondition(trainingSessionsTable.searchVector, search)!;
  return sql`(${own} or exists (select 1 from ${trainingSessionsTable} where ${trainingSessionsTable.programmeId} = ${trainingProgrammesTable.id}
    and ${sessions}))`;
}

export async function listProgrammes(db: DbOrTx, viewer: Viewer, search: string | null | undefined, page: PageRequest): Promise<TrainingProgrammeRow[]> {
  const t = trainingProgrammesTable;
  return db
    .select(programmeColumns)
    .from(t)
    .where(and(visibleProgrammes(viewer), programmeSearch(search), pageCondition(page, t.id)))
    .orderBy(pageOrderBy(page, 'asc', t.id))
    .limit(page.limit + 1);
}

export async function countProgrammes(db: DbOrTx, viewer: Viewer, search: string | null | undefined): Promise<number> {
  const [row] = await db.select({ n: count() }).from(trainingProgrammesTable).where(and(visibleProgrammes(viewer), programmeSearch(search)));
  return row?.n ?? 0;
}

export async function loadProgrammesByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<TrainingProgrammeRow[]> {
  const t = trainingProgrammesTable;
  return db.select(programmeColumns).from(t).where(and(inArray(t.id, [...ids]), visibleProgrammes(viewer)));
}

export interface SessionFilter {
  search?: string | null;
  /** undefined: any; null: an unparseable id (matches nothing). */
  programmeId?: number | null;
}

function sessionConditions(viewer: Viewer, filter: SessionFilter): SQL | undefined {
  const search = searchCondition(trainingSessionsTable.searchVector, filter.search);
  return and(
    visibleSessions(viewer),
    search === null ? sql`false` : search,
    filter.programmeId === undefined ? undefined : filter.programmeId === null ? sql`false` : eq(trainingSessionsTable.programmeId, filter.programmeId),
  );
}

export async function listSessions(db: DbOrTx, viewer: Viewer, filter: SessionFilter, page: PageRequest): Promise<TrainingSessionRow[]> {
  const t = trainingSessionsTable;
  return db
    .select(sessionColumns)
    .from(t)
    .where(and(sessionConditions(viewer, filter), pageCondition(page, t.id)))
    .orderBy(pageOrderBy(page, 'asc', t.id))
    .limit(page.limit + 1);
}

export async function countSessions(db: DbOrTx, viewer: Viewer, filter: SessionFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(trainingSessionsTable).where(sessionConditions(viewer, filter));
  return row?.n ?? 0;
}

/** One page of sessions for each of many (visible) programmes, in one statement. */
export async function listSessionsOfProgrammes(db: DbOrTx, programmeIds: readonly number[], page: PageRequest): Promise<TrainingSessionRow[]> {
  const t = trainingSessionsTable;
  const ranked = db
    .select({ id: t.id, rank: sql<number>`row_number() over (partition by ${t.programmeId} order by ${pageOrderBy(page, 'asc', t.id)})`.as('rank') })
    .from(t)
    .where(and(inArray(t.programmeId, [...programmeIds]), pageCondition(page, t.id)))
    .as('ranked');
  return db
    .select(sessionColumns)
    .from(t)
    .innerJoin(ranked, eq(ranked.id, t.id))
    .where(sql`${ranked.rank} <= ${page.limit + 1}`)
    .orderBy(pageOrderBy(page, 'asc', t.id));
}

export async function countSessionsOfProgrammes(db: DbOrTx, programmeIds: readonly number[]): Promise<Map<number, number>> {
  const t = trainingSessionsTable;
  const rows = await db.select({ programmeId: t.programmeId, n: count() }).from(t).where(inArray(t.programmeId, [...programmeIds])).groupBy(t.programmeId);
  return new Map(rows.map((r) => [r.programmeId, r.n]));
}

export async function loadSessionsByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<TrainingSessionRow[]> {
  const t = trainingSessionsTable;
  return db.select(sessionColumns).from(t).where(and(inArray(t.id, [...ids]), visibleSessions(viewer)));
}

export async function loadLecturersBySessionIds(db: DbOrTx, sessionIds: readonly number[]) {
  const t = trainingLecturersTable;
  return db.select().from(t).where(inArray(t.sessionId, [...sessionIds])).orderBy(asc(t.sessionId), asc(t.position));
}

// ---------------------------------------------------------------- reach and completion

export interface TrainingReach {
  firms: number;
  branches: number;
  participants: number;
  views: number;
}
export const NO_REACH: TrainingReach = Object.freeze({ firms: 0, branches: 0, participants: 0, views: 0 });

type ReachRow = { key: number; firms: number; branches: number; participants: number; views: number };
const toReach = (r: ReachRow | undefined): TrainingReach =>
  r ? { firms: Number(r.firms), branches: Number(r.branches), participants: Number(r.participants), views: Number(r.views) } : NO_REACH;

/**
 * Reach of each of many sessions, one statement: participants are the distinct practitioners with any attendance or
 * view record; firms and branches theirs (a branch counts when one of its practitioners took part, a firm when it or
 * one of its branches did); views the distinct view events (人次).
 */
export async function reachOfSessions(db: DbOrTx, sessionIds: readonly number[]): Promise<Map<number, TrainingReach>> {
  // Per session (a lateral subquery with the session's id as its one parameter), reading the view events once: their
  // count per practitioner (in the order of the (session_id, practitioner_id) index) gives the participants and,
  // summed, the views.
  const rows = rowsOf<ReachRow>(
    await db.execute(sql`
      select s.id as key, r.firms, r.branches, r.participants, r.views
      from unnest(${keyArray(sessionIds)}) as s(id)
      cross join lateral (${reachAggregate(sql`= s.id`)}) r`),
  );
  return new Map(rows.map((r) => [Number(r.key), toReach(r)]));
}

/**
 * The reach of the sessions whose id satisfies `sessionIs` (`= s.id`, `in (…)`): one pass over their view events
 * (counted per practitioner) and their attendance, joined to the practitioners once.
 */
function reachAggregate(sessionIs: SQL): SQL {
  return sql`
    select count(distinct p.organization_id)::int as firms, count(distinct p.branch_id)::int as branches,
           count(*)::int as participants, coalesce(sum(part.views), 0)::int as views
    from (
      select x.practitioner_id, sum(x.views) as views from (
        select v.practitioner_id, count(*) as views from ${trainingViewEventsTable} v where v.session_id ${sessionIs} group by v.practitioner_id
        union all
        select a.practitioner_id, 0 from ${trainingAttendanceTable} a where a.session_id ${sessionIs}
      ) x group by x.practitioner_id
    ) part join ${practitionersTable} p on p.id = part.practitioner_id`;
}

/** Reach of each of many programmes (over all their sessions; a person in two sessions is one participant). */
export async function reachOfProgrammes(db: DbOrTx, programmeIds: readonly number[]): Promise<Map<number, TrainingReach>> {
  const ids = keyArray(programmeIds);
  const s = trainingSessionsTable;
  const rows = rowsOf<ReachRow>(
    await db.execute(sql`
      with part as (
        select s.programme_id, a.practitioner_id from ${trainingAttendanceTable} a join ${s} s on s.id = a.session_id where s.programme_id = any(${ids})
        union
        select s.programme_id, v.practitioner_id from ${trainingViewEventsTable} v join ${s} s on s.id = v.session_id where s.programme_id = any(${ids})
      ), views as (
        select s.programme_id, count(*) as n from ${trainingViewEventsTable} v join ${s} s on s.id = v.session_id where s.programme_id = any(${ids}) group by s.programme_id
      )
      select part.programme_id as key, count(distinct p.organization_id)::int as firms, count(distinct p.branch_id)::int as branches,
             count(*)::int as participants, coalesce(max(views.n), 0)::int as views
      from part join ${practitionersTable} p on p.id = part.practitioner_id left join views on views.programme_id = part.programme_id
      group by part.programme_id`),
  );
  return new Map(rows.map((r) => [Number(r.key), toReach(r)]));
}

/**
 * The reach of a year (sessions starting in it, Asia/Shanghai) for reports.trainingReach, one statement: an
 * association's staff count their association's sessions, the regulator every association's.
 */
export async function reachOfYear(db: DbOrTx, viewer: Viewer, year: number): Promise<TrainingReach> {
  const scope = reportsScope(viewer);
  if (scope.kind === 'none' || !viewerHasScope(viewer, 'training:read')) return NO_REACH;
  const { from, until } = shanghaiYearRange(year);
  const s = trainingSessionsTable;
  const own = scope.kind === 'association' ? sql`and s.association_id = ${scope.associationId}` : sql``;
  const sessions = sql`select s.id from ${s} s where s.starts_at >= ${from.toISOString()}::timestamptz and s.starts_at < ${until.toISOString()}::timestamptz ${own}`;
  const rows = rowsOf<ReachRow>(await db.execute(sql`select 0 as key, r.* from (${reachAggregate(sql`in (${sessions})`)}) r`));
  return toReach(rows[0]);
}

/**
 * The (practitioner, session) pairs that are completed: a completed attendance record, or (ONLINE_RECORDED sessions)
 * distinct view events watching at least VIEW_COMPLETION_SHARE of the session's length; never a pair whose certificate
 * was revoked (revocation revokes the credit). `sessions` and `practitioners` bound the pairs (SQL conditions on the
 * aliases `s` and `a.practitioner_id`/`v.practitioner_id`, given as a predicate builder).
 */
export function completedPairs(where: { session?: SQL; practitioner?: (column: SQL) => SQL }): SQL {
  const s = trainingSessionsTable;
  const sessionWhere = where.session ?? sql`true`;
  const byPractitioner = (column: SQL) => (where.practitioner ? where.practitioner(column) : sql`true`);
  return sql`(
    select c.practitioner_id, c.session_id from (
      select a.practitioner_id, a.session_id from ${trainingAttendanceTable} a join ${s} s on s.id = a.session_id
      where a.completed and ${sessionWhere} and ${byPractitioner(sql`a.practitioner_id`)}
      union
      select v.practitioner_id, v.session_id from ${trainingViewEventsTable} v join ${s} s on s.id = v.session_id
      where s.mode = 'ONLINE_RECORDED' and ${sessionWhere} and ${byPractitioner(sql`v.practitioner_id`)}
      group by v.practitioner_id, v.session_id, s.starts_at, s.ends_at
      having sum(v.watched_seconds) >= ${sql.raw(String(VIEW_COMPLETION_SHARE))} * extract(epoch from (s.ends_at - s.starts_at))
    ) c
    where not exists (select 1 from ${trainingCertificatesTable} tc where tc.session_id = c.session_id and tc.practitioner_id = c.practitioner_id and tc.revoked_at is not null)
  )`;
}

/** Share of participants who completed, per session (null with no participant). */
export async function completionOfSessions(db: DbOrTx, sessionIds: readonly number[]): Promise<Map<number, number | null>> {
  const ids = keyArray(sessionIds);
  const rows = rowsOf<{ key: number; participants: number; completed: number }>(
    await db.execute(sql`
      with part as (
        select session_id, practitioner_id from ${trainingAttendanceTable} where session_id = any(${ids})
        union
        select session_id, practitioner_id from ${trainingViewEventsTable} where session_id = any(${ids})
      ), done as ${completedPairs({ session: sql`s.id = any(${ids})` })}
      select part.session_id as key, count(*)::int as participants, count(done.session_id)::int as completed
      from part left join done on done.session_id = part.session_id and done.practitioner_id = part.practitioner_id
      group by part.session_id`),
  );
  return new Map(rows.map((r) => [Number(r.key), Number(r.participants) === 0 ? null : Number(r.completed) / Number(r.participants)]));
}

/** Share of (participant, session) pairs completed over a programme's sessions (null with none). */
export async function completionOfProgrammes(db: DbOrTx, programmeIds: readonly number[]): Promise<Map<number, number | null>> {
  const ids = keyArray(programmeIds);
  const s = trainingSessionsTable;
  const rows = rowsOf<{ key: number; participants: number; completed: number }>(
    await db.execute(sql`
      with part as (
        select session_id, practitioner_id from ${trainingAttendanceTable} where session_id in (select id from ${s} where programme_id = any(${ids}))
        union
        select session_id, practitioner_id from ${trainingViewEventsTable} where session_id in (select id from ${s} where programme_id = any(${ids}))
      ), done as ${completedPairs({ session: sql`s.programme_id = any(${ids})` })}
      select ss.programme_id as key, count(*)::int as participants, count(done.session_id)::int as completed
      from part join ${s} ss on ss.id = part.session_id
      left join done on done.session_id = part.session_id and done.practitioner_id = part.practitioner_id
      group by ss.programme_id`),
  );
  return new Map(rows.map((r) => [Number(r.key), Number(r.participants) === 0 ? null : Number(r.completed) / Number(r.participants)]));
}

// ---------------------------------------------------------------- practitioners and credits

export interface PractitionerFilter {
  /** undefined: any; null: an unparseable id (matches nothing). */
  organizationId?: number | null;
  search?: string | null;
  behindOnHoursInYear?: number | null;
}

/**
 * Practitioners not meeting the yearly minimum in `year`, in SQL: the same rule as creditSummary (each completed
 * session once, sessions starting in the year in Asia/Shanghai, total >= 15 and required >= 10).
 */
function behindOnHours(year: number): SQL {
  const { from, until } = shanghaiYearRange(year);
  const session = sql`s.starts_at >= ${from.toISOString()}::timestamptz and s.starts_at < ${until.toISOString()}::timestamptz`;
  return sql`${practitionersTable.id} not in (
    select done.practitioner_id from ${completedPairs({ session })} done join ${trainingSessionsTable} s on s.id = done.session_id
    group by done.practitioner_id
    having sum(s.credit_hours) >= 15 and coalesce(sum(s.credit_hours) filter (where s.credit_type = 'REQUIRED'), 0) >= 10
  )`;
}

function practitionerConditions(viewer: Viewer, filter: PractitionerFilter): SQL | undefined {
  const p = practitionersTable;
  const search = filter.search?.trim();
  return and(
    visiblePractitioners(viewer),
    filter.organizationId === undefined ? undefined : filter.organizationId === null ? sql`false` : eq(p.organizationId, filter.organizationId),
    search ? sql`(${p.name} ilike ${`%${escapeLike(search)}%`} escape '\\' or ${p.registrationNumber} = ${search})` : undefined,
    filter.behindOnHoursInYear == null ? undefined : behindOnHours(filter.behindOnHoursInYear),
  );
}

export async function listPractitioners(db: DbOrTx, viewer: Viewer, filter: PractitionerFilter, page: PageRequest): Promise<PractitionerRow[]> {
  const p = practitionersTable;
  return db.select().from(p).where(and(practitionerConditions(viewer, filter), pageCondition(page, p.id))).orderBy(pageOrderBy(page, 'asc', p.id)).limit(page.limit + 1);
}

export async function countPractitioners(db: DbOrTx, viewer: Viewer, filter: PractitionerFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(practitionersTable).where(practitionerConditions(viewer, filter));
  return row?.n ?? 0;
}

export async function loadPractitionersByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<PractitionerRow[]> {
  return db.select().from(practitionersTable).where(and(inArray(practitionersTable.id, [...ids]), visiblePractitioners(viewer)));
}

/**
 * Credit summaries of many practitioners for one year, one statement: the completed sessions starting in the year
 * (from SQL), summed by the pure rule (creditSummary).
 */
export async function creditsOf(db: DbOrTx, practitionerIds: readonly number[], year: number): Promise<Map<number, CreditSummary>> {
  const { from, until } = shanghaiYearRange(year);
  const ids = keyArray(practitionerIds);
  const session = sql`s.starts_at >= ${from.toISOString()}::timestamptz and s.starts_at < ${until.toISOString()}::timestamptz`;
  const rows = rowsOf<{ practitioner_id: number; session_id: number; starts_at: string | Date; credit_hours: string | number; credit_type: 'REQUIRED' | 'ELECTIVE' }>(
    await db.execute(sql`
      select done.practitioner_id, done.session_id, s.starts_at, s.credit_hours, s.credit_type
      from ${completedPairs({ session, practitioner: (column) => sql`${column} = any(${ids})` })} done
      join ${trainingSessionsTable} s on s.id = done.session_id`),
  );
  const byPractitioner = new Map<number, CompletedSession[]>();
  for (const r of rows) {
    const list = byPractitioner.get(Number(r.practitioner_id)) ?? [];
    list.push({ sessionId: Number(r.session_id), startsAt: new Date(r.starts_at), creditHours: Number(r.credit_hours), creditType: r.credit_type });
    byPractitioner.set(Number(r.practitioner_id), list);
  }
  return new Map(practitionerIds.map((id) => [id, creditSummary(year, byPractitioner.get(id) ?? [])]));
}

export { hoursMet };

// ---------------------------------------------------------------- certificates

/** Certificates whose practitioner the viewer may see. */
function visibleCertificates(viewer: Viewer): SQL | undefined {
  const condition = visiblePractitioners(viewer);
  if (condition === undefined) return undefined;
  return sql`${trainingCertificatesTable.practitionerId} in (select ${practitionersTable.id} from ${practitionersTable} where ${condition})`;
}

export interface CertificateFilter {
  practitionerId?: number | null;
  sessionId?: number | null;
}

function certificateConditions(viewer: Viewer, filter: CertificateFilter): SQL | undefined {
  const c = trainingCertificatesTable;
  return and(
    visibleCertificates(viewer),
    filter.practitionerId === undefined ? undefined : filter.practitionerId === null ? sql`false` : eq(c.practitionerId, filter.practitionerId),
    filter.sessionId === undefined ? undefined : filter.sessionId === null ? sql`false` : eq(c.sessionId, filter.sessionId),
  );
}

export async function listCertificates(db: DbOrTx, viewer: Viewer, filter: CertificateFilter, page: PageRequest): Promise<TrainingCertificateRow[]> {
  const c = trainingCertificatesTable;
  return db.select().from(c).where(and(certificateConditions(viewer, filter), pageCondition(page, c.id))).orderBy(pageOrderBy(page, 'asc', c.id)).limit(page.limit + 1);
}

export async function countCertificates(db: DbOrTx, viewer: Viewer, filter: CertificateFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(trainingCertificatesTable).where(certificateConditions(viewer, filter));
  return row?.n ?? 0;
}

export async function loadCertificatesByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<TrainingCertificateRow[]> {
  return db.select().from(trainingCertificatesTable).where(and(inArray(trainingCertificatesTable.id, [...ids]), visibleCertificates(viewer)));
}

export const MAX_CERTIFICATE_CODE_LENGTH = 32;
const CERTIFICATE_CODE_FORM = /^TC-[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}$/;

/** What anyone may learn from a certificate's public code: validity, revocation, the name, session, hours and date. */
export async function verifyCertificate(db: DbOrTx, code: string) {
  const trimmed = code.trim().toUpperCase();
  // Only what a code can look like (TC- and four groups of four) reaches the database: NUL or a lone surrogate is no
  // code, and no text PostgreSQL accepts.
  if (trimmed.length > MAX_CERTIFICATE_CODE_LENGTH || !CERTIFICATE_CODE_FORM.test(trimmed)) return null;
  const c = trainingCertificatesTable;
  const [row] = await db
    .select({
      revokedAt: c.revokedAt,
      practitionerName: practitionersTable.name,
      sessionTitle: trainingSessionsTable.title,
      creditHours: trainingSessionsTable.creditHours,
      issuedOn: c.issuedOn,
    })
    .from(c)
    .innerJoin(practitionersTable, eq(practitionersTable.id, c.practitionerId))
    .innerJoin(trainingSessionsTable, eq(trainingSessionsTable.id, c.sessionId))
    .where(eq(c.code, trimmed));
  if (!row) return null;
  const revoked = row.revokedAt !== null;
  return { valid: !revoked, revoked, practitionerName: row.practitionerName, sessionTitle: row.sessionTitle, creditHours: Number(row.creditHours), issuedOn: row.issuedOn };
}

// ---------------------------------------------------------------- obligations

export interface TrainingObligationView {
  /** Keyset key: 2 × id for recorded obligations, 2 × (first C/D rating id) + 1 for those derived from ratings. */
  key: number;
  organizationId: number;
  associationId: number;
  source: TrainingObligationSource;
  sourceId: number;
  reason: string;
  dueOn: string | null;
  createdAt: Date;
}

/**
 * Obligations of many organizations as one statement: those recorded (recordTrainingObligation) and one per
 * organization and published rating cycle in which one of its branches was rated C or D (derived, never stored: the
 * rating is the record). A derived obligation is owed to the securities association, due by the end of the year
 * after the cycle's, and its source id is the cycle's id.
 */
function obligationsSql(viewer: Viewer, organizationIds: readonly number[] | null): SQL {
  const scope = trainingObligationScope(viewer);
  const scopeOn = (org: SQL, association: SQL): SQL => {
    switch (scope.kind) {
      case 'all':
        return sql`true`;
      case 'none':
        return sql`false`;
      case 'orgs':
        return sql`${org} = any(${keyArray(scope.organizationIds)})`;
      case 'association':
        return sql`${association} = ${scope.associationId}`;
    }
  };
  const orgs = organizationIds ? keyArray(organizationIds) : null;
  const o = trainingObligationsTable;
  const r = branchRatingsTable;
  const b = branchesTable;
  const c = ratingCyclesTable;
  return sql`
    select * from (
      select 2 * o.id as key, o.organization_id, o.association_id, o.source::text as source, o.source_id, o.reason, o.due_on::text as due_on, o.created_at
      from ${o} o where ${orgs ? sql`o.organization_id = any(${orgs})` : sql`true`}
      union all
      select 2 * min(r.id) + 1, b.firm_id, ${sql.raw(String(RATINGS_ASSOCIATION_ID))}, 'RATING', c.id,
             c.year || ' 年度分支机构分类评价中 ' || count(*) || ' 家分支机构为 C 类或 D 类 / ' || count(*) || ' branch(es) rated C or D in the ' || c.year || ' rating',
             (c.year + 1) || '-12-31', c.published_at
      from ${r} r join ${b} b on b.id = r.branch_id join ${c} c on c.id = r.cycle_id
      where c.status = 'PUBLISHED' and r.grade in ('C', 'D') and ${orgs ? sql`b.firm_id = any(${orgs})` : sql`true`}
      group by b.firm_id, c.id, c.year, c.published_at
    ) ob where ${scopeOn(sql`ob.organization_id`, sql`ob.association_id`)}`;
}

type ObligationDbRow = { key: number; organization_id: number; association_id: number; source: TrainingObligationSource; source_id: number; reason: string; due_on: string | null; created_at: string | Date };
const toObligation = (r: ObligationDbRow): TrainingObligationView => ({
  key: Number(r.key),
  organizationId: Number(r.organization_id),
  associationId: Number(r.association_id),
  source: r.source,
  sourceId: Number(r.source_id),
  reason: r.reason,
  dueOn: r.due_on,
  createdAt: new Date(r.created_at),
});

/** One page of visible obligations of each of many organizations, one statement. */
export async function obligationsOfOrganizations(db: DbOrTx, viewer: Viewer, organizationIds: readonly number[], page: PageRequest): Promise<TrainingObligationView[]> {
  const rows = rowsOf<ObligationDbRow>(
    await db.execute(sql`
      select * from (
        select ob.*, row_number() over (partition by ob.organization_id order by ${pageOrderBy(page, 'asc', sql`ob.key`)}) as rank
        from (${obligationsSql(viewer, organizationIds)}) ob
        where ${pageCondition(page, sql`ob.key`) ?? sql`true`}
      ) ranked where rank <= ${page.limit + 1} order by ${pageOrderBy(page, 'asc', sql`key`)}`),
  );
  return rows.map(toObligation);
}

export async function countObligationsOfOrganizations(db: DbOrTx, viewer: Viewer, organizationIds: readonly number[]): Promise<Map<number, number>> {
  const rows = rowsOf<{ organization_id: number; n: number }>(
    await db.execute(sql`select ob.organization_id, count(*)::int as n from (${obligationsSql(viewer, organizationIds)}) ob group by ob.organization_id`),
  );
  return new Map(rows.map((r) => [Number(r.organization_id), Number(r.n)]));
}

/** Every visible obligation (the trainingObligations root list), in key order. */
export async function listObligations(db: DbOrTx, viewer: Viewer, page: PageRequest): Promise<TrainingObligationView[]> {
  const rows = rowsOf<ObligationDbRow>(
    await db.execute(sql`select * from (${obligationsSql(viewer, null)}) ob
      where ${pageCondition(page, sql`ob.key`) ?? sql`true`} order by ${pageOrderBy(page, 'asc', sql`ob.key`)} limit ${page.limit + 1}`),
  );
  return rows.map(toObligation);
}

export async function countObligations(db: DbOrTx, viewer: Viewer): Promise<number> {
  const rows = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from (${obligationsSql(viewer, null)}) ob`));
  return Number(rows[0]?.n ?? 0);
}

// ---------------------------------------------------------------- the hours export

export interface TrainingHoursExportRow {
  id: number;
  year: number;
  name: string;
  registrationNumber: string | null;
  organizationId: number;
  organizationCreditCode: string;
  organizationName: string;
  branchId: number | null;
  branchName: string | null;
  requiredHours: number;
  electiveHours: number;
  totalHours: number;
  met: boolean;
}

/** One keyset batch of the hours export: practitioners in scope after `afterId`, with their year's summary. */
export async function exportTrainingHoursBatch(db: DbOrTx, scope: TrainingScope, year: number, afterId: number, limit: number): Promise<TrainingHoursExportRow[]> {
  const rows = rowsOf<{ id: number; name: string; registration_number: string | null; organization_id: number; credit_code: string; org_name: string; branch_id: number | null; branch_name: string | null }>(
    await db.execute(sql`
      select p.id, p.name, p.registration_number, p.organization_id, o.credit_code, o.name as org_name, p.branch_id, b.name as branch_name
      from ${practitionersTable} p join organizations o on o.id = p.organization_id
      left join branches b on b.id = p.branch_id
      where p.id in (select ${practitionersTable.id} from ${practitionersTable} where ${practitionerCondition(scope) ?? sql`true`})
        and p.id > ${afterId}
      order by p.id limit ${limit}`),
  );
  const credits = await creditsOf(db, rows.map((r) => Number(r.id)), year);
  return rows.map((r) => {
    const c = credits.get(Number(r.id))!;
    return {
      id: Number(r.id),
      year,
      name: r.name,
      registrationNumber: r.registration_number,
      organizationId: Number(r.organization_id),
      organizationCreditCode: r.credit_code,
      organizationName: r.org_name,
      branchId: r.branch_id === null ? null : Number(r.branch_id),
      branchName: r.branch_name,
      requiredHours: c.requiredHours,
      electiveHours: c.electiveHours,
      totalHours: c.totalHours,
      met: c.met,
    };
  });
}
