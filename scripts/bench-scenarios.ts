// The benchmark's scenarios (PERFORMANCE.md): each a GraphQL query and the floor that answers the same with minimal SQL.
import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.js';
import { encodeGlobalId } from '../src/graphql/global-id.js';

export interface Scenario {
  id: string;
  name: string;
  query: string;
  variables: Record<string, unknown>;
  /** Variables that must differ per request (idempotency keys); overrides `variables`. */
  variablesFor?: (n: number) => Record<string, unknown>;
  token?: 'regulator' | 'association' | 'firm';
  firmCreditCode?: string;
  maxStatements: number;
  maxRatio: number;
  /** Compare against the same query sent anonymously instead of the floor (scenario 6: the cost of a token). */
  versusAnonymous?: boolean;
  /** The hand-written floor: one statement and JSON of the same answer. */
  baseline(db: Db, n: number): Promise<unknown>;
}

const rows = async <T>(db: Db, query: ReturnType<typeof sql>) => ((await db.execute(query)) as unknown as { rows: T[] }).rows;

export async function benchScenarios(db: Db): Promise<Scenario[]> {
  const [first] = await rows<{ id: number }>(db, sql`select id from organizations order by id limit 1`);
  const orgId = first!.id;
  const byId = (token?: 'regulator'): Scenario => ({
    id: token ? '6a' : '1',
    name: `one organization by id${token ? ' (regulator token)' : ''}`,
    query: 'query($id: ID!) { node(id: $id) { ... on Organization { id name creditCode stockCode district } } }',
    variables: { id: encodeGlobalId('Organization', orgId) },
    token,
    versusAnonymous: Boolean(token),
    maxStatements: token ? 2 : 1,
    maxRatio: token ? 1.2 : 1.5,
    baseline: async (d) => {
      const [o] = await rows<any>(d, sql`select id, name, credit_code, stock_code, stock_exchange, district from organizations where id = ${orgId}`);
      return { data: { node: { id: encodeGlobalId('Organization', o.id), name: o.name, creditCode: o.credit_code, stockCode: o.stock_code ? `${o.stock_code}.${o.stock_exchange}` : null, district: o.district } } };
    },
  });
  const directory = (token?: 'regulator'): Scenario => ({
    id: token ? '6b' : '3a',
    name: `100 organizations → branches${token ? ' (regulator token)' : ''}`,
    query: '{ organizations(first: 100) { edges { node { id name branches(first: 10) { edges { node { id name district } } } } } } }',
    variables: {},
    token,
    versusAnonymous: Boolean(token),
    maxStatements: token ? 3 : 2,
    maxRatio: token ? 1.2 : 2.5,
    baseline: async (d) => {
      const list = await rows<any>(
        d,
        sql`select o.id, o.name, coalesce((select json_agg(json_build_object('id', b.id, 'name', b.name, 'district', b.district) order by b.id)
              from (select * from branches where firm_id = o.id order by id limit 10) b), '[]') as branches
            from organizations o order by o.id limit 100`,
      );
      return {
        data: {
          organizations: {
            edges: list.map((o) => ({
              node: { id: encodeGlobalId('Organization', o.id), name: o.name, branches: { edges: o.branches.map((b: any) => ({ node: { ...b, id: encodeGlobalId('Branch', b.id) } })) } },
            })),
          },
        },
      };
    },
  });
  const withRatings: Scenario = {
    id: '3',
    name: '100 organizations → branches → ratings (regulator)',
    query: '{ organizations(first: 100) { edges { node { id name branches(first: 10) { edges { node { id name ratings { year totalScore grade } } } } } } } }',
    variables: {},
    token: 'regulator',
    maxStatements: 4,
    maxRatio: 2.5,
    baseline: async (d) => {
      const list = await rows<any>(
        d,
        sql`select o.id, o.name, coalesce((select json_agg(json_build_object('id', b.id, 'name', b.name, 'ratings',
                coalesce((select json_agg(json_build_object('year', c.year, 'totalScore', r.total_score, 'grade', r.grade) order by c.year desc)
                          from branch_ratings r join rating_cycles c on c.id = r.cycle_id where r.branch_id = b.id), '[]')) order by b.id)
              from (select * from branches where firm_id = o.id order by id limit 10) b), '[]') as branches
            from organizations o order by o.id limit 100`,
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
  };
  await prepareLargeRatingYear(db);
  const distribution: Scenario = {
    id: '5',
    name: `reports.ratingDistribution over ${LARGE_YEAR_RATINGS.toLocaleString('en')} ratings`,
    query: 'query($year: Int!) { reports { ratingDistribution(year: $year) { grade count } } }',
    variables: { year: LARGE_YEAR },
    token: 'association',
    maxStatements: 1,
    maxRatio: 1.3,
    baseline: async (d) => {
      const groups = await rows<any>(
        d,
        sql`select r.grade, count(*)::int as count from branch_ratings r join rating_cycles c on c.id = r.cycle_id where c.year = ${LARGE_YEAR} group by r.grade order by r.grade`,
      );
      return { data: { reports: { ratingDistribution: groups } } };
    },
  };
  const [firm] = await rows<{ id: number; credit_code: string }>(db, sql`select id, credit_code from organizations where kind = 'SECURITIES_FIRM' order by id limit 1`);
  const submit: Scenario = {
    id: '4',
    name: 'submitSuggestion (firm)',
    query: 'mutation($input: SubmitSuggestionInput!) { submitSuggestion(input: $input) { suggestion { id status submittedAt } userErrors { code } } }',
    variables: {},
    variablesFor: (n) => ({ input: { topic: 'FINTECH', title: `基准测试建议 ${n}`, body: '建议在前海试点跨境数据流动的监管沙盒。', idempotencyKey: `bench-${process.pid}-${n}` } }),
    token: 'firm',
    firmCreditCode: firm!.credit_code,
    maxStatements: 4,
    maxRatio: 1.5,
    baseline: async (d, n) => {
      const [row] = await rows<any>(
        d,
        sql`insert into suggestions (organization_id, topic, title, body, idempotency_key, input_fingerprint)
            values (${firm!.id}, 'FINTECH', ${`基准测试建议 ${n}`}, '建议在前海试点跨境数据流动的监管沙盒。', ${`floor-${process.pid}-${n}`}, 'x')
            returning id, status, submitted_at`,
      );
      return { data: { submitSuggestion: { suggestion: { id: encodeGlobalId('Suggestion', row.id), status: row.status, submittedAt: row.submitted_at }, userErrors: [] } } };
    },
  };
  return [
    byId(),
    {
      id: '2',
      name: 'organizations(first: 50) with totalCount',
      query: '{ organizations(first: 50) { totalCount edges { node { id name kind district } } } }',
      variables: {},
      maxStatements: 2,
      maxRatio: 2,
      baseline: async (d) => {
        const list = await rows<any>(d, sql`select id, name, kind, district, count(*) over () as total from organizations order by id limit 50`);
        return { data: { organizations: { totalCount: Number(list[0]?.total ?? 0), edges: list.map((o) => ({ node: { id: encodeGlobalId('Organization', o.id), name: o.name, kind: o.kind, district: o.district } })) } } };
      },
    },
    directory(),
    withRatings,
    submit,
    distribution,
    byId('regulator'),
    directory('regulator'),
  ];
}

const LARGE_YEAR = 2099;
const LARGE_YEAR_RATINGS = 10_000;

/** Scenario 5 needs one cycle with 10,000 ratings: synthetic branches and a published cycle, made once per bench database. */
async function prepareLargeRatingYear(db: Db) {
  const [existing] = await rows<{ n: number }>(db, sql`select count(*)::int as n from rating_cycles where year = ${LARGE_YEAR}`);
  if (existing!.n > 0) return;
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into branches (firm_id, kind, name, district)
      select f.id, 'SALES_DEPARTMENT', f.name || '深圳基准测试' || n || '号证券营业部',
             (array['FUTIAN','LUOHU','NANSHAN','BAOAN','LONGGANG']::district[])[1 + n % 5]
      from (select id, name from organizations where kind = 'SECURITIES_FIRM' order by id limit 1) f, generate_series(1, ${LARGE_YEAR_RATINGS}) n`);
    await tx.execute(sql`
      insert into rating_cycles (year, guideline_id, status, self_assessment_due_on, association_scoring_due_on, bureau_review_due_on, publication_due_on, published_at)
      select ${LARGE_YEAR}, guideline_id, 'PUBLISHED', '2099-03-01', '2099-04-01', '2099-05-01', '2099-06-01', now() from rating_cycles order by year desc limit 1`);
    await tx.execute(sql`
      insert into branch_ratings (cycle_id, branch_id, total_score, computed_grade, grade)
      select c.id, b.id, s.score, s.grade::branch_grade, s.grade::branch_grade
      from (select id from rating_cycles where year = ${LARGE_YEAR}) c,
           (select id, row_number() over (order by id) rn from branches where name like '%深圳基准测试%') b,
           lateral (select 60 + (b.rn * 37 % 40) as score) raw,
           lateral (select raw.score, case when raw.score >= 90 then 'A' when raw.score >= 80 then 'B' when raw.score >= 70 then 'C' else 'D' end as grade) s`);
  });
}
