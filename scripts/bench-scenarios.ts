// The benchmark's six performance scenarios (issue 8): each a GraphQL request, its gates, and what it is compared
// with — the hand-written floor (one statement, JSON of the same answer) or, for scenario 6, the same query anonymous.
import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.js';
import { encodeGlobalId } from '../src/global-id.js';
import { BENCH_SCALE_FACTOR, scaleDemoData } from '../src/seed/scale.js';

export type Variables = Record<string, unknown>;

/** The floor: what a hand-written node:http handler on the same driver answers, with one statement. */
export interface Floor {
  kind: 'floor';
  /** The floor answers exactly what the API answers, so the two are compared once per run. */
  sameAnswer: boolean;
  answer(db: Db, variables: Variables): Promise<unknown>;
}

export interface Scenario {
  /** The scenario's number in the performance table (1–6). */
  id: 1 | 2 | 3 | 4 | 5 | 6;
  /** Unique within a driver's run: names the floor's route and tells apart the parts of one id ("6a", "3@scale"). */
  key: string;
  name: string;
  query: string;
  variables: Variables;
  /** Variables that must differ per request (idempotency keys); replaces `variables`. */
  variablesFor?: (n: number) => Variables;
  /** Page sizes (`$first`) at which statements are counted, and whether the count must be the same at all of them. */
  sizes?: { first: number[]; sameCount: boolean };
  token?: 'regulator' | 'association' | 'firm';
  firmCreditCode?: string;
  /** At most `max` statements, or at most `overAnonymous` more than the same request without a token. */
  statementGate: { max: number } | { overAnonymous: number };
  maxRatio: number;
  /** Issue 25: on PostgreSQL, against the honest floor, scenarios 1 and 3 must come within 1.5×. */
  maxRatioOnPostgres?: number;
  /** Connection counts measured on PostgreSQL besides the default (--concurrency, 4), each its own entry (issue 25). */
  moreConnections?: number[];
  baseline: Floor | { kind: 'anonymous' };
}

const PAGE_SIZES = [10, 50, 100];

const rows = async <T>(db: Db, query: ReturnType<typeof sql>) => ((await db.execute(query)) as unknown as { rows: T[] }).rows;
const first = (variables: Variables) => Number(variables.first);

function organizationById(orgId: number): Scenario {
  return {
    id: 1,
    key: '1',
    name: 'one organization by id',
    query: 'query($id: ID!) { node(id: $id) { ... on Organization { id name creditCode stockCode district } } }',
    variables: { id: encodeGlobalId('Organization', orgId) },
    statementGate: { max: 1 },
    maxRatio: 1.5,
    moreConnections: [8],
    baseline: {
      kind: 'floor',
      sameAnswer: true,
      answer: async (db) => {
        const [o] = await rows<any>(db, sql`select id, name, credit_code, stock_code, stock_exchange, district from organizations where id = ${orgId}`);
        return { data: { node: { id: encodeGlobalId('Organization', o.id), name: o.name, creditCode: o.credit_code, stockCode: o.stock_code ? `${o.stock_code}.${o.stock_exchange}` : null, district: o.district } } };
      },
    },
  };
}

const directoryPage: Scenario = {
  id: 2,
  key: '2',
  name: 'organizations(first: 50) with totalCount',
  query: 'query($first: Int!) { organizations(first: $first) { totalCount edges { node { id name kind district } } } }',
  variables: { first: 50 },
  sizes: { first: PAGE_SIZES, sameCount: false },
  statementGate: { max: 2 },
  maxRatio: 2,
  baseline: {
    kind: 'floor',
    sameAnswer: true,
    answer: async (db, variables) => {
      const list = await rows<any>(db, sql`select id, name, kind, district, count(*) over () as total from organizations order by id limit ${first(variables)}`);
      return { data: { organizations: { totalCount: Number(list[0]?.total ?? 0), edges: list.map((o) => ({ node: { id: encodeGlobalId('Organization', o.id), name: o.name, kind: o.kind, district: o.district } })) } } };
    },
  },
};

