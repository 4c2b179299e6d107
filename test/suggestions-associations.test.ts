// Suggestions under several associations (issue 16): each association's staff see, review and forward only the
// suggestions submitted to their association and their own campaigns, the regulator sees all; an organization submits
// only to an association it is an active member of (NOT_A_MEMBER otherwise); reference numbers count per association.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import type { Viewer } from '../src/auth/viewer.js';
import { encodeGlobalId } from '../src/global-id.js';
import { membershipsTable } from '../src/members/members.table.js';
import { exportSuggestionBatch, suggestionSummary } from '../src/suggestions/suggestions.service.js';
import { createTestApp, type TestApp } from './support/harness.js';
import {
  cast,
  createCampaign,
  FORWARD,
  keyOf,
  mutate,
  newInput,
  REVIEW,
  shanghaiDay,
  sqlRows,
  START_REVIEW,
  submit,
  SUBMIT,
  suggestionIn,
  writes,
  type Cast,
} from './support/suggestions.js';

const SZSA = ASSOCIATION_IDS.SZSA;
const SZLCA = ASSOCIATION_IDS.SZLCA;

let t: TestApp;
let c: Cast;
/** The second securities firm, made a member of SZLCA too (a listed securities firm, member of both). */
let dualOrgId: number;
beforeAll(async () => {
  t = await createTestApp();
  c = await cast(t);
  dualOrgId = keyOf(c.firmBOrgId);
  await t.database.db.insert(membershipsTable).values({ associationId: SZLCA, organizationId: dualOrgId, status: 'ACTIVE', since: '2021-06-01' }).onConflictDoNothing();
  // The first firm acts as an SZSA-only member here (the demo data makes the listed securities firms members of both).
  await t.database.db.execute(sql`delete from memberships where organization_id = ${keyOf(c.firmOrgId)} and association_id = ${SZLCA}`);
});
afterAll(async () => {
  await t?.close();
});

const associationOf = async (globalId: string): Promise<number> =>
  (await sqlRows<{ association_id: number }>(t, sql`select association_id from suggestions where id = ${keyOf(globalId)}`))[0]!.association_id;

const idsOfAssociation = async (associationId: number | null): Promise<string[]> =>
  (await sqlRows<{ id: number }>(t, associationId === null ? sql`select id from suggestions order by id` : sql`select id from suggestions where association_id = ${associationId} order by id`)).map(
    (r) => encodeGlobalId('Suggestion', r.id),
  );

/** Every page of `suggestions` the token sees, with the totalCount. */
async function listAll(token: string) {
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount = 0;
  for (;;) {
    const res: any = await t.gql(`query($after: String) { suggestions(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`, { after }, { token });
    expect(res.body.errors).toBeUndefined();
    totalCount = res.body.data.suggestions.totalCount;
    ids.push(...res.body.data.suggestions.edges.map((e: any) => e.node.id));
    if (!res.body.data.suggestions.pageInfo.hasNextPage) return { ids, totalCount };
    after = res.body.data.suggestions.pageInfo.endCursor;
  }
}

/** Submits and expects exactly these userErrors, with nothing written. */
async function refused(input: Record<string, unknown>, token: string) {
  const before = await writes(t);
  const p = await mutate(t, SUBMIT, { input }, token);
  expect(p.suggestion).toBeNull();
  expect(await writes(t)).toEqual(before);
  return p.userErrors.map((e: any) => [e.field.join('.'), e.code]);
}

