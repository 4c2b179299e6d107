// The ledger-checked load run ("nothing lost", ../shared/SECURITY.md): a generator submits suggestions with
// idempotency keys through faults, keeps a ledger of what the API acknowledged, retries what failed with the same
// key, then reconciles the ledger against the database. Used by `npm run load:ledger` and test/faults/ledger.test.ts.
import { sql } from 'drizzle-orm';
import { verifyAuditChain } from '../src/audit/audit.chain.js';
import type { Db } from '../src/db/client.js';

const SUBMIT = `mutation($input: SubmitSuggestionInput!) {
  submitSuggestion(input: $input) { suggestion { id title } userErrors { code } }
}`;

export interface Submitter {
  organizationId: number;
  token: string;
}

export interface LedgerTarget {
  /** The API's base URL (http://host:port). */
  url: string;
  submitters: Submitter[];
  /** A direct handle on the API's database, for the reconciliation. */
  db: Db;
}

export interface LedgerOptions {
  submissions: number;
  concurrency: number;
  /** Prefix of every idempotency key of this run; the reconciliation looks at these keys only. */
  runId: string;
  /** Attempts per submission while faults are injected, then again after they stop. */
  attemptsUnderFaults?: number;
  attemptsAfterFaults?: number;
  /** Injected while the first pass runs: `kill` is called every `everyMs` (e.g. pg_terminate_backend on the API's backends). */
  faults?: { everyMs: number; kill(): Promise<number> };
}

export interface LedgerEntry {
  key: string;
  organizationId: number;
  submitter: number;
  input: { topic: string; title: string; body: string; idempotencyKey: string };
  attempts: number;
  /** The suggestion's integer id once the API acknowledged it (200, no errors, no userErrors). */
  acked: number | null;
  /** A userError: the API refused the submission itself (a bug for this generator's inputs). */
  refused: string | null;
  failures: string[];
}

export interface LedgerRun {
  entries: LedgerEntry[];
  attempts: number;
  failedAttempts: number;
  failuresByKind: Record<string, number>;
  kills: number;
  ms: number;
}

export interface LedgerReport {
  ok: boolean;
  submissions: number;
  acknowledged: number;
  /** Acknowledged, but no row (or another row) holds the key. */
  lost: string[];
  /** More than one row for one key. */
  duplicated: string[];
  /** A row without exactly one audit entry, one SUBMITTED event and one outbox event. */
  halfApplied: string[];
  /** A row whose content differs from what was submitted under its key. */
  altered: string[];
  /** Rows under this run's keys the ledger never submitted. */
  phantoms: string[];
  /** Submissions never acknowledged even after the faults stopped. */
  unresolved: string[];
  /** Audit entries or outbox events of submissions whose suggestion does not exist. */
  orphans: number;
  auditChain: { ok: boolean; problem: string | null };
}

const globalIdKey = (id: string) => Number(Buffer.from(id, 'base64url').toString('utf8').split(':')[1]);

function kindOf(status: number, body: any, error?: unknown): string {
  if (error) return `network:${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name}`;
  const code = body?.errors?.[0]?.extensions?.code;
  return `http:${status}${code ? `:${code}` : ''}`;
}

async function attempt(target: LedgerTarget, entry: LedgerEntry, run: LedgerRun): Promise<void> {
  entry.attempts += 1;
  run.attempts += 1;
  let kind: string;
  try {
    const res = await fetch(`${target.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.submitters[entry.submitter]!.token}` },
      body: JSON.stringify({ query: SUBMIT, variables: { input: entry.input } }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await res.json().catch(() => null)) as any;
    const payload = body?.data?.submitSuggestion;
    if (res.status === 200 && !body.errors && payload?.suggestion && payload.userErrors.length === 0) {
      entry.acked = globalIdKey(payload.suggestion.id);
      return;
    }
    if (res.status === 200 && payload?.userErrors?.length) {
      entry.refused = payload.userErrors.map((e: { code: string }) => e.code).join(',');
      return;
    }
    kind = kindOf(res.status, body);
  } catch (error) {
    kind = kindOf(0, null, error);
  }
  entry.failures.push(kind);
  run.failedAttempts += 1;
  run.failuresByKind[kind] = (run.failuresByKind[kind] ?? 0) + 1;
}

/** Submits every entry, `concurrency` at a time, each until acknowledged, refused, or `maxAttempts` more attempts. */
async function pass(target: LedgerTarget, queue: LedgerEntry[], concurrency: number, maxAttempts: number, run: LedgerRun): Promise<void> {
  const pending = [...queue];
  const limit = new Map(queue.map((e) => [e, e.attempts + maxAttempts]));
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let entry = pending.shift(); entry; entry = pending.shift()) {
        await attempt(target, entry, run);
        if (entry.acked === null && entry.refused === null && entry.attempts < limit.get(entry)!) {
          pending.push(entry); // retried later, with the same key and input
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }),
  );
}

