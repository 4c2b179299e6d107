// Who may see and change suggestions: each role × each read path and each mutation.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/harness.js';
import {
  cast,
  CREATE_CAMPAIGN,
  FORWARD,
  MARK_DUPLICATE,
  newInput,
  RESPOND,
  REVIEW,
  shanghaiDay,
  sqlRows,
  START_REVIEW,
  submit,
  SUBMIT,
  suggestionIn,
  WITHDRAW,
  writes,
  type Cast,
} from './support/suggestions.js';

let t: TestApp;
let c: Cast;
/**
 * One suggestion of the firm (to SZSA) and one of the listed company (to SZLCA), plus the database's own view of who
 * owns what, by association.
 */
let firmSuggestion: string;
let listedSuggestion: string;
let totals: { all: number; szsa: number; szlca: number; firm: number; firmB: number; listed: number; listedSzsa: number; listedSzlca: number };

beforeAll(async () => {
  t = await createTestApp();
  c = await cast(t);
  firmSuggestion = (await submit(t, c.tokens.firm)).id;
  listedSuggestion = (await submit(t, c.tokens.listed, newInput({ topic: 'TAX_POLICY' }))).id;
  const [row] = await sqlRows<any>(
    t,
    sql`select count(*)::int as all,
      count(*) filter (where s.association_id = 1)::int as szsa,
      count(*) filter (where s.association_id = 2)::int as szlca,
      count(*) filter (where o.credit_code = ${c.listedCode} and s.association_id = 1)::int as "listedSzsa",
      count(*) filter (where o.credit_code = ${c.listedCode} and s.association_id = 2)::int as "listedSzlca",
      count(*) filter (where o.credit_code = ${c.firmCode})::int as firm,
      count(*) filter (where o.credit_code = ${c.firmBCode})::int as "firmB",
      count(*) filter (where o.credit_code = ${c.listedCode})::int as listed
      from suggestions s join organizations o on o.id = s.organization_id`,
  );
  totals = row;
});
afterAll(async () => {
  await t?.close();
});

/** `association` is the securities association's (SZSA) staff, `szlca` the listed companies association's. */
type Who = 'anonymous' | 'firm' | 'firmB' | 'listed' | 'association' | 'szlca' | 'regulator';
const everyone: Who[] = ['anonymous', 'firm', 'firmB', 'listed', 'association', 'szlca', 'regulator'];

/** What each viewer may see of the two suggestions: each association's staff only the one submitted to it. */
const sees: Record<Who, { firm: boolean; listed: boolean }> = {
  anonymous: { firm: false, listed: false },
  firm: { firm: true, listed: false },
  firmB: { firm: false, listed: false },
  listed: { firm: false, listed: true },
  association: { firm: true, listed: false },
  szlca: { firm: false, listed: true },
  regulator: { firm: true, listed: true },
};

async function readPaths(who: Who, id: string, ownerCode: string) {
  const token = c.tokens[who];
  const list = await t.gql(`{ suggestions(first: 100) { totalCount edges { node { id organization { creditCode } } } } }`, undefined, { token });
  const node = await t.gql(`query($id: ID!) { node(id: $id) { __typename id ... on Suggestion { title } } }`, { id }, { token });
  const nodes = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [id, id] }, { token });
  const org = await t.gql(
    `query($code: String!) { organization(creditCode: $code) { suggestions(first: 100) { totalCount edges { node { id } } } } }`,
    { code: ownerCode },
    { token },
  );
  const filtered = await t.gql(`{ suggestions(first: 100, filter: { status: SUBMITTED }) { totalCount edges { node { id } } } }`, undefined, { token });
  for (const res of [list, node, nodes, org, filtered]) expect(res.body.errors, who).toBeUndefined();
  return {
    inList: list.body.data.suggestions.edges.some((e: any) => e.node.id === id),
    listOwners: new Set<string>(list.body.data.suggestions.edges.map((e: any) => e.node.organization.creditCode)),
    totalCount: list.body.data.suggestions.totalCount as number,
    node: node.body.data.node,
    nodes: nodes.body.data.nodes,
    orgList: org.body.data.organization.suggestions,
    filteredHas: filtered.body.data.suggestions.edges.some((e: any) => e.node.id === id),
    filteredCount: filtered.body.data.suggestions.totalCount as number,
    filteredEdges: filtered.body.data.suggestions.edges.length as number,
  };
}

