// The contract's suggestion rules: submission, exactly-once keys, campaigns, the status machine with its
// events, duplicates, forwarding with reference numbers, responses, the summary report and the demo data.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/global-id.js';
import { isUniqueViolation } from '../src/errors.js';
import { movePath } from '../src/suggestions/suggestions.service.js';
import { createTestApp, type TestApp } from './support/harness.js';
import {
  cast,
  createCampaign,
  FORWARD,
  keyOf,
  MARK_DUPLICATE,
  mutate,
  newInput,
  RESPOND,
  REVIEW,
  shanghaiDay,
  sqlRows,
  START_REVIEW,
  statuses,
  submit,
  SUBMIT,
  suggestionIn,
  WITHDRAW,
  writes,
  CREATE_CAMPAIGN,
  type Cast,
  type Status,
} from './support/suggestions.js';

let t: TestApp;
let c: Cast;
beforeAll(async () => {
  t = await createTestApp();
  c = await cast(t);
});
afterAll(async () => {
  await t?.close();
});

/** Submits and expects userErrors with these codes, and nothing written. */
async function refusedSubmission(input: Record<string, unknown>, token = c.tokens.firm) {
  const before = await writes(t);
  const p = await mutate(t, SUBMIT, { input }, token);
  expect(p.suggestion).toBeNull();
  expect(await writes(t)).toEqual(before);
  return p.userErrors as { field: string[]; code: string; message: string }[];
}

describe('submitSuggestion', () => {
  it('a firm submits a suggestion for its own organization, with its SUBMITTED event, an audit entry and an outbox event', async () => {
    const before = await writes(t);
    const input = newInput({ topic: 'GBA_CROSS_BORDER' });
    const s = await submit(t, c.tokens.firm, input);
    expect(s).toMatchObject({ topic: 'GBA_CROSS_BORDER', title: input.title, body: input.body, status: 'SUBMITTED', organization: { creditCode: c.firmCode } });
    expect(s.events).toEqual([{ at: s.submittedAt, fromStatus: null, toStatus: 'SUBMITTED', note: null }]);
    const after = await writes(t);
    expect(after).toMatchObject({
      suggestions: (before.suggestions as number) + 1,
      events: (before.events as number) + 1,
      audit: (before.audit as number) + 1,
      outbox: (before.outbox as number) + 1,
    });
    const id = keyOf(s.id);
    const [audit] = await sqlRows<any>(t, sql`select actor_role, action, entity_type, after from audit_log where entity_type = 'Suggestion' and entity_id = ${id}`);
    expect(audit).toMatchObject({ actor_role: 'FIRM', action: 'suggestion.submit', entity_type: 'Suggestion' });
    expect(audit.after).toMatchObject({ id, title: input.title, status: 'SUBMITTED' });
    const [event] = await sqlRows<any>(t, sql`select type, entity_type, payload from outbox_events where entity_type = 'Suggestion' and entity_id = ${id}`);
    expect(event).toMatchObject({ type: 'suggestion.submitted', entity_type: 'Suggestion' });
    expect(event.payload).toMatchObject({ suggestion: s.id, organization: c.firmOrgId, topic: 'GBA_CROSS_BORDER', status: 'SUBMITTED' });
  });

  it('a listed company submits a suggestion for its own organization', async () => {
    const s = await submit(t, c.tokens.listed, newInput({ topic: 'PILOT_ZONE_REFORM' }));
    expect(s.organization.creditCode).toBe(c.listedCode);
  });

  it('the suggestion never belongs to an organization named in the input', async () => {
    const before = await writes(t);
    const res = await t.gql(SUBMIT, { input: { ...newInput(), organizationId: c.firmBOrgId } }, { token: c.tokens.firm });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.data ?? null).toBeNull();
    expect(await writes(t)).toEqual(before);
  });

  it('trims title and body before storing and checking them', async () => {
    const s = await submit(t, c.tokens.firm, newInput({ title: '  前后有空格的标题\u3000 ', body: '\n  正文第一行\n第二行  \n' }));
    expect(s.title).toBe('前后有空格的标题');
    expect(s.body).toBe('正文第一行\n第二行');
  });

  it('accepts a title of exactly 120 characters and a body of exactly 10,000 (counted in characters, not bytes)', async () => {
    const title = '深'.repeat(119) + '😀';
    const body = '圳'.repeat(9_999) + '😀';
    const s = await submit(t, c.tokens.firm, newInput({ title: ` ${title} `, body }));
    expect([...s.title].length).toBe(120);
    expect([...s.body].length).toBe(10_000);
  });

  it('refuses an empty or blank title and body with REQUIRED, and nothing is written', async () => {
    expect(await refusedSubmission(newInput({ title: '', body: ' \n\t ' }))).toEqual([
      expect.objectContaining({ field: ['input', 'title'], code: 'REQUIRED' }),
      expect.objectContaining({ field: ['input', 'body'], code: 'REQUIRED' }),
    ]);
    expect(await refusedSubmission(newInput({ title: '\u3000 ' }))).toEqual([expect.objectContaining({ field: ['input', 'title'], code: 'REQUIRED' })]);
  });

  it('refuses a title over 120 and a body over 10,000 characters with TOO_LONG, and nothing is written', async () => {
    expect(await refusedSubmission(newInput({ title: '深'.repeat(121) }))).toEqual([expect.objectContaining({ field: ['input', 'title'], code: 'TOO_LONG' })]);
    expect(await refusedSubmission(newInput({ body: 'x'.repeat(10_001) }))).toEqual([expect.objectContaining({ field: ['input', 'body'], code: 'TOO_LONG' })]);
  });

  it('refuses control characters (NUL and the like) with a userError, and nothing is written', async () => {
    for (const bad of ['标题\u0000', '标题\u0007响铃', '\u001b[31m红色', '反转\u202E文字', '标题\u007F', '换行\n标题']) {
      expect(await refusedSubmission(newInput({ title: bad })), JSON.stringify(bad)).toEqual([
        expect.objectContaining({ field: ['input', 'title'], code: 'INVALID' }),
      ]);
    }
    for (const bad of ['正文\u0000', '正文\u0008', '正文\u2066隔离']) {
      expect(await refusedSubmission(newInput({ body: bad })), JSON.stringify(bad)).toEqual([
        expect.objectContaining({ field: ['input', 'body'], code: 'INVALID' }),
      ]);
    }
  });

  it('reports every problem at once', async () => {
    const errors = await refusedSubmission(newInput({ title: '', body: 'x'.repeat(10_001), idempotencyKey: 'has space' }));
    expect(errors.map((e) => [e.field.join('.'), e.code])).toEqual([
      ['input.title', 'REQUIRED'],
      ['input.body', 'TOO_LONG'],
      ['input.idempotencyKey', 'INVALID'],
    ]);
  });

  it('gives userError messages in Chinese or English by Accept-Language', async () => {
    const zh = await t.gql(SUBMIT, { input: newInput({ title: '' }) }, { token: c.tokens.firm, headers: { 'accept-language': 'zh-CN' } });
    const en = await t.gql(SUBMIT, { input: newInput({ title: '' }) }, { token: c.tokens.firm, headers: { 'accept-language': 'en' } });
    expect(zh.body.data.submitSuggestion.userErrors[0].message).toBe('标题不能为空');
    expect(en.body.data.submitSuggestion.userErrors[0].message).toBe('title is required');
  });

  it('an unknown topic is refused before anything runs, and nothing is written', async () => {
    const before = await writes(t);
    const res = await t.gql(SUBMIT, { input: newInput({ topic: 'MARS_COLONY' }) }, { token: c.tokens.firm });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).not.toMatch(/did you mean/i);
    expect(await writes(t)).toEqual(before);
  });
});