describe('who sees which suggestions', () => {
  it('each association\'s staff list and count only the suggestions submitted to it; the regulator all of them', async () => {
    await submit(t, c.tokens.listed); // one more SZLCA suggestion beside the demo ones
    const szsa = await listAll(c.tokens.association);
    const szlca = await listAll(c.tokens.szlca);
    const regulator = await listAll(c.tokens.regulator);
    expect(szsa.ids).toEqual(await idsOfAssociation(SZSA));
    expect(szsa.totalCount).toBe(szsa.ids.length);
    expect(szlca.ids).toEqual(await idsOfAssociation(SZLCA));
    expect(szlca.totalCount).toBe(szlca.ids.length);
    expect(szlca.ids.length).toBeGreaterThanOrEqual(5);
    expect(szsa.ids.filter((id) => szlca.ids.includes(id))).toEqual([]);
    expect(regulator.ids).toEqual(await idsOfAssociation(null));
    expect(regulator.totalCount).toBe(szsa.ids.length + szlca.ids.length);
  });

  it('node, nodes and Organization.suggestions hide the other association\'s suggestions exactly like missing ones', async () => {
    const [szsaId] = await idsOfAssociation(SZSA);
    const [szlcaId] = await idsOfAssociation(SZLCA);
    const missing = encodeGlobalId('Suggestion', 999_999);
    const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Suggestion { title } } }`;
    const nodes = async (token: string) => (await t.gql(NODES, { ids: [szsaId, szlcaId, missing] }, { token })).body.data.nodes.map((n: any) => n?.id ?? null);
    expect(await nodes(c.tokens.association)).toEqual([szsaId, null, null]);
    expect(await nodes(c.tokens.szlca)).toEqual([null, szlcaId, null]);
    expect(await nodes(c.tokens.regulator)).toEqual([szsaId, szlcaId, null]);
    const NODE = `query($id: ID!) { node(id: $id) { id } }`;
    expect((await t.gql(NODE, { id: szsaId }, { token: c.tokens.szlca })).body.data).toEqual((await t.gql(NODE, { id: missing }, { token: c.tokens.szlca })).body.data);
    expect((await t.gql(NODE, { id: szlcaId }, { token: c.tokens.association })).body.data.node).toBeNull();

    // The listed company's suggestions: some SZSA's (demo ones from before the split), the rest SZLCA's.
    await submit(t, c.tokens.listed);
    const [org] = await sqlRows<{ organization_id: number }>(
      t,
      sql`select organization_id from suggestions group by organization_id having count(distinct association_id) = 2 order by organization_id limit 1`,
    );
    expect(org, 'a demo organization with suggestions in both associations').toBeDefined();
    const ORG = `query($id: ID!) { node(id: $id) { ... on Organization { suggestions(first: 100) { totalCount edges { node { id } } } } } }`;
    const orgGid = encodeGlobalId('Organization', org!.organization_id);
    for (const [token, associationId] of [[c.tokens.association, SZSA], [c.tokens.szlca, SZLCA], [c.tokens.regulator, null]] as const) {
      const expected = (
        await sqlRows<{ id: number }>(
          t,
          associationId === null
            ? sql`select id from suggestions where organization_id = ${org!.organization_id} order by id`
            : sql`select id from suggestions where organization_id = ${org!.organization_id} and association_id = ${associationId} order by id`,
        )
      ).map((r) => encodeGlobalId('Suggestion', r.id));
      const got = (await t.gql(ORG, { id: orgGid }, { token })).body.data.node.suggestions;
      expect(got.edges.map((e: any) => e.node.id)).toEqual(expected);
      expect(got.totalCount).toBe(expected.length);
    }
  });

  it('a member sees all its own suggestions, whichever association they went to', async () => {
    const toSzsa = await submit(t, c.tokens.firmB, newInput({ association: 'SZSA' }));
    const toSzlca = await submit(t, c.tokens.firmB, newInput({ association: 'SZLCA' }));
    const own = await listAll(c.tokens.firmB);
    expect(own.ids).toEqual(expect.arrayContaining([toSzsa.id, toSzlca.id]));
  });

  it('staff cannot move the other association\'s suggestions: NOT_FOUND, nothing written', async () => {
    const szlcaId = await suggestionIn(t, c, 'SUBMITTED', c.tokens.listed);
    const szsaId = await suggestionIn(t, c, 'ACCEPTED');
    for (const [query, variables, token] of [
      [START_REVIEW, { id: szlcaId }, c.tokens.association],
      [REVIEW, { id: szlcaId, decision: 'ACCEPT' }, c.tokens.association],
      [REVIEW, { id: szsaId, decision: 'REJECT' }, c.tokens.szlca],
    ] as const) {
      const before = await writes(t);
      const p = await mutate(t, query, variables, token);
      expect(p).toEqual({ suggestion: null, userErrors: [expect.objectContaining({ field: ['input', 'id'], code: 'NOT_FOUND' })] });
      expect(await writes(t)).toEqual(before);
    }
    const before = await writes(t);
    const p = await mutate(t, FORWARD, { ids: [szsaId], recipient: 'SZSE' }, c.tokens.szlca);
    expect(p.userErrors).toEqual([expect.objectContaining({ field: ['input', 'ids', '0'], code: 'NOT_FOUND' })]);
    expect(await writes(t)).toEqual(before);
  });

  it('an association\'s staff review their own association\'s suggestions and the payload shows them', async () => {
    const id = await submit(t, c.tokens.listed);
    const p = await mutate(t, REVIEW, { id: id.id, decision: 'ACCEPT', note: '同意' }, c.tokens.szlca);
    expect(p.userErrors).toEqual([]);
    expect(p.suggestion).toMatchObject({ id: id.id, status: 'ACCEPTED' });
  });
});

describe('submitting to an association', () => {
  it('a listed company submits to the listed companies association by default; SZLCA staff see it, SZSA staff do not', async () => {
    const s = await submit(t, c.tokens.listed);
    expect(await associationOf(s.id)).toBe(SZLCA);
    const NODE = `query($id: ID!) { node(id: $id) { id } }`;
    expect((await t.gql(NODE, { id: s.id }, { token: c.tokens.szlca })).body.data.node).toEqual({ id: s.id });
    expect((await t.gql(NODE, { id: s.id }, { token: c.tokens.association })).body.data.node).toBeNull();
    expect((await submit(t, c.tokens.listed, newInput({ association: 'SZLCA' }))).status).toBe('SUBMITTED');
  });

  it('a securities firm submits to the securities association by default', async () => {
    expect(await associationOf((await submit(t, c.tokens.firm)).id)).toBe(SZSA);
  });

  it('refuses an association the organization is not a member of with NOT_A_MEMBER, in Chinese or English, writing nothing', async () => {
    expect(await refused(newInput({ association: 'SZSA' }), c.tokens.listed)).toEqual([['input.association', 'NOT_A_MEMBER']]);
    expect(await refused(newInput({ association: 'SZLCA' }), c.tokens.firm)).toEqual([['input.association', 'NOT_A_MEMBER']]);
    const zh = await t.gql(SUBMIT, { input: newInput({ association: 'SZSA' }) }, { token: c.tokens.listed, headers: { 'accept-language': 'zh-CN' } });
    const en = await t.gql(SUBMIT, { input: newInput({ association: 'SZSA' }) }, { token: c.tokens.listed, headers: { 'accept-language': 'en' } });
    expect(zh.body.data.submitSuggestion.userErrors[0].message).toBe('本机构不是深圳市证券业协会的在册会员，不能向其提交建议');
    expect(en.body.data.submitSuggestion.userErrors[0].message).toBe(
      'Your organization is not an active member of the Shenzhen Securities Association, so it cannot submit suggestions to it',
    );
  });

  it('an unknown association code is refused before anything runs', async () => {
    const before = await writes(t);
    const res = await t.gql(SUBMIT, { input: newInput({ association: 'CSRC' }) }, { token: c.tokens.firm });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await writes(t)).toEqual(before);
  });

  it('an organization that is a member of both submits to either; staff of each see only theirs', async () => {
    const byDefault = await submit(t, c.tokens.firmB);
    const toSzsa = await submit(t, c.tokens.firmB, newInput({ association: 'SZSA' }));
    const toSzlca = await submit(t, c.tokens.firmB, newInput({ association: 'SZLCA' }));
    expect([await associationOf(byDefault.id), await associationOf(toSzsa.id), await associationOf(toSzlca.id)]).toEqual([SZSA, SZSA, SZLCA]);
    const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`;
    const ids = [toSzsa.id, toSzlca.id];
    expect((await t.gql(NODES, { ids }, { token: c.tokens.association })).body.data.nodes).toEqual([{ id: toSzsa.id }, null]);
    expect((await t.gql(NODES, { ids }, { token: c.tokens.szlca })).body.data.nodes).toEqual([null, { id: toSzlca.id }]);
  });

  it('a suspended or withdrawn membership is no membership: NOT_A_MEMBER, nothing written', async () => {
    // The dual member, suspended then withdrawn in SZSA while still active in SZLCA (so it keeps its member rights:
    // a member with no active membership anywhere may not act at all, test/member-rights.test.ts).
    await t.database.db.execute(sql`update memberships set status = 'SUSPENDED' where organization_id = ${dualOrgId} and association_id = ${SZSA}`);
    try {
      expect(await refused(newInput(), c.tokens.firmB)).toEqual([['input.association', 'NOT_A_MEMBER']]);
      expect(await refused(newInput({ association: 'SZSA' }), c.tokens.firmB)).toEqual([['input.association', 'NOT_A_MEMBER']]);
      await t.database.db.execute(sql`update memberships set status = 'WITHDRAWN' where organization_id = ${dualOrgId} and association_id = ${SZSA}`);
      expect(await refused(newInput({ association: 'SZSA' }), c.tokens.firmB)).toEqual([['input.association', 'NOT_A_MEMBER']]);
      expect((await submit(t, c.tokens.firmB, newInput({ association: 'SZLCA' }))).status).toBe('SUBMITTED');
    } finally {
      await t.database.db.execute(sql`update memberships set status = 'ACTIVE' where organization_id = ${dualOrgId} and association_id = ${SZSA}`);
    }
    expect((await submit(t, c.tokens.firmB)).status).toBe('SUBMITTED');
  });

  it('the idempotency key stays per organization: the same key and content to another association is a different submission', async () => {
    const key = `k-${Date.now()}-assoc`;
    const input = newInput({ idempotencyKey: key });
    const first = await submit(t, c.tokens.firmB, input);
    expect((await submit(t, c.tokens.firmB, { ...input, association: 'SZSA' })).id).toBe(first.id); // SZSA is its default
    expect(await refused({ ...input, association: 'SZLCA' }, c.tokens.firmB)).toEqual([['input.idempotencyKey', 'IDEMPOTENCY_KEY_REUSED']]);
    // A replay that would now be refused (not a member any more) still returns the first submission.
    const listedInput = newInput({ idempotencyKey: `${key}-listed` });
    const listed = await submit(t, c.tokens.listed, listedInput);
    expect((await submit(t, c.tokens.listed, { ...listedInput, association: 'SZLCA' })).id).toBe(listed.id);
  });
});

