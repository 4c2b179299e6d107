// Early reports end to end over HTTP: a SEVERE report reaches the bureau's webhook receiver moments after a firm submits
// it while a MINOR one waits for staff to escalate it; racing submissions with one key make one report; and a crash in
// the middle of a submission (the connection killed, or a statement failing after the report's insert) never leaves a
// report without its escalation.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { rowsOf } from '../src/db/sql/index.js';
import { startWebhookWorker, type WebhookWorker } from '../src/webhooks/webhooks.worker.js';
import { createTestApp, creditCodeOf, type TestApp } from './support/harness.js';
import { clientToken, newServiceAccount, staffToken, startReceiver } from './support/integration.js';
import { waitFor } from './support/wait.js';

const onPostgres = Boolean(process.env.DATABASE_URL);

let t: TestApp;
let firm: string;
let association: string;
let worker: WebhookWorker | undefined;

const SUBMIT = `mutation($input: SubmitEarlyReportInput!) { submitEarlyReport(input: $input) { earlyReport { id status escalatedAt } userErrors { field code } } }`;
const SUBSCRIBE = `mutation($url: String!) { createWebhookSubscription(input: { url: $url, eventTypes: [EARLY_REPORT_ESCALATED] }) { webhookSubscription { id } userErrors { field code message } } }`;

const report = (overrides: Record<string, unknown> = {}) => ({
  category: 'REPUTATION_EVENT',
  severity: 'SEVERE',
  title: `集成测试早报告 ${Math.random().toString(36).slice(2, 8)}`,
  body: '多家媒体转载负面报道',
  occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
  ...overrides,
});

async function q<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return rowsOf<T>(await t.database.db.execute(query));
}

/** Everything a submission writes, for the rows of one title. */
async function writesOf(title: string) {
  const [row] = await q<{ reports: number; events: number; audit: number; outbox: number }>(sql`select
      (select count(*)::integer from early_reports where title = ${title}) as reports,
      (select count(*)::integer from early_report_events e join early_reports r on r.id = e.report_id where r.title = ${title}) as events,
      (select count(*)::integer from audit_log where entity_type = 'EarlyReport' and after->>'title' = ${title}) as audit,
      (select count(*)::integer from outbox_events where type = 'early_report.escalated' and payload->>'title' = ${title}) as outbox`);
  return row!;
}

beforeAll(async () => {
  t = await createTestApp();
  firm = await t.token('firm', await creditCodeOf(t, 'SECURITIES_FIRM'), 3600);
  association = await t.token('association', undefined, 3600);
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await t?.close();
});

describe('EARLY_REPORT_ESCALATED reaches the bureau', () => {
  it('a SEVERE report is delivered to the bureau’s receiver seconds after a firm submits it; a MINOR one only once staff escalate it; another association hears nothing', async () => {
    const bureau = await startReceiver();
    const szlca = await startReceiver();
    try {
      const account = await newServiceAccount(t, { role: 'regulator', name: '证监局早报告系统', scopes: ['early-reports:read', 'webhooks:manage'] });
      const bureauToken = await clientToken(t, account.clientId, account.clientSecret);
      const subscribed = await t.gql(SUBSCRIBE, { url: bureau.url }, { token: bureauToken });
      expect(subscribed.body.data.createWebhookSubscription.userErrors).toEqual([]);
      const szlcaSubscribed = await t.gql(SUBSCRIBE, { url: szlca.url }, { token: await staffToken(t, 'SZLCA') });
      expect(szlcaSubscribed.body.data.createWebhookSubscription.userErrors).toEqual([]);
      worker = startWebhookWorker({ db: t.database.db, logger: createLogger('silent'), pollIntervalMs: 20, maxAttempts: 3, retryBaseSeconds: 0.05, allowedHosts: t.config.WEBHOOK_ALLOWED_HOSTS, timeoutMs: 2000 });

      const mentions = (id: string) => bureau.received.some((r) => r.body.includes(id));
      const severe = (await t.gql(SUBMIT, { input: report() }, { token: firm })).body.data.submitEarlyReport;
      expect(severe.earlyReport.status).toBe('ESCALATED');
      const submittedAt = Date.now();
      await waitFor('the SEVERE report at the bureau', () => mentions(severe.earlyReport.id), 10_000);
      expect(Date.now() - submittedAt).toBeLessThan(10_000);
      const delivered = JSON.parse(bureau.received.find((r) => r.body.includes(severe.earlyReport.id))!.body);
      expect(delivered).toMatchObject({ type: 'early_report.escalated', entity: { type: 'EarlyReport', id: severe.earlyReport.id }, data: { severity: 'SEVERE', status: 'ESCALATED' } });
      expect(JSON.stringify(delivered)).not.toContain('多家媒体转载负面报道');

      const minorInput = report({ severity: 'MINOR', category: 'MARKET_FEEDBACK' });
      const minor = (await t.gql(SUBMIT, { input: minorInput }, { token: firm })).body.data.submitEarlyReport;
      expect(minor.earlyReport).toMatchObject({ status: 'SUBMITTED', escalatedAt: null });
      // A later SEVERE report arrives, the MINOR one does not.
      const marker = (await t.gql(SUBMIT, { input: report({ severity: 'CRITICAL' }) }, { token: firm })).body.data.submitEarlyReport;
      await waitFor('the later CRITICAL report at the bureau', () => mentions(marker.earlyReport.id), 10_000);
      expect(mentions(minor.earlyReport.id)).toBe(false);
      // Nor can the bureau read it yet.
      const hidden = await t.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: minor.earlyReport.id }, { token: bureauToken });
      expect(hidden.body.data.node).toBeNull();

      const escalated = await t.gql(`mutation($id: ID!) { escalateEarlyReport(input: { id: $id, note: "报送证监局" }) { earlyReport { status } userErrors { code } } }`, { id: minor.earlyReport.id }, { token: association });
      expect(escalated.body.data.escalateEarlyReport).toEqual({ earlyReport: { status: 'ESCALATED' }, userErrors: [] });
      await waitFor('the escalated MINOR report at the bureau', () => mentions(minor.earlyReport.id), 10_000);
      const visible = await t.gql(`query($id: ID!) { node(id: $id) { ... on EarlyReport { id title events { toStatus note } } } }`, { id: minor.earlyReport.id }, { token: bureauToken });
      expect(visible.body.data.node).toMatchObject({ id: minor.earlyReport.id, title: minorInput.title });

      // The listed companies association's subscription hears none of the securities association's reports.
      expect(szlca.received).toEqual([]);
    } finally {
      await worker?.stop();
      worker = undefined;
      await bureau.close();
      await szlca.close();
    }
  });
});

