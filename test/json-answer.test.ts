// One-statement answers (src/graphql/json-answer.ts): a query whose fields all have SQL renderings is answered by one
// statement whose JSON text is, byte for byte, what the resolvers' answer serializes to, for every viewer; the read
// audit is recorded by the same statement; anything the renderings do not cover is left to the resolvers.
import { sql } from 'drizzle-orm';
import { getOperationAST, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../src/auth/viewer.js';
import { countStatements } from '../src/db/instrumentation.js';
import { rowsOf } from '../src/db/sql/index.js';
import { planJsonAnswer } from '../src/graphql/json-answer.js';
import { formatStockCode, formatStockCodeSql } from '../src/members/identifiers.js';
import { schema } from '../src/graphql/schema.js';
import { associationViewer, firmViewer, regulatorViewer, serviceAccountViewer, anonymousViewer } from './support/context.js';
import { createTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
let viewers: [string, Viewer][];
beforeAll(async () => {
  t = await createTestApp();
  const [firm] = rowsOf<{ id: number; credit_code: string; kind: 'SECURITIES_FIRM' }>(
    await t.database.db.execute(sql`select o.id, o.credit_code, o.kind from organizations o
      where exists (select 1 from branches b join branch_ratings r on r.branch_id = b.id where b.firm_id = o.id) order by o.id limit 1`),
  );
  viewers = [
    ['anonymous', anonymousViewer],
    ['regulator', regulatorViewer()],
    ['securities association staff', associationViewer()],
    ['listed companies association staff', { ...associationViewer(), associationId: 2 }],
    ['a firm', firmViewer({ id: firm!.id, creditCode: firm!.credit_code, kind: firm!.kind })],
    ['service account with ratings:read', serviceAccountViewer(['ratings:read'])],
    ['service account without it', serviceAccountViewer(['directory:read'])],
  ];
});
afterAll(async () => {
  await t?.close();
});

const NESTED = `query($first: Int!, $after: String) {
  organizations(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      node {
        __typename id name shortName nameEn kind creditCode stockCode district address memberSince membershipStatus membershipCategory
        branches(first: 10) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges { node { id name kind creditCode district address openedOn closedOn ratings { id year totalScore grade computedGrade underDailySupervision selfScore associationScore bureauScore version } } }
        }
      }
    }
  }
}`;
const SCENARIO_3 = 'query($first: Int!) { organizations(first: $first) { edges { node { id name branches(first: 10) { edges { node { id name ratings { year totalScore grade } } } } } } } }';

function planOf(query: string) {
  const document = parse(query);
  return planJsonAnswer(schema, document, getOperationAST(document)!);
}

/** The statement's answer and the resolvers' (through Apollo, in process), as text. */
async function both(query: string, variables: Record<string, unknown>, viewer: Viewer) {
  const plan = planOf(query);
  expect(plan).not.toBeNull();
  const counted = await countStatements(() => plan!.run({ viewer, db: t.database.db }, variables));
  const resolvers = await t.countedExecute(query, variables, viewer);
  expect(resolvers.body.errors).toBeUndefined();
  return { statement: counted.result, statements: counted.count, resolvers: JSON.stringify(resolvers.body.data), data: resolvers.body.data };
}

describe('one-statement answers', () => {
  it('answer byte for byte what the resolvers answer, for every kind of viewer, in one statement', async () => {
    for (const [name, viewer] of viewers) {
      for (const query of [NESTED, SCENARIO_3]) {
        const answer = await both(query, { first: 100 }, viewer);
        expect(answer.statement, name).toBe(answer.resolvers);
        expect(answer.statements, name).toBe(1);
      }
    }
  });

  it('show ratings only to those who may see them: the firm its own, anonymous and the other association none', async () => {
    const ratingsIn = (data: any) => data.organizations.edges.flatMap((e: any) => e.node.branches.edges.flatMap((b: any) => b.node.ratings));
    const counts = new Map<string, number>();
    for (const [name, viewer] of viewers) counts.set(name, ratingsIn((await both(SCENARIO_3, { first: 100 }, viewer)).data).length);
    expect(counts.get('regulator')).toBeGreaterThan(0);
    expect(counts.get('anonymous')).toBe(0);
    expect(counts.get('listed companies association staff')).toBe(0);
    expect(counts.get('service account without it')).toBe(0);
    expect(counts.get('a firm')).toBeGreaterThan(0);
    expect(counts.get('a firm')).toBeLessThan(counts.get('regulator')!);
  });

  it('page the same way: a later page by cursor, small pages, the last page', async () => {
    const regulator = regulatorViewer();
    let after: string | null = null;
    for (let page = 0; page < 4; page++) {
      const answer = await both(NESTED, { first: 7, after }, regulator);
      expect(answer.statement).toBe(answer.resolvers);
      after = answer.data.organizations.pageInfo.endCursor;
    }
    const total = (await both(NESTED, { first: 1 }, regulator)).data.organizations.totalCount as number;
    const all: string[] = [];
    after = null;
    for (;;) {
      const answer = await both(NESTED, { first: 100, after }, regulator);
      expect(answer.statement).toBe(answer.resolvers);
      all.push(...answer.data.organizations.edges.map((e: any) => e.node.id));
      if (!answer.data.organizations.pageInfo.hasNextPage) break;
      after = answer.data.organizations.pageInfo.endCursor;
    }
    expect(all).toHaveLength(total);
    // Past the end: an empty page, nulls for its cursors.
    const past = await both(NESTED, { first: 5, after: after === null ? null : all.length > 0 ? (await both(NESTED, { first: 100, after }, regulator)).data.organizations.pageInfo.endCursor : null }, regulator);
    expect(past.statement).toBe(past.resolvers);
  });

  it('keep aliases and __typename where the query puts them', async () => {
    const query = `query { list: organizations(first: 3) { __typename kount: totalCount edges { __typename c: cursor n: node { nm: name id __typename firmBranches: branches(first: 2) { edges { node { r: ratings { __typename g: grade } } } } } } } }`;
    const answer = await both(query, {}, regulatorViewer());
    expect(answer.statement).toBe(answer.resolvers);
  });

  it('count statements that do not grow with the page', async () => {
    for (const first of [1, 10, 50, 100]) expect((await both(SCENARIO_3, { first }, regulatorViewer())).statements).toBe(1);
  });

  it('record the read of ratings in the read audit, as the loader does, by the same statement', async () => {
    const entries = async () =>
      rowsOf<{ resource: string; details: { branches: number; rows: number }; actor_role: string }>(
        await t.database.db.execute(sql`select resource, details, actor_role from data_access_log where resource = 'Branch.ratings' order by id desc limit 1`),
      );
    const plan = planOf(SCENARIO_3)!;
    await plan.run({ viewer: regulatorViewer(), db: t.database.db }, { first: 20 });
    const [statement] = await entries();
    await t.countedExecute(SCENARIO_3, { first: 20 }, regulatorViewer());
    const [loader] = await entries();
    expect(statement).toEqual(loader);
    expect(statement!.details.rows).toBeGreaterThan(0);
    // Nothing is recorded for a reader who is not recorded (a firm), or when no branch was read.
    const before = rowsOf<{ n: number }>(await t.database.db.execute(sql`select count(*)::int as n from data_access_log`))[0]!.n;
    await plan.run({ viewer: viewers.find(([n]) => n === 'a firm')![1], db: t.database.db }, { first: 20 });
    await planOf('{ organizations(first: 1, after: "YzE6OTk5OTk5") { edges { node { branches { edges { node { ratings { grade } } } } } } } }')!.run({ viewer: regulatorViewer(), db: t.database.db }, {});
    expect(rowsOf<{ n: number }>(await t.database.db.execute(sql`select count(*)::int as n from data_access_log`))[0]!.n).toBe(before);
  });

  it('leave to the resolvers what the renderings do not cover', () => {
    for (const query of [
      '{ organizations(first: 5, filter: { kind: SECURITIES_FIRM }) { edges { node { id } } } }',
      '{ organizations(first: 5) { edges { node { id listings { symbol } } } } }',
      '{ organizations(first: 5) { edges { node { id contacts { name } } } } }',
      '{ organizations(first: 5) { edges { node { ...F } } } } fragment F on Organization { id }',
      '{ organizations(first: 5) { edges { node { id @include(if: true) } } } }',
      '{ organizations(first: 5) { edges { node { id } } } viewer { role } }',
      '{ organizations(first: 5) { edges { node { id } } edges { cursor } } }',
      '{ organizations(first: 5) { edges { node { id branches { edges { node { firm { id } } } } } } } }',
      'mutation { __typename }',
    ]) {
      expect(planOf(query), query).toBeNull();
    }
  });

  it('answer nothing where the resolvers would answer an error, and leave backward pages to them', async () => {
    const plan = planOf('query($first: Int, $after: String) { organizations(first: $first, after: $after) { edges { node { id } } } }')!;
    const ctx = { viewer: regulatorViewer(), db: t.database.db };
    expect(await plan.run(ctx, { first: 500 })).toBeUndefined();
    expect(await plan.run(ctx, { first: 0 })).toBeUndefined();
    expect(await plan.run(ctx, { first: 'ten' })).toBeUndefined();
    expect(await plan.run(ctx, { first: 5, after: 'not a cursor' })).toBeUndefined();
    expect(await plan.run(ctx, { first: 5 })).toMatch(/^\{"organizations":\{"edges":\[/);
    expect(planOf('query($last: Int) { organizations(last: $last) { edges { node { id } } } }')).toBeNull();
    expect(planOf('query($before: String) { organizations(first: 5, before: $before) { edges { node { id } } } }')).toBeNull();
  });
});

describe('node(id) in one statement', () => {
  const NODE = 'query($id: ID!) { node(id: $id) { __typename id ... on Organization { name creditCode stockCode district memberSince } ... on Branch { name openedOn } } }';

  it('answers an organization, a branch and a missing or malformed id as the resolvers do', async () => {
    const [org] = rowsOf<{ id: number }>(await t.database.db.execute(sql`select id from organizations order by id limit 1`));
    const [branch] = rowsOf<{ id: number }>(await t.database.db.execute(sql`select id from branches order by id desc limit 1`));
    const gid = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64url');
    for (const [, viewer] of viewers) {
      for (const id of [gid('Organization', org!.id), gid('Branch', branch!.id), gid('Organization', 99_999_999)]) {
        const answer = await both(NODE, { id }, viewer);
        expect(answer.statement).toBe(answer.resolvers);
        expect(answer.statements).toBe(1);
      }
    }
    const plan = planOf(NODE)!;
    const ctx = { viewer: regulatorViewer(), db: t.database.db };
    // Ids the resolvers answer without a row (malformed, too large, a type without a rendering) stay theirs.
    for (const id of ['nonsense', gid('Organization', 3_000_000_000), gid('BranchRating', 1)]) expect(await plan.run(ctx, { id })).toBeUndefined();
  });

  it('leaves other selections to the resolvers', async () => {
    const ctx = { viewer: regulatorViewer(), db: t.database.db };
    const [org] = rowsOf<{ id: number }>(await t.database.db.execute(sql`select id from organizations order by id limit 1`));
    const id = Buffer.from(`Organization:${org!.id}`).toString('base64url');
    for (const query of [
      'query($id: ID!) { node(id: $id) { ... on Organization { listings { code } } } }',
      'query($id: ID!) { node(id: $id) { ... on Organization { branches { edges { node { id } } } } } }',
      'query($id: ID!) { node(id: $id) { ...F } } fragment F on Organization { name }',
      'query($id: ID!) { node(id: $id) { id ... on Organization { id: name } } }',
    ]) {
      const plan = planOf(query);
      expect(plan === null || (await plan.run(ctx, { id })) === undefined, query).toBe(true);
    }
  });
});

describe('stockCode in SQL', () => {
  it('formats every listing as formatStockCode does', async () => {
    const cases: [string | null, string | null][] = [['000001', 'SZ'], ['600999', 'SH'], ['920001', 'BJ'], ['06099', 'HK'], ['00700', 'HK'], ['12345', 'HK'], [null, 'SZ'], ['', 'SZ'], ['000001', null], [null, null]];
    for (const [code, exchange] of cases) {
      const [row] = rowsOf<{ formatted: string | null }>(
        await t.database.db.execute(sql`select ${formatStockCodeSql(sql`${code}::text`, sql`${exchange}::stock_exchange`)} as formatted`),
      );
      expect(row!.formatted, `${code} ${exchange}`).toBe(formatStockCode(code, exchange as never));
    }
  });
});

describe('over HTTP', () => {
  interface Raw {
    status: number;
    headers: Record<string, string>;
    text: string;
  }
  async function post(body: unknown, headers: Record<string, string> = {}): Promise<Raw> {
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const kept = Object.fromEntries([...res.headers].filter(([name]) => !['date', 'x-request-id', 'traceresponse'].includes(name) && !name.startsWith('ratelimit')));
    return { status: res.status, headers: kept, text: await res.text() };
  }

  it('a repeated query is answered by one statement with the bytes and headers of Apollo\'s first answer', async () => {
    let n = 0;
    for (const token of [undefined, await t.token('regulator'), await t.token('association', undefined, undefined, { association: 'SZLCA' })]) {
      const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const query = `${NESTED} # json-answer ${++n}`;
      const first = await post({ query, variables: { first: 30 } }, auth);
      const before = t.app.knownQueries.statementAnswers;
      const again = await post({ query, variables: { first: 30 } }, auth);
      expect(t.app.knownQueries.statementAnswers).toBe(before + 1);
      expect(first.status).toBe(200);
      // The cost's `remaining` differs by one request's price: compare the data and the headers.
      expect(JSON.parse(again.text).data).toEqual(JSON.parse(first.text).data);
      expect(again.text.slice(0, again.text.indexOf(',"extensions"'))).toBe(first.text.slice(0, first.text.indexOf(',"extensions"')));
      expect(again.headers).toEqual(first.headers);
      expect(again.text.endsWith('}\n')).toBe(true);
    }
  });

  it('arguments the statement does not take are answered by the resolvers, errors included', async () => {
    const query = 'query($first: Int!) { organizations(first: $first) { edges { node { id name } } } } # json-answer errors';
    await post({ query, variables: { first: 5 } });
    const before = t.app.knownQueries.statementAnswers;
    const refused = await post({ query, variables: { first: 1000 } });
    expect(t.app.knownQueries.statementAnswers).toBe(before);
    expect(JSON.parse(refused.text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});
