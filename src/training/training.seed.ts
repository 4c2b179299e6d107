// Demo data of training (人才培养), at the scale 深证协 reported: the programme 「行稳致远·专业赋能」 whose first session
// (2020-04-28, online) reached 18 securities firms, 544 branches and 23,357 views; sessions of 2026 with attendance,
// enrolments and certificates (some practitioners behind on hours); a MEMBERS programme; an SZLCA programme; two needs
// surveys with answers. Deterministic (no PRNG needed: every choice is a function of row order) and set-based.
//
// The directory's network is Shenzhen's (18 securities firms, about 560 branches, most of them open on the session's
// day): the session's participants are one or two practitioners at 544 of the branches open on 2020-04-28 (taken
// firm by firm in turn, so every firm takes part) plus three at each head office, so exactly 18 firms and 544
// branches are reached.
import { sql } from 'drizzle-orm';
import { ASSOCIATION_IDS } from '../associations/associations.table.js';
import type { DbOrTx } from '../db/client.js';
import { rowsOf } from '../db/sql/index.js';
import { branchesTable, membershipsTable, organizationsTable } from '../members/members.table.js';
import { programmeSearchVector, sessionSearchVector } from './training.mutations.js';
import {
  practitionersTable,
  trainingLecturersTable,
  trainingNeedsSurveysTable,
  trainingProgrammesTable,
  trainingSessionsTable,
  trainingSurveyAnswersTable,
  type CreditType,
  type TrainingMode,
  type TrainingTopic,
} from './training.table.js';

export const REPORTED_FIRMS = 18;
export const REPORTED_BRANCHES = 544;
export const REPORTED_VIEWS = 23_357;
export const FLAGSHIP_SERIES = '行稳致远·专业赋能';
/** The day of the first session: the branches open then are the ones it could reach. */
const FIRST_SESSION_DAY = '2020-04-28';

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢';
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超', '秀英', '霞', '平', '刚', '桂英', '晨', '宇', '欣', '婷', '浩然', '子涵', '思远', '雨桐'];

interface SessionSpec {
  key: string;
  title: string;
  mode: TrainingMode;
  startsAt: string;
  endsAt: string;
  creditHours: number;
  creditType: CreditType;
  lecturers: string[];
}

const FLAGSHIP_SESSIONS: SessionSpec[] = [
  { key: 'S1', title: '新《证券法》对证券行业的影响及财富管理趋势下的经纪业务转型', mode: 'ONLINE_LIVE', startsAt: '2020-04-28T14:30:00+08:00', endsAt: '2020-04-28T17:00:00+08:00', creditHours: 2.5, creditType: 'REQUIRED', lecturers: ['深圳证监局机构监管处 陈处长', '鹏城证券财富管理部 林总经理'] },
  { key: 'S2', title: '2026年证券监管新规解读', mode: 'OFFLINE', startsAt: '2026-03-18T09:00:00+08:00', endsAt: '2026-03-18T16:00:00+08:00', creditHours: 6, creditType: 'REQUIRED', lecturers: ['深圳证监局 法规专员', '深证协 合规部'] },
  { key: 'S3', title: '员工展业合规与典型案例分析', mode: 'ONLINE_LIVE', startsAt: '2026-05-20T14:00:00+08:00', endsAt: '2026-05-20T18:00:00+08:00', creditHours: 4, creditType: 'REQUIRED', lecturers: ['深证协 自律监察部'] },
  { key: 'S4', title: '反洗钱与客户交易行为管理', mode: 'ONLINE_RECORDED', startsAt: '2026-07-08T09:00:00+08:00', endsAt: '2026-07-08T12:00:00+08:00', creditHours: 3, creditType: 'ELECTIVE', lecturers: ['莲花山证券 合规总监'] },
  { key: 'S5', title: '财富管理与投资者适当性实务', mode: 'OFFLINE', startsAt: '2026-09-16T14:00:00+08:00', endsAt: '2026-09-16T17:00:00+08:00', creditHours: 3, creditType: 'ELECTIVE', lecturers: ['深南证券 财富管理部'] },
];

const MEMBERS_SESSIONS: SessionSpec[] = [
  { key: 'M1', title: '分支机构负责人合规履职专题', mode: 'OFFLINE', startsAt: '2026-06-12T09:30:00+08:00', endsAt: '2026-06-12T12:00:00+08:00', creditHours: 2.5, creditType: 'REQUIRED', lecturers: ['深证协 会员服务部'] },
];

