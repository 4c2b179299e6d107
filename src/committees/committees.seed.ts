// Demo committees of both associations, their terms (届) and seats held by person records. Runs after the directory
// (src/seed/demo-data.ts) and reads the organizations and memberships it wrote, so it depends on no list of that file.
//
// 深证协 (SZSA): four committees, each with a 第一届 (2020-06-01 – 2024-05-31, 已届满) whose final roster stays readable
// — seats closed TERM_EXPIRED on the term's last day, and one or two people who left early (with their end date and
// reason) and their successors from the same member — and a running 第二届 from 2024-06-01, where some people carry on
// with the same person record and others are new. Two different people share a name (王磊), as namesakes do.
// 深圳上市公司协会 (SZLCA): two committees with one running term. Every person is fictitious; deterministic (seeded PRNG).
import { and, eq, inArray } from 'drizzle-orm';
import { ASSOCIATION_IDS } from '../associations/associations.table.js';
import type { DbOrTx } from '../db/client.js';
import { membershipsTable, organizationsTable } from '../members/members.table.js';
import { Rng } from '../seed/prng.js';
import { committeePeopleTable, committeeSeatsTable, committeesTable, committeeTermsTable } from './committees.table.js';

type SeatRole = (typeof committeeSeatsTable.$inferInsert)['role'];
type EndReason = NonNullable<(typeof committeeSeatsTable.$inferInsert)['endReason']>;
type CommitteeCode = (typeof committeesTable.$inferInsert)['code'];
type OrgKind = (typeof organizationsTable.$inferSelect)['kind'];

export const TERM_1 = { number: 1, startsOn: '2020-06-01', endsOn: '2024-05-31' as string | null };
export const TERM_2 = { number: 2, startsOn: '2024-06-01', endsOn: null as string | null };
export const SZLCA_TERM = { number: 1, startsOn: '2023-06-01', endsOn: null as string | null };

interface CommitteeSpec {
  code: CommitteeCode;
  name: string;
  nameEn: string;
  /** Preferred chair organization in term 1 and term 2 (the first eligible securities firm when absent). */
  chairs: [string, string];
  /** Kinds besides securities firms that may hold seats, and how many such seats a term gets. */
  otherKinds: OrgKind[];
  otherSeats: [number, number];
}

export const COMMITTEES: CommitteeSpec[] = [
  { code: 'COMPLIANCE', name: '合规专业委员会', nameEn: 'Compliance Committee', chairs: ['莲花山证券股份有限公司', '鹏城证券股份有限公司'], otherKinds: ['FUTURES_FIRM'], otherSeats: [0, 1] },
  { code: 'INVESTMENT_BANKING', name: '投资银行专业委员会', nameEn: 'Investment Banking Committee', chairs: ['鹏城证券股份有限公司', '深南证券股份有限公司'], otherKinds: [], otherSeats: [0, 0] },
  { code: 'BROKERAGE_WEALTH', name: '经纪与财富管理专业委员会', nameEn: 'Brokerage & Wealth Management Committee', chairs: ['深南证券股份有限公司', '莲花山证券股份有限公司'], otherKinds: ['FUTURES_FIRM', 'FUND_MANAGER', 'INVESTMENT_ADVISORY'], otherSeats: [2, 3] },
  { code: 'FINTECH', name: '金融科技专业委员会', nameEn: 'Fintech Committee', chairs: ['梧桐山证券股份有限公司', '前海汇通证券有限责任公司'], otherKinds: ['FUND_MANAGER', 'FUTURES_FIRM'], otherSeats: [1, 3] },
];

interface SzlcaCommitteeSpec {
  code: CommitteeCode;
  name: string;
  nameEn: string;
  chair: string;
  viceChairs: number;
  members: number;
}

/** The listed companies association's committees (a demo convention; 中国上市公司协会 runs committees of these kinds). */
export const SZLCA_COMMITTEES: SzlcaCommitteeSpec[] = [
  { code: 'BOARD_SECRETARIES', name: '董事会秘书专业委员会', nameEn: 'Board Secretaries Committee', chair: '深圳市光羽智造科技股份有限公司', viceChairs: 2, members: 4 },
  { code: 'INVESTOR_RELATIONS', name: '投资者关系专业委员会', nameEn: 'Investor Relations Committee', chair: '深圳市盐港湾物流控股股份有限公司', viceChairs: 2, members: 3 },
];

/** Advisers come from the research institute (an OTHER member) when it is a member. */
const ADVISOR_KIND: OrgKind = 'OTHER';

/** The name two different people share in the demo: one sat on a 第一届 roster, the other sits on a 第二届 one. */
export const NAMESAKE = '王磊';

