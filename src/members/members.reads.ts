// The member directory's reads: organizations, branches and contacts, the hot ones through the fast-SQL seam.
import { and, asc, count, eq, getTableColumns, inArray, or, sql, type SQL } from 'drizzle-orm';
import { contactScope, memberRightsWithheldCondition, scopeAllows } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import type { DbOrTx } from '../db/client.js';
import { arrayLiteral, keyArray, preparedRowsByIds, preparedSelect, preparedSelectRowsByShape, selectRows, tableColumns } from '../db/sql/index.js';
import { isBackward, isWholeList, pageCondition, pageOrderBy, type PageRequest } from '../db/page.js';
import { escapeLike } from '../text.js';
import { todayInShanghai } from '../time.js';
import { recordDataAccess } from '../data-access/data-access.service.js';
import { isValidCreditCode, normalizeCreditCode, parseListing } from './identifiers.js';
import { associationsTable, type AssociationRow } from '../associations/associations.table.js';
import {
  branchesTable,
  contactsTable,
  listingsTable,
  membershipsTable,
  organizationsTable,
  type BranchRow,
  type ContactRow,
  type ListingRow,
  type MembershipRow,
  type OrganizationRow,
} from './members.table.js';

/** An organization as the API reads it: every column but the bookkeeping timestamps, which no field shows. */
export type OrganizationView = Omit<OrganizationRow, 'createdAt' | 'updatedAt'>;
const { createdAt: _orgCreated, updatedAt: _orgUpdated, ...organizationColumns } = getTableColumns(organizationsTable);
export const organizationViewColumns = organizationColumns;
/** A branch as the API reads it, likewise without the timestamps. */
export type BranchView = Omit<BranchRow, 'createdAt' | 'updatedAt'>;
const { createdAt: _branchCreated, updatedAt: _branchUpdated, ...branchColumns } = getTableColumns(branchesTable);
export const branchViewColumns = branchColumns;

export type OrganizationKind = OrganizationRow['kind'];
export type District = NonNullable<OrganizationRow['district']>;

export interface OrganizationFilter {
  kind?: OrganizationKind | null;
  district?: District | null;
  search?: string | null;
}

export const MAX_SEARCH_LENGTH = 100;

function organizationConditions(filter: OrganizationFilter): SQL | undefined {
  const conditions: (SQL | undefined)[] = [];
  if (filter.kind) conditions.push(eq(organizationsTable.kind, filter.kind));
  if (filter.district) conditions.push(eq(organizationsTable.district, filter.district));
  // Search text is only ever a bound LIKE pattern: wildcards escaped, control characters dropped, length capped.
  const search = filter.search
    ?.replace(/[\u0000-\u001F\u007F]/g, '')
    .trim()
    .slice(0, MAX_SEARCH_LENGTH);
  if (search) {
    const pattern = `%${escapeLike(search)}%`;
    // A listing typed as partners write it (6099.HK, 600999.sh): any of the organization's listings.
    const listing = parseListing(search);
    conditions.push(
      or(
        sql`${organizationsTable.name} ilike ${pattern} escape '\\'`,
        sql`${organizationsTable.shortName} ilike ${pattern} escape '\\'`,
        sql`${organizationsTable.nameEn} ilike ${pattern} escape '\\'`,
        eq(organizationsTable.creditCode, search.toUpperCase()),
        eq(organizationsTable.stockCode, search.replace(/\.(SZ|SH|BJ)$/i, '')),
        listing
          ? sql`exists (select 1 from ${listingsTable} l where l.organization_id = ${organizationsTable.id} and l.exchange = ${listing.exchange}::stock_exchange and l.code = ${listing.code})`
          : undefined,
      ),
    );
  }
  return and(...conditions);
}

/**
 * One page of organizations, with the given columns (a list asks only for what its fields show; rows then carry
 * just those). With `withTotal` on a first page the number of matches comes from a window count in the same
 * statement; otherwise `total` is null and countOrganizations answers it when asked.
 */