const branchesWithRatings: Scenario = {
  id: 3,
  key: '3',
  name: '100 organizations → branches → ratings (regulator)',
  query: 'query($first: Int!) { organizations(first: $first) { edges { node { id name branches(first: 10) { edges { node { id name ratings { year totalScore grade } } } } } } } }',
  variables: { first: 100 },
  sizes: { first: PAGE_SIZES, sameCount: true },
  token: 'regulator',
  statementGate: { max: 4 },
  maxRatio: 2.5,
  maxRatioOnPostgres: 1.5,
  moreConnections: [8],
  baseline: {
    kind: 'floor',
    sameAnswer: true,
    answer: async (db, variables) => {
      const list = await rows<any>(
        db,
        sql`select o.id, o.name, coalesce((select json_agg(json_build_object('id', b.id, 'name', b.name, 'ratings',
                coalesce((select json_agg(json_build_object('year', c.year, 'totalScore', r.total_score, 'grade', r.grade) order by c.year desc)
                          from branch_ratings r join rating_cycles c on c.id = r.cycle_id where r.branch_id = b.id), '[]')) order by b.id)
              from (select * from branches where (firm_id, id) > (o.id, 0) and firm_id <= o.id order by firm_id, id limit 10) b), '[]') as branches
            from organizations o order by o.id limit ${first(variables)}`,
      );
      return {
        data: {
          organizations: {
            edges: list.map((o) => ({
              node: {
                id: encodeGlobalId('Organization', o.id),
                name: o.name,
                branches: { edges: o.branches.map((b: any) => ({ node: { id: encodeGlobalId('Branch', b.id), name: b.name, ratings: b.ratings.map((r: any) => ({ ...r, totalScore: Number(r.totalScore) })) } })) },
              },
            })),
          },
        },
      };
    },
  },
};

function submitSuggestion(firm: { id: number; credit_code: string }): Scenario {
  const input = (n: number) => ({ topic: 'FINTECH', title: `基准测试建议 ${n}`, body: '建议在前海试点跨境数据流动的监管沙盒。', idempotencyKey: `bench-${process.pid}-${n}` });
  return {
    id: 4,
    key: '4',
    name: 'submitSuggestion (firm)',
    query: 'mutation($input: SubmitSuggestionInput!) { submitSuggestion(input: $input) { suggestion { id status submittedAt } userErrors { code } } }',
    variables: { input: input(0) },
    variablesFor: (n) => ({ input: input(n) }),
    token: 'firm',
    firmCreditCode: firm.credit_code,
    statementGate: { max: 4 },
    maxRatio: 1.5,
    baseline: {
      kind: 'floor',
      // Its own rows (keys of its own: the API would replay the floor's suggestion). The floor writes what the contract
      // requires of a submission, in one statement: the suggestion, its first event, the audit entry (hash-chained by
      // the same trigger) and the outbox event partners' webhooks come from, to the firm's association (SZSA, id 1) as an
      // active member of it. It skips the token and input checks.
      sameAnswer: false,
      answer: async (db, variables) => {
        const { title, body, idempotencyKey } = variables.input as { title: string; body: string; idempotencyKey: string };
        const [row] = await rows<any>(
          db,
          sql`with inserted as (
                insert into suggestions (organization_id, association_id, topic, title, body, idempotency_key, input_fingerprint)
                select ${firm.id}, 1, 'FINTECH', ${title}, ${body}, ${`floor-${idempotencyKey}`}, 'x'
                where exists (select 1 from memberships where organization_id = ${firm.id} and association_id = 1 and status = 'ACTIVE')
                returning *),
              event as (
                insert into suggestion_events (suggestion_id, at, from_status, to_status, actor_role)
                select id, submitted_at, null, 'SUBMITTED', 'FIRM' from inserted),
              audit as (
                insert into audit_log (actor_sub, actor_role, actor_org_id, action, entity_type, entity_id, after)
                select 'bench-floor', 'FIRM', ${firm.id}, 'suggestion.submit', 'Suggestion', id, to_jsonb(inserted) from inserted),
              outbox as (
                insert into outbox_events (type, entity_type, entity_id, payload)
                select 'suggestion.submitted', 'Suggestion', id, jsonb_build_object('topic', topic, 'title', title, 'submittedAt', submitted_at) from inserted)
              select id, status, submitted_at from inserted`,
        );
        return { data: { submitSuggestion: { suggestion: { id: encodeGlobalId('Suggestion', row.id), status: row.status, submittedAt: row.submitted_at }, userErrors: [] } } };
      },
    },
  };
}