const SURNAMES = '陈林黄张李王吴刘蔡杨郑许谢郭洪曾邱廖赖周徐苏叶庄吕江何罗高潘简朱钟彭游詹胡施沈余卢梁赵颜柯翁魏孙戴';
const GIVEN = [
  '振华', '晓燕', '国强', '丽娟', '志明', '雪芳', '建新', '惠玲', '文杰', '秋萍', '荣辉', '淑贞', '永昌', '美华', '家明',
  '玉珍', '宏亮', '小玲', '海涛', '碧霞', '锦程', '若琳', '伟东', '佩仪', '卓然', '慧琳', '冠宇', '诗雨', '立群', '晓峰',
  '凯', '娜', '勇', '芳', '健', '琳', '峰', '蕾', '毅', '倩',
];


function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`seed: ${message}`);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

interface Person {
  associationId: number;
  name: string;
}
interface Seat {
  person: Person;
  termKey: string;
  organizationId: number;
  role: SeatRole;
  appointedOn: string;
  endedOn: string | null;
  endReason: EndReason | null;
}

/** Loads both associations' committees, terms, people and seats in six statements. */
export async function seedCommittees(db: DbOrTx): Promise<{ committees: number; committeePeople: number; committeeSeats: number }> {
  const rng = new Rng(0x5a0755 + 5);
  const orgs = await db
    .select({ id: organizationsTable.id, name: organizationsTable.name, kind: organizationsTable.kind, associationId: membershipsTable.associationId, since: membershipsTable.since })
    .from(organizationsTable)
    .innerJoin(membershipsTable, eq(membershipsTable.organizationId, organizationsTable.id))
    .where(and(eq(membershipsTable.status, 'ACTIVE'), inArray(membershipsTable.associationId, [ASSOCIATION_IDS.SZSA, ASSOCIATION_IDS.SZLCA])))
    .orderBy(organizationsTable.id);
  /** Organizations that were ACTIVE members of an association when a term started. */
  const eligible = (associationId: number, on: string, kinds?: OrgKind[]) =>
    orgs.filter((o) => o.associationId === associationId && o.since !== null && o.since <= on && (!kinds || kinds.includes(o.kind)));

  const usedNames = new Set<string>([NAMESAKE]);
  const newPerson = (associationId: number, name?: string): Person => {
    if (name) return { associationId, name };
    for (;;) {
      const candidate = rng.pick<string>(SURNAMES) + rng.pick(GIVEN);
      if (!usedNames.has(candidate)) {
        usedNames.add(candidate);
        return { associationId, name: candidate };
      }
    }
  };

  const committeeRows = await db
    .insert(committeesTable)
    .values([
      ...COMMITTEES.map((c) => ({ associationId: ASSOCIATION_IDS.SZSA, code: c.code, name: c.name, nameEn: c.nameEn })),
      ...SZLCA_COMMITTEES.map((c) => ({ associationId: ASSOCIATION_IDS.SZLCA, code: c.code, name: c.name, nameEn: c.nameEn })),
    ])
    .returning({ id: committeesTable.id, code: committeesTable.code });
  const committeeId = new Map(committeeRows.map((r) => [r.code, r.id]));
  const termRows = await db
    .insert(committeeTermsTable)
    .values([
      ...COMMITTEES.flatMap((c) => [TERM_1, TERM_2].map((t) => ({ committeeId: committeeId.get(c.code)!, ...t }))),
      ...SZLCA_COMMITTEES.map((c) => ({ committeeId: committeeId.get(c.code)!, ...SZLCA_TERM })),
    ])
    .returning({ id: committeeTermsTable.id, committeeId: committeeTermsTable.committeeId, number: committeeTermsTable.number });
  const termKey = (code: CommitteeCode, number: number) => `${code}#${number}`;
  const termIdByKey = new Map(termRows.map((t) => [termKey(committeeRows.find((c) => c.id === t.committeeId)!.code, t.number), t.id]));

  const people: Person[] = [];
  const seats: Seat[] = [];
  const seat = (s: Seat) => {
    if (!people.includes(s.person)) people.push(s.person);
    seats.push(s);
  };
  const szsa = ASSOCIATION_IDS.SZSA;
  let namesakeUsed = false;

  for (const committee of COMMITTEES) {
    /** The person each organization sent in the previous term; some carry on (same record) into the next. */
    let previous = new Map<number, Person>();
    for (const [i, term] of [TERM_1, TERM_2].entries()) {
      const pool = eligible(szsa, term.startsOn);
      const securitiesPool = pool.filter((o) => o.kind === 'SECURITIES_FIRM');
      const chair = securitiesPool.find((o) => o.name === committee.chairs[i]) ?? securitiesPool[0];
      check(chair, `no securities firm for the chair of ${committee.code}`);
      const securities = rng.shuffle(securitiesPool.filter((o) => o.id !== chair.id));
      const others = rng.shuffle(pool.filter((o) => committee.otherKinds.includes(o.kind)));
      const viceChairs = rng.int(2, 4);
      const members = rng.int(5, 8);
      const advisorOrg = rng.float() < 0.6 ? pool.find((o) => o.kind === ADVISOR_KIND) : undefined;
      const otherSeats = Math.min(others.length, rng.int(...committee.otherSeats));
      const securitiesSeats = Math.min(securities.length, viceChairs + 1 + members - otherSeats);
      check(securitiesSeats >= viceChairs + 1, `not enough securities firms for ${committee.code} term ${term.number}`);

      const roles: [(typeof pool)[number], SeatRole][] = [[chair, 'CHAIR']];
      const picks = securities.slice(0, securitiesSeats);
      for (const org of picks.slice(0, viceChairs)) roles.push([org, 'VICE_CHAIR']);
      roles.push([picks[viceChairs]!, 'SECRETARY_GENERAL']);
      for (const org of rng.shuffle([...picks.slice(viceChairs + 1), ...others.slice(0, otherSeats)])) roles.push([org, 'MEMBER']);
      if (advisorOrg) roles.push([advisorOrg, 'ADVISOR']);

      const current = new Map<number, Person>();
      // In a past term one or two MEMBER seats end early; the member sends a successor the next day.
      const leavers = term.endsOn ? new Set(rng.shuffle(roles.filter(([, r]) => r === 'MEMBER').map(([o]) => o.id)).slice(0, rng.int(1, 2))) : new Set<number>();
      for (const [org, role] of roles) {
        const carried = previous.get(org.id);
        let person = carried && rng.float() < 0.6 ? carried : undefined;
        if (!person) {
          // The namesake: a different person named like someone on a 第一届 roster, on a 第二届 roster.
          const useNamesake = !namesakeUsed && term === TERM_2 && committee.code === 'FINTECH' && role === 'MEMBER';
          person = newPerson(szsa, useNamesake ? NAMESAKE : undefined);
          if (useNamesake) namesakeUsed = true;
        }
        const key = termKey(committee.code, term.number);
        if (leavers.has(org.id) && term.endsOn) {
          const leftOn = addDays(term.startsOn, rng.int(300, 1100));
          seat({ person, termKey: key, organizationId: org.id, role, appointedOn: term.startsOn, endedOn: leftOn, endReason: rng.pick<EndReason>(['RESIGNED', 'JOB_CHANGE', 'LEFT_INDUSTRY']) });
          person = newPerson(szsa);
          seat({ person, termKey: key, organizationId: org.id, role, appointedOn: addDays(leftOn, 1), endedOn: term.endsOn, endReason: 'TERM_EXPIRED' });
        } else {
          // The 第一届's first COMPLIANCE member is 王磊 (the other one of the namesakes).
          if (term === TERM_1 && committee.code === 'COMPLIANCE' && role === 'MEMBER' && !people.some((p) => p.name === NAMESAKE)) {
            person = newPerson(szsa, NAMESAKE);
          }
          seat({ person, termKey: key, organizationId: org.id, role, appointedOn: term.startsOn, endedOn: term.endsOn, endReason: term.endsOn ? 'TERM_EXPIRED' : null });
        }
        current.set(org.id, person);
      }
      previous = current;
    }
  }
  check(namesakeUsed && people.filter((p) => p.name === NAMESAKE).length === 2, 'the namesakes were not both seeded');

  const szlca = ASSOCIATION_IDS.SZLCA;
  for (const committee of SZLCA_COMMITTEES) {
    const pool = eligible(szlca, SZLCA_TERM.startsOn);
    const chair = pool.find((o) => o.name === committee.chair) ?? pool.find((o) => o.kind === 'LISTED_COMPANY');
    check(chair, `${committee.code}: no SZLCA member for the chair`);
    const others = rng.shuffle(pool.filter((o) => o.id !== chair.id));
    check(others.length >= committee.viceChairs + committee.members, `not enough SZLCA members for ${committee.code}`);
    const roles: [number, SeatRole][] = [
      [chair.id, 'CHAIR'],
      ...others.slice(0, committee.viceChairs).map((o): [number, SeatRole] => [o.id, 'VICE_CHAIR']),
      ...others.slice(committee.viceChairs, committee.viceChairs + committee.members).map((o): [number, SeatRole] => [o.id, 'MEMBER']),
    ];
    for (const [organizationId, role] of roles) {
      seat({ person: newPerson(szlca), termKey: termKey(committee.code, SZLCA_TERM.number), organizationId, role, appointedOn: SZLCA_TERM.startsOn, endedOn: null, endReason: null });
    }
  }

  // One insert for the people; rows come back in the order of the VALUES list.
  const personRows = await db.insert(committeePeopleTable).values(people.map((p) => ({ associationId: p.associationId, name: p.name }))).returning({ id: committeePeopleTable.id });
  check(personRows.length === people.length, 'people were not all inserted');
  const personId = new Map(people.map((p, i) => [p, personRows[i]!.id]));
  await db.insert(committeeSeatsTable).values(
    seats.map((s) => ({
      termId: termIdByKey.get(s.termKey)!,
      organizationId: s.organizationId,
      personId: personId.get(s.person)!,
      personName: s.person.name,
      role: s.role,
      appointedOn: s.appointedOn,
      endedOn: s.endedOn,
      endReason: s.endReason,
    })),
  );
  return { committees: committeeRows.length, committeePeople: people.length, committeeSeats: seats.length };
}
