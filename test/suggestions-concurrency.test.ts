// Exactly once under concurrency: racing submissions with one key, racing forwards and their reference
// numbers, and the fixed statement cost of submitSuggestion.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../src/auth/viewer.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { cast, FORWARD, keyOf, newInput, REVIEW, shanghaiDay, sqlRows, SUBMIT, suggestionIn, WITHDRAW, writes, type Cast } from './support/suggestions.js';

let t: TestApp;
let c: Cast;
let firmViewer: Viewer;
beforeAll(async () => {
  t = await createTestApp();
  c = await cast(t);
  firmViewer = { role: 'FIRM', subject: 'test:firm', organizationId: keyOf(c.firmOrgId) };
});
afterAll(async () => {
  await t?.close();
});

describe('racing submissions with one idempotency key', () => {
  it('20 concurrent submissions with one key make one row, and every answer is that row', async () => {
    const input = newInput({ idempotencyKey: `race-${Date.now()}` });
    const before = await writes(t);
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.gql(SUBMIT, { input }, { token: c.tokens.firm })));
    for (const a of answers) {
      expect(a.body.errors, JSON.stringify(a.body.errors)).toBeUndefined();
      expect(a.body.data.submitSuggestion.userErrors).toEqual([]);
    }
    const ids = new Set(answers.map((a) => a.body.data.submitSuggestion.suggestion.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    const rows = await sqlRows<any>(t, sql`select id from suggestions where idempotency_key = ${input.idempotencyKey}`);
    expect(rows.map((r) => r.id)).toEqual([keyOf(id!)]);
    // One row, and one of everything that goes with it.
    expect(await writes(t)).toMatchObject({
      suggestions: (before.suggestions as number) + 1,
      events: (before.events as number) + 1,
      audit: (before.audit as number) + 1,
      outbox: (before.outbox as number) + 1,
    });
  });

  it('racing requests with one key but two different inputs: one row; the other input gets IDEMPOTENCY_KEY_REUSED', async () => {
    const key = `race2-${Date.now()}`;
    const a = newInput({ idempotencyKey: key });
    const b = newInput({ idempotencyKey: key });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => t.gql(SUBMIT, { input: i % 2 ? a : b }, { token: c.tokens.firm })));
    const rows = await sqlRows<any>(t, sql`select id, title from suggestions where idempotency_key = ${key}`);
    expect(rows).toHaveLength(1);
    const winner = rows[0].title === a.title ? a : b;
    answers.forEach((res, i) => {
      const p = res.body.data.submitSuggestion;
      if ((i % 2 ? a : b) === winner) {
        expect(p.userErrors).toEqual([]);
        expect(keyOf(p.suggestion.id)).toBe(rows[0].id);
      } else {
        expect(p).toEqual({ suggestion: null, userErrors: [expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED' })] });
      }
    });
  });

  it('two organizations racing with the same key each get their own single row', async () => {
    const input = newInput({ idempotencyKey: `race3-${Date.now()}` });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => t.gql(SUBMIT, { input }, { token: i % 2 ? c.tokens.firm : c.tokens.listed })),
    );
    const rows = await sqlRows<any>(t, sql`select organization_id from suggestions where idempotency_key = ${input.idempotencyKey} order by organization_id`);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.organization_id)).size).toBe(2);
  });
});