export async function listOrganizations(
  db: DbOrTx,
  filter: OrganizationFilter,
  page: PageRequest,
  options: { withTotal?: boolean; columns?: typeof organizationViewColumns } = {},
): Promise<{ rows: OrganizationView[]; total: number | null }> {
  const columns = options.columns ?? organizationViewColumns;
  const withTotal = options.withTotal === true && isWholeList(page);
  const conditions = organizationConditions(filter);
  const rows =
    conditions || isBackward(page) || (page.beforeKey ?? null) !== null
      ? await selectRows<OrganizationView & { _total?: number }>(
          db,
          columns,
          sql`from ${organizationsTable} where ${and(conditions, pageCondition(page, organizationsTable.id)) ?? sql`true`} order by ${pageOrderBy(page, 'asc', organizationsTable.id)} limit ${page.limit + 1}`,
          pageOrderBy(page, 'asc', sql`q."id"`),
          withTotal ? WINDOW_TOTAL : undefined,
        )
      : // The directory's plain forward pages (no filter): prepared per column set. Ids start at 1, so `id > 0` is the
        // first page. Backward pages (last/before) take the statement above.
        await organizationPages<OrganizationView & { _total?: number }>(db, { columns, withTotal }, { after: page.afterKey ?? 0, limit: page.limit + 1 });
  return { rows, total: withTotal ? (rows[0]?._total ?? 0) : null };
}

const WINDOW_TOTAL = sql`count(*) over () as "_total"`;
const organizationPages = preparedSelectRowsByShape<{ after: number; limit: number }, { columns: typeof organizationViewColumns; withTotal: boolean }>(({ columns, withTotal }) => ({
  columns,
  rest: sql`from ${organizationsTable} where ${organizationsTable.id} > ${sql.placeholder('after')}::integer order by ${organizationsTable.id} limit ${sql.placeholder('limit')}::integer`,
  order: sql`q."id"`,
  extra: withTotal ? WINDOW_TOTAL : undefined,
}));

export async function countOrganizations(db: DbOrTx, filter: OrganizationFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(organizationsTable).where(organizationConditions(filter));
  return row?.n ?? 0;
}

// By id is the hottest read (node, nodes, every nested organization), prepared per column set; by credit code runs
// on every request with a member's token.
const organizationsByIds = preparedRowsByIds<typeof organizationViewColumns>(organizationsTable, organizationsTable.id);
const organizationByCreditCode = preparedSelect<{ code: string }>(
  organizationViewColumns,
  sql`from ${organizationsTable} where ${organizationsTable.creditCode} = ${sql.placeholder('code')} limit 1`,
);

/** Organizations by id with the given columns (rows then carry just those), in id order. */
export async function loadOrganizationsByIds(db: DbOrTx, ids: readonly number[], columns: typeof organizationViewColumns = organizationViewColumns): Promise<OrganizationView[]> {
  return organizationsByIds<OrganizationView>(db, ids, columns);
}

export async function findOrganizationByCreditCode(db: DbOrTx, creditCode: string): Promise<OrganizationView | null> {
  const code = normalizeCreditCode(creditCode);
  if (!isValidCreditCode(code)) return null;
  const [row] = await organizationByCreditCode<OrganizationView>(db, { code });
  return row ?? null;
}

/** A member token's organization, as authentication needs it (src/auth/authenticate.ts). */
export interface ViewerOrganization {
  id: number;
  kind: string;
  /**
   * The member may not act today: a FINAL SUSPEND_MEMBERSHIP_RIGHTS measure is in force, or it holds no ACTIVE
   * membership of any association (memberRightsWithheldCondition). Its tokens read; every mutation is FORBIDDEN.
   */
  membershipRightsSuspended: boolean;
}

/** The member lookup of authentication: the organization by credit code and whether it may act, in one statement. */
export async function findViewerOrganization(db: DbOrTx, creditCode: string, today = todayInShanghai()): Promise<ViewerOrganization | null> {
  const code = normalizeCreditCode(creditCode);
  if (!isValidCreditCode(code)) return null;
  const o = organizationsTable;
  const [row] = await db
    .select({ id: o.id, kind: o.kind, membershipRightsSuspended: sql<boolean>`${memberRightsWithheldCondition(o.id, today)}` })
    .from(o)
    .where(eq(o.creditCode, code))
    .limit(1);
  return row ? { ...row, membershipRightsSuspended: row.membershipRightsSuspended === true || (row.membershipRightsSuspended as unknown) === 't' } : null;
}

export async function loadBranchesByIds(db: DbOrTx, ids: readonly number[]): Promise<BranchView[]> {
  return selectRows(db, branchViewColumns, sql`from ${branchesTable} where ${branchesTable.id} = any(${keyArray(ids)})`, sql`q."id"`);
}

/**
 * One page of branches for each of many firms, in one statement: a LATERAL index range scan per firm on
 * (firm_id, id), so a firm with thousands of branches costs no more than its page.
 */