const SZLCA_SESSIONS: SessionSpec[] = [
  { key: 'L1', title: '上市公司董监高规范运作培训', mode: 'ONLINE_LIVE', startsAt: '2026-04-16T14:00:00+08:00', endsAt: '2026-04-16T17:00:00+08:00', creditHours: 3, creditType: 'ELECTIVE', lecturers: ['深圳上市公司协会 培训部'] },
];

async function ids(db: DbOrTx, query: ReturnType<typeof sql>): Promise<{ id: number; name: string; n: number }[]> {
  return rowsOf<{ id: number; name: string; n: number }>(await db.execute(query)).map((r) => ({ id: Number(r.id), name: r.name, n: Number(r.n ?? 0) }));
}

/** The 18 securities firms of the reach: the active SZSA member securities firms, the first 18 by id. */
async function reportedFirms(db: DbOrTx): Promise<{ id: number; name: string }[]> {
  const firms = await ids(
    db,
    sql`select o.id, o.name, 0 as n from ${organizationsTable} o
    where o.kind = 'SECURITIES_FIRM' and exists (select 1 from ${membershipsTable} m where m.organization_id = o.id and m.association_id = ${ASSOCIATION_IDS.SZSA} and m.status = 'ACTIVE')
    order by o.id`,
  );
  if (firms.length < REPORTED_FIRMS) throw new Error(`training seed: the directory has ${firms.length} active securities firms, the reach needs ${REPORTED_FIRMS}`);
  return firms.slice(0, REPORTED_FIRMS);
}

async function insertSessions(db: DbOrTx, programmeId: number, associationId: number, specs: SessionSpec[]): Promise<Map<string, number>> {
  const rows = await db
    .insert(trainingSessionsTable)
    .values(
      specs.map((s) => ({
        programmeId,
        associationId,
        title: s.title,
        mode: s.mode,
        startsAt: new Date(s.startsAt),
        endsAt: new Date(s.endsAt),
        creditHours: s.creditHours,
        creditType: s.creditType,
        searchVector: sql`${sessionSearchVector(s.title, s.lecturers)}::tsvector` as unknown as string,
      })),
    )
    .returning({ id: trainingSessionsTable.id, title: trainingSessionsTable.title });
  const byKey = new Map(specs.map((s) => [s.key, rows.find((r) => r.title === s.title)!.id]));
  await db.insert(trainingLecturersTable).values(specs.flatMap((s) => s.lecturers.map((name, position) => ({ sessionId: byKey.get(s.key)!, position, name }))));
  return byKey;
}

async function insertProgramme(db: DbOrTx, associationId: number, title: string, series: string | null, audience: 'PUBLIC' | 'MEMBERS'): Promise<number> {
  const [row] = await db
    .insert(trainingProgrammesTable)
    .values({ associationId, title, series, audience, searchVector: sql`${programmeSearchVector(title, series)}::tsvector` as unknown as string })
    .returning({ id: trainingProgrammesTable.id });
  return row!.id;
}

