// Demo data of training (人才培养), at the scale 深证协 reported: the programme 「行稳致远·专业赋能」 whose first session
// (2020-04-28, online) reached 18 securities firms, 544 branches and 23,357 views; sessions of 2026 with attendance,
// enrolments and certificates (some practitioners behind on hours); a MEMBERS programme; an SZLCA programme; two needs
// surveys with answers. Deterministic (no PRNG needed: every choice is a function of row order) and set-based.
//
// The directory seeds 15 securities firms with about 80 Shenzhen branches. The reported reach needs 18 firms and 544
// branches, so this seed first tops the 2020 picture up: securities firms to 18 (firms named below, only when fewer
// active members exist; they have since merged into others and withdrawn from SZSA), and sales departments of those
// 18 firms to 544 branches (each new one added to the firm with
// the fewest, a Shenzhen network of 20–40 each in 2020; these were merged since, closed on 2023-06-30, so the current
// directory, its ratings and the benchmark's scaled copies are unchanged). The session's participants are one or two
// practitioners per branch plus a few at each head office, so exactly 18 firms and 544 branches take part.
import { sql } from 'drizzle-orm';
import { ASSOCIATION_IDS } from '../associations/associations.table.js';
import type { DbOrTx } from '../db/client.js';
import { rowsOf } from '../db/sql/index.js';
import { creditCodeCheckCharacter } from '../members/identifiers.js';
import { branchesTable, membershipEventsTable, membershipsTable, organizationsTable } from '../members/members.table.js';
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
/** When the 2020 sales departments added here were merged into their firms' remaining network. */
export const BRANCHES_MERGED_ON = '2023-06-30';

const EXTRA_FIRMS = [
  { name: '大鹏湾证券股份有限公司', shortName: '大鹏湾证券', district: 'DAPENG', memberSince: '2011-05-18' },
  { name: '蛇口港证券有限责任公司', shortName: '蛇口港证券', district: 'NANSHAN', memberSince: '2007-09-26' },
  { name: '东门证券有限责任公司', shortName: '东门证券', district: 'LUOHU', memberSince: '2004-03-15' },
  { name: '坂田证券有限责任公司', shortName: '坂田证券', district: 'LONGGANG', memberSince: '2013-12-02' },
  { name: '石岩证券有限责任公司', shortName: '石岩证券', district: 'BAOAN', memberSince: '2018-06-20' },
] as const;

/** Places of the added sales departments (深圳{place}证券营业部), with their districts. */
const PLACES: [string, string][] = [
  ['景田北路', 'FUTIAN'], ['梅林路', 'FUTIAN'], ['香梅路', 'FUTIAN'], ['新洲路', 'FUTIAN'], ['彩田路', 'FUTIAN'], ['皇岗路', 'FUTIAN'],
  ['红岭中路', 'FUTIAN'], ['农园路', 'FUTIAN'], ['福强路', 'FUTIAN'], ['笋岗路', 'LUOHU'], ['宝安南路', 'LUOHU'], ['人民南路', 'LUOHU'],
  ['春风路', 'LUOHU'], ['东门中路', 'LUOHU'], ['翠竹路', 'LUOHU'], ['科苑路', 'NANSHAN'], ['海德三道', 'NANSHAN'], ['后海大道', 'NANSHAN'],
  ['南海大道', 'NANSHAN'], ['桃园路', 'NANSHAN'], ['沙河西路', 'NANSHAN'], ['白石路', 'NANSHAN'], ['前海大道', 'NANSHAN'], ['宝安大道', 'BAOAN'],
  ['新湖路', 'BAOAN'], ['建安一路', 'BAOAN'], ['航城大道', 'BAOAN'], ['龙岗大道', 'LONGGANG'], ['龙城大道', 'LONGGANG'], ['布吉路', 'LONGGANG'],
  ['坂雪岗大道', 'LONGGANG'], ['民治大道', 'LONGHUA'], ['人民路龙华', 'LONGHUA'], ['梅龙大道', 'LONGHUA'], ['沙盐路', 'YANTIAN'], ['深盐路', 'YANTIAN'],
  ['坪山大道', 'PINGSHAN'], ['光明大道', 'GUANGMING'], ['葵涌中心路', 'DAPENG'], ['观澜大道', 'LONGHUA'], ['横岗大道', 'LONGGANG'], ['西乡大道', 'BAOAN'],
  ['福永大道', 'BAOAN'], ['松岗大道', 'BAOAN'], ['车公庙北', 'FUTIAN'],
];

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

function creditCode(serial: number): string {
  const body = `91440300MT${String(serial).padStart(7, '0')}`;
  return body + creditCodeCheckCharacter(body);
}

async function ids(db: DbOrTx, query: ReturnType<typeof sql>): Promise<{ id: number; name: string; n: number }[]> {
  return rowsOf<{ id: number; name: string; n: number }>(await db.execute(query)).map((r) => ({ id: Number(r.id), name: r.name, n: Number(r.n ?? 0) }));
}

/**
 * The 18 securities firms of the reach: the active SZSA member securities firms, topped up with EXTRA_FIRMS when the
 * directory has fewer. Those took part in 2020 and have since merged into other firms (withdrawn from SZSA on
 * BRANCHES_MERGED_ON): they owe nothing today (statistics, surveys), and their practitioners stay SZSA's trainees.
 */