describe('campaigns of an association', () => {
  const CAMPAIGNS = `{ suggestionCampaigns(first: 100) { totalCount edges { node { id documentNumber } } } }`;
  const campaignsOf = async (token: string) => {
    const res = await t.gql(CAMPAIGNS, {}, { token });
    const { totalCount, edges } = res.body.data.suggestionCampaigns;
    expect(totalCount).toBe(edges.length);
    return edges.map((e: any) => e.node.id) as string[];
  };
  const campaignIdsOf = async (associationId: number | null) =>
    (
      await sqlRows<{ id: number }>(
        t,
        associationId === null ? sql`select id from suggestion_campaigns order by id` : sql`select id from suggestion_campaigns where association_id = ${associationId} order by id`,
      )
    ).map((r) => encodeGlobalId('SuggestionCampaign', r.id));

  it('a campaign an association\'s staff create is their association\'s; each staff sees only its own, the regulator all', async () => {
    const szlcaCampaign = await createCampaign(t, c, { invitedKinds: ['LISTED_COMPANY'], documentNumber: `深上协函〔2026〕${Date.now()}号` }, c.tokens.szlca);
    const szsaCampaign = await createCampaign(t, c);
    const [row] = await sqlRows<{ association_id: number }>(t, sql`select association_id from suggestion_campaigns where id = ${keyOf(szlcaCampaign)}`);
    expect(row!.association_id).toBe(SZLCA);
    expect(await campaignsOf(c.tokens.szlca)).toEqual(await campaignIdsOf(SZLCA));
    expect(await campaignsOf(c.tokens.association)).toEqual(await campaignIdsOf(SZSA));
    expect(await campaignsOf(c.tokens.regulator)).toEqual(await campaignIdsOf(null));
    expect(await campaignsOf(c.tokens.szlca)).not.toContain(szsaCampaign);
    expect(await campaignsOf(c.tokens.association)).not.toContain(szlcaCampaign);
    const NODE = `query($id: ID!) { node(id: $id) { id } }`;
    expect((await t.gql(NODE, { id: szsaCampaign }, { token: c.tokens.szlca })).body.data.node).toBeNull();
  });

  it('document numbers stay unique across associations', async () => {
    const documentNumber = `深上协函〔2026〕${Date.now()}-dup号`;
    await createCampaign(t, c, { documentNumber }, c.tokens.szlca);
    const p = await mutate(
      t,
      `mutation($input: CreateSuggestionCampaignInput!) { createSuggestionCampaign(input: $input) { suggestionCampaign { id } userErrors { field code } } }`,
      { input: { title: '征集', documentNumber, topics: ['OTHER'], invitedKinds: ['SECURITIES_FIRM'], deadline: shanghaiDay(10) } },
      c.tokens.association,
    );
    expect(p.userErrors).toEqual([{ field: ['input', 'documentNumber'], code: 'DUPLICATE' }]);
  });

  it('a member sees the issued campaigns of associations it actively belongs to, addressed to its kind', async () => {
    // The SZSA demo campaign of 2026 invites listed companies too, but listed companies are not SZSA members.
    const [szsaToListed] = await sqlRows<{ id: number }>(t, sql`select id from suggestion_campaigns where document_number = '深证协函〔2026〕8号'`);
    const [szlcaDemo] = await sqlRows<{ id: number }>(t, sql`select id from suggestion_campaigns where document_number = '深上协函〔2026〕5号'`);
    const listed = await campaignsOf(c.tokens.listed);
    expect(listed).toContain(encodeGlobalId('SuggestionCampaign', szlcaDemo!.id));
    expect(listed).not.toContain(encodeGlobalId('SuggestionCampaign', szsaToListed!.id));
    const toFirms = await createCampaign(t, c, { invitedKinds: ['SECURITIES_FIRM'], documentNumber: `深上协函〔2026〕${Date.now()}-f号` }, c.tokens.szlca);
    expect(await campaignsOf(c.tokens.firmB)).toContain(toFirms); // a member of SZLCA too
    expect(await campaignsOf(c.tokens.firm)).not.toContain(toFirms); // SZSA only
  });

  it('answering a campaign: it goes to the campaign\'s association; another association\'s campaign is NOT_FOUND', async () => {
    const szlcaToFirms = await createCampaign(
      t,
      c,
      { invitedKinds: ['SECURITIES_FIRM', 'LISTED_COMPANY'], topics: ['QIANHAI'], documentNumber: `深上协函〔2026〕${Date.now()}-a号` },
      c.tokens.szlca,
    );
    const szsaToAll = await createCampaign(t, c, { invitedKinds: ['SECURITIES_FIRM', 'LISTED_COMPANY'], topics: ['QIANHAI'] });

    // A listed company answers SZLCA's campaign; SZSA's (it is not an SZSA member) is hidden.
    const answered = await submit(t, c.tokens.listed, newInput({ campaignId: szlcaToFirms }));
    expect(await associationOf(answered.id)).toBe(SZLCA);
    expect(await refused(newInput({ campaignId: szsaToAll }), c.tokens.listed)).toEqual([['input.campaignId', 'NOT_FOUND']]);
    expect(await refused(newInput({ campaignId: szsaToAll, association: 'SZSA' }), c.tokens.listed)).toEqual([['input.association', 'NOT_A_MEMBER']]);

    // The member of both answers either association's campaign; naming the other association hides the campaign.
    expect(await associationOf((await submit(t, c.tokens.firmB, newInput({ campaignId: szlcaToFirms }))).id)).toBe(SZLCA);
    expect(await associationOf((await submit(t, c.tokens.firmB, newInput({ campaignId: szsaToAll }))).id)).toBe(SZSA);
    expect(await associationOf((await submit(t, c.tokens.firmB, newInput({ campaignId: szlcaToFirms, association: 'SZLCA' }))).id)).toBe(SZLCA);
    expect(await refused(newInput({ campaignId: szlcaToFirms, association: 'SZSA' }), c.tokens.firmB)).toEqual([['input.campaignId', 'NOT_FOUND']]);
    expect(await refused(newInput({ campaignId: szsaToAll, association: 'SZLCA' }), c.tokens.firmB)).toEqual([['input.campaignId', 'NOT_FOUND']]);

    // An SZSA-only firm: SZLCA's campaign is hidden.
    expect(await refused(newInput({ campaignId: szlcaToFirms }), c.tokens.firm)).toEqual([['input.campaignId', 'NOT_FOUND']]);
  });
});