export async function listBranchesOfFirms(
  db: DbOrTx,
  firmIds: readonly number[],
  page: PageRequest,
  columns: typeof branchViewColumns = branchViewColumns,
): Promise<BranchView[]> {
  // Distinct keys: a repeated firm (its loader keeps no cache) would otherwise repeat its branches.
  const firms = arrayLiteral([...new Set(firmIds)]);
  if (isBackward(page) || (page.beforeKey ?? null) !== null) {
    // Backward pages (last/before): the same LATERAL scan, read from the other end, not prepared.
    const b = branchesTable;
    return selectRows<BranchView>(
      db,
      columns,
      sql`from unnest(${firms}::int[]) as f(id)
      cross join lateral (select * from ${b} where ${b.firmId} = f.id and ${pageCondition(page, b.id) ?? sql`true`} order by ${pageOrderBy(page, 'asc', b.id)} limit ${page.limit + 1}) as ${b}`,
      pageOrderBy(page, 'asc', sql`q."id"`),
    );
  }
  return branchPagesOfFirms<BranchView>(db, { columns }, { firmIds: firms, after: page.afterKey ?? 0, limit: page.limit + 1 });
}

const branchPagesOfFirms = preparedSelectRowsByShape<{ firmIds: string; after: number; limit: number }, { columns: typeof branchViewColumns }>(({ columns }) => ({
  columns,
  rest: sql`from unnest(${sql.placeholder('firmIds')}::int[]) as f(id)
      cross join lateral (select * from ${branchesTable} where ${firmPageWindow(sql`f.id`, sql`${sql.placeholder('after')}::integer`)} order by firm_id, id limit ${sql.placeholder('limit')}::integer) as ${branchesTable}`,
  order: sql`q."id"`,
}));

// One-statement answers (src/graphql/json-answer.ts) read the directory's lists as levels: `parent` the parent row's
// key (0 for the root list), `rn` the position in the parent's list, then every column. Pages as the loaders read them:
// keys after `after`, ascending, `limit` + 1 rows (the page and one more, for hasNextPage).

/** A forward page of the whole directory (no filter), as organizations(first, after) reads it. */
export function organizationPageRows(after: SQL, limit: SQL, columns: readonly string[]): SQL {
  const o = organizationsTable;
  return sql`select 0 as parent, row_number() over (order by page.id) as rn, page.*
    from (select ${tableColumns(o, columns)} from ${o} where ${o.id} > ${after}::integer order by ${o.id} limit ${limit}::integer + 1) as page`;
}

/**
 * A firm's branches after a key, as a range of the (firm_id, id) index: `(firm_id, id) > (firm, after)` up to the
 * firm's last, read in that index's order. Written as `firm_id = firm and id > after order by id`, a firm holding most
 * branches (the benchmark's synthetic year) made the planner walk the primary key and filter thousands of other firms'
 * rows per firm (0.5 ms per firm against 0.02).
 */
function firmPageWindow(firm: SQL, after: SQL): SQL {
  return sql`(${branchesTable.firmId}, ${branchesTable.id}) > (${firm}, ${after}) and ${branchesTable.firmId} <= ${firm}`;
}

/** A forward page of branches for each firm of `firms` (a relation of keys, `id`), as Organization.branches reads them. */
export function branchPageRowsOfFirms(firms: SQL, after: SQL, limit: SQL, columns: readonly string[]): SQL {
  const b = branchesTable;
  return sql`select firm.id as parent, row_number() over (partition by firm.id order by page.id) as rn, page.*
    from ${firms} as firm cross join lateral (select ${tableColumns(b, columns)} from ${b} where ${firmPageWindow(sql`firm.id`, sql`${after}::integer`)} order by ${b.firmId}, ${b.id} limit ${limit}::integer + 1) as page`;
}

/** One organization by key, with the named columns (node(id) in a one-statement answer). */
export const organizationRowSql = (id: SQL, columns: readonly string[]): SQL =>
  sql`select ${tableColumns(organizationsTable, columns)} from ${organizationsTable} where ${organizationsTable.id} = ${id}`;

/** One branch by key, with the named columns. */
export const branchRowSql = (id: SQL, columns: readonly string[]): SQL =>
  sql`select ${tableColumns(branchesTable, columns)} from ${branchesTable} where ${branchesTable.id} = ${id}`;

/** The number of organizations in the directory (totalCount of an unfiltered list), as SQL. */
export const organizationCountSql = (): SQL => sql`(select count(*)::integer from ${organizationsTable})`;