describe('exactly once, under concurrency and crashes', () => {
  it('20 racing submissions with one key make one report with one escalation, and every answer is that report', async () => {
    const input = report({ idempotencyKey: `race-${Date.now()}` });
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.gql(SUBMIT, { input }, { token: firm })));
    const ids = new Set(answers.map((a) => {
      expect(a.body.errors, a.text.slice(0, 300)).toBeUndefined();
      expect(a.body.data.submitEarlyReport.userErrors).toEqual([]);
      return a.body.data.submitEarlyReport.earlyReport.id as string;
    }));
    expect(ids.size).toBe(1);
    expect(await writesOf(input.title)).toEqual({ reports: 1, events: 2, audit: 1, outbox: 1 });
  });

  it('a statement failing after the report’s insert (in the outbox insert) leaves nothing: no report without its escalation', async () => {
    await t.database.db.execute(sql.raw(`create or replace function er_test_fail() returns trigger language plpgsql as $$
      begin if new.payload->>'title' like 'FAILME%' then raise exception 'injected failure'; end if; return new; end $$`));
    await t.database.db.execute(sql.raw(`create trigger er_test_fail before insert on outbox_events for each row execute function er_test_fail()`));
    try {
      const input = report({ title: `FAILME ${Date.now()}`, idempotencyKey: `fail-${Date.now()}` });
      const res = await t.gql(SUBMIT, { input }, { token: firm });
      expect(res.body.errors?.length).toBeGreaterThan(0);
      expect(res.text).not.toContain('injected failure');
      expect(res.text).not.toMatch(/insert into|early_reports/i);
      expect(await writesOf(input.title)).toEqual({ reports: 0, events: 0, audit: 0, outbox: 0 });
    } finally {
      await t.database.db.execute(sql.raw(`drop trigger if exists er_test_fail on outbox_events`));
    }
  });

  it.skipIf(!onPostgres)('the connection killed in the middle of a submission (after the report’s insert) leaves nothing; the retry with the same key then succeeds whole', async () => {
    // The outbox insert of this title sleeps, so the submitting statement is caught after the report's row is inserted.
    await t.database.db.execute(sql.raw(`create or replace function er_test_sleep() returns trigger language plpgsql as $$
      begin if new.payload->>'title' like 'KILLME%' then perform pg_sleep(20); end if; return new; end $$`));
    await t.database.db.execute(sql.raw(`create trigger er_test_sleep before insert on outbox_events for each row execute function er_test_sleep()`));
    const input = report({ title: `KILLME ${Date.now()}`, idempotencyKey: `kill-${Date.now()}` });
    try {
      const pending = t.gql(SUBMIT, { input }, { token: firm });
      const [victim] = (await waitFor('the submission asleep in its outbox insert', async () => {
        const found = await q<{ pid: number }>(sql`select pid from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and state = 'active' and query like '%insert into "early_reports"%'`);
        return found.length > 0 ? found : undefined;
      }, 10_000))!;
      // The report row exists only inside the dying transaction: invisible from here.
      await q(sql`select pg_terminate_backend(${victim!.pid})`);
      const res = await pending;
      expect(res.body.errors?.length ?? 0, res.text.slice(0, 300)).toBeGreaterThan(0);
      expect(await writesOf(input.title)).toEqual({ reports: 0, events: 0, audit: 0, outbox: 0 });
    } finally {
      await t.database.db.execute(sql.raw(`drop trigger if exists er_test_sleep on outbox_events`));
    }
    // The client retries with the same key: one report, escalated, with its events, audit entry and outbox event.
    const retried = (await waitFor('a retry on a fresh connection', async () => {
      const res = await t.gql(SUBMIT, { input }, { token: firm });
      return res.body.data?.submitEarlyReport?.earlyReport ? res : undefined;
    }, 10_000))!;
    expect(retried.body.data.submitEarlyReport).toMatchObject({ earlyReport: { status: 'ESCALATED' }, userErrors: [] });
    expect(await writesOf(input.title)).toEqual({ reports: 1, events: 2, audit: 1, outbox: 1 });
  });
});