describe('forwarding per association', () => {
  const year = () => Number(shanghaiDay().slice(0, 4));
  const counter = async (associationId: number) =>
    (await sqlRows<{ n: number }>(t, sql`select coalesce(max(last_number), 0)::int as n from suggestion_reference_counters where association_id = ${associationId} and year = ${year()}`))[0]!.n;

  it('each association numbers its batches by its own counter, under its own prefix', async () => {
    const szlcaBefore = await counter(SZLCA);
    const szsaBefore = await counter(SZSA);
    const szlcaIds = [await suggestionIn(t, c, 'ACCEPTED', c.tokens.listed), await suggestionIn(t, c, 'ACCEPTED', c.tokens.listed)];
    const p = await mutate(t, FORWARD, { ids: szlcaIds, recipient: 'CSRC_SZ_BUREAU', note: '上市公司建议' }, c.tokens.szlca);
    expect(p.userErrors).toEqual([]);
    expect(p.referenceNumber).toBe(`深上协〔${year()}〕${szlcaBefore + 1}号`);
    expect(p.suggestions.map((s: any) => s.id)).toEqual(szlcaIds);
    expect(p.suggestions[0].forwarding).toEqual({ referenceNumber: p.referenceNumber, recipient: 'CSRC_SZ_BUREAU', note: '上市公司建议' });
    const [batch] = await sqlRows<any>(t, sql`select association_id, number from suggestion_forward_batches where reference_number = ${p.referenceNumber}`);
    expect(batch).toEqual({ association_id: SZLCA, number: szlcaBefore + 1 });
    expect(await counter(SZSA)).toBe(szsaBefore);

    const szsa = await mutate(t, FORWARD, { ids: [await suggestionIn(t, c, 'ACCEPTED')], recipient: 'SZSE' }, c.tokens.association);
    expect(szsa.referenceNumber).toBe(`深证协〔${year()}〕${szsaBefore + 1}号`);
    const again = await mutate(t, FORWARD, { ids: [await suggestionIn(t, c, 'ACCEPTED', c.tokens.listed)], recipient: 'SZSE' }, c.tokens.szlca);
    expect(again.referenceNumber).toBe(`深上协〔${year()}〕${szlcaBefore + 2}号`);
  });

  it('a batch mixing the other association\'s suggestion is refused whole and its number not used up', async () => {
    const own = await suggestionIn(t, c, 'ACCEPTED', c.tokens.listed);
    const other = await suggestionIn(t, c, 'ACCEPTED');
    const before = await writes(t);
    const szlcaBefore = await counter(SZLCA);
    const p = await mutate(t, FORWARD, { ids: [own, other], recipient: 'SAC' }, c.tokens.szlca);
    expect(p.userErrors.map((e: any) => [e.field.join('.'), e.code])).toEqual([['input.ids.1', 'NOT_FOUND']]);
    expect(p.referenceNumber).toBeNull();
    expect(await writes(t)).toEqual(before);
    expect(await counter(SZLCA)).toBe(szlcaBefore);
  });
});