export async function seedTraining(db: DbOrTx): Promise<Record<string, number>> {
  const firms = await reportedFirms(db);
  const firmArray = `{${firms.map((f) => f.id).join(',')}}`;

  // Practitioners: at 544 of the 18 firms' branches open on the first session's day (each firm's in turn: its first
  // branch, then every firm's second …) one (every third branch two), and three at each head office. Names from the
  // surname and given-name lists by row number; registration numbers S + 13 digits.
  const surnames = [...SURNAMES];
  const open2020 = rowsOf<{ n: number }>(
    await db.execute(sql`select count(*)::int as n from ${branchesTable} b where b.firm_id = any(${firmArray}::int[])
      and (b.opened_on is null or b.opened_on <= ${FIRST_SESSION_DAY}::date) and (b.closed_on is null or b.closed_on >= ${FIRST_SESSION_DAY}::date)`),
  );
  if (Number(open2020[0]?.n ?? 0) < REPORTED_BRANCHES) throw new Error(`training seed: only ${open2020[0]?.n} branches were open on ${FIRST_SESSION_DAY}`);
  await db.execute(sql`
    with open2020 as (
      select b.id, b.firm_id, row_number() over (partition by b.firm_id order by b.id) as turn
      from ${branchesTable} b where b.firm_id = any(${firmArray}::int[])
        and (b.opened_on is null or b.opened_on <= ${FIRST_SESSION_DAY}::date) and (b.closed_on is null or b.closed_on >= ${FIRST_SESSION_DAY}::date)
    ), picked as (
      select id, firm_id from open2020 order by turn, firm_id limit ${REPORTED_BRANCHES}
    ), chosen as (
      select id as branch_id, firm_id, row_number() over (order by id) as k from picked
    ), people as (
      select firm_id, branch_id, k * 2 as n from chosen
      union all select firm_id, branch_id, k * 2 + 1 from chosen where k % 3 = 0
      union all select f.id, null, 100000 + f.ord * 10 + h from unnest(${firmArray}::int[]) with ordinality as f(id, ord), generate_series(1, 3) h
    )
    insert into ${practitionersTable} (organization_id, branch_id, name, registration_number, created_by)
    select firm_id, branch_id,
           (${`{${surnames.join(',')}}`}::text[])[1 + n % ${surnames.length}] || (${`{${GIVEN.join(',')}}`}::text[])[1 + (n / ${surnames.length}) % ${GIVEN.length}],
           'S' || lpad((1079052000000 + n)::text, 13, '0'), 'seed'
    from people order by n`);

  // The flagship programme and its sessions; a MEMBERS programme; the listed companies association's programme.
  const flagship = await insertProgramme(db, ASSOCIATION_IDS.SZSA, '行稳致远·专业赋能 证券从业人员系列培训', FLAGSHIP_SERIES, 'PUBLIC');
  const sessions = await insertSessions(db, flagship, ASSOCIATION_IDS.SZSA, FLAGSHIP_SESSIONS);
  const membersOnly = await insertProgramme(db, ASSOCIATION_IDS.SZSA, '分支机构负责人专题培训', '会员专享', 'MEMBERS');
  const memberSessions = await insertSessions(db, membersOnly, ASSOCIATION_IDS.SZSA, MEMBERS_SESSIONS);
  const szlca = await insertProgramme(db, ASSOCIATION_IDS.SZLCA, '上市公司规范运作系列培训', '深上协大讲堂', 'PUBLIC');
  await insertSessions(db, szlca, ASSOCIATION_IDS.SZLCA, SZLCA_SESSIONS);

  const s = (key: string) => sql.raw(String(sessions.get(key) ?? memberSessions.get(key)!));
  const seeded = sql`(select id, branch_id from ${practitionersTable} where created_by = 'seed' and organization_id = any(${firmArray}::int[]))`;
  // 2026: the practitioners of firms still members.
  const current = sql`(select p.id, p.branch_id from ${practitionersTable} p where p.created_by = 'seed' and p.organization_id = any(${firmArray}::int[])
    and exists (select 1 from ${membershipsTable} m where m.organization_id = p.organization_id and m.association_id = ${ASSOCIATION_IDS.SZSA} and m.status = 'ACTIVE'))`;

  // The first session: 23,357 view events (人次) spread over every practitioner, attendance for most (completed).
  await db.execute(sql`
    with p as materialized (select id, row_number() over (order by id) - 1 as k from ${seeded} x),
         total as materialized (select count(*) as n from p),
         views as (select g, g % (select n from total) as k from generate_series(0, ${REPORTED_VIEWS - 1}) g)
    insert into training_view_events (event_id, session_id, practitioner_id, watched_seconds, at)
    select 'szsa-20200428-' || views.g, ${s('S1')}, p.id, 300 + (views.g * 37) % 8700, timestamptz '2020-04-28 14:30:00+08' + ((views.g * 13) % 9000) * interval '1 second'
    from views join p on p.k = views.k`);
  await db.execute(sql`
    insert into training_attendance (session_id, practitioner_id, attended_minutes, completed, recorded_by)
    select ${s('S1')}, id, case when id % 10 = 0 then 40 else 150 end, id % 10 <> 0, 'seed' from ${seeded} x`);

  // 2026: everyone enrolled collectively in S2 and S3; attendance so that most meet the 15/10 rule and some do not:
  // id % 5 = 0 miss S3 and S5 (and S4 when id % 10 = 0), id % 7 = 0 miss S3 (6 required): about a third behind.
  await db.execute(sql`
    insert into training_enrolments (session_id, practitioner_id, channel, enrolled_by)
    select sess, x.id, 'COLLECTIVE', 'seed' from ${current} x cross join (values (${s('S2')}), (${s('S3')})) as v(sess)`);
  await db.execute(sql`
    insert into training_attendance (session_id, practitioner_id, attended_minutes, completed, recorded_by)
    select ${s('S2')}, id, 420, true, 'seed' from ${current} x
    union all select ${s('S3')}, id, 240, true, 'seed' from ${current} x where id % 5 <> 0 and id % 7 <> 0
    union all select ${s('S5')}, id, 180, true, 'seed' from ${current} x where id % 5 <> 0
    union all select ${s('M1')}, id, 150, true, 'seed' from ${current} x where branch_id is not null and id % 4 = 0`);
  // S4 is recorded: watching 80 % of its three hours completes it.
  await db.execute(sql`
    insert into training_view_events (event_id, session_id, practitioner_id, watched_seconds, at)
    select 'szsa-20260708-' || x.id || '-' || part, ${s('S4')}, x.id, 4500, timestamptz '2026-07-10 20:00:00+08' + part * interval '1 day'
    from ${current} x cross join generate_series(1, 2) part where x.id % 10 <> 0`);

  // Certificates of S2 (codes derived from the row, as random-looking as a real one), one revoked for 代学.
  await db.execute(sql`
    insert into training_certificates (code, session_id, practitioner_id, issued_on)
    select 'TC-' || substr(h, 1, 4) || '-' || substr(h, 5, 4) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4), ${s('S2')}, x.id, date '2026-03-25'
    from ${current} x cross join lateral (select upper(md5('member-graph training certificate ' || x.id))) as c(h)`);
  await db.execute(sql`
    update training_certificates set revoked_at = timestamptz '2026-04-02 10:00:00+08', revoke_reason = '代学：他人代为参训'
    where id = (select min(id) from training_certificates where session_id = ${s('S2')})`);

  // Needs surveys: the 2020 one (closed, answered by the member firms) and 2026's (open).
  const [past] = await db
    .insert(trainingNeedsSurveysTable)
    .values({ associationId: ASSOCIATION_IDS.SZSA, title: '2020年会员单位培训需求调查', closesOn: '2020-03-31', topics: ['NEW_RULES', 'BRANCH_MANAGEMENT', 'CONDUCT_AND_CASES', 'INVESTOR_SUITABILITY', 'CLIENT_TRADING_BEHAVIOUR', 'ANTI_MONEY_LAUNDERING', 'WEALTH_MANAGEMENT', 'OTHER'], createdBy: 'seed', createdAt: new Date('2020-03-02T09:00:00+08:00') })
    .returning({ id: trainingNeedsSurveysTable.id });
  await db
    .insert(trainingNeedsSurveysTable)
    .values({ associationId: ASSOCIATION_IDS.SZSA, title: '2026年度会员培训需求调查', closesOn: '2026-12-31', topics: ['NEW_RULES', 'CONDUCT_AND_CASES', 'ANTI_MONEY_LAUNDERING', 'WEALTH_MANAGEMENT', 'OTHER'], createdBy: 'seed', createdAt: new Date('2026-11-02T09:00:00+08:00') });
  const topicSets: TrainingTopic[][] = [
    ['NEW_RULES', 'BRANCH_MANAGEMENT', 'CONDUCT_AND_CASES'],
    ['NEW_RULES', 'INVESTOR_SUITABILITY', 'WEALTH_MANAGEMENT'],
    ['NEW_RULES', 'CLIENT_TRADING_BEHAVIOUR', 'ANTI_MONEY_LAUNDERING'],
    ['BRANCH_MANAGEMENT', 'CONDUCT_AND_CASES', 'WEALTH_MANAGEMENT'],
  ];
  await db.insert(trainingSurveyAnswersTable).values(
    firms.map((f, i) => ({ surveyId: past!.id, organizationId: f.id, topics: topicSets[i % topicSets.length]!, answeredBy: 'seed', answeredAt: new Date('2020-03-20T10:00:00+08:00') })),
  );

  const [counts] = rowsOf<{ practitioners: number; views: number }>(
    await db.execute(sql`select (select count(*) from ${practitionersTable})::int as practitioners, (select count(*) from training_view_events)::int as views`),
  );
  return { practitioners: Number(counts!.practitioners), trainingViews: Number(counts!.views) };
}