describe('idempotencyKey', () => {
  it('the same key and input returns the first suggestion and writes nothing new', async () => {
    const input = newInput({ idempotencyKey: `k-${Date.now()}-same` });
    const first = await submit(t, c.tokens.firm, input);
    const before = await writes(t);
    const again = await submit(t, c.tokens.firm, input);
    expect(again).toEqual(first);
    expect(await writes(t)).toEqual(before);
  });

  it('input that differs only in surrounding whitespace is the same input', async () => {
    const input = newInput({ idempotencyKey: `k-${Date.now()}-trim` });
    const first = await submit(t, c.tokens.firm, input);
    const again = await submit(t, c.tokens.firm, { ...input, title: `  ${input.title}  `, body: `${input.body}\n` });
    expect(again.id).toBe(first.id);
  });

  it('the same key with different input returns IDEMPOTENCY_KEY_REUSED and writes nothing', async () => {
    const input = newInput({ idempotencyKey: `k-${Date.now()}-diff` });
    await submit(t, c.tokens.firm, input);
    for (const change of [{ title: `${input.title}!` }, { body: `${input.body}!` }, { topic: 'HETAO' }]) {
      expect(await refusedSubmission({ ...input, ...change })).toEqual([
        expect.objectContaining({ field: ['input', 'idempotencyKey'], code: 'IDEMPOTENCY_KEY_REUSED' }),
      ]);
    }
  });

  it('another organization\'s identical key is a different key', async () => {
    const input = newInput({ idempotencyKey: `k-${Date.now()}-orgs` });
    const mine = await submit(t, c.tokens.firm, input);
    const theirs = await submit(t, c.tokens.firmB, input);
    expect(theirs.id).not.toBe(mine.id);
    expect(theirs.organization.creditCode).toBe(c.firmBCode);
    expect(mine.organization.creditCode).toBe(c.firmCode);
    // And each replays its own.
    expect((await submit(t, c.tokens.firmB, input)).id).toBe(theirs.id);
    expect((await submit(t, c.tokens.firm, input)).id).toBe(mine.id);
  });

  it('is kept at least 24 hours: a replay two days later still returns the first suggestion', async () => {
    const input = newInput({ idempotencyKey: `k-${Date.now()}-old` });
    const first = await submit(t, c.tokens.firm, input);
    await t.database.db.execute(sql`update suggestions set submitted_at = submitted_at - interval '48 hours' where id = ${keyOf(first.id)}`);
    const before = await writes(t);
    expect((await submit(t, c.tokens.firm, input)).id).toBe(first.id);
    expect(await writes(t)).toEqual(before);
  });

  it('a replay returns the first suggestion as it is now, even after it moved on', async () => {
    const input = newInput({ idempotencyKey: `k-${Date.now()}-moved` });
    const first = await submit(t, c.tokens.firm, input);
    await mutate(t, WITHDRAW, { id: first.id }, c.tokens.firm);
    const again = await submit(t, c.tokens.firm, input);
    expect(again.id).toBe(first.id);
    expect(again.status).toBe('WITHDRAWN');
  });

  it('refuses malformed keys with INVALID', async () => {
    for (const key of ['', 'with space', 'x'.repeat(129), '中文键', 'tab\tkey', 'nul\u0000']) {
      expect(await refusedSubmission(newInput({ idempotencyKey: key })), JSON.stringify(key)).toEqual([
        expect.objectContaining({ field: ['input', 'idempotencyKey'], code: 'INVALID' }),
      ]);
    }
    expect((await submit(t, c.tokens.firm, newInput({ idempotencyKey: 'x'.repeat(128) }))).status).toBe('SUBMITTED');
  });

  it('one row per (organization, key) is enforced by the database itself', async () => {
    const input = newInput({ idempotencyKey: `k-${Date.now()}-db` });
    const first = await submit(t, c.tokens.firm, input);
    const [row] = await sqlRows<any>(t, sql`select organization_id, idempotency_key, input_fingerprint from suggestions where id = ${keyOf(first.id)}`);
    await expect(
      t.database.db.execute(sql`insert into suggestions (organization_id, association_id, topic, title, body, idempotency_key, input_fingerprint)
        values (${row.organization_id}, 1, 'OTHER', 't', 'b', ${row.idempotency_key}, ${row.input_fingerprint})`),
    ).rejects.toSatisfy((error) => isUniqueViolation(error, 'suggestions_org_idempotency_key'));
  });
});

