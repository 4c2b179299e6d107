// Report queries: computed in SQL with GROUP BY, never by loading rows into JavaScript.
import { asc, count } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { organizationsTable } from '../members/members.table.js';

export async function membershipSummary(db: DbOrTx) {
  return db
    .select({
      kind: organizationsTable.kind,
      district: organizationsTable.district,
      status: organizationsTable.membershipStatus,
      count: count(),
    })
    .from(organizationsTable)
    .groupBy(organizationsTable.kind, organizationsTable.district, organizationsTable.membershipStatus)
    .orderBy(asc(organizationsTable.kind), asc(organizationsTable.district), asc(organizationsTable.membershipStatus));
}
