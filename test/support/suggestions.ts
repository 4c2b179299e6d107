// Small factories for the suggestion tests: who is who, GraphQL documents, driving a suggestion to a status,
// and a fingerprint of everything the suggestion mutations write (to prove "nothing written").
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { signAccessToken } from '../../src/auth/tokens.js';
import { creditCodeOf, type TestApp } from './harness.js';

export const SUGGESTION_FIELDS = `id topic title body status submittedAt
  organization { id creditCode }
  events { at fromStatus toStatus note }
  campaign { id }
  duplicateOf { id }
  reviewNote
  forwarding { referenceNumber recipient note }
  response responseOutcome respondedAt`;

const payload = `suggestion { ${SUGGESTION_FIELDS} } userErrors { field code message }`;

export const SUBMIT = `mutation($input: SubmitSuggestionInput!) { submitSuggestion(input: $input) { ${payload} } }`;
export const WITHDRAW = `mutation($id: ID!) { withdrawSuggestion(input: { id: $id }) { ${payload} } }`;
export const START_REVIEW = `mutation($id: ID!, $note: String) { startSuggestionReview(input: { id: $id, note: $note }) { ${payload} } }`;
export const REVIEW = `mutation($id: ID!, $decision: ReviewDecision!, $note: String) { reviewSuggestion(input: { id: $id, decision: $decision, note: $note }) { ${payload} } }`;
export const MARK_DUPLICATE = `mutation($id: ID!, $of: ID!, $note: String) { markSuggestionDuplicate(input: { id: $id, duplicateOfId: $of, note: $note }) { ${payload} } }`;
export const FORWARD = `mutation($ids: [ID!]!, $recipient: GovernmentRecipient!, $note: String) {
  forwardSuggestions(input: { ids: $ids, recipient: $recipient, note: $note }) {
    suggestions { ${SUGGESTION_FIELDS} } referenceNumber userErrors { field code message }
  }
}`;
export const RESPOND = `mutation($id: ID!, $response: String!, $outcome: ResponseOutcome!) {
  recordSuggestionResponse(input: { id: $id, response: $response, outcome: $outcome }) { ${payload} }
}`;
export const CREATE_CAMPAIGN = `mutation($input: CreateSuggestionCampaignInput!) {
  createSuggestionCampaign(input: $input) {
    suggestionCampaign { id title documentNumber topics invitedKinds issuedOn deadline isOpen }
    userErrors { field code message }
  }
}`;

export interface Cast {
  firmCode: string;
  firmBCode: string;
  listedCode: string;
  futuresCode: string;
  firmOrgId: string;
  firmBOrgId: string;
  listedOrgId: string;
  /** `association` is the securities association's (SZSA) staff, `szlca` the listed companies association's. */
  tokens: { anonymous: undefined; firm: string; firmB: string; listed: string; futures: string; association: string; szlca: string; regulator: string };
}

/** A token of an association's staff member (the harness's t.token signs without `assoc`, i.e. SZSA). */
export function staffToken(t: TestApp, association: 'SZSA' | 'SZLCA', ttlSeconds = 3600): Promise<string> {
  return signAccessToken(
    t.keys,
    { issuer: t.config.AUTH_ISSUER, audience: t.config.AUTH_AUDIENCE },
    { sub: `test:association:${association}`, role: 'association', assoc: association },
    ttlSeconds,
  );
}

/** The seeded organizations and tokens the suggestion tests act as. */
export async function cast(t: TestApp): Promise<Cast> {
  const firmCode = await creditCodeOf(t, 'SECURITIES_FIRM', 0);
  const firmBCode = await creditCodeOf(t, 'SECURITIES_FIRM', 1);
  const listedCode = await creditCodeOf(t, 'LISTED_COMPANY', 0);
  const futuresCode = await creditCodeOf(t, 'FUTURES_FIRM', 0);
  const ids = await t.gql(`query($a: String!, $b: String!, $c: String!) { a: organization(creditCode: $a) { id } b: organization(creditCode: $b) { id } c: organization(creditCode: $c) { id } }`, {
    a: firmCode,
    b: firmBCode,
    c: listedCode,
  });
  return {
    firmCode,
    firmBCode,
    listedCode,
    futuresCode,
    firmOrgId: ids.body.data.a.id,
    firmBOrgId: ids.body.data.b.id,
    listedOrgId: ids.body.data.c.id,
    tokens: {
      anonymous: undefined,
      firm: await t.token('firm', firmCode, 3600),
      firmB: await t.token('firm', firmBCode, 3600),
      listed: await t.token('listed_company', listedCode, 3600),
      futures: await t.token('firm', futuresCode, 3600),
      association: await t.token('association', undefined, 3600),
      szlca: await staffToken(t, 'SZLCA'),
      regulator: await t.token('regulator', undefined, 3600),
    },
  };
}

