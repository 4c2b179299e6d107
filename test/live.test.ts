// Live updates (issue 22): GraphQL subscriptions over Server-Sent Events at /graphql/stream, read over real HTTP. Each
// subscription sends its object's current state, then the change; a start the viewer may not see is refused as
// node(id) would hide it; an object that becomes invisible, an expired token, a disabled service account and a server
// shutdown each end the stream with a last event saying why; the cap of streams per principal holds; /graphql refuses
// subscriptions and points here.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import { serviceAccountsTable } from '../src/clients/clients.table.js';
import { countStatements } from '../src/db/instrumentation.js';
import { encodeGlobalId } from '../src/global-id.js';
import { LiveHub } from '../src/live/live.hub.js';
import { insertOrganization, insertPractitioner, insertTrainingProgramme, insertTrainingSession } from './support/factories.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { clientToken, newServiceAccount } from './support/integration.js';
import { cast, START_REVIEW, submit, mutate, type Cast } from './support/suggestions.js';
import { openStream, type SseMessage, type Stream } from './support/sse.js';
import { PUBLISH } from './support/ratings.js';

let t: TestApp;
let c: Cast;
const streams: Stream[] = [];

const SUGGESTION = `subscription($id: ID!) { suggestionStatusChanged(id: $id) { id status } }`;
const EARLY_REPORT = `subscription($id: ID!) { earlyReportStatusChanged(id: $id) { id status } }`;
const CYCLE = `subscription($id: ID!) { ratingCyclePublished(id: $id) { id year status } }`;
const REACH = `subscription($id: ID!) { trainingSessionReach(id: $id) { firms branches participants views } }`;
const SUBMIT_REPORT = `mutation($input: SubmitEarlyReportInput!) { submitEarlyReport(input: $input) { earlyReport { id status } userErrors { field code } } }`;
const ACKNOWLEDGE = `mutation($id: ID!) { acknowledgeEarlyReport(input: { id: $id }) { earlyReport { id status } userErrors { field code } } }`;
const DISABLE = `mutation($id: ID!) { disableServiceAccount(input: { id: $id }) { serviceAccount { id } userErrors { field code } } }`;

async function open(query: string, variables: Record<string, unknown>, token: string | undefined, options: Parameters<typeof openStream>[3] = {}): Promise<Stream> {
  const stream = await openStream(t, query, variables, { token, ...options });
  streams.push(stream);
  return stream;
}

/** The payload of a `next` event (failing on anything else). */
function dataOf(m: SseMessage | null, field: string): any {
  expect(m?.event, JSON.stringify(m)).toBe('next');
  expect(m!.data.errors, JSON.stringify(m!.data)).toBeUndefined();
  return m!.data.data[field];
}

/** A stream refused or ended: its `next` carries one error of `code`, then `complete` — and nothing else. */
async function expectEnded(stream: Stream, code: string): Promise<string> {
  const rest = await stream.rest();
  const last = rest.filter((m) => m.event === 'next').at(-1);
  expect(last?.data.errors?.[0]?.extensions?.code, JSON.stringify(rest)).toBe(code);
  expect(rest.at(-1)?.event).toBe('complete');
  return last!.data.errors[0].message as string;
}

async function newSuggestion(): Promise<string> {
  return (await submit(t, c.tokens.firm)).id;
}

beforeAll(async () => {
  t = await createTestApp({ LIVE_STREAMS_PER_PRINCIPAL: '3', LIVE_RECHECK_INTERVAL_MS: '200', LIVE_POLL_INTERVAL_MS: '100', LIVE_REACH_MIN_INTERVAL_MS: '100' });
  c = await cast(t);
}, 60_000);

afterAll(async () => {
  for (const s of streams) s.close();
  await t?.close();
});

