// Report queries: computed in SQL with GROUP BY, never by loading rows into JavaScript.
import { asc, count, eq } from 'drizzle-orm';
import { associationsTable, type AssociationCode } from '../associations/associations.table.js';
import { reportsScope } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import type { DbOrTx } from '../db/client.js';
import { membershipsTable, organizationsTable } from '../members/members.table.js';

export interface MembershipCountRow {
  associationCode: AssociationCode;
  kind: string;
  district: string | null;
  status: string;
  count: number;
}

/**
 * Memberships counted by association, the organization's kind and district, and the membership's status: an
 * association's staff count their association's, the regulator every association's; anyone else nothing.
 */
export async function membershipSummary(db: DbOrTx, viewer: Viewer): Promise<MembershipCountRow[]> {
  const scope = reportsScope(viewer);
  if (scope.kind === 'none') return [];
  const m = membershipsTable;
  const o = organizationsTable;
  const a = associationsTable;
  return db
    .select({ associationCode: a.code, kind: o.kind, district: o.district, status: m.status, count: count() })
    .from(m)
    .innerJoin(o, eq(o.id, m.organizationId))
    .innerJoin(a, eq(a.id, m.associationId))
    .where(scope.kind === 'association' ? eq(m.associationId, scope.associationId) : undefined)
    .groupBy(a.id, a.code, o.kind, o.district, m.status)
    .orderBy(asc(a.id), asc(o.kind), asc(o.district), asc(m.status));
}