async function reportedFirms(db: DbOrTx): Promise<{ id: number; name: string }[]> {
  const firms = await ids(
    db,
    sql`select o.id, o.name, 0 as n from ${organizationsTable} o
    where o.kind = 'SECURITIES_FIRM' and exists (select 1 from ${membershipsTable} m where m.organization_id = o.id and m.association_id = ${ASSOCIATION_IDS.SZSA} and m.status = 'ACTIVE')
    order by o.id`,
  );
  const missing = REPORTED_FIRMS - firms.length;
  if (missing <= 0) return firms.slice(0, REPORTED_FIRMS);
  if (missing > EXTRA_FIRMS.length) throw new Error('training seed: not enough extra firms');
  const added = EXTRA_FIRMS.slice(0, missing).map((f, i) => ({
    kind: 'SECURITIES_FIRM' as const,
    name: f.name,
    shortName: f.shortName,
    creditCode: creditCode(9_000_000 + i),
    district: f.district,
    memberSince: f.memberSince,
    membershipStatus: 'WITHDRAWN' as const,
  }));
  const rows = await db.insert(organizationsTable).values(added).returning({ id: organizationsTable.id, name: organizationsTable.name, since: organizationsTable.memberSince });
  await db.insert(membershipsTable).values(rows.map((r) => ({ associationId: ASSOCIATION_IDS.SZSA, organizationId: r.id, status: 'WITHDRAWN' as const, since: r.since })));
  await db.insert(membershipEventsTable).values(
    rows.flatMap((r) => [
      { organizationId: r.id, associationId: ASSOCIATION_IDS.SZSA, kind: 'JOIN' as const, effectiveOn: r.since!, note: '经理事会审议通过入会' },
      { organizationId: r.id, associationId: ASSOCIATION_IDS.SZSA, kind: 'WITHDRAW' as const, effectiveOn: BRANCHES_MERGED_ON, note: '被其他证券公司吸收合并，退出协会' },
    ]),
  );
  return [...firms, ...rows.map((r) => ({ id: r.id, name: r.name, n: 0 }))];
}

/**
 * Adds sales departments to the firms, one at a time to the firm with the fewest branches, until they hold `target`.
 * They are the 2020 network's departments merged since (撤并, closed on BRANCHES_MERGED_ON): the directory's current
 * network, its ratings and the benchmark's scaled copies (which copy open branches) stay as they were.
 */
async function topUpBranches(db: DbOrTx, firms: { id: number; name: string }[], target: number): Promise<number> {
  const firmIds = firms.map((f) => f.id);
  const counts = await ids(
    db,
    sql`select f.id, '' as name, count(b.id)::int as n from unnest(${`{${firmIds.join(',')}}`}::int[]) as f(id)
        left join ${branchesTable} b on b.firm_id = f.id group by f.id order by f.id`,
  );
  const open = new Map(counts.map((c) => [c.id, c.n]));
  let total = [...open.values()].reduce((a, b) => a + b, 0);
  const existingNames = new Set(rowsOf<{ name: string }>(await db.execute(sql`select name from ${branchesTable}`)).map((r) => r.name));
  const added: (typeof branchesTable.$inferInsert)[] = [];
  const nextPlace = new Map<number, number>();
  let serial = 1;
  while (total < target) {
    const firm = firms.reduce((best, f) => (open.get(f.id)! < open.get(best.id)! ? f : best));
    let k = nextPlace.get(firm.id) ?? (firm.id * 7) % PLACES.length;
    let name = '';
    for (let tries = 0; tries < PLACES.length * 2; tries++, k++) {
      const [place] = PLACES[k % PLACES.length]!;
      const candidate = `${firm.name}深圳${place}${k >= PLACES.length ? '第二' : ''}证券营业部`;
      if (!existingNames.has(candidate)) {
        name = candidate;
        break;
      }
    }
    if (!name) throw new Error(`training seed: no branch name left for ${firm.name}`);
    existingNames.add(name);
    nextPlace.set(firm.id, k + 1);
    const district = PLACES[k % PLACES.length]![1] as (typeof branchesTable.$inferInsert)['district'];
    added.push({ firmId: firm.id, kind: 'SALES_DEPARTMENT', name, creditCode: creditCode(serial++), district, openedOn: `${2004 + (serial % 16)}-${String(1 + (serial % 12)).padStart(2, '0')}-15`, closedOn: BRANCHES_MERGED_ON });
    open.set(firm.id, open.get(firm.id)! + 1);
    total += 1;
  }
  if (added.length > 0) await db.insert(branchesTable).values(added);
  return added.length;
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
  const addedBranches = await topUpBranches(db, firms, REPORTED_BRANCHES);
  const firmArray = `{${firms.map((f) => f.id).join(',')}}`;

  // Practitioners: at each of the 18 firms' first 544 branches (in 2020) one (every third branch two), and three at each
  // head office. Names from the surname and given-name lists by row number; registration numbers S + 13 digits.
  const surnames = [...SURNAMES];
  await db.execute(sql`
    with chosen as (
      select b.id as branch_id, b.firm_id, row_number() over (order by b.id) as k
      from ${branchesTable} b where b.firm_id = any(${firmArray}::int[])
      order by b.id limit ${REPORTED_BRANCHES}
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
  // 2026: the practitioners of firms still members (those of the merged firms took part in 2020 only).
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
  // id % 5 = 0 miss S3 and S5 (and S4 when id % 10 = 0), id % 7 = 0 miss S3 (6 required): about a third behind, plus
  // the merged firms' practitioners (no 2026 hours).
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
  return { trainingBranchesAdded: addedBranches, practitioners: Number(counts!.practitioners), trainingViews: Number(counts!.views) };
}
