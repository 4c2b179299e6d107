// The member lookup of authentication (src/auth/authenticate.ts): a member token's organization by credit code, with
// whether its membership rights are suspended today, in one statement (remembered by the viewer resolver like the
// organization itself).
import { eq, sql } from 'drizzle-orm';
import { membershipRightsSuspendedCondition } from '../auth/policy.js';
import type { DbOrTx } from '../db/client.js';
import { isValidCreditCode, normalizeCreditCode } from '../members/identifiers.js';
import { organizationsTable } from '../members/members.table.js';
import { todayInShanghai } from '../time.js';

export interface ViewerOrganization {
  id: number;
  kind: string;
  /** A FINAL SUSPEND_MEMBERSHIP_RIGHTS measure is in force today (Asia/Shanghai). */
  membershipRightsSuspended: boolean;
}

export async function findViewerOrganization(db: DbOrTx, creditCode: string, today = todayInShanghai()): Promise<ViewerOrganization | null> {
  const code = normalizeCreditCode(creditCode);
  if (!isValidCreditCode(code)) return null;
  const o = organizationsTable;
  const [row] = await db
    .select({ id: o.id, kind: o.kind, membershipRightsSuspended: sql<boolean>`${membershipRightsSuspendedCondition(o.id, today)}` })
    .from(o)
    .where(eq(o.creditCode, code))
    .limit(1);
  return row ? { ...row, membershipRightsSuspended: row.membershipRightsSuspended === true || (row.membershipRightsSuspended as unknown) === 't' } : null;
}
