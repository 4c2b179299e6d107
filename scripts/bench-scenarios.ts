// The benchmark's scenarios (PERFORMANCE.md): each a GraphQL query and the floor that answers the same with minimal SQL.
import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.js';
import { encodeGlobalId } from '../src/graphql/global-id.js';

export interface Scenario {
  id: string;
  name: string;
  query: string;
  variables: Record<string, unknown>;
  token?: 'regulator';
  maxStatements: number;
  maxRatio: number;
  /** Compare against the same query sent anonymously instead of the floor (scenario 6: the cost of a token). */
  versusAnonymous?: boolean;
  /** The hand-written floor: one statement and JSON of the same answer. */
  baseline(db: Db): Promise<unknown>;
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
  const nested = (token?: 'regulator'): Scenario => ({
    id: token ? '6b' : '3',
    name: `100 organizations → branches${token ? ' (regulator token)' : ''}`,
    query: '{ organizations(first: 100) { edges { node { id name branches(first: 10) { edges { node { id name district } } } } } } }',
    variables: {},
    token,
    versusAnonymous: Boolean(token),
    maxStatements: token ? 5 : 4,
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
    nested(),
    byId('regulator'),
    nested('regulator'),
  ];
}