let counter = 0;
/** A distinct, valid submission input. */
export function newInput<T extends Record<string, unknown>>(overrides: T = {} as T): { topic: string; title: string; body: string } & T {
  counter += 1;
  return { topic: 'QIANHAI', title: `测试建议 ${counter} ${Date.now()}`, body: `关于前海的测试建议正文 ${counter}`, ...overrides };
}

/** Runs a mutation and returns its payload, failing the test on GraphQL errors. */
export async function mutate(t: TestApp, query: string, variables: Record<string, unknown>, token: string | undefined) {
  const res = await t.gql(query, variables, { token });
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return Object.values(res.body.data as Record<string, any>)[0];
}

export async function submit(t: TestApp, token: string, input: Record<string, unknown> = newInput()) {
  const p = await mutate(t, SUBMIT, { input }, token);
  expect(p.userErrors).toEqual([]);
  return p.suggestion as { id: string; status: string; events: any[]; [k: string]: any };
}

export const statuses = ['SUBMITTED', 'UNDER_REVIEW', 'ACCEPTED', 'REJECTED', 'FORWARDED', 'RESPONDED', 'WITHDRAWN'] as const;
export type Status = (typeof statuses)[number];

/**
 * A fresh suggestion of the firm (or the organization of `token`), driven through the mutations to the given status by
 * the staff of the association it went to: a listed company's goes to SZLCA, everyone else's to SZSA.
 */
export async function suggestionIn(
  t: TestApp,
  c: Cast,
  status: Status,
  token = c.tokens.firm,
  assoc = token === c.tokens.listed ? c.tokens.szlca : c.tokens.association,
): Promise<string> {
  const { id } = await submit(t, token);
  const ok = (p: any) => expect(p.userErrors, JSON.stringify(p.userErrors)).toEqual([]);
  switch (status) {
    case 'SUBMITTED':
      break;
    case 'UNDER_REVIEW':
      ok(await mutate(t, START_REVIEW, { id }, assoc));
      break;
    case 'REJECTED':
      ok(await mutate(t, REVIEW, { id, decision: 'REJECT' }, assoc));
      break;
    case 'WITHDRAWN':
      ok(await mutate(t, WITHDRAW, { id }, token));
      break;
    default:
      ok(await mutate(t, REVIEW, { id, decision: 'ACCEPT' }, assoc));
      if (status === 'ACCEPTED') break;
      ok(await mutate(t, FORWARD, { ids: [id], recipient: 'CSRC_SZ_BUREAU' }, assoc));
      if (status === 'FORWARDED') break;
      ok(await mutate(t, RESPOND, { id, response: '已研究', outcome: 'ADOPTED' }, assoc));
  }
  return id;
}

/** Row counts and a checksum of every table a suggestion mutation writes. Equal before and after ⇒ nothing written. */
export async function writes(t: TestApp) {
  const result = (await t.database.db.execute(sql`select
      (select count(*) from suggestions)::int as suggestions,
      (select count(*) from suggestion_events)::int as events,
      (select count(*) from suggestion_campaigns)::int as campaigns,
      (select count(*) from suggestion_forward_batches)::int as batches,
      (select coalesce(sum(last_number), 0)::int from suggestion_reference_counters) as counters,
      (select count(*) from audit_log)::int as audit,
      (select count(*) from outbox_events)::int as outbox,
      (select md5(coalesce(string_agg(s::text, '|' order by s.id), '')) from suggestions s) as state`)) as unknown as { rows: Record<string, unknown>[] };
  return result.rows[0]!;
}

export async function sqlRows<T = Record<string, unknown>>(t: TestApp, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await t.database.db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** Decodes a global ID to its integer key. */
export function keyOf(globalId: string): number {
  return Number(Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]);
}

/** Today in Asia/Shanghai, and days around it. */
export function shanghaiDay(offsetDays = 0): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(Date.now() + offsetDays * 86_400_000),
  );
}

let campaignCounter = 0;
/** The association (SZSA unless another staff token is given) issues a campaign; returns its global ID. */
export async function createCampaign(t: TestApp, c: Cast, input: Record<string, unknown> = {}, staff = c.tokens.association): Promise<string> {
  campaignCounter += 1;
  const p = await mutate(
    t,
    CREATE_CAMPAIGN,
    {
      input: {
        title: `测试征集 ${campaignCounter}`,
        documentNumber: `深证协函〔测试〕${campaignCounter}-${Date.now()}号`,
        topics: ['QIANHAI', 'HETAO'],
        invitedKinds: ['SECURITIES_FIRM'],
        deadline: shanghaiDay(30),
        ...input,
      },
    },
    staff,
  );
  expect(p.userErrors).toEqual([]);
  return p.suggestionCampaign.id;
}