describe('campaigns (征集通知)', () => {
  const CAMPAIGNS = `query($open: Boolean) { suggestionCampaigns(first: 100, filter: { openOnly: $open }) { totalCount edges { node { id title isOpen invitedKinds } } } }`;
  const idsOf = (res: any) => res.body.data.suggestionCampaigns.edges.map((e: any) => e.node.id);

  it('the association opens a campaign that invited firms see among the open campaigns, and others do not', async () => {
    const id = await createCampaign(t, c, { invitedKinds: ['SECURITIES_FIRM'] });
    const firm = await t.gql(CAMPAIGNS, { open: true }, { token: c.tokens.firm });
    expect(idsOf(firm)).toContain(id);
    expect(firm.body.data.suggestionCampaigns.edges.every((e: any) => e.node.isOpen && e.node.invitedKinds.includes('SECURITIES_FIRM'))).toBe(true);
    for (const who of ['listed', 'futures', 'anonymous'] as const) {
      const res = await t.gql(CAMPAIGNS, { open: true }, { token: c.tokens[who] });
      expect(idsOf(res), who).not.toContain(id);
      const node = await t.gql(`query($id: ID!) { node(id: $id) { id } }`, { id }, { token: c.tokens[who] });
      expect(node.body.data.node, who).toBeNull();
    }
    const regulator = await t.gql(CAMPAIGNS, {}, { token: c.tokens.regulator });
    expect(idsOf(regulator)).toContain(id);
  });

  it('listed companies see the campaigns addressed to listed companies by their association', async () => {
    // Listed companies are members of the listed companies association (SZLCA), not of SZSA: SZLCA addresses them.
    const id = await createCampaign(t, c, { invitedKinds: ['LISTED_COMPANY'] }, c.tokens.szlca);
    expect(idsOf(await t.gql(CAMPAIGNS, { open: true }, { token: c.tokens.listed }))).toContain(id);
    expect(idsOf(await t.gql(CAMPAIGNS, { open: true }, { token: c.tokens.firm }))).not.toContain(id);
  });

  it('anonymous viewers see no campaigns at all', async () => {
    const res = await t.gql(CAMPAIGNS, {});
    expect(res.body.data.suggestionCampaigns).toEqual({ totalCount: 0, edges: [] });
  });

  it('a campaign not yet issued is hidden from members until its day', async () => {
    const id = await createCampaign(t, c, { issuedOn: shanghaiDay(3), deadline: shanghaiDay(20) });
    expect(idsOf(await t.gql(CAMPAIGNS, {}, { token: c.tokens.firm }))).not.toContain(id);
    expect(idsOf(await t.gql(CAMPAIGNS, {}, { token: c.tokens.association }))).toContain(id);
    expect(await refusedSubmission(newInput({ campaignId: id }))).toEqual([expect.objectContaining({ field: ['input', 'campaignId'], code: 'NOT_FOUND' })]);
  });

  it('a submission under an open campaign the organization is invited to is linked to it', async () => {
    const id = await createCampaign(t, c);
    const s = await submit(t, c.tokens.firm, newInput({ campaignId: id, topic: 'HETAO' }));
    expect(s.campaign).toEqual({ id });
    const filtered = await t.gql(`query($id: ID) { suggestions(filter: { campaignId: $id }) { totalCount edges { node { id } } } }`, { id }, { token: c.tokens.association });
    expect(filtered.body.data.suggestions).toEqual({ totalCount: 1, edges: [{ node: { id: s.id } }] });
  });

  it('a submission after the campaign\'s deadline is refused with INVALID_STATE, and nothing is written', async () => {
    const id = await createCampaign(t, c, { deadline: shanghaiDay(0) });
    await submit(t, c.tokens.firm, newInput({ campaignId: id })); // the deadline day itself still counts
    await t.database.db.execute(sql`update suggestion_campaigns set issued_on = ${shanghaiDay(-10)}::date, deadline = ${shanghaiDay(-1)}::date where id = ${keyOf(id)}`);
    expect(await refusedSubmission(newInput({ campaignId: id }))).toEqual([expect.objectContaining({ field: ['input', 'campaignId'], code: 'INVALID_STATE' })]);
  });

  it('a retry of a submission accepted before the deadline still returns it after the deadline', async () => {
    const id = await createCampaign(t, c);
    const input = newInput({ campaignId: id, idempotencyKey: `k-${Date.now()}-deadline` });
    const first = await submit(t, c.tokens.firm, input);
    await t.database.db.execute(sql`update suggestion_campaigns set issued_on = ${shanghaiDay(-10)}::date, deadline = ${shanghaiDay(-1)}::date where id = ${keyOf(id)}`);
    expect((await submit(t, c.tokens.firm, input)).id).toBe(first.id);
  });

  it('refuses a campaign the organization is not invited to as NOT_FOUND, and a topic the campaign does not collect as INVALID', async () => {
    const id = await createCampaign(t, c, { invitedKinds: ['FUND_MANAGER'] });
    expect(await refusedSubmission(newInput({ campaignId: id }))).toEqual([expect.objectContaining({ field: ['input', 'campaignId'], code: 'NOT_FOUND' })]);
    const open = await createCampaign(t, c, { topics: ['QIANHAI'] });
    expect(await refusedSubmission(newInput({ campaignId: open, topic: 'TAX_POLICY' }))).toEqual([expect.objectContaining({ field: ['input', 'topic'], code: 'INVALID' })]);
  });

  it('refuses malformed and unknown campaign ids as NOT_FOUND', async () => {
    for (const id of ['garbage', encodeGlobalId('SuggestionCampaign', 999_999), encodeGlobalId('Suggestion', 1)]) {
      expect(await refusedSubmission(newInput({ campaignId: id }))).toEqual([expect.objectContaining({ field: ['input', 'campaignId'], code: 'NOT_FOUND' })]);
    }
  });

  it('checks the campaign itself: dates, topics, invited kinds and a unique document number', async () => {
    const base = { title: '征集', documentNumber: `深证协函〔2026〕${Date.now()}号`, topics: ['QIANHAI'], invitedKinds: ['SECURITIES_FIRM'], deadline: shanghaiDay(10) };
    const attempt = async (input: Record<string, unknown>) => {
      const before = await writes(t);
      const p = await mutate(t, CREATE_CAMPAIGN, { input: { ...base, ...input } }, c.tokens.association);
      expect(await writes(t)).toEqual(before);
      return p.userErrors.map((e: any) => [e.field.join('.'), e.code]);
    };
    expect(await attempt({ deadline: shanghaiDay(-1), issuedOn: shanghaiDay(-5) })).toEqual([['input.deadline', 'INVALID']]);
    expect(await attempt({ issuedOn: shanghaiDay(12) })).toEqual([['input.deadline', 'INVALID']]);
    expect(await attempt({ topics: [], invitedKinds: [], title: ' ' })).toEqual([
      ['input.title', 'REQUIRED'],
      ['input.topics', 'REQUIRED'],
      ['input.invitedKinds', 'REQUIRED'],
    ]);
    await mutate(t, CREATE_CAMPAIGN, { input: base }, c.tokens.association);
    expect(await attempt({})).toEqual([['input.documentNumber', 'DUPLICATE']]);
  });
});