export async function runLedger(target: LedgerTarget, options: LedgerOptions): Promise<LedgerRun> {
  const started = Date.now();
  const topics = ['QIANHAI', 'HETAO', 'FINTECH', 'GBA_CROSS_BORDER', 'TALENT'];
  const entries: LedgerEntry[] = Array.from({ length: options.submissions }, (_, i) => {
    const submitter = i % target.submitters.length;
    const key = `${options.runId}-${i}`;
    return {
      key,
      submitter,
      organizationId: target.submitters[submitter]!.organizationId,
      input: { topic: topics[i % topics.length]!, title: `台账建议 ${options.runId} #${i}`, body: `台账压测正文 ${i}：关于深圳资本市场改革的建议。`, idempotencyKey: key },
      attempts: 0,
      acked: null,
      refused: null,
      failures: [],
    };
  });
  const run: LedgerRun = { entries, attempts: 0, failedAttempts: 0, failuresByKind: {}, kills: 0, ms: 0 };

  let faulting = Boolean(options.faults);
  const killer = (async () => {
    while (faulting && options.faults) {
      await new Promise((resolve) => setTimeout(resolve, options.faults!.everyMs));
      if (faulting) run.kills += await options.faults.kill().catch(() => 0);
    }
  })();
  try {
    await pass(target, entries, options.concurrency, options.attemptsUnderFaults ?? 5, run);
  } finally {
    faulting = false;
    await killer;
  }
  // Let the pool notice the connections of the last kill before the retry pass and the reconciliation use it.
  await new Promise((resolve) => setTimeout(resolve, 250));
  const unacked = entries.filter((e) => e.acked === null && e.refused === null);
  await pass(target, unacked, options.concurrency, options.attemptsAfterFaults ?? 5, run);
  run.ms = Date.now() - started;
  return run;
}

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

export async function reconcile(db: Db, run: LedgerRun, runId: string): Promise<LedgerReport> {
  const rows = rowsOf<{ id: number; organization_id: number; idempotency_key: string; title: string; body: string; topic: string; audits: number; events: number; outbox: number }>(
    await db.execute(sql`
      select s.id, s.organization_id, s.idempotency_key, s.title, s.body, s.topic,
        (select count(*) from audit_log a where a.entity_type = 'Suggestion' and a.entity_id = s.id and a.action = 'suggestion.submit')::int as audits,
        (select count(*) from suggestion_events e where e.suggestion_id = s.id and e.to_status = 'SUBMITTED')::int as events,
        (select count(*) from outbox_events o where o.entity_type = 'Suggestion' and o.entity_id = s.id and o.type = 'suggestion.submitted')::int as outbox
      from suggestions s where s.idempotency_key like ${`${runId}-%`}`),
  );
  const byKey = new Map<string, typeof rows>();
  for (const row of rows) byKey.set(`${row.organization_id}:${row.idempotency_key}`, [...(byKey.get(`${row.organization_id}:${row.idempotency_key}`) ?? []), row]);
  const ledger = new Map(run.entries.map((e) => [`${e.organizationId}:${e.key}`, e]));

  const report: LedgerReport = {
    ok: false,
    submissions: run.entries.length,
    acknowledged: run.entries.filter((e) => e.acked !== null).length,
    lost: [],
    duplicated: [],
    halfApplied: [],
    altered: [],
    phantoms: [],
    unresolved: [],
    orphans: 0,
    auditChain: { ok: false, problem: null },
  };
  for (const [k, entry] of ledger) {
    const found = byKey.get(k) ?? [];
    if (entry.acked !== null && !found.some((r) => r.id === entry.acked)) report.lost.push(entry.key);
    if (entry.acked === null) report.unresolved.push(`${entry.key} (${entry.refused ?? entry.failures.at(-1) ?? 'never sent'}; ${found.length} row(s))`);
    if (found.length > 1) report.duplicated.push(entry.key);
    for (const r of found) {
      if (r.title !== entry.input.title || r.body !== entry.input.body || r.topic !== entry.input.topic) report.altered.push(entry.key);
    }
  }
  for (const [k, found] of byKey) {
    if (!ledger.has(k)) report.phantoms.push(...found.map((r) => r.idempotency_key));
    for (const r of found) {
      if (r.audits !== 1 || r.events !== 1 || r.outbox !== 1) report.halfApplied.push(`${r.idempotency_key} (audit ${r.audits}, events ${r.events}, outbox ${r.outbox})`);
    }
  }
  const [orphans] = rowsOf<{ n: number }>(
    await db.execute(sql`select
      (select count(*) from audit_log a where a.action = 'suggestion.submit' and not exists (select 1 from suggestions s where s.id = a.entity_id))
      + (select count(*) from outbox_events o where o.type = 'suggestion.submitted' and not exists (select 1 from suggestions s where s.id = o.entity_id)) as n`),
  );
  report.orphans = Number(orphans?.n ?? 0);
  const chain = await verifyAuditChain(db);
  report.auditChain = { ok: chain.ok, problem: chain.problem ? `row ${chain.problem.id ?? '-'} (seq ${chain.problem.seq}): ${chain.problem.reason}` : null };
  report.ok =
    report.acknowledged === report.submissions &&
    [report.lost, report.duplicated, report.halfApplied, report.altered, report.phantoms, report.unresolved].every((l) => l.length === 0) &&
    report.orphans === 0 &&
    report.auditChain.ok;
  return report;
}