describe('reads behind the reports', () => {
  const staff = (associationId: number): Viewer => ({ role: 'ASSOCIATION', subject: `test:association:${associationId}`, organizationId: null, associationId });
  const regulator: Viewer = { role: 'REGULATOR', subject: 'test:regulator:', organizationId: null };

  it('suggestionSummary counts the association\'s own suggestions; the regulator\'s every association\'s', async () => {
    const total = async (viewer: Viewer) => (await suggestionSummary(t.database.db, viewer, {})).reduce((n, r) => n + r.count, 0);
    const count = async (associationId: number | null) =>
      (await sqlRows<{ n: number }>(t, associationId === null ? sql`select count(*)::int as n from suggestions` : sql`select count(*)::int as n from suggestions where association_id = ${associationId}`))[0]!.n;
    expect(await total(staff(SZSA))).toBe(await count(SZSA));
    expect(await total(staff(SZLCA))).toBe(await count(SZLCA));
    expect(await total(regulator)).toBe(await count(null));
  });

  it('the CSV export\'s batches hold the association\'s own suggestions only, each with its association', async () => {
    const range = { from: '2000-01-01', to: '2100-12-31' };
    for (const [viewer, associationId] of [[staff(SZSA), SZSA], [staff(SZLCA), SZLCA], [regulator, null]] as const) {
      const rows = await exportSuggestionBatch(t.database.db, viewer, range, 0, 10_000);
      expect(rows.map((r) => encodeGlobalId('Suggestion', r.id))).toEqual(await idsOfAssociation(associationId));
      if (associationId !== null) expect(new Set(rows.map((r) => r.associationId))).toEqual(new Set([associationId]));
    }
  });
});

