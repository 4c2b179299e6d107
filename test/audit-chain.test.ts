// The audit log in the database: append-only (UPDATE, DELETE, TRUNCATE refused by triggers, whoever asks) and
// hash-chained (every insert, including submitSuggestion's CTE, chains; audit:verify names the first tampered row).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/audit/audit.chain.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { cast, keyOf, newInput, sqlRows, submit, SUBMIT, WITHDRAW, mutate, type Cast } from './support/suggestions.js';

let t: TestApp;
let c: Cast;
beforeAll(async () => {
  t = await createTestApp();
  c = await cast(t);
});
afterAll(async () => {
  await t?.close();
});

const exec = (query: ReturnType<typeof sql>) => t.database.db.execute(query);
const count = async () => (await sqlRows<{ n: number }>(t, sql`select count(*)::int as n from audit_log`))[0]!.n;
/** Runs `change` with the append-only triggers off, as a superuser tampering with the table would. */
async function tamper(change: ReturnType<typeof sql>) {
  await exec(sql`alter table audit_log disable trigger audit_log_append_only`);
  try {
    await exec(change);
  } finally {
    await exec(sql`alter table audit_log enable trigger audit_log_append_only`);
  }
}
async function refusal(query: ReturnType<typeof sql>): Promise<string> {
  const error = await exec(query).then(
    () => null,
    (e: any) => e,
  );
  expect(error, 'the statement should have been refused').not.toBeNull();
  return String(error.cause?.message ?? error.message);
}

describe('the audit chain', () => {
  it('chains every row, from the seed through both write paths (recordAudit and submitSuggestion\'s single statement)', async () => {
    const before = await count();
    const s = await submit(t, c.tokens.firm);
    await mutate(t, WITHDRAW, { id: s.id }, c.tokens.firm);
    expect(await count()).toBe(before + 2);
    const rows = await sqlRows<any>(t, sql`select seq::int, action, entity_id, prev_hash, hash from audit_log order by seq desc limit 2`);
    expect(rows.map((r) => [r.action, r.entity_id])).toEqual([
      ['suggestion.withdraw', keyOf(s.id)],
      ['suggestion.submit', keyOf(s.id)],
    ]);
    expect(rows[0].prev_hash).toBe(rows[1].hash);
    expect(rows[0].seq).toBe(rows[1].seq + 1);
    const report = await verifyAuditChain(t.database.db);
    expect(report).toMatchObject({ ok: true, rows: before + 2, headSeq: before + 2, problem: null });
    expect(report.headHash).toBe(rows[0].hash);
  });

  it('overwrites chain values a writer passes: a forged hash or seq never lands', async () => {
    await exec(sql`insert into audit_log (actor_sub, actor_role, action, entity_type, seq, prev_hash, hash)
                   values ('test', 'ASSOCIATION', 'test.forge', 'Test', 1, 'forged', 'forged')`);
    const [row] = await sqlRows<any>(t, sql`select seq::int, prev_hash, hash from audit_log where action = 'test.forge'`);
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.prev_hash).not.toBe('forged');
    expect(row.seq).toBeGreaterThan(1);
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit_log, and any direct change of the chain head, even from a superuser', async () => {
    const before = await count();
    const head = await sqlRows(t, sql`select * from audit_chain_head`);
    for (const query of [
      sql`update audit_log set action = 'rewritten' where seq = 1`,
      sql`delete from audit_log where seq = 1`,
      sql`truncate audit_log`,
      sql`update audit_chain_head set hash = repeat('f', 64)`,
      sql`delete from audit_chain_head`,
      sql`truncate audit_chain_head`,
    ]) {
      expect(await refusal(query)).toMatch(/append-only/);
    }
    expect(await count()).toBe(before);
    expect(await sqlRows(t, sql`select * from audit_chain_head`)).toEqual(head);
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });

  it('a row altered behind the triggers\' back fails verification, naming that row; restoring it passes again', async () => {
    const [victim] = await sqlRows<any>(t, sql`select id, seq::int, action from audit_log order by seq offset 1 limit 1`);
    await tamper(sql`update audit_log set action = 'nothing.to.see' where id = ${victim.id}`);
    const report = await verifyAuditChain(t.database.db);
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ id: victim.id, seq: victim.seq, reason: expect.stringContaining('altered') });
    expect(report.rows).toBe(victim.seq - 1);

    await tamper(sql`update audit_log set action = ${victim.action} where id = ${victim.id}`);
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });

  it('a row whose hash was recomputed after altering it is caught at the next row', async () => {
    const [victim] = await sqlRows<any>(t, sql`select id, seq::int, action, hash from audit_log order by seq limit 1`);
    const [next] = await sqlRows<any>(t, sql`select id from audit_log where seq = ${victim.seq + 1}`);
    await tamper(sql`update audit_log set action = 'nothing.to.see' where id = ${victim.id}`);
    await tamper(sql`update audit_log a set hash = encode(sha256(convert_to(a.prev_hash || audit_log_canonical(a), 'UTF8')), 'hex') where id = ${victim.id}`);
    const report = await verifyAuditChain(t.database.db);
    expect(report.problem).toMatchObject({ id: next.id, reason: expect.stringContaining('prev_hash') });
    await tamper(sql`update audit_log set action = ${victim.action}, hash = ${victim.hash} where id = ${victim.id}`);
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });

  it('deleted rows are caught: in the middle by the gap in seq, at the end by the head', async () => {
    const last = await sqlRows<any>(t, sql`select seq::int from audit_log order by seq desc limit 1`);
    const middle = Math.floor(last[0].seq / 2);
    await tamper(sql`delete from audit_log where seq = ${last[0].seq}`);
    expect((await verifyAuditChain(t.database.db)).problem).toMatchObject({ id: null, reason: expect.stringContaining('deleted from the end') });
    await tamper(sql`delete from audit_log where seq = ${middle}`);
    expect((await verifyAuditChain(t.database.db)).problem).toMatchObject({ seq: middle + 1, reason: expect.stringContaining(`seq ${middle}..${middle} are missing`) });
  });
});