// ---------------------------------------------------------------- the status machine

type Action = 'withdraw' | 'startReview' | 'accept' | 'reject' | 'markDuplicate' | 'forward' | 'respond';

/** What each action does from each status: the statuses passed through, or null for INVALID_STATE. */
const expected: Record<Action, Partial<Record<Status, Status[]>>> = {
  withdraw: { SUBMITTED: ['WITHDRAWN'] },
  startReview: { SUBMITTED: ['UNDER_REVIEW'] },
  accept: { SUBMITTED: ['UNDER_REVIEW', 'ACCEPTED'], UNDER_REVIEW: ['ACCEPTED'] },
  reject: { SUBMITTED: ['UNDER_REVIEW', 'REJECTED'], UNDER_REVIEW: ['REJECTED'] },
  markDuplicate: { SUBMITTED: ['UNDER_REVIEW', 'REJECTED'], UNDER_REVIEW: ['REJECTED'] },
  forward: { ACCEPTED: ['FORWARDED'] },
  respond: { FORWARDED: ['RESPONDED'] },
};

/** The earlier original that markDuplicate points at (created before any target). */
let original: string;
async function act(action: Action, id: string): Promise<any> {
  const assoc = c.tokens.association;
  switch (action) {
    case 'withdraw':
      return mutate(t, WITHDRAW, { id }, c.tokens.firm);
    case 'startReview':
      return mutate(t, START_REVIEW, { id, note: '开始审核' }, assoc);
    case 'accept':
      return mutate(t, REVIEW, { id, decision: 'ACCEPT', note: '同意' }, assoc);
    case 'reject':
      return mutate(t, REVIEW, { id, decision: 'REJECT', note: '不予采纳' }, assoc);
    case 'markDuplicate':
      return mutate(t, MARK_DUPLICATE, { id, of: original }, assoc);
    case 'forward': {
      const p = await mutate(t, FORWARD, { ids: [id], recipient: 'SZSE' }, assoc);
      return { suggestion: p.suggestions[0] ?? null, userErrors: p.userErrors };
    }
    case 'respond':
      return mutate(t, RESPOND, { id, response: '已收悉', outcome: 'NO_FEEDBACK' }, assoc);
  }
}