describe('demo data of the listed companies association', () => {
  it('holds an SZLCA campaign to listed companies, listed companies\' suggestions in several statuses and batch 深上协〔2026〕1号', async () => {
    const [campaign] = await sqlRows<any>(t, sql`select association_id, invited_kinds::text[] as invited_kinds from suggestion_campaigns where document_number = '深上协函〔2026〕5号'`);
    expect(campaign).toEqual({ association_id: SZLCA, invited_kinds: ['LISTED_COMPANY'] });
    const rows = await sqlRows<any>(
      t,
      sql`select s.status, o.kind, b.reference_number, s.campaign_id, c.association_id as campaign_association
        from suggestions s join organizations o on o.id = s.organization_id
        left join suggestion_forward_batches b on b.id = s.forward_batch_id
        left join suggestion_campaigns c on c.id = s.campaign_id
        where s.association_id = ${SZLCA} and s.id <= 24 order by s.id`,
    );
    expect(rows.length).toBe(4);
    expect(rows.every((r) => r.kind === 'LISTED_COMPANY')).toBe(true);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['FORWARDED', 'RESPONDED', 'UNDER_REVIEW', 'SUBMITTED']));
    expect(rows.filter((r) => r.reference_number).every((r) => r.reference_number === '深上协〔2026〕1号')).toBe(true);
    expect(rows.every((r) => r.campaign_id === null || r.campaign_association === SZLCA)).toBe(true);
    const counters = await sqlRows<any>(t, sql`select association_id, year, last_number from suggestion_reference_counters where year = 2026 order by association_id`);
    expect(counters.filter((r) => r.association_id === SZLCA)).toEqual([{ association_id: SZLCA, year: 2026, last_number: expect.any(Number) }]);
    // Every demo suggestion's organization is an active member of the association it went to, except the listed
    // companies' SZSA suggestions from before the listed companies association took them over (history).
    const strays = await sqlRows<any>(
      t,
      sql`select s.id from suggestions s join organizations o on o.id = s.organization_id
        where s.id <= 24 and not exists (select 1 from memberships m where m.organization_id = s.organization_id and m.association_id = s.association_id)
          and not (o.kind = 'LISTED_COMPANY' and s.association_id = ${SZSA})`,
    );
    expect(strays).toEqual([]);
  });
});