describe('reading suggestions: every role on every path (list, totalCount, node, nodes, Organization.suggestions)', () => {
  it.each(everyone)('%s', async (who) => {
    for (const [which, id, code] of [
      ['firm', firmSuggestion, c.firmCode],
      ['listed', listedSuggestion, c.listedCode],
    ] as const) {
      const r = await readPaths(who, id, code);
      const visible = sees[who][which];
      expect(r.inList, `${who} list ${which}`).toBe(visible);
      expect(r.filteredHas, `${who} filtered ${which}`).toBe(visible);
      if (visible) {
        expect(r.node).toMatchObject({ __typename: 'Suggestion', id });
        expect(r.nodes).toEqual([{ id }, { id }]);
        expect(r.orgList.edges.map((e: any) => e.node.id)).toContain(id);
        // The listed company also has SZSA suggestions from before the split: SZLCA's staff count only SZLCA's.
        expect(r.orgList.totalCount).toBe(who === 'szlca' ? totals.listedSzlca : totals[which]);
      } else {
        expect(r.node, `${who} node ${which}`).toBeNull();
        expect(r.nodes).toEqual([null, null]);
        if (who === 'association' && which === 'listed') {
          // The listed company's demo suggestions from before the split are SZSA's: SZSA's staff see those only.
          expect(r.orgList.edges.map((e: any) => e.node.id)).not.toContain(id);
          expect(r.orgList.totalCount).toBe(totals.listedSzsa);
          expect(r.orgList.edges.length).toBe(totals.listedSzsa);
        } else {
          expect(r.orgList).toEqual({ totalCount: 0, edges: [] });
        }
      }
      // totalCount counts exactly what the viewer may see.
      const expectedTotal = { association: totals.szsa, szlca: totals.szlca, regulator: totals.all, firm: totals.firm, firmB: totals.firmB, listed: totals.listed, anonymous: 0 }[who];
      expect(r.totalCount, `${who} totalCount`).toBe(expectedTotal);
      expect(r.filteredCount).toBe(r.filteredEdges);
      if (who === 'firm') expect([...r.listOwners]).toEqual([c.firmCode]);
      if (who === 'listed') expect([...r.listOwners]).toEqual([c.listedCode]);
      if (who === 'firmB') expect([...r.listOwners].every((code) => code === c.firmBCode)).toBe(true);
    }
  });

  it('a firm sees its own organization\'s suggestions through the Organization node and the viewer', async () => {
    const res = await t.gql(`{ viewer { organization { suggestions(first: 100) { totalCount } } } }`, undefined, { token: c.tokens.firm });
    expect(res.body.data.viewer.organization.suggestions.totalCount).toBe(totals.firm);
    const viaNode = await t.gql(`query($id: ID!) { node(id: $id) { ... on Organization { suggestions { totalCount } } } }`, { id: c.firmOrgId }, { token: c.tokens.firmB });
    expect(viaNode.body.data.node.suggestions.totalCount).toBe(0);
  });

  it('a hidden suggestion answers exactly like a nonexistent one', async () => {
    const missing = Buffer.from('Suggestion:999999').toString('base64url');
    const hidden = await t.gql(`query($id: ID!) { node(id: $id) { id __typename } }`, { id: firmSuggestion }, { token: c.tokens.firmB });
    const absent = await t.gql(`query($id: ID!) { node(id: $id) { id __typename } }`, { id: missing }, { token: c.tokens.firmB });
    const answer = (r: { body: any }) => ({ data: r.body.data, errors: r.body.errors });
    expect(answer(hidden)).toEqual(answer(absent));
    const w1 = await t.gql(WITHDRAW, { id: firmSuggestion }, { token: c.tokens.firmB });
    const w2 = await t.gql(WITHDRAW, { id: missing }, { token: c.tokens.firmB });
    expect(answer(w1)).toEqual(answer(w2));
  });

  it('a nested path (duplicateOf) never shows another organization\'s suggestion', async () => {
    // Both SZSA's (a duplicate is of the same association's suggestion), of two organizations.
    const original = await submit(t, c.tokens.firmB);
    const dup = await submit(t, c.tokens.firm);
    await t.gql(MARK_DUPLICATE, { id: dup.id, of: original.id }, { token: c.tokens.association });
    const q = `query($id: ID!) { node(id: $id) { ... on Suggestion { duplicateOf { id title } } } }`;
    expect((await t.gql(q, { id: dup.id }, { token: c.tokens.firm })).body.data.node.duplicateOf).toBeNull();
    expect((await t.gql(q, { id: dup.id }, { token: c.tokens.regulator })).body.data.node.duplicateOf).toEqual({ id: original.id, title: original.title });
  });
});

// ---------------------------------------------------------------- mutations

type Mutation = 'submit' | 'withdraw' | 'startReview' | 'review' | 'markDuplicate' | 'forward' | 'respond' | 'createCampaign';

/** The contract's table: who may call what. */
const allowed: Record<Mutation, Who[]> = {
  submit: ['firm', 'firmB', 'listed'],
  withdraw: ['firm', 'firmB', 'listed'],
  startReview: ['association', 'szlca'],
  review: ['association', 'szlca'],
  markDuplicate: ['association', 'szlca'],
  forward: ['association', 'szlca'],
  respond: ['association', 'szlca'],
  createCampaign: ['association', 'szlca'],
};

