// Checks the audit log's hash chain (built by the audit_log_chain trigger, migration audit_chain) from the first row
// to the head: every row's content still hashes to its stored hash, every row names its predecessor's hash, no seq is
// missing, and the head matches the last row. The hash is recomputed here, in Node, from the database's canonical
// text of each row, so a database that computed or stored hashes wrongly is caught too.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { type DbOrTx } from '../db/client.js';
import { rowsOf } from '../db/sql/index.js';

export const GENESIS_HASH = '0'.repeat(64);
const BATCH = 2_000;

export interface AuditChainProblem {
  /** The audit_log id of the first row that does not check out (null when rows are missing at the end). */
  id: number | null;
  seq: number;
  reason: string;
}

export interface AuditChainReport {
  ok: boolean;
  /** Rows checked. */
  rows: number;
  /** The head hash: record it elsewhere (a ticket, an e-mail) to anchor the chain against a rewrite of every row. */
  headHash: string | null;
  headSeq: number | null;
  problem: AuditChainProblem | null;
}

export function chainHash(prevHash: string, canonical: string): string {
  return createHash('sha256').update(prevHash + canonical, 'utf8').digest('hex');
}

export async function verifyAuditChain(db: DbOrTx): Promise<AuditChainReport> {
  const [head] = rowsOf<{ seq: string | number; hash: string }>(await db.execute(sql`select seq, hash from audit_chain_head where id = 1`));
  const headSeq = head ? Number(head.seq) : null;
  const headHash = head?.hash ?? null;
  const report = (rows: number, problem: AuditChainProblem | null): AuditChainReport => ({ ok: problem === null, rows, headHash, headSeq, problem });
  if (!head) return report(0, { id: null, seq: 0, reason: 'the chain head (audit_chain_head) is missing' });

  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  for (;;) {
    const batch = rowsOf<{ id: number; seq: string | number; prev_hash: string; hash: string; canonical: string }>(
      await db.execute(sql`
        select a.id, a.seq, a.prev_hash, a.hash, audit_log_canonical(a) as canonical
        from audit_log a where a.seq >= ${expectedSeq} order by a.seq limit ${BATCH}`),
    );
    for (const row of batch) {
      const seq = Number(row.seq);
      const at = (reason: string) => report(checked, { id: row.id, seq, reason });
      if (seq !== expectedSeq) {
        return report(checked, { id: row.id, seq, reason: `rows with seq ${expectedSeq}..${seq - 1} are missing (deleted)` });
      }
      if (row.prev_hash !== prevHash) return at('prev_hash does not match the previous row\'s hash (a row before it was altered, removed or inserted)');
      if (row.hash !== chainHash(row.prev_hash, row.canonical)) return at('hash does not match the row\'s content (the row was altered)');
      prevHash = row.hash;
      expectedSeq += 1;
      checked += 1;
    }
    if (batch.length < BATCH) break;
  }
  if (headSeq !== expectedSeq - 1 || headHash !== prevHash) {
    return report(checked, {
      id: null,
      seq: expectedSeq,
      reason: headSeq !== null && headSeq > expectedSeq - 1
        ? `rows with seq ${expectedSeq}..${headSeq} are missing (deleted from the end)`
        : 'the chain head does not match the last row (the head was altered)',
    });
  }
  return report(checked, null);
}
