// Relay paging both ways (issue 22; contract: "Every connection also takes `last` and `before`"): every connection
// field takes first/after and last/before with the same bounds, and walking a list backwards from its end gives
// exactly the rows, in the same order, that walking it forwards does, for every list the demo data fills.
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { buildSchema, getNamedType, isObjectType, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor, pageRequest, toConnection } from '../src/graphql/pagination.js';
import { schema } from '../src/graphql/schema.js';
import { ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import { enqueueEvent } from '../src/outbox/outbox.service.js';
import { encodeGlobalId } from '../src/global-id.js';
import { rowsOf } from '../src/db/sql/index.js';
import { trainingObligationsTable } from '../src/training/training.table.js';
import { fanOutEvents } from '../src/webhooks/webhooks.worker.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { newServiceAccount } from './support/integration.js';

/** Every field whose type is a connection (an object with edges and pageInfo), as `Type.field`. */
function connectionFields(s: GraphQLSchema): { type: GraphQLObjectType; field: GraphQLField<unknown, unknown> }[] {
  const found: { type: GraphQLObjectType; field: GraphQLField<unknown, unknown> }[] = [];
  for (const type of Object.values(s.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (isObjectType(named) && named.getFields().edges && named.getFields().pageInfo) found.push({ type, field });
    }
  }
  return found;
}

describe('paging: every connection takes first, after, last and before', () => {
  it('in the printed schema, every *Connection field has the four optional arguments', () => {
    const printed = buildSchema(readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8'));
    const fields = connectionFields(printed);
    expect(fields.length).toBeGreaterThanOrEqual(27);
    for (const { type, field } of fields) {
      const args = Object.fromEntries(field.args.map((a) => [a.name, String(a.type)]));
      expect({ field: `${type.name}.${field.name}`, first: args.first, after: args.after, last: args.last, before: args.before }).toEqual({
        field: `${type.name}.${field.name}`,
        first: 'Int',
        after: 'String',
        last: 'Int',
        before: 'String',
      });
      expect(getNamedType(field.type).name.endsWith('Connection')).toBe(true);
    }
  });
});

describe('pageRequest: the same bounds both ways', () => {
  const c = (key: number) => encodeCursor(key);
  it('first and last: 1..100, default 20; the message names the argument given', () => {
    expect(pageRequest({})).toEqual({ limit: 20, afterKey: null, beforeKey: null, backward: false });
    expect(pageRequest({ last: 100 })).toEqual({ limit: 100, afterKey: null, beforeKey: null, backward: true });
    expect(pageRequest({ first: 1 })).toMatchObject({ limit: 1, backward: false });
    for (const bad of [0, -1, 101, 2 ** 31 - 1, 1.5]) {
      expect(() => pageRequest({ first: bad })).toThrow('first must be between 1 and 100');
      expect(() => pageRequest({ last: bad })).toThrow('last must be between 1 and 100');
    }
  });

  it('first with last is BAD_USER_INPUT', () => {
    try {
      pageRequest({ first: 5, last: 5 });
      expect.unreachable();
    } catch (error: any) {
      expect(error.message).toBe('first and last cannot be used together');
      expect(error.extensions.code).toBe('BAD_USER_INPUT');
    }
  });

  it('after and before bound a window; last (or before alone) reads its end, first its start', () => {
    expect(pageRequest({ last: 5, before: c(9) })).toEqual({ limit: 5, afterKey: null, beforeKey: 9, backward: true });
    expect(pageRequest({ before: c(9) })).toEqual({ limit: 20, afterKey: null, beforeKey: 9, backward: true });
    expect(pageRequest({ first: 5, after: c(3), before: c(9) })).toEqual({ limit: 5, afterKey: 3, beforeKey: 9, backward: false });
    expect(pageRequest({ last: 5, after: c(3) })).toEqual({ limit: 5, afterKey: 3, beforeKey: null, backward: true });
    expect(pageRequest({ after: c(3), before: c(9) })).toMatchObject({ backward: true });
    expect(() => pageRequest({ last: 5, before: 'not-a-cursor!' })).toThrow('Invalid cursor');
  });

  it('toConnection puts a backward page in the list order and takes hasPreviousPage from the extra row', async () => {
    const page = pageRequest({ last: 2, before: c(10) });
    // Read in reverse: 9, 8, then the extra row 7.
    const conn = toConnection([9, 8, 7], page, (k) => k, async () => 0);
    expect(conn.edges.map((e) => e.node)).toEqual([8, 9]);
    expect(conn.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: true, startCursor: c(8), endCursor: c(9) });
    const start = toConnection([2, 1], pageRequest({ last: 2 }), (k) => k, async () => 0);
    expect(start.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    expect(start.edges.map((e) => e.node)).toEqual([1, 2]);
  });
});

// ---------------------------------------------------------------- walking every list both ways over HTTP

let t: TestApp;
let tokens: Record<'staff' | 'regulator', string>;
/** Arguments a root connection needs (or is walked with besides its defaults), found in the demo data. */
let extraArgs: Record<string, string[]>;

beforeAll(async () => {
  t = await createTestApp();
  tokens = { staff: await t.token('association'), regulator: await t.token('regulator') };
  const cycles = await t.gql('{ ratingCycles { year status } }', {}, { token: tokens.regulator });
  const years = (cycles.body.data.ratingCycles as { year: number; status: string }[]).map((y) => y.year).sort();
  const periods = await t.gql('{ statisticsPeriods(first: 100) { edges { node { label } } } }', {}, { token: tokens.staff });
  const labels = (periods.body.data.statisticsPeriods.edges as { node: { label: string } }[]).map((e) => e.node.label);
  // What the demo data leaves empty for staff: service accounts, webhook subscriptions, their deliveries, the feed.
  for (let i = 0; i < 7; i++) await newServiceAccount(t, { name: `翻页测试系统 ${i}` });
  for (let i = 0; i < 3; i++) {
    const res = await t.gql(
      'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { userErrors { code } } }',
      { i: { url: `https://paging.example.test/${i}`, eventTypes: ['SUGGESTION_SUBMITTED'] } },
      { token: tokens.staff },
    );
    expect(res.body.data.createWebhookSubscription.userErrors).toEqual([]);
  }
  for (let i = 0; i < 8; i++) {
    await enqueueEvent(t.database.db, { type: 'suggestion.submitted', entityType: 'Suggestion', entityId: 980_000 + i, associationId: ASSOCIATION_IDS.SZSA, payload: { marker: `paging-${i}` } });
  }
  while ((await fanOutEvents(t.database.db)) > 0);
  // The demo data gives each organization at most one training obligation: give one organization a few pages of them.
  const owner = rowsOf<{ firm_id: number }>(
    await t.database.db.execute(sql`select b.firm_id from branch_ratings r join branches b on b.id = r.branch_id where r.grade in ('C', 'D') order by r.id limit 1`),
  )[0]!;
  for (let i = 0; i < 6; i++) {
    await t.database.db
      .insert(trainingObligationsTable)
      .values({ organizationId: Number(owner.firm_id), associationId: ASSOCIATION_IDS.SZSA, source: 'DISCIPLINARY_MEASURE', sourceId: 990_000 + i, reason: `翻页测试 ${i} / paging ${i}` });
  }
  // A service account with several versions of its trusted documents manifest.
  const pinned = await newServiceAccount(t, { name: '翻页测试清单系统' });
  const pinnedId = encodeGlobalId('ServiceAccount', pinned.id);
  for (let i = 0; i < 5; i++) {
    const res = await t.gql(
      'mutation($i: UploadTrustedDocumentManifestInput!) { uploadTrustedDocumentManifest(input: $i) { userErrors { code message } } }',
      { i: { serviceAccountId: pinnedId, documents: [`query Version${i} { organizations(first: ${i + 1}) { totalCount } }`] } },
      { token: tokens.staff },
    );
    expect(res.body.data?.uploadTrustedDocumentManifest.userErrors, JSON.stringify(res.body)).toEqual([]);
  }
  // Export jobs (queued; at most EXPORT_MAX_ACTIVE_JOBS, 3, per principal): three each for staff and the regulator.
  for (const token of [tokens.staff, tokens.regulator]) {
    for (const [i, format] of ['CSV', 'JSONL', 'CSV'].entries()) {
      const res = await t.gql(
        'mutation($i: StartExportInput!) { startExport(input: $i) { userErrors { code message } } }',
        { i: { kind: 'SUGGESTIONS', format, from: `2026-0${i + 1}-01`, to: `2026-0${i + 1}-28` } },
        { token },
      );
      expect(res.body.data?.startExport.userErrors, JSON.stringify(res.body)).toEqual([]);
    }
  }
  extraArgs = {
    trustedDocumentManifests: [`serviceAccountId: ${JSON.stringify(pinnedId)}`],
    branchRatings: years.map((y) => `year: ${y}`),
    overdueStatisticsFilers: labels.slice(0, 3).map((l) => `period: ${JSON.stringify(l)}, includeNotYetDue: true`),
    // Search-ranked lists (rank, then id) besides their plain order.
    policyInterpretations: ['', 'search: "证券"', 'search: "投资者 适当性"'],
    bestPractices: ['', 'search: "客户"', 'search: "营业部"'],
    selfRegulatoryRules: ['', 'search: "会员"'],
    trainingProgrammes: ['', 'search: "证券"'],
    trainingSessions: ['', 'search: "证券"'],
  };
}, 120_000);
afterAll(async () => {
  await t?.close();
});

interface PageAnswer {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string; node: { __typename: string } }[];
}

const SELECTION = 'totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { __typename } }';
const VARIABLES = '$first: Int, $after: String, $last: Int, $before: String';
const PAGING = 'first: $first, after: $after, last: $last, before: $before';

/** A way to read one page of one list: a document (variables $first … $before) and where its connection is. */
interface ListReader {
  name: string;
  read(variables: { first?: number; after?: string; last?: number; before?: string }): Promise<PageAnswer>;
}

function reader(name: string, document: string, pick: (data: any) => PageAnswer, token: string, extra: Record<string, unknown> = {}): ListReader {
  return {
    name,
    async read(variables) {
      const res = await t.gql(document, { ...extra, ...variables }, { token });
      expect(res.body.errors, `${name} ${JSON.stringify(variables)}: ${res.text.slice(0, 300)}`).toBeUndefined();
      return pick(res.body.data);
    },
  };
}

/** Forwards from the start, then backwards from the end; both must list the same rows in the same order. */
async function walkBothWays(list: ListReader): Promise<string[]> {
  const first = await list.read({ first: 1 });
  const total = first.totalCount;
  // About five pages each way, a size that does not divide the list (so backward pages do not line up with forward ones).
  let size = Math.min(100, Math.max(2, Math.ceil(total / 5)));
  if (total > 2 && total % size === 0 && size > 2) size -= 1;
  const forward: string[] = [];
  let after: string | undefined;
  for (let i = 0; ; i++) {
    expect(i, `${list.name}: too many pages`).toBeLessThan(200);
    const page = await list.read({ first: size, ...(after ? { after } : {}) });
    expect(page.edges.length).toBeLessThanOrEqual(size);
    expect(page.pageInfo.hasPreviousPage, `${list.name} forward page ${i}`).toBe(after !== undefined);
    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    forward.push(...page.edges.map((e) => e.cursor));
    if (!page.pageInfo.hasNextPage) break;
    expect(page.edges).toHaveLength(size);
    after = page.pageInfo.endCursor!;
  }
  const backward: string[][] = [];
  let before: string | undefined;
  for (let i = 0; ; i++) {
    expect(i, `${list.name}: too many pages`).toBeLessThan(200);
    const page = await list.read({ last: size, ...(before ? { before } : {}) });
    expect(page.edges.length).toBeLessThanOrEqual(size);
    expect(page.pageInfo.hasNextPage, `${list.name} backward page ${i}`).toBe(before !== undefined);
    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    backward.unshift(page.edges.map((e) => e.cursor));
    if (!page.pageInfo.hasPreviousPage) break;
    expect(page.edges).toHaveLength(size);
    before = page.pageInfo.startCursor!;
  }
  expect(backward.flat(), `${list.name}: backward from the end lists what forward does`).toEqual(forward);
  expect(new Set(forward).size, `${list.name}: no row twice`).toBe(forward.length);
  expect(forward.length, `${list.name}: every row once`).toBe(total);
  // A window between two cursors, read from either end.
  if (forward.length >= 6) {
    const [a, b] = [forward[0]!, forward[5]!];
    const all = await list.read({ first: 100, after: a, before: b });
    expect(all.edges.map((e) => e.cursor)).toEqual(forward.slice(1, 5));
    expect(all.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const head = await list.read({ first: 2, after: a, before: b });
    expect(head.edges.map((e) => e.cursor)).toEqual(forward.slice(1, 3));
    expect(head.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const tail = await list.read({ last: 2, after: a, before: b });
    expect(tail.edges.map((e) => e.cursor)).toEqual(forward.slice(3, 5));
    expect(tail.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const empty = await list.read({ last: 3, after: b, before: a });
    expect(empty.edges).toEqual([]);
  }
  return forward;
}

describe('paging: every root connection pages both ways over the demo data', () => {
  it('staff and the regulator: forwards and backwards list the same rows, for every root list', async () => {
    const roots = connectionFields(schema).filter(({ type }) => type.name === 'Query');
    const walked: Record<string, number> = {};
    for (const { field } of roots) {
      const required = field.args.filter((a) => String(a.type).endsWith('!')).map((a) => a.name);
      const variants = extraArgs[field.name] ?? [''];
      // A new connection with a required argument must say here how to walk it.
      if (required.length > 0) expect(extraArgs[field.name], `${field.name} needs arguments: ${required.join(', ')}`).toBeDefined();
      for (const args of variants) {
        for (const who of ['staff', 'regulator'] as const) {
          const name = `${field.name}(${args}) as ${who}`;
          const document = `query(${VARIABLES}) { list: ${field.name}(${args ? `${args}, ` : ''}${PAGING}) { ${SELECTION} } }`;
          // A list this viewer may not read at all (FORBIDDEN) has nothing to walk.
          const probe = await t.gql(document, { first: 1 }, { token: tokens[who] });
          if (probe.body.errors?.[0]?.extensions?.code === 'FORBIDDEN') {
            walked[`${name} FORBIDDEN`] = 0;
            continue;
          }
          const rows = await walkBothWays(reader(name, document, (d) => d.list, tokens[who]));
          walked[name] = rows.length;
        }
      }
    }
    // The walk means something only where there are rows: most lists have several pages, and every list has rows.
    const filled = Object.entries(walked).filter(([, n]) => n >= 6);
    expect(filled.length, JSON.stringify(walked)).toBeGreaterThanOrEqual(20);
    for (const root of roots) {
      const rowsSeen = Object.entries(walked).filter(([name]) => name.startsWith(`${root.field.name}(`)).reduce((n, [, rows]) => n + rows, 0);
      expect(rowsSeen, `${root.field.name} has rows for staff or the regulator`).toBeGreaterThan(0);
    }
  }, 600_000);

  it('nested connections page both ways under the parent with the most rows', async () => {
    const nested = connectionFields(schema).filter(({ type }) => type.name !== 'Query');
    expect(nested.length).toBeGreaterThanOrEqual(4);
    const roots = connectionFields(schema).filter(({ type }) => type.name === 'Query');
    for (const { type, field } of nested) {
      // The parent comes from a root list of its type.
      const root = roots.find((r) => getNamedType((getNamedType(r.field.type) as GraphQLObjectType).getFields().edges!.type).name.replace(/Edge$/, '') === type.name);
      expect(root, `a root list of ${type.name}`).toBeDefined();
      const token = tokens.staff;
      // The first parent with several pages' worth of rows, else the one with the most (up to 1,000 parents looked at).
      let best: { id: string; f: { totalCount: number } } | undefined;
      let after: string | null = null;
      for (let i = 0; i < 10 && (best?.f.totalCount ?? 0) < 6; i++) {
        const parents: { body: { data?: any; errors?: unknown[] }; text: string } = await t.gql(
          `query($after: String) { list: ${root!.field.name}(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id f: ${field.name} { totalCount } } } } }`,
          { after },
          { token },
        );
        expect(parents.body.errors, parents.text.slice(0, 300)).toBeUndefined();
        for (const { node } of parents.body.data.list.edges as { node: { id: string; f: { totalCount: number } } }[]) {
          if (!best || node.f.totalCount > best.f.totalCount) best = node;
        }
        if (!parents.body.data.list.pageInfo.hasNextPage) break;
        after = parents.body.data.list.pageInfo.endCursor;
      }
      const document = `query($id: ID!, ${VARIABLES}) { node(id: $id) { ... on ${type.name} { list: ${field.name}(${PAGING}) { ${SELECTION} } } } }`;
      const rows = await walkBothWays(reader(`${type.name}.${field.name}`, document, (d) => d.node.list, token, { id: best!.id }));
      expect(rows.length, `${type.name}.${field.name}`).toBeGreaterThanOrEqual(2);
    }
  }, 300_000);
});