/** The mutation's document and variables, with a fresh target owned by the firm in the status the mutation needs. */
async function prepare(mutation: Mutation, who: Who): Promise<[string, Record<string, unknown>]> {
  switch (mutation) {
    case 'submit':
      return [SUBMIT, { input: newInput() }];
    case 'withdraw':
      return [WITHDRAW, { id: await suggestionIn(t, c, 'SUBMITTED') }];
    case 'startReview':
      return [START_REVIEW, { id: await suggestionIn(t, c, 'SUBMITTED') }];
    case 'review':
      return [REVIEW, { id: await suggestionIn(t, c, 'UNDER_REVIEW'), decision: 'ACCEPT' }];
    case 'markDuplicate': {
      const of = await suggestionIn(t, c, 'SUBMITTED');
      return [MARK_DUPLICATE, { id: await suggestionIn(t, c, 'SUBMITTED'), of }];
    }
    case 'forward':
      return [FORWARD, { ids: [await suggestionIn(t, c, 'ACCEPTED')], recipient: 'SZSE' }];
    case 'respond':
      return [RESPOND, { id: await suggestionIn(t, c, 'FORWARDED'), response: '已研究', outcome: 'ADOPTED' }];
    case 'createCampaign':
      return [
        CREATE_CAMPAIGN,
        { input: { title: '征集', documentNumber: `深证协函〔authz〕${who}${Date.now()}号`, topics: ['OTHER'], invitedKinds: ['SECURITIES_FIRM'], deadline: shanghaiDay(5) } },
      ];
  }
}

describe('mutations: every role × every mutation', () => {
  const cases = (Object.keys(allowed) as Mutation[]).flatMap((m) => everyone.map((who) => [m, who] as const));

  it.each(cases)('%s by %s', async (mutation, who) => {
    const [query, variables] = await prepare(mutation, who);
    const before = await writes(t);
    const res = await t.gql(query, variables, { token: c.tokens[who] });
    const payload = res.body.data && Object.values(res.body.data)[0] as any;
    if (!allowed[mutation].includes(who)) {
      expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(payload ?? null).toBeNull();
      expect(await writes(t)).toEqual(before);
      return;
    }
    expect(res.body.errors).toBeUndefined();
    if ((mutation === 'withdraw' && who !== 'firm') || (who === 'szlca' && mutation !== 'createCampaign')) {
      // Another organization's suggestion, or (for SZLCA's staff) one submitted to another association: not found, untouched.
      if (mutation === 'forward') expect(payload).toEqual({ suggestions: [], referenceNumber: null, userErrors: [expect.objectContaining({ code: 'NOT_FOUND' })] });
      else expect(payload).toEqual({ suggestion: null, userErrors: [expect.objectContaining({ code: 'NOT_FOUND' })] });
      expect(await writes(t)).toEqual(before);
      return;
    }
    expect(payload.userErrors).toEqual([]);
    expect(await writes(t)).not.toEqual(before);
  });

  it('a firm\'s submission under a listed company\'s key and input makes the firm its own suggestion, never returns the other\'s', async () => {
    const input = newInput({ idempotencyKey: `shared-${Date.now()}` });
    const listed = await submit(t, c.tokens.listed, input);
    const firm = await submit(t, c.tokens.firm, input);
    expect(firm.id).not.toBe(listed.id);
    expect(firm.organization.creditCode).toBe(c.firmCode);
  });

  it('the regulator reads every suggestion but every change is FORBIDDEN', async () => {
    const before = await writes(t);
    for (const [query, variables] of [
      [SUBMIT, { input: newInput() }],
      [WITHDRAW, { id: firmSuggestion }],
      [START_REVIEW, { id: firmSuggestion }],
      [REVIEW, { id: firmSuggestion, decision: 'REJECT' }],
      [FORWARD, { ids: [firmSuggestion], recipient: 'SAC' }],
      [RESPOND, { id: firmSuggestion, response: 'x', outcome: 'ADOPTED' }],
    ] as const) {
      const res = await t.gql(query, variables, { token: c.tokens.regulator });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await writes(t)).toEqual(before);
  });

  it('mutation payloads never show a suggestion the viewer may not see', async () => {
    // A firm acting on another's suggestion gets null, whatever the state.
    for (const status of ['SUBMITTED', 'WITHDRAWN'] as const) {
      const id = await suggestionIn(t, c, status, c.tokens.listed);
      const p = (await t.gql(WITHDRAW, { id }, { token: c.tokens.firm })).body.data.withdrawSuggestion;
      expect(p.suggestion).toBeNull();
      expect(p.userErrors[0].code).toBe('NOT_FOUND');
    }
  });
});