function ratingDistribution(year: number, ratings: number, key: string, suffix = ''): Scenario {
  return {
    id: 5,
    key,
    name: `reports.ratingDistribution over ${ratings.toLocaleString('en')} ratings${suffix}`,
    query: 'query($year: Int!) { reports { ratingDistribution(year: $year) { grade count } } }',
    variables: { year },
    token: 'association',
    statementGate: { max: 1 },
    maxRatio: 1.3,
    baseline: {
      kind: 'floor',
      // The API answers all four grades, zeros included; every grade occurs in the measured years, so the floor's
      // GROUP BY rows are the same four.
      sameAnswer: true,
      answer: async (db, variables) => {
        const groups = await rows<any>(
          db,
          sql`select r.grade, count(*)::int as count from branch_ratings r join rating_cycles c on c.id = r.cycle_id where c.year = ${Number(variables.year)} group by r.grade order by r.grade`,
        );
        return { data: { reports: { ratingDistribution: groups } } };
      },
    },
  };
}

/** Scenario 6: scenarios 1 and 3 as far as an anonymous caller sees them, with a regulator's token against without. */
function withToken(request: Pick<Scenario, 'query' | 'variables'>, key: string, name: string): Scenario {
  // The query and variables only: scenario 1's object would bring its floor's settings along.
  return { query: request.query, variables: request.variables, id: 6, key, name, token: 'regulator', statementGate: { overAnonymous: 1 }, maxRatio: 1.2, baseline: { kind: 'anonymous' } };
}

/** Scenario 3 without the ratings, which an anonymous caller may not see. */
const branchesOnly = {
  query: 'query($first: Int!) { organizations(first: $first) { edges { node { id name branches(first: 10) { edges { node { id name district } } } } } } }',
  variables: { first: 100 },
};

/** The six scenarios on the seeded database; adds scenario 5's synthetic year of 10,000 ratings first. */
export async function benchScenarios(db: Db): Promise<Scenario[]> {
  const [org] = await rows<{ id: number }>(db, sql`select id from organizations order by id limit 1`);
  const [firm] = await rows<{ id: number; credit_code: string }>(db, sql`select id, credit_code from organizations where kind = 'SECURITIES_FIRM' order by id limit 1`);
  await addLargeRatingYear(db);
  const byId = organizationById(org!.id);
  return [
    byId,
    directoryPage,
    branchesWithRatings,
    submitSuggestion(firm!),
    ratingDistribution(LARGE_YEAR, LARGE_YEAR_RATINGS, '5'),
    withToken(byId, '6a', 'one organization by id (regulator token vs anonymous)'),
    withToken(branchesOnly, '6b', '100 organizations → branches (regulator token vs anonymous)'),
  ];
}

export interface Scale {
  /** e.g. "14k-branches-100k-ratings": the sizes reached, in the entries' `scale` field. */
  label: string;
  counts: Record<string, number>;
}

/**
 * Multiplies the demo data by BENCH_SCALE_FACTOR. The synthetic year goes first: scaleDemoData copies every branch
 * and rates every branch in every cycle, so its 10,000 branches would be copied with the rest, factor − 1 times.
 */