describe('racing status moves', () => {
  it('a withdrawal and two review decisions racing on one SUBMITTED suggestion: exactly one wins, the others get INVALID_STATE', async () => {
    for (let round = 0; round < 3; round++) {
      const id = await suggestionIn(t, c, 'SUBMITTED');
      const answers = await Promise.all([
        t.gql(WITHDRAW, { id }, { token: c.tokens.firm }),
        t.gql(REVIEW, { id, decision: 'ACCEPT' }, { token: c.tokens.association }),
        t.gql(REVIEW, { id, decision: 'REJECT' }, { token: c.tokens.association }),
      ]);
      const payloads = answers.map((a) => Object.values(a.body.data)[0] as any);
      const winners = payloads.filter((p) => p.userErrors.length === 0);
      expect(winners).toHaveLength(1);
      expect(payloads.filter((p) => p.userErrors[0]?.code === 'INVALID_STATE')).toHaveLength(2);
      const events = await sqlRows<any>(t, sql`select from_status, to_status from suggestion_events where suggestion_id = ${keyOf(id)} order by id`);
      const final = winners[0].suggestion.status;
      expect(events.at(-1).to_status).toBe(final);
      expect(events.length).toBe(final === 'WITHDRAWN' ? 2 : 3);
      const [audit] = await sqlRows<any>(t, sql`select count(*)::int as n from audit_log where entity_type = 'Suggestion' and entity_id = ${keyOf(id)}`);
      expect(audit.n).toBe(2); // the submission and the one move that won
    }
  });
});

describe('reference numbers under concurrent forwarding', () => {
  const REF = /^深证协〔(\d{4})〕(\d+)号$/;
  const year = () => Number(shanghaiDay().slice(0, 4));

  it('concurrent forwards take consecutive numbers of the year: no gap, no repeat, even with failures among them', async () => {
    const accepted = [];
    for (let i = 0; i < 8; i++) accepted.push(await suggestionIn(t, c, 'ACCEPTED'));
    const notAccepted = [await suggestionIn(t, c, 'SUBMITTED'), await suggestionIn(t, c, 'REJECTED')];
    const [start] = await sqlRows<any>(t, sql`select coalesce(max(number), 0)::int as n from suggestion_forward_batches where association_id = 1 and year = ${year()}`);

    const requests = [
      ...accepted.map((id) => [id]),
      ...notAccepted.map((id) => [id]),
      [accepted[0]!], // a second forward of a suggestion another request is forwarding: one of the two must lose
    ];
    const answers = await Promise.all(
      requests.map((ids) => t.gql(FORWARD, { ids, recipient: 'SZ_FINANCIAL_REGULATOR' }, { token: c.tokens.association })),
    );
    const payloads = answers.map((a) => a.body.data.forwardSuggestions);
    const numbers = payloads.filter((p) => p.referenceNumber).map((p) => Number(REF.exec(p.referenceNumber)![2]));
    expect(numbers).toHaveLength(accepted.length);
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: accepted.length }, (_, i) => start.n + i + 1));
    expect(payloads.filter((p) => p.userErrors.length > 0).map((p) => p.userErrors[0].code)).toEqual(['INVALID_STATE', 'INVALID_STATE', 'INVALID_STATE']);

    const batches = await sqlRows<any>(t, sql`select number, reference_number from suggestion_forward_batches where association_id = 1 and year = ${year()} order by number`);
    expect(batches.map((b) => b.number)).toEqual(Array.from({ length: batches.length }, (_, i) => batches[0].number + i));
    for (const b of batches) expect(b.reference_number).toBe(`深证协〔${year()}〕${b.number}号`);
    const [counter] = await sqlRows<any>(t, sql`select last_number from suggestion_reference_counters where association_id = 1 and year = ${year()}`);
    expect(counter.last_number).toBe(batches.at(-1).number);
    // Each accepted suggestion was forwarded exactly once, with exactly one FORWARDED event.
    const events = await sqlRows<any>(
      t,
      sql`select suggestion_id, count(*)::int as n from suggestion_events where to_status = 'FORWARDED' and suggestion_id in (${sql.join(accepted.map((id) => sql`${keyOf(id)}`), sql`, `)}) group by suggestion_id`,
    );
    expect(events.map((e) => e.n)).toEqual(accepted.map(() => 1));
  });

  it('two associations forwarding at once each take their own consecutive numbers under their own prefix', async () => {
    const szsa: string[] = [];
    const szlca: string[] = [];
    for (let i = 0; i < 4; i++) {
      szsa.push(await suggestionIn(t, c, 'ACCEPTED'));
      szlca.push(await suggestionIn(t, c, 'ACCEPTED', c.tokens.listed));
    }
    const last = async (associationId: number) =>
      (await sqlRows<any>(t, sql`select coalesce(max(last_number), 0)::int as n from suggestion_reference_counters where association_id = ${associationId} and year = ${year()}`))[0].n as number;
    const [szsaStart, szlcaStart] = [await last(1), await last(2)];
    const answers = await Promise.all(
      szsa.flatMap((id, i) => [
        t.gql(FORWARD, { ids: [id], recipient: 'SAC' }, { token: c.tokens.association }),
        t.gql(FORWARD, { ids: [szlca[i]], recipient: 'SZSE' }, { token: c.tokens.szlca }),
      ]),
    );
    const refs = answers.map((a) => a.body.data.forwardSuggestions.referenceNumber as string);
    const numbersOf = (prefix: string) =>
      refs.filter((r) => r.startsWith(prefix)).map((r) => Number(/〕(\d+)号$/.exec(r)![1])).sort((a, b) => a - b);
    expect(numbersOf(`深证协〔${year()}〕`)).toEqual([1, 2, 3, 4].map((i) => szsaStart + i));
    expect(numbersOf(`深上协〔${year()}〕`)).toEqual([1, 2, 3, 4].map((i) => szlcaStart + i));
    expect([await last(1), await last(2)]).toEqual([szsaStart + 4, szlcaStart + 4]);
  });

  it('forwarding costs the same number of statements for 1 and for 20 suggestions', async () => {
    const association: Viewer = { role: 'ASSOCIATION', subject: 'test:association', organizationId: null };
    const one = [await suggestionIn(t, c, 'ACCEPTED')];
    const many = [];
    for (let i = 0; i < 20; i++) many.push(await suggestionIn(t, c, 'ACCEPTED'));
    const a = await t.countedExecute(FORWARD, { ids: one, recipient: 'SAC' }, association);
    const b = await t.countedExecute(FORWARD, { ids: many, recipient: 'SAC' }, association);
    expect(a.body.data.forwardSuggestions.userErrors).toEqual([]);
    expect(b.body.data.forwardSuggestions.suggestions).toHaveLength(20);
    expect(b.count).toBe(a.count);
  });
});