const EVENTS = `query($id: ID!) { node(id: $id) { ... on Suggestion { status events { fromStatus toStatus note } } } }`;

describe('status moves: every action from every status', () => {
  beforeAll(async () => {
    original = (await submit(t, c.tokens.firmB)).id;
  });

  const cases = (Object.keys(expected) as Action[]).flatMap((action) => statuses.map((from) => [action, from] as const));

  it.each(cases)('%s from %s', async (action, from) => {
    const id = await suggestionIn(t, c, from);
    const before = (await t.gql(EVENTS, { id }, { token: c.tokens.association })).body.data.node;
    const writesBefore = await writes(t);
    const p = await act(action, id);
    const path = expected[action][from];
    const now = (await t.gql(EVENTS, { id }, { token: c.tokens.association })).body.data.node;
    if (!path) {
      expect(p).toEqual({ suggestion: null, userErrors: [expect.objectContaining({ code: 'INVALID_STATE' })] });
      expect(now).toEqual(before);
      expect(await writes(t)).toEqual(writesBefore);
      return;
    }
    expect(p.userErrors).toEqual([]);
    expect(p.suggestion.status).toBe(path.at(-1));
    // Every move appends its event; earlier events are untouched.
    expect(now.events.slice(0, before.events.length)).toEqual(before.events);
    const added = now.events.slice(before.events.length);
    expect(added.map((e: any) => [e.fromStatus, e.toStatus])).toEqual(path.map((to, i) => [i === 0 ? from : path[i - 1], to]));
    expect(p.suggestion.events).toEqual(expect.arrayContaining(added.map((e: any) => expect.objectContaining(e))));
    const [audit] = await sqlRows<any>(t, sql`select count(*)::int as n from audit_log`);
    expect(audit.n).toBe((writesBefore.audit as number) + 1);
  });

  it('the service\'s move table matches the contract exactly', () => {
    const contract = new Set(['SUBMITTED>UNDER_REVIEW', 'UNDER_REVIEW>ACCEPTED', 'UNDER_REVIEW>REJECTED', 'ACCEPTED>FORWARDED', 'FORWARDED>RESPONDED', 'SUBMITTED>WITHDRAWN']);
    for (const from of statuses) {
      for (const to of statuses) {
        const path = movePath(from, to);
        if (contract.has(`${from}>${to}`)) expect(path).toEqual([to]);
        else if (from === 'SUBMITTED' && (to === 'ACCEPTED' || to === 'REJECTED')) expect(path).toEqual(['UNDER_REVIEW', to]);
        else expect(path, `${from}>${to}`).toBeNull();
      }
    }
  });

  it('reviewing a SUBMITTED suggestion records both moves, the note on the decision, and the submitter sees them', async () => {
    const { id } = await submit(t, c.tokens.firm);
    await mutate(t, REVIEW, { id, decision: 'ACCEPT', note: '建议具体可行' }, c.tokens.association);
    const own = await t.gql(`query($id: ID!) { node(id: $id) { ... on Suggestion { status reviewNote events { fromStatus toStatus note } } } }`, { id }, { token: c.tokens.firm });
    expect(own.body.data.node).toEqual({
      status: 'ACCEPTED',
      reviewNote: '建议具体可行',
      events: [
        { fromStatus: null, toStatus: 'SUBMITTED', note: null },
        { fromStatus: 'SUBMITTED', toStatus: 'UNDER_REVIEW', note: null },
        { fromStatus: 'UNDER_REVIEW', toStatus: 'ACCEPTED', note: '建议具体可行' },
      ],
    });
  });

  it('refuses malformed, unknown and wrong-type ids as NOT_FOUND on every move, writing nothing', async () => {
    const ids = ['garbage', encodeGlobalId('Suggestion', 999_999), encodeGlobalId('Organization', 1)];
    for (const id of ids) {
      for (const action of Object.keys(expected) as Action[]) {
        const before = await writes(t);
        const p = await act(action, id);
        expect(p.suggestion, `${action} ${id}`).toBeNull();
        expect(p.userErrors[0].code, `${action} ${id}`).toBe('NOT_FOUND');
        expect(await writes(t)).toEqual(before);
      }
    }
  });

  it('refuses a review note with control characters or over 2,000 characters', async () => {
    const id = await suggestionIn(t, c, 'UNDER_REVIEW');
    const before = await writes(t);
    for (const note of ['说明\u0000', '长'.repeat(2_001)]) {
      const p = await mutate(t, REVIEW, { id, decision: 'REJECT', note }, c.tokens.association);
      expect(p.userErrors[0].field).toEqual(['input', 'note']);
    }
    expect(await writes(t)).toEqual(before);
  });
});