describe('each subscription sends the current state, then the change', () => {
  it('suggestionStatusChanged: to the association staff and to the submitting firm', async () => {
    const id = await newSuggestion();
    const staff = await open(SUGGESTION, { id }, c.tokens.association);
    const firm = await open(SUGGESTION, { id }, c.tokens.firm);
    expect(staff.status).toBe(200);
    expect(staff.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(dataOf(await staff.next(), 'suggestionStatusChanged')).toEqual({ id, status: 'SUBMITTED' });
    expect(dataOf(await firm.next(), 'suggestionStatusChanged')).toEqual({ id, status: 'SUBMITTED' });
    await mutate(t, START_REVIEW, { id }, c.tokens.association);
    expect(dataOf(await staff.next(), 'suggestionStatusChanged')).toEqual({ id, status: 'UNDER_REVIEW' });
    expect(dataOf(await firm.next(), 'suggestionStatusChanged')).toEqual({ id, status: 'UNDER_REVIEW' });
    staff.close();
    firm.close();
  });

  it('a change another process made arrives through the poller (no in-process signal)', async () => {
    const id = await newSuggestion();
    const staff = await open(SUGGESTION, { id }, c.tokens.association);
    expect(dataOf(await staff.next(), 'suggestionStatusChanged').status).toBe('SUBMITTED');
    expect(t.app.live.hub.stats.pollerRunning).toBe(true);
    // What another instance's startSuggestionReview commits, written here without the signal.
    const key = Number(Buffer.from(id, 'base64url').toString().split(':')[1]);
    await t.database.db.execute(sql`update suggestions set status = 'UNDER_REVIEW', updated_at = now() where id = ${key}`);
    await t.database.db.execute(sql`insert into suggestion_events (suggestion_id, from_status, to_status, actor_role) values (${key}, 'SUBMITTED', 'UNDER_REVIEW', 'ASSOCIATION')`);
    expect(dataOf(await staff.next(), 'suggestionStatusChanged')).toEqual({ id, status: 'UNDER_REVIEW' });
    staff.close();
  });

  it('earlyReportStatusChanged: the association acknowledges a report', async () => {
    const input = { category: 'REPUTATION_EVENT', severity: 'MINOR', title: `实时早报告 ${Date.now()}`, body: '媒体报道', occurredAt: new Date(Date.now() - 3_600_000).toISOString() };
    const submitted = await mutate(t, SUBMIT_REPORT, { input }, c.tokens.firm);
    expect(submitted.userErrors).toEqual([]);
    const id = submitted.earlyReport.id;
    const firm = await open(EARLY_REPORT, { id }, c.tokens.firm);
    expect(dataOf(await firm.next(), 'earlyReportStatusChanged')).toEqual({ id, status: 'SUBMITTED' });
    expect((await mutate(t, ACKNOWLEDGE, { id }, c.tokens.association)).userErrors).toEqual([]);
    expect(dataOf(await firm.next(), 'earlyReportStatusChanged')).toEqual({ id, status: 'ACKNOWLEDGED' });
    firm.close();
  });

  it('ratingCyclePublished: the cycle in review first, then its publication, and the stream completes', async () => {
    const cycle = (await t.gql(`{ ratingCycle(year: 2026) { id status } }`, {}, { token: c.tokens.association })).body.data.ratingCycle;
    expect(cycle.status).toBe('BUREAU_REVIEW');
    const firm = await open(CYCLE, { id: cycle.id }, c.tokens.firm);
    expect(dataOf(await firm.next(), 'ratingCyclePublished')).toMatchObject({ id: cycle.id, status: 'BUREAU_REVIEW' });
    const published = await t.gql(PUBLISH, { year: 2026 }, { token: c.tokens.regulator });
    expect(published.body.data.publishRatingCycle.userErrors).toEqual([]);
    expect(dataOf(await firm.next(), 'ratingCyclePublished')).toMatchObject({ id: cycle.id, year: 2026, status: 'PUBLISHED' });
    expect((await firm.next())?.event).toBe('complete');
    expect(await firm.next()).toBeNull();
  });

  it('trainingSessionReach: views ingested over POST /training/view-events reach the stream', async () => {
    const db = t.database.db;
    const session = await insertTrainingSession(db, { mode: 'ONLINE_RECORDED' });
    const org = await insertOrganization(db);
    const practitioner = await insertPractitioner(db, { organizationId: org.id });
    const writer = await newServiceAccount(t, { role: 'association', name: '实时视频平台', scopes: ['training:write'] });
    const writerToken = await clientToken(t, writer.clientId, writer.clientSecret);
    const id = encodeGlobalId('TrainingSession', session.id);
    const staff = await open(REACH, { id }, c.tokens.association);
    expect(dataOf(await staff.next(), 'trainingSessionReach')).toEqual({ firms: 0, branches: 0, participants: 0, views: 0 });
    const line = JSON.stringify({ eventId: `live-${Date.now()}`, sessionId: id, practitionerId: encodeGlobalId('Practitioner', practitioner.id), watchedSeconds: 60, at: '2026-04-28T14:05:00+08:00' });
    const posted = await fetch(`${t.url}/training/view-events`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${writerToken}` }, body: line });
    expect(((await posted.json()) as { accepted: number }).accepted).toBe(1);
    expect(dataOf(await staff.next(), 'trainingSessionReach')).toMatchObject({ firms: 1, participants: 1, views: 1 });
    staff.close();
  });
});

describe('a start the viewer may not see is refused like a missing object', () => {
  it('another association, a firm that does not own it, a service account without the scope: NOT_FOUND; anonymous: 401', async () => {
    const id = await newSuggestion();
    for (const token of [c.tokens.szlca, c.tokens.firmB, c.tokens.listed]) {
      const stream = await open(SUGGESTION, { id }, token);
      expect(stream.status).toBe(200);
      expect(await expectEnded(stream, 'NOT_FOUND')).toBe('Suggestion not found');
    }
    const unscoped = await newServiceAccount(t, { role: 'regulator', name: '无建议权限', scopes: ['ratings:read'] });
    const stream = await open(SUGGESTION, { id }, await clientToken(t, unscoped.clientId, unscoped.clientSecret));
    await expectEnded(stream, 'NOT_FOUND');
    // A missing object and a malformed id answer the same.
    await expectEnded(await open(SUGGESTION, { id: encodeGlobalId('Suggestion', 2_000_000_000) }, c.tokens.association), 'NOT_FOUND');
    await expectEnded(await open(SUGGESTION, { id: 'not-an-id' }, c.tokens.association), 'NOT_FOUND');

    const anonymous = await open(SUGGESTION, { id }, undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(JSON.parse(anonymous.text!).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const bad = await open(SUGGESTION, { id }, 'a.b.c');
    expect(bad.status).toBe(401);
  });

  it('the publication of a rating cycle: not for another association, a listed company or an account without ratings:read', async () => {
    const cycle = (await t.gql(`{ ratingCycle(year: 2025) { id } }`)).body.data.ratingCycle;
    const unscoped = await newServiceAccount(t, { role: 'regulator', name: '无评级权限', scopes: ['suggestions:read'] });
    for (const token of [c.tokens.szlca, c.tokens.listed, await clientToken(t, unscoped.clientId, unscoped.clientSecret)]) {
      await expectEnded(await open(CYCLE, { id: cycle.id }, token), 'NOT_FOUND');
    }
  });

  it('the reach of another association\'s members-only session: not for the securities association\'s staff', async () => {
    const programme = await insertTrainingProgramme(t.database.db, { associationId: ASSOCIATION_IDS.SZLCA, audience: 'MEMBERS' });
    const session = await insertTrainingSession(t.database.db, { programmeId: programme.id });
    const id = encodeGlobalId('TrainingSession', session.id);
    // Exactly as node(id) sees it: hidden from the securities association's staff, visible to the regulator.
    expect((await t.gql(`query($id: ID!) { node(id: $id) { id } }`, { id }, { token: c.tokens.association })).body.data.node).toBeNull();
    await expectEnded(await open(REACH, { id }, c.tokens.association), 'NOT_FOUND');
    const regulator = await open(REACH, { id }, c.tokens.regulator);
    expect(dataOf(await regulator.next(), 'trainingSessionReach')).toMatchObject({ views: 0 });
    regulator.close();
  });
});

describe('a stream ends with a last event saying why', () => {
  it('the object becomes invisible: the service account loses its read scope', async () => {
    const id = await newSuggestion();
    const account = await newServiceAccount(t, { role: 'regulator', name: '建议只读', scopes: ['suggestions:read'] });
    const stream = await open(SUGGESTION, { id }, await clientToken(t, account.clientId, account.clientSecret));
    expect(dataOf(await stream.next(), 'suggestionStatusChanged').status).toBe('SUBMITTED');
    await t.database.db.update(serviceAccountsTable).set({ scopes: ['ratings:read'] }).where(eq(serviceAccountsTable.id, account.id));
    await mutate(t, START_REVIEW, { id }, c.tokens.association);
    expect(await expectEnded(stream, 'NOT_FOUND')).toMatch(/no longer visible/);
  });

  it('the token expires', async () => {
    const id = await newSuggestion();
    const shortLived = await t.token('association', undefined, 2);
    const stream = await open(SUGGESTION, { id }, shortLived);
    expect(dataOf(await stream.next(), 'suggestionStatusChanged').status).toBe('SUBMITTED');
    expect(await expectEnded(stream, 'UNAUTHENTICATED')).toMatch(/token expired/);
  });

  it('the service account is disabled (re-checked periodically, without any event)', async () => {
    const id = await newSuggestion();
    const account = await newServiceAccount(t, { role: 'regulator', name: '将停用的账号', scopes: ['suggestions:read'] });
    const stream = await open(SUGGESTION, { id }, await clientToken(t, account.clientId, account.clientSecret));
    expect(dataOf(await stream.next(), 'suggestionStatusChanged').status).toBe('SUBMITTED');
    const disabled = await mutate(t, DISABLE, { id: encodeGlobalId('ServiceAccount', account.id) }, c.tokens.association);
    expect(disabled.userErrors).toEqual([]);
    expect(await expectEnded(stream, 'UNAUTHENTICATED')).toMatch(/no longer accepted/);
  });
});

describe('the cap of open streams per principal', () => {
  it('refuses one more than LIVE_STREAMS_PER_PRINCIPAL with 429 TOO_MANY_STREAMS, and admits again once one closed', async () => {
    const id = await newSuggestion();
    const token = await t.token('regulator', undefined, 600);
    const opened = [];
    for (let i = 0; i < 3; i++) {
      const s = await open(SUGGESTION, { id }, token);
      expect(dataOf(await s.next(), 'suggestionStatusChanged').status).toBe('SUBMITTED');
      opened.push(s);
    }
    const over = await open(SUGGESTION, { id }, token);
    expect(over.status).toBe(429);
    expect(JSON.parse(over.text!).errors[0]).toMatchObject({ extensions: { code: 'TOO_MANY_STREAMS' }, message: expect.stringContaining('LIVE_STREAMS_PER_PRINCIPAL') });
    // Another principal is not affected.
    const other = await open(SUGGESTION, { id }, c.tokens.association);
    expect(other.status).toBe(200);
    other.close();
    opened[0]!.close();
    for (let i = 0; i < 100 && t.app.live.streams.count(`sub:test:regulator:`) >= 3; i++) await new Promise((r) => setTimeout(r, 20));
    const again = await open(SUGGESTION, { id }, token);
    expect(dataOf(await again.next(), 'suggestionStatusChanged').status).toBe('SUBMITTED');
    for (const s of [...opened, again]) s.close();
  });
});

describe('the transport', () => {
  it('/graphql refuses a subscription and points to /graphql/stream', async () => {
    const res = await t.gql(SUGGESTION, { id: await newSuggestion() }, { token: c.tokens.association });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toContain('/graphql/stream');
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('/graphql/stream refuses queries, a missing Accept, a cross-site GET and single-connection requests', async () => {
    const query = await open(`{ __typename }`, {}, c.tokens.association);
    expect(await expectEnded(query, 'GRAPHQL_VALIDATION_FAILED')).toContain('send query operations to /graphql');
    const noAccept = await fetch(`${t.url}/graphql/stream`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${c.tokens.association}` }, body: JSON.stringify({ query: SUGGESTION }) });
    expect(noAccept.status).toBe(406);
    const id = await newSuggestion();
    const crossSite = await open(SUGGESTION, { id }, c.tokens.association, { method: 'GET' });
    expect(crossSite.status).toBe(400);
    expect(JSON.parse(crossSite.text!).errors[0].message).toMatch(/cross-site/);
    const get = await open(SUGGESTION, { id }, c.tokens.association, { method: 'GET', headers: { 'x-requested-with': 'test' } });
    expect(dataOf(await get.next(), 'suggestionStatusChanged').status).toBe('SUBMITTED');
    get.close();
    const put = await fetch(`${t.url}/graphql/stream`, { method: 'PUT', headers: { authorization: `Bearer ${c.tokens.association}` } });
    expect(put.status).toBe(405);
    const syntax = await open(`subscription {`, {}, c.tokens.association);
    expect(syntax.status).toBe(400);
    expect(JSON.parse(syntax.text!).errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('a poll is one statement however many streams are open, and the poller runs only while some are', async () => {
    const hub = new LiveHub(t.database.db, { pollIntervalMs: 600_000, reachMinIntervalMs: 0 });
    try {
      expect(hub.stats.pollerRunning).toBe(false);
      const unfollow = [1, 2, 3, 4, 5].map((id) => hub.follow(id % 2 ? 'Suggestion' : 'EarlyReport', id, () => {}));
      unfollow.push(hub.follow('RatingCycle', 1, () => {}), hub.follow('TrainingSession', 1, () => {}));
      expect(hub.stats.pollerRunning).toBe(true);
      await hub.pollNow(); // the first poll reads the cursors
      const { count } = await countStatements(() => hub.pollNow());
      expect(count).toBe(1);
      for (const stop of unfollow) stop();
      expect(hub.stats).toMatchObject({ followers: 0, pollerRunning: false });
      expect((await countStatements(() => hub.pollNow())).count).toBe(0);
    } finally {
      await hub.stop();
    }
  });

  it('the app\'s poller runs only while streams are open', async () => {
    for (let i = 0; i < 100 && t.app.live.streams.count() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(t.app.live.streams.count()).toBe(0);
    expect(t.app.live.hub.stats).toMatchObject({ followers: 0, pollerRunning: false });
  });
});

describe('shutdown', () => {
  it('ends every open stream with SERVICE_UNAVAILABLE before the server stops, without forcing connections', async () => {
    const other = await createTestApp();
    try {
      const submitted = await other.gql(`mutation($input: SubmitSuggestionInput!) { submitSuggestion(input: $input) { suggestion { id } userErrors { code } } }`, { input: { topic: 'QIANHAI', title: `停机测试 ${Date.now()}`, body: '停机时的实时流' } }, { token: await other.token('firm', c.firmCode) });
      const id = submitted.body.data.submitSuggestion.suggestion.id;
      const stream = await openStream(other, SUGGESTION, { id }, { token: await other.token('association') });
      streams.push(stream);
      expect(dataOf(await stream.next(), 'suggestionStatusChanged').status).toBe('SUBMITTED');
      const shutdown = other.app.shutdown();
      expect(await expectEnded(stream, 'SERVICE_UNAVAILABLE')).toMatch(/shutting down/);
      expect(await shutdown).toEqual({ forced: false });
      expect(other.app.live.hub.stats.pollerRunning).toBe(false);
    } finally {
      other.app.shutdown = async () => ({ forced: false });
      await other.close();
    }
  });
});