describe('a failure midway leaves nothing behind', () => {
  it('when the last write (the outbox event) fails, neither a submission nor a forward leaves any row, and no number is used up', async () => {
    const accepted = await suggestionIn(t, c, 'ACCEPTED');
    const db = t.database.db;
    await db.execute(sql`create function fail_outbox() returns trigger language plpgsql as $$ begin raise exception 'outbox down'; end $$`);
    await db.execute(sql`create trigger fail_outbox before insert on outbox_events for each row execute function fail_outbox()`);
    try {
      const before = await writes(t);
      const submitted = await t.gql(SUBMIT, { input: newInput({ idempotencyKey: `fail-${Date.now()}` }) }, { token: c.tokens.firm });
      const forwarded = await t.gql(FORWARD, { ids: [accepted], recipient: 'SAC' }, { token: c.tokens.association });
      for (const res of [submitted, forwarded]) {
        expect(res.body.errors?.[0]).toMatchObject({ message: '服务器内部错误', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
        expect(res.text).not.toContain('outbox down');
      }
      expect(await writes(t)).toEqual(before);
    } finally {
      await db.execute(sql`drop trigger fail_outbox on outbox_events`);
      await db.execute(sql`drop function fail_outbox()`);
    }
    // Once the outbox works again, the forward takes the very next number.
    const [last] = await sqlRows<any>(t, sql`select coalesce(max(number), 0)::int as n from suggestion_forward_batches where association_id = 1 and year = ${Number(shanghaiDay().slice(0, 4))}`);
    const ok = await t.gql(FORWARD, { ids: [accepted], recipient: 'SAC' }, { token: c.tokens.association });
    expect(ok.body.data.forwardSuggestions.referenceNumber).toBe(`深证协〔${shanghaiDay().slice(0, 4)}〕${last.n + 1}号`);
  });
});

describe('submitSuggestion statement cost', () => {
  const SUBMIT_ID = `mutation($input: SubmitSuggestionInput!) { submitSuggestion(input: $input) { suggestion { id status } userErrors { code } } }`;

  it('a new submission is one statement (its own transaction): suggestion, event, audit and outbox together', async () => {
    const before = await writes(t);
    const res = await t.countedExecute(SUBMIT_ID, { input: newInput({ idempotencyKey: `count-${Date.now()}` }) }, firmViewer);
    expect(res.body.data.submitSuggestion.userErrors).toEqual([]);
    expect(res.count).toBe(1);
    expect(res.statements[0]).toMatch(/^with inserted as \(\s*insert into "suggestions"/);
    expect(await writes(t)).toMatchObject({ suggestions: (before.suggestions as number) + 1, events: (before.events as number) + 1, audit: (before.audit as number) + 1, outbox: (before.outbox as number) + 1 });
  });

  it('a replay is two statements and a key reuse two statements, whatever the size of the input', async () => {
    const small = newInput({ idempotencyKey: `count-s-${Date.now()}` });
    const large = newInput({ idempotencyKey: `count-l-${Date.now()}`, body: '长'.repeat(10_000) });
    for (const input of [small, large]) {
      const first = await t.countedExecute(SUBMIT_ID, { input }, firmViewer);
      expect(first.count).toBe(1);
      const replay = await t.countedExecute(SUBMIT_ID, { input }, firmViewer);
      expect(replay.body.data.submitSuggestion.suggestion.id).toBe(first.body.data.submitSuggestion.suggestion.id);
      expect(replay.count).toBe(2);
      const reuse = await t.countedExecute(SUBMIT_ID, { input: { ...input, title: 'changed' } }, firmViewer);
      expect(reuse.body.data.submitSuggestion.userErrors).toEqual([{ code: 'IDEMPOTENCY_KEY_REUSED' }]);
      expect(reuse.count).toBe(2);
    }
  });

  it('stays within 4 statements including the payload\'s nested fields', async () => {
    const res = await t.countedExecute(
      `mutation($input: SubmitSuggestionInput!) { submitSuggestion(input: $input) { suggestion { id status events { toStatus } organization { name } } userErrors { code } } }`,
      { input: newInput() },
      firmViewer,
    );
    expect(res.body.data.submitSuggestion.suggestion.events).toEqual([{ toStatus: 'SUBMITTED' }]);
    expect(res.count).toBeLessThanOrEqual(4);
  });

  it('a userError costs no statement at all', async () => {
    const res = await t.countedExecute(SUBMIT_ID, { input: newInput({ title: '\u0000' }) }, firmViewer);
    expect(res.body.data.submitSuggestion.userErrors).toEqual([{ code: 'INVALID' }]);
    expect(res.count).toBe(0);
  });
});

describe('reading suggestions costs the same at any page size', () => {
  it('a nested suggestions page costs the same statements at 20 and 100 rows', async () => {
    const regulator: Viewer = { role: 'REGULATOR', subject: 'test:regulator', organizationId: null };
    const q = `query($n: Int!) { suggestions(first: $n) { totalCount edges { node { id events { toStatus } organization { name } campaign { title } duplicateOf { id } forwarding { referenceNumber } } } } }`;
    // Both pages hold every kind of relation (the demo data's first 20 include a duplicate, a campaign and a batch).
    const small = await t.countedExecute(q, { n: 20 }, regulator);
    const large = await t.countedExecute(q, { n: 100 }, regulator);
    expect(large.body.errors).toBeUndefined();
    expect(large.body.data.suggestions.edges.length).toBeGreaterThan(small.body.data.suggestions.edges.length);
    expect(large.count).toBe(small.count);
  });
});