describe('duplicates', () => {
  it('marks a suggestion as a duplicate of an earlier one: rejected through review, pointing at the original', async () => {
    const first = await submit(t, c.tokens.firmB);
    const dup = await submit(t, c.tokens.firm);
    const p = await mutate(t, MARK_DUPLICATE, { id: dup.id, of: first.id, note: '内容相同' }, c.tokens.association);
    expect(p.userErrors).toEqual([]);
    expect(p.suggestion).toMatchObject({ status: 'REJECTED', duplicateOf: { id: first.id } });
    expect(p.suggestion.events.map((e: any) => e.toStatus)).toEqual(['SUBMITTED', 'UNDER_REVIEW', 'REJECTED']);
    // The submitter sees the rejection but not another firm's original, nor its title in the note.
    const own = await t.gql(`query($id: ID!) { node(id: $id) { ... on Suggestion { status duplicateOf { id title } events { note } } } }`, { id: dup.id }, { token: c.tokens.firm });
    expect(own.body.data.node.status).toBe('REJECTED');
    expect(own.body.data.node.duplicateOf).toBeNull();
    expect(JSON.stringify(own.body.data.node.events)).not.toContain(first.title);
  });

  it('refuses a later, the same, a withdrawn or an already-duplicate suggestion as the original, writing nothing', async () => {
    const a = await submit(t, c.tokens.firm);
    const withdrawn = await suggestionIn(t, c, 'WITHDRAWN');
    const b = await submit(t, c.tokens.firm);
    const root = await submit(t, c.tokens.firmB);
    const dupOfRoot = await submit(t, c.tokens.firmB);
    await mutate(t, MARK_DUPLICATE, { id: dupOfRoot.id, of: root.id }, c.tokens.association);
    const target = await submit(t, c.tokens.firm);
    for (const [id, of] of [[a.id, b.id], [a.id, a.id], [b.id, withdrawn], [target.id, dupOfRoot.id]] as const) {
      const before = await writes(t);
      const p = await mutate(t, MARK_DUPLICATE, { id, of }, c.tokens.association);
      expect(p.userErrors).toEqual([expect.objectContaining({ field: ['input', 'duplicateOfId'], code: 'INVALID' })]);
      expect(await writes(t)).toEqual(before);
    }
    const p = await mutate(t, MARK_DUPLICATE, { id: b.id, of: encodeGlobalId('Suggestion', 999_999) }, c.tokens.association);
    expect(p.userErrors).toEqual([expect.objectContaining({ field: ['input', 'duplicateOfId'], code: 'NOT_FOUND' })]);
  });
});