export async function scaleBenchDatabase(db: Db): Promise<Scale> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`delete from branch_ratings where cycle_id in (select id from rating_cycles where year = ${LARGE_YEAR})`);
    await tx.execute(sql`delete from rating_cycles where year = ${LARGE_YEAR}`);
    await tx.execute(sql`delete from branches where name like ${`%${LARGE_YEAR_BRANCH_MARK}%`}`);
  });
  const counts = await scaleDemoData(db, BENCH_SCALE_FACTOR);
  const [size] = await rows<{ branches: number; ratings: number }>(db, sql`select (select count(*)::int from branches) as branches, (select count(*)::int from branch_ratings) as ratings`);
  return { label: `${Math.round(size!.branches / 1000)}k-branches-${Math.round(size!.ratings / 1000)}k-ratings`, counts: { ...counts, totalBranches: size!.branches, totalRatings: size!.ratings } };
}

/** Scenarios 2, 3 and 5 on the scaled database; 5 over its largest year. */
export async function scaledBenchScenarios(db: Db, scale: Scale): Promise<Scenario[]> {
  const [largest] = await rows<{ year: number; n: number }>(
    db,
    sql`select c.year, count(*)::int as n from branch_ratings r join rating_cycles c on c.id = r.cycle_id group by c.year order by n desc, c.year desc limit 1`,
  );
  const suffix = ` @ ${scale.label}`;
  return [
    { ...directoryPage, key: '2@scale', name: directoryPage.name + suffix },
    { ...branchesWithRatings, key: '3@scale', name: branchesWithRatings.name + suffix },
    ratingDistribution(largest!.year, largest!.n, '5@scale', ` (year ${largest!.year})${suffix}`),
  ];
}

const LARGE_YEAR = 2099;
const LARGE_YEAR_RATINGS = 10_000;
const LARGE_YEAR_BRANCH_MARK = '深圳基准测试';

/** Scenario 5 needs one cycle with 10,000 ratings: synthetic branches and a published cycle, made once per bench database. */
async function addLargeRatingYear(db: Db) {
  const [existing] = await rows<{ n: number }>(db, sql`select count(*)::int as n from rating_cycles where year = ${LARGE_YEAR}`);
  if (existing!.n > 0) return;
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into branches (firm_id, kind, name, district)
      select f.id, 'SALES_DEPARTMENT', f.name || ${LARGE_YEAR_BRANCH_MARK} || n || '号证券营业部',
             (array['FUTIAN','LUOHU','NANSHAN','BAOAN','LONGGANG']::district[])[1 + n % 5]
      from (select id, name from organizations where kind = 'SECURITIES_FIRM' order by id limit 1) f, generate_series(1, ${LARGE_YEAR_RATINGS}) n`);
    await tx.execute(sql`
      insert into rating_cycles (year, guideline_id, status, self_assessment_due_on, association_scoring_due_on, bureau_review_due_on, publication_due_on, published_at)
      select ${LARGE_YEAR}, guideline_id, 'PUBLISHED', '2099-03-01', '2099-04-01', '2099-05-01', '2099-06-01', now() from rating_cycles order by year desc limit 1`);
    await tx.execute(sql`
      insert into branch_ratings (cycle_id, branch_id, total_score, computed_grade, grade)
      select c.id, b.id, s.score, s.grade::branch_grade, s.grade::branch_grade
      from (select id from rating_cycles where year = ${LARGE_YEAR}) c,
           (select id, row_number() over (order by id) rn from branches where name like ${`%${LARGE_YEAR_BRANCH_MARK}%`}) b,
           lateral (select 60 + (b.rn * 37 % 40) as score) raw,
           lateral (select raw.score, case when raw.score >= 90 then 'A' when raw.score >= 80 then 'B' when raw.score >= 70 then 'C' else 'D' end as grade) s`);
  });
  // What autovacuum (or the embedded database's periodic analyze) does after a bulk load, before the measurement
  // rather than during it: without it the planner sees the 160 ratings it last counted and scans all 10,160.
  await db.execute(sql`analyze branches, branch_ratings, rating_cycles`);
}
