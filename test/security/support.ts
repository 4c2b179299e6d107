// Shared checks of the security suite: the one LEAK pattern, "nothing was written" (a fingerprint of every table),
// "the server still answers", the documented refusals, and raw HTTP for what fetch cannot send.
import { connect } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect } from 'vitest';
import type { GqlResult, TestApp } from '../support/harness.js';

/**
 * What must never reach a client: stack frames, file paths, SQL and driver messages, library names, schema hints.
 * Matched case-insensitively against the whole response text.
 */
export const LEAK = new RegExp(
  [
    String.raw`\bat [\w$.<>\[\] ]+ \(`, // a stack frame "at fn (file:line)"
    String.raw`\bat (?:file|node):`,
    String.raw`node_modules`,
    String.raw`/src/\w+`,
    String.raw`\.ts:\d+`,
    String.raw`stack ?trace`,
    String.raw`"stack"`,
    String.raw`Failed query`,
    String.raw`\bselect\b[^"]{0,200}\bfrom\b`,
    String.raw`\binsert into\b`,
    String.raw`\bupdate\b[^"]{0,80}\bset\b`,
    String.raw`syntax error at or near`,
    String.raw`violates (?:unique|foreign key|check|not-null) constraint`,
    String.raw`invalid input syntax`,
    String.raw`out of range for type`,
    String.raw`invalid byte sequence`,
    String.raw`relation "\w+"`,
    String.raw`\bpg_\w+`,
    String.raw`drizzle`,
    String.raw`pglite`,
    String.raw`postgres(?:ql)?\b`,
    String.raw`\bjose\b`,
    String.raw`JWS\w*(?:Invalid|Failed)`,
    String.raw`JWT\w*(?:Invalid|Expired|Failed)`,
    String.raw`ERR_[A-Z_]{4,}`,
    String.raw`Did you mean`,
    String.raw`Context creation failed`,
    String.raw`Unexpected error`,
    String.raw`TypeError|ReferenceError|RangeError`,
    String.raw`Cannot read propert`,
    String.raw`is not a function`,
    String.raw`Invalid global ID`,
    String.raw`\[object Object\]`,
  ].join('|'),
  'i',
);

export function expectNoLeak(text: string) {
  const match = LEAK.exec(text);
  expect(match?.[0], `leak in: ${text.slice(0, 500)}`).toBeUndefined();
}

type Errors = GqlResult['body']['errors'];

/** A documented refusal: the HTTP status, errors[0].extensions.code, no data leaking through, and no leak in the text. */
export function expectRefused(res: { status: number; text: string; body: { data?: unknown; errors?: Errors } }, status: number, code: string) {
  expect({ status: res.status, code: res.body.errors?.[0]?.extensions?.code }, res.text.slice(0, 400)).toEqual({ status, code });
  expectNoLeak(res.text);
}

/** Every GraphQL error of the answer has one of these codes (never INTERNAL_SERVER_ERROR unless listed). */
export function expectCodes(res: { text: string; body: { errors?: Errors } }, ...codes: string[]) {
  for (const error of res.body.errors ?? []) expect(codes, res.text.slice(0, 400)).toContain(error.extensions?.code);
  expectNoLeak(res.text);
}

// Tables the application writes on reads by design: the read audit (reads by the regulator and service accounts).
const WRITTEN_ON_READ = new Set(['data_access_log']);

let tableList: Promise<string[]> | undefined;

/** Every application table (the migrations' bookkeeping and the read audit excluded). */
async function tables(t: TestApp): Promise<string[]> {
  tableList ??= (async () => {
    const res = (await t.database.db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    )) as unknown as { rows: { table_name: string }[] };
    return res.rows.map((r) => r.table_name).filter((name) => !WRITTEN_ON_READ.has(name));
  })();
  return tableList;
}

/**
 * Row count and content checksum of every application table, in one statement. Equal before and after a request
 * means the request wrote nothing (no insert, update or delete anywhere, the audit log included). The checksum is the
 * sum of each row's text hash: independent of row order, so nothing is sorted (at the demo's Shenzhen scale a sorted
 * md5 of every row made this a third of a second, taken twice around each of several thousand tests).
 */
export async function fingerprint(t: TestApp): Promise<Record<string, string>> {
  const names = await tables(t);
  const columns = names.map(
    (name) => sql`(select count(*)::text || ':' || coalesce(sum(hashtext(x::text)::bigint), 0)::text from ${sql.identifier(name)} x) as ${sql.identifier(name)}`,
  );
  const res = (await t.database.db.execute(sql`select ${sql.join(columns, sql`, `)}`)) as unknown as { rows: Record<string, string>[] };
  return res.rows[0]!;
}

export async function auditCount(t: TestApp): Promise<number> {
  const res = (await t.database.db.execute(sql`select count(*)::int as n from audit_log`)) as unknown as { rows: { n: number }[] };
  return Number(res.rows[0]!.n);
}

/** The process answers: liveness, readiness and a real query through the database. */
export async function expectStillUp(t: TestApp) {
  expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  const res = await t.gql('{ organizations(first: 1) { totalCount } }');
  expect(res.status).toBe(200);
  expect(res.body.data?.organizations.totalCount).toBeGreaterThan(0);
}

/**
 * The suite's invariant around every test of a file: the test wrote nothing and the server still answers.
 * `acceptWrites()` re-takes the fingerprint after a write a test makes on purpose (its setup, or the write it checks).
 */
export function expectEachTestWritesNothing(app: () => TestApp): { acceptWrites(): Promise<void> } {
  let before: Record<string, string>;
  beforeEach(async () => {
    before = await fingerprint(app());
  });
  afterEach(async () => {
    expect(await fingerprint(app())).toEqual(before);
    await expectStillUp(app());
  });
  return {
    async acceptWrites() {
      before = await fingerprint(app());
    },
  };
}

/** POST /graphql with a raw body and headers (fetch adds nothing but what is given). */
export async function post(t: TestApp, body: string | Blob | FormData | URLSearchParams, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: { data?: unknown; errors?: Errors } = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the assertions on status and text say enough
  }
  return { status: res.status, text, body: parsed, headers: res.headers };
}

/**
 * Writes `chunks` to a raw TCP connection (waiting `gapMs` between them) and collects what the server sends until it
 * closes the connection or `maxMs` passes. For requests fetch cannot make: slow headers, malformed framing.
 */
export function rawExchange(t: TestApp, chunks: string[], options: { gapMs?: number; maxMs?: number } = {}): Promise<{ text: string; closed: boolean }> {
  const { port } = new URL(t.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed });
    };
    const timer = setTimeout(() => finish(false), options.maxMs ?? 10_000);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (done) return;
        socket.write(chunk);
        if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
      }
    });
  });
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
export { b64 };