describe.skipIf(!process.env.DATABASE_URL)('the audit chain on PostgreSQL', () => {
  let pg: TestApp;
  beforeAll(async () => {
    pg = await createTestApp();
  });
  afterAll(async () => {
    await pg?.close();
  });
  const run = promisify(execFile);
  async function auditVerify(): Promise<{ code: number; stdout: string }> {
    try {
      const { stdout } = await run('node', ['--import', 'tsx', 'scripts/audit-verify.ts'], {
        env: { ...process.env, DATABASE_URL: pg.config.DATABASE_URL, LOG_LEVEL: 'silent' },
      });
      return { code: 0, stdout };
    } catch (error: any) {
      return { code: error.code, stdout: error.stdout };
    }
  }

  it('concurrent writers through the API extend one linear chain (no fork, no gap)', async () => {
    const pc = await cast(pg);
    const tokens = [pc.tokens.firm, pc.tokens.firmB, pc.tokens.listed];
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => pg.gql(SUBMIT, { input: newInput() }, { token: tokens[i % 3] })));
    for (const a of answers) expect(a.body.data?.submitSuggestion.userErrors).toEqual([]);
    const report = await verifyAuditChain(pg.database.db);
    expect(report.ok).toBe(true);
    const [stats] = await sqlRows<any>(pg, sql`select count(*)::int as n, max(seq)::int as max, count(distinct prev_hash)::int as prevs from audit_log`);
    expect(stats.max).toBe(stats.n);
    expect(stats.prevs).toBe(stats.n);
  });

  it('npm run audit:verify exits 0 on an intact log and 1 naming the first tampered row', async () => {
    const ok = await auditVerify();
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/audit log intact: \d+ rows/);
    const [victim] = await sqlRows<any>(pg, sql`select id, seq::int from audit_log order by seq offset 3 limit 1`);
    await pg.database.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await pg.database.db.execute(sql`update audit_log set after = '{"edited": true}' where id = ${victim.id}`);
    await pg.database.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    const bad = await auditVerify();
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`row id ${victim.id} (seq ${victim.seq})`);
  });
});