/** The number of branches of the firm `firmId` (an integer SQL expression), as SQL. */
export const branchCountOfFirmSql = (firmId: SQL): SQL => sql`(select count(*)::integer from ${branchesTable} where ${branchesTable.firmId} = ${firmId})`;

export async function countBranchesOfFirms(db: DbOrTx, firmIds: readonly number[]): Promise<Map<number, number>> {
  const rows = await db
    .select({ firmId: branchesTable.firmId, n: count() })
    .from(branchesTable)
    .where(inArray(branchesTable.firmId, [...firmIds]))
    .groupBy(branchesTable.firmId);
  return new Map(rows.map((r) => [r.firmId, r.n]));
}

/**
 * The contacts of the given organizations as the viewer sees them: an organization's list, or null when the viewer may
 * not see its contacts (hidden contacts are never fetched). One statement: for an association's staff the rows come
 * from the organizations' memberships of that association, so a member without contacts answers [] and anything
 * else null.
 */
export async function loadContactsByOrganizationIds(
  db: DbOrTx,
  viewer: Viewer,
  organizationIds: readonly number[],
): Promise<Map<number, ContactRow[]>> {
  const scope = contactScope(viewer);
  const visible = new Map<number, ContactRow[]>();
  if (scope.kind === 'none') return visible;
  const ids = [...organizationIds];
  if (scope.kind === 'membersOf') {
    const rows = await db
      .select({ organizationId: membershipsTable.organizationId, contact: contactsTable })
      .from(membershipsTable)
      .leftJoin(contactsTable, eq(contactsTable.organizationId, membershipsTable.organizationId))
      .where(and(eq(membershipsTable.associationId, scope.associationId), inArray(membershipsTable.organizationId, ids)))
      .orderBy(asc(contactsTable.id));
    for (const { organizationId, contact } of rows) {
      const list = visible.get(organizationId) ?? [];
      if (contact) list.push(contact);
      visible.set(organizationId, list);
    }
    await recordContactsRead(db, viewer, visible);
    return visible;
  }
  // Every organization, or the viewer's own: decided on the keys, so only their contacts are fetched.
  const shown = ids.filter((organizationId) => scopeAllows(scope, { organizationId }));
  if (shown.length === 0) return visible;
  for (const id of shown) visible.set(id, []);
  const rows = await db.select().from(contactsTable).where(inArray(contactsTable.organizationId, shown)).orderBy(asc(contactsTable.id));
  for (const row of rows) visible.get(row.organizationId)!.push(row);
  await recordContactsRead(db, viewer, visible);
  return visible;
}

/**
 * Contacts are personal information: a read of some by the regulator or a service account is recorded in the read
 * audit (once per loader batch, like reads of ratings); nothing is recorded, and no statement runs, for anyone else
 * or when no contact was read.
 */
async function recordContactsRead(db: DbOrTx, viewer: Viewer, visible: Map<number, ContactRow[]>): Promise<void> {
  const read = [...visible].filter(([, contacts]) => contacts.length > 0);
  if (read.length === 0) return;
  const contacts = read.reduce((n, [, list]) => n + list.length, 0);
  await recordDataAccess(db, viewer, { resource: 'Organization.contacts', details: { organizations: read.slice(0, 100).map(([id]) => id), contacts } });
}

/** A membership with its association (a handful of rows, joined rather than loaded again). */
export type MembershipView = MembershipRow & { association: AssociationRow };

/** The memberships of many organizations, in one statement, by association. Public, like the directory. */
export async function loadMembershipsByOrganizationIds(db: DbOrTx, organizationIds: readonly number[]): Promise<MembershipView[]> {
  const rows = await db
    .select({ membership: membershipsTable, association: associationsTable })
    .from(membershipsTable)
    .innerJoin(associationsTable, eq(associationsTable.id, membershipsTable.associationId))
    .where(inArray(membershipsTable.organizationId, [...organizationIds]))
    .orderBy(asc(membershipsTable.organizationId), asc(membershipsTable.associationId));
  return rows.map(({ membership, association }) => ({ ...membership, association }));
}

/** The listings of many organizations, in one statement, each organization's in order (primary first). Public. */
export async function loadListingsByOrganizationIds(db: DbOrTx, organizationIds: readonly number[]): Promise<ListingRow[]> {
  return db
    .select()
    .from(listingsTable)
    .where(inArray(listingsTable.organizationId, [...organizationIds]))
    .orderBy(asc(listingsTable.organizationId), asc(listingsTable.position));
}