describe('forwarding and responses', () => {
  const REF = /^深证协〔(\d{4})〕(\d+)号$/;

  it('forwards accepted suggestions as one batch with the year\'s next reference number, events, audit and outbox', async () => {
    // A batch is one association's: two SZSA members' suggestions (a listed company's would be SZLCA's).
    const ids = [await suggestionIn(t, c, 'ACCEPTED'), await suggestionIn(t, c, 'ACCEPTED', c.tokens.firmB)];
    const [counter] = await sqlRows<any>(
      t,
      sql`select coalesce(max(last_number), 0)::int as n from suggestion_reference_counters where association_id = 1 and year = ${Number(shanghaiDay().slice(0, 4))}`,
    );
    const before = await writes(t);
    const p = await mutate(t, FORWARD, { ids: [...ids, ids[0]], recipient: 'CSRC_SZ_BUREAU', note: '第一批' }, c.tokens.association);
    expect(p.userErrors).toEqual([]);
    const [, year, number] = REF.exec(p.referenceNumber)!;
    expect(Number(year)).toBe(Number(shanghaiDay().slice(0, 4)));
    expect(Number(number)).toBe(counter.n + 1);
    expect(p.suggestions.map((s: any) => s.id)).toEqual(ids);
    for (const s of p.suggestions) {
      expect(s.status).toBe('FORWARDED');
      expect(s.forwarding).toEqual({ referenceNumber: p.referenceNumber, recipient: 'CSRC_SZ_BUREAU', note: '第一批' });
      expect(s.events.at(-1)).toMatchObject({ fromStatus: 'ACCEPTED', toStatus: 'FORWARDED' });
      expect(s.events.at(-1).note).toContain(p.referenceNumber);
    }
    expect(await writes(t)).toMatchObject({ batches: (before.batches as number) + 1, audit: (before.audit as number) + 1, outbox: (before.outbox as number) + 1, events: (before.events as number) + 2 });
    const [event] = await sqlRows<any>(t, sql`select payload from outbox_events where type = 'suggestion.forwarded' order by id desc limit 1`);
    expect(event.payload).toMatchObject({ referenceNumber: p.referenceNumber, recipient: 'CSRC_SZ_BUREAU' });
    expect(event.payload.suggestions.map((s: any) => s.suggestion)).toEqual(ids);
    // The submitter sees the reference number but not the association's internal note.
    const own = await t.gql(`query($id: ID!) { node(id: $id) { ... on Suggestion { forwarding { referenceNumber note } } } }`, { id: ids[0] }, { token: c.tokens.firm });
    expect(own.body.data.node.forwarding).toEqual({ referenceNumber: p.referenceNumber, note: null });
  });

  it('a batch with any suggestion not ACCEPTED is refused whole, naming each culprit, and the number is not used up', async () => {
    const good = await suggestionIn(t, c, 'ACCEPTED');
    const submitted = await suggestionIn(t, c, 'SUBMITTED');
    const forwarded = await suggestionIn(t, c, 'FORWARDED');
    const before = await writes(t);
    const p = await mutate(t, FORWARD, { ids: [good, submitted, forwarded, 'garbage'], recipient: 'SAC' }, c.tokens.association);
    expect(p.suggestions).toEqual([]);
    expect(p.referenceNumber).toBeNull();
    expect(p.userErrors.map((e: any) => [e.field.join('.'), e.code])).toEqual([
      ['input.ids.1', 'INVALID_STATE'],
      ['input.ids.2', 'INVALID_STATE'],
      ['input.ids.3', 'NOT_FOUND'],
    ]);
    expect(await writes(t)).toEqual(before);
    const ok = await mutate(t, FORWARD, { ids: [good], recipient: 'SAC' }, c.tokens.association);
    const last = await sqlRows<any>(t, sql`select number from suggestion_forward_batches where association_id = 1 order by id desc limit 2`);
    expect(last[0].number).toBe(last[1].number + 1);
    expect(ok.referenceNumber).toMatch(REF);
  });

  it('refuses an empty batch and one over 100 suggestions', async () => {
    expect((await mutate(t, FORWARD, { ids: [], recipient: 'SAC' }, c.tokens.association)).userErrors).toEqual([expect.objectContaining({ field: ['input', 'ids'], code: 'REQUIRED' })]);
    const many = Array.from({ length: 101 }, (_, i) => encodeGlobalId('Suggestion', i + 1));
    expect((await mutate(t, FORWARD, { ids: many, recipient: 'SAC' }, c.tokens.association)).userErrors).toEqual([
      expect.objectContaining({ field: ['input', 'ids'], code: 'LIMIT_EXCEEDED' }),
    ]);
  });

  it('records the government body\'s response with its outcome, an event, an audit entry and an outbox event', async () => {
    const id = await suggestionIn(t, c, 'FORWARDED');
    const before = await writes(t);
    const p = await mutate(t, RESPOND, { id, response: '  已吸收进相关工作方案。 ', outcome: 'PARTIALLY_ADOPTED' }, c.tokens.association);
    expect(p.userErrors).toEqual([]);
    expect(p.suggestion).toMatchObject({ status: 'RESPONDED', response: '已吸收进相关工作方案。', responseOutcome: 'PARTIALLY_ADOPTED' });
    expect(p.suggestion.respondedAt).toBeTruthy();
    expect(p.suggestion.events.at(-1)).toMatchObject({ fromStatus: 'FORWARDED', toStatus: 'RESPONDED' });
    expect(await writes(t)).toMatchObject({ audit: (before.audit as number) + 1, outbox: (before.outbox as number) + 1, events: (before.events as number) + 1 });
    const [event] = await sqlRows<any>(t, sql`select payload from outbox_events where type = 'suggestion.responded' and entity_id = ${keyOf(id)}`);
    expect(event.payload).toMatchObject({ suggestion: id, outcome: 'PARTIALLY_ADOPTED', referenceNumber: p.suggestion.forwarding.referenceNumber });
  });

  it('refuses an empty, oversized or control-character response, writing nothing', async () => {
    const id = await suggestionIn(t, c, 'FORWARDED');
    const before = await writes(t);
    for (const [response, code] of [[' ', 'REQUIRED'], ['x'.repeat(10_001), 'TOO_LONG'], ['回复\u0000', 'INVALID']] as const) {
      const p = await mutate(t, RESPOND, { id, response, outcome: 'ADOPTED' }, c.tokens.association);
      expect(p.userErrors).toEqual([expect.objectContaining({ field: ['input', 'response'], code })]);
    }
    expect(await writes(t)).toEqual(before);
  });
});

describe('lists', () => {
  it('suggestions are ordered and stable across pages: paging with after never repeats or skips a row', async () => {
    // The securities association's staff page through the suggestions submitted to it.
    const expectedIds = (await sqlRows<any>(t, sql`select id from suggestions where association_id = 1 order by id`)).map((r) => encodeGlobalId('Suggestion', r.id));
    const total = await t.gql(`{ suggestions { totalCount } }`, undefined, { token: c.tokens.association });
    expect(total.body.data.suggestions.totalCount).toBe(expectedIds.length);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await t.gql(`query($after: String) { suggestions(first: 7, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } }`, { after }, { token: c.tokens.association });
      seen.push(...page.body.data.suggestions.edges.map((e: any) => e.node.id));
      if (!page.body.data.suggestions.pageInfo.hasNextPage) break;
      after = page.body.data.suggestions.pageInfo.endCursor;
    }
    expect(seen).toEqual(expectedIds);
  });

  it('filters by status and topic, with a matching totalCount', async () => {
    const res = await t.gql(`{ suggestions(first: 100, filter: { status: SUBMITTED, topic: GBA_CROSS_BORDER }) { totalCount edges { node { status topic } } } }`, undefined, { token: c.tokens.regulator });
    const { totalCount, edges } = res.body.data.suggestions;
    expect(edges.length).toBe(totalCount);
    expect(totalCount).toBeGreaterThan(0);
    for (const e of edges) expect(e.node).toEqual({ status: 'SUBMITTED', topic: 'GBA_CROSS_BORDER' });
  });

  it('refuses page sizes outside 1..100 and forged cursors', async () => {
    for (const args of ['first: 0', 'first: 101', 'first: -1', 'after: "bm9wZQ"']) {
      const res = await t.gql(`{ suggestions(${args}) { totalCount } }`, undefined, { token: c.tokens.association });
      expect(res.body.errors?.[0]?.extensions?.code, args).toBe('BAD_USER_INPUT');
    }
  });
});

describe('reports.suggestionSummary', () => {
  const SUMMARY = `query($from: Date, $to: Date) { reports { suggestionSummary(from: $from, to: $to) { associationCode topic status count } } }`;

  it('counts suggestions by association, topic and status in SQL, for the association (its own) and the regulator (all, per association)', async () => {
    for (const who of ['association', 'regulator'] as const) {
      const where = who === 'association' ? sql`where s.association_id = 1` : sql``;
      const rows = await sqlRows<any>(
        t,
        sql`select a.code as association, s.topic, s.status, count(*)::int as count from suggestions s join associations a on a.id = s.association_id ${where}
            group by a.code, s.topic, s.status`,
      );
      const res = await t.gql(SUMMARY, {}, { token: c.tokens[who] });
      const got = res.body.data.reports.suggestionSummary;
      expect(got.reduce((n: number, r: any) => n + r.count, 0)).toBe(rows.reduce((n, r) => n + r.count, 0));
      expect(new Set(got.map((r: any) => `${r.associationCode}/${r.topic}/${r.status}/${r.count}`))).toEqual(
        new Set(rows.map((r) => `${r.association}/${r.topic}/${r.status}/${r.count}`)),
      );
      if (who === 'regulator') expect(new Set(got.map((r: any) => r.associationCode))).toEqual(new Set(['SZSA', 'SZLCA']));
    }
  });

  it('limits to suggestions submitted between two Shanghai days, inclusive', async () => {
    const res = await t.gql(SUMMARY, { from: '2026-09-01', to: '2026-09-30' }, { token: c.tokens.association });
    const [expectedRow] = await sqlRows<any>(
      t,
      sql`select count(*)::int as n from suggestions where association_id = 1 and (submitted_at at time zone 'Asia/Shanghai')::date between '2026-09-01' and '2026-09-30'`,
    );
    expect(res.body.data.reports.suggestionSummary.reduce((n: number, r: any) => n + r.count, 0)).toBe(expectedRow.n);
    expect(expectedRow.n).toBeGreaterThan(0);
    const empty = await t.gql(SUMMARY, { from: '2026-09-30', to: '2026-09-01' }, { token: c.tokens.association });
    expect(empty.body.data.reports.suggestionSummary).toEqual([]);
  });

  it('is null and FORBIDDEN for firms, listed companies and anonymous viewers', async () => {
    for (const who of ['firm', 'listed', 'anonymous'] as const) {
      const res = await t.gql(SUMMARY, {}, { token: c.tokens[who] });
      expect(res.body.data?.reports ?? null, who).toBeNull();
      expect(res.body.errors?.[0]?.extensions?.code, who).toBe('FORBIDDEN');
    }
  });
});

describe('demo data', () => {
  it('holds campaigns, suggestions in every status with a consistent history, and a forwarded batch with responses', async () => {
    const rows = await sqlRows<any>(t, sql`select s.id, s.status, s.forward_batch_id, s.response_outcome, s.duplicate_of_id,
        (select json_agg(json_build_object('from', e.from_status, 'to', e.to_status) order by e.id) from suggestion_events e where e.suggestion_id = s.id) as events
      from suggestions s where s.id <= 20 order by s.id`);
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(statuses));
    for (const r of rows) {
      expect(r.events[0]).toEqual({ from: null, to: 'SUBMITTED' });
      for (let i = 1; i < r.events.length; i++) {
        expect(r.events[i].from).toBe(r.events[i - 1].to);
        expect(movePath(r.events[i].from, r.events[i].to)).toEqual([r.events[i].to]);
      }
      expect(r.events.at(-1).to).toBe(r.status);
    }
    expect(rows.some((r) => r.duplicate_of_id !== null)).toBe(true);
    const [batch] = await sqlRows<any>(t, sql`select reference_number, year, number from suggestion_forward_batches order by id limit 1`);
    expect(batch.reference_number).toBe(`深证协〔${batch.year}〕${batch.number}号`);
    expect(rows.filter((r) => r.response_outcome !== null).length).toBeGreaterThan(0);
    const submitters = await sqlRows<any>(t, sql`select distinct o.kind from suggestions s join organizations o on o.id = s.organization_id where s.id <= 20`);
    expect(submitters.map((r) => r.kind)).toEqual(expect.arrayContaining(['SECURITIES_FIRM', 'LISTED_COMPANY']));
    const [campaigns] = await sqlRows<any>(t, sql`select count(*)::int as n from suggestion_campaigns where id <= 2`);
    expect(campaigns.n).toBe(2);
  });
});
