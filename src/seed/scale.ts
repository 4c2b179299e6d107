// Multiplies the demo data for performance work (`npm run db:seed -- --scale N`, the benchmark, the EXPLAIN test):
// copies of the directory and years of published rating history, so lists and reports are measured and planned at
// the sizes they must serve. Set-based (a dozen statements whatever the factor) and deterministic (no PRNG, no clock).
import { asc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { type Db, type DbOrTx } from '../db/client.js';
import { keyArray, rowsOf } from '../db/sql/index.js';
import { creditCodeCheckCharacter, organizationCodeCheckCharacter } from '../members/identifiers.js';
import { branchesTable, contactsTable, membershipEventsTable, membershipsTable, organizationsTable } from '../members/members.table.js';
import { insertFollowUps } from '../ratings/ratings.follow-ups.js';
import { branchRatingsTable, ratingCyclesTable, ratingGuidelinesTable, supervisoryFollowUpsTable } from '../ratings/ratings.table.js';
import { todayInShanghai } from '../time.js';

/**
 * The benchmark's size, at least 10,000 branches and 100,000 ratings: 25 × the demo (Shenzhen's network, about 550
 * open branches) is about 13,700 branches and 100,000 ratings. A branch is rated about 7 times, not 10, because a cycle cannot predate 2019 (the
 * rating_cycles_year_range check): eight cycles, 2019–2026, and branches opened later are rated fewer times.
 */
export const BENCH_SCALE_FACTOR = 25;

/** Copies take 6 decimal digits of serial in their credit codes (about 600 rows a copy): this bounds the factor below that. */
export const MAX_SCALE_FACTOR = 1000;

/** The rating_cycles_year_range check: the history starts here. */
const FIRST_CYCLE_YEAR = 2019;

/**
 * Copies' credit codes: the original's 8-character prefix, this lead (the demo uses MA5 and MJ, never MX), a 6-digit
 * serial, the GB 11714 check character of positions 9–16 and the GB 32100 one: valid under every rule of
 * identifiers.checkCreditCode. A database holding such codes has been scaled already.
 */
const COPY_CODE_LEAD = 'MX';

/** The demo's grade shares (A 45 %, B 35 %, C 12 %, D 8 %) as cumulative percentiles, and the points each band loses. */
const RATING_BANDS = sql.raw(`(values (45, 0, 8), (80, 11, 18), (92, 21, 28), (100, 31, 38)) as band(upto, lost_min, lost_max)`);

/** The number a one-row, one-column query (`as n`) answers. */
async function numberOf(db: DbOrTx, query: SQL): Promise<number> {
  return Number(rowsOf<{ n: number | string }>(await db.execute(query))[0]?.n ?? 0);
}

/** The copies' names, in SQL: 鹏城证券股份有限公司（2）, Pengcheng Securities Co., Ltd. (2). */
const copyName = (name: SQL, copy: SQL) => sql`${name} || '（' || ${copy} || '）'`;
const copyNameEn = (name: SQL, copy: SQL) => sql`${name} || ' (' || ${copy} || ')'`;

/** Hands out distinct, valid credit codes for copies, keeping each original's registration prefix. */
function copyCreditCodes(): (original: string) => string {
  let serial = 0;
  return (original) => {
    serial += 1;
    const body16 = original.slice(0, 8) + COPY_CODE_LEAD + String(serial).padStart(6, '0');
    const body = body16 + organizationCodeCheckCharacter(body16.slice(8));
    return body + creditCodeCheckCharacter(body);
  };
}

/** Refuses what cannot be scaled (a bad factor, a database scaled already or without the demo); returns the year of its first cycle. */
async function checkScalable(db: DbOrTx, factor: number): Promise<number> {
  if (!Number.isInteger(factor) || factor < 2 || factor > MAX_SCALE_FACTOR) {
    throw new RangeError(`scale factor must be an integer from 2 to ${MAX_SCALE_FACTOR} (1 is the demo itself), got ${factor}`);
  }
  const copies = await numberOf(db, sql`select count(*) as n from ${organizationsTable} where substr(credit_code, 9, 2) = ${COPY_CODE_LEAD}`);
  if (copies > 0) throw new Error(`the database is already scaled (${copies} copied organizations); scale a freshly seeded database instead`);
  const branches = await numberOf(db, sql`select count(*) as n from ${branchesTable}`);
  const firstYear = await numberOf(db, sql`select coalesce(min(year), 0) as n from ${ratingCyclesTable}`);
  if (branches === 0 || firstYear === 0) throw new Error('the database holds no demo data to scale; load it first (npm run db:seed)');
  return firstYear;
}

/**
 * Rows to copy, copy-major like the demo repeated (ids of copy n follow those of copy n − 1): each original's id, the
 * copy's number and a fresh credit code. "" (an empty string in the array literal) stands for no code (branches
 * without one; the branch insert's nullif turns it back into null).
 */
function copyPlan(originals: { id: number; creditCode: string | null }[], factor: number, nextCode: (original: string) => string) {
  const sources: number[] = [];
  const copies: number[] = [];
  const codes: string[] = [];
  for (let copy = 2; copy <= factor; copy++) {
    for (const o of originals) {
      sources.push(o.id);
      copies.push(copy);
      codes.push(o.creditCode ? nextCode(o.creditCode) : '""');
    }
  }
  return { sources, copies, codes };
}

/**
 * Copies every organization (factor − 1) times, with its contacts and membership history; the copies have no
 * stock codes (those are scarce and must stay unique). Returns how many organizations were added.
 */
async function copyOrganizations(db: DbOrTx, factor: number, nextCode: (original: string) => string): Promise<number> {
  const originals = await db
    .select({ id: organizationsTable.id, creditCode: organizationsTable.creditCode })
    .from(organizationsTable)
    .orderBy(asc(organizationsTable.id));
  const { sources, copies, codes } = copyPlan(originals, factor, nextCode);
  const added = await numberOf(
    db,
    sql`with added as (
      insert into ${organizationsTable} (kind, name, short_name, name_en, credit_code, district, address, member_since, membership_status, membership_category)
      select o.kind, ${copyName(sql`o.name`, sql`k.copy`)}, ${copyName(sql`o.short_name`, sql`k.copy`)}, ${copyNameEn(sql`o.name_en`, sql`k.copy`)},
        k.credit_code, o.district, o.address, o.member_since, o.membership_status, o.membership_category
      from unnest(${keyArray(sources)}, ${keyArray(copies)}, ${keyArray(codes, 'text')}) as k(source_id, copy, credit_code)
      join ${organizationsTable} o on o.id = k.source_id
      order by k.copy, k.source_id
      returning 1)
    select count(*) as n from added`,
  );
  // The copies are found again by name (unique): copy n of organization o is named copyName(o.name, n).
  const copiesOf = sql`${organizationsTable} o join generate_series(2, ${factor}::int) as k(copy) on true
    join ${organizationsTable} c on c.name = ${copyName(sql`o.name`, sql`k.copy`)}`;
  await db.execute(sql`insert into ${contactsTable} (organization_id, name, title, phone, email)
    select c.id, x.name, x.title, x.phone, x.email from ${copiesOf} join ${contactsTable} x on x.organization_id = o.id
    order by c.id, x.id`);
  await db.execute(sql`insert into ${membershipsTable} (association_id, organization_id, category, status, since)
    select m.association_id, c.id, m.category, m.status, m.since from ${copiesOf} join ${membershipsTable} m on m.organization_id = o.id
    order by c.id, m.id`);
  await db.execute(sql`insert into ${membershipEventsTable} (organization_id, association_id, kind, effective_on, note)
    select c.id, e.association_id, e.kind, e.effective_on, e.note from ${copiesOf} join ${membershipEventsTable} e on e.organization_id = o.id
    order by c.id, e.id`);
  return added;
}

/**
 * Copies every open branch to each copy of its firm, named after the copy (鹏城证券股份有限公司（2）深圳分公司). Closed
 * branches are history (the training seed keeps the 2020 network's merged sales departments): not copied.
 */
async function copyBranches(db: DbOrTx, factor: number, nextCode: (original: string) => string): Promise<number> {
  const originals = await db
    .select({ id: branchesTable.id, creditCode: branchesTable.creditCode })
    .from(branchesTable)
    .where(isNull(branchesTable.closedOn))
    .orderBy(asc(branchesTable.id));
  const { sources, copies, codes } = copyPlan(originals, factor, nextCode);
  return numberOf(
    db,
    sql`with added as (
      insert into ${branchesTable} (firm_id, kind, name, credit_code, district, address, opened_on, closed_on)
      select c.id, b.kind, c.name || substr(b.name, length(f.name) + 1), nullif(k.credit_code, ''), b.district, b.address, b.opened_on, b.closed_on
      from unnest(${keyArray(sources)}, ${keyArray(copies)}, ${keyArray(codes, 'text')}) as k(source_id, copy, credit_code)
      join ${branchesTable} b on b.id = k.source_id
      join ${organizationsTable} f on f.id = b.firm_id
      join ${organizationsTable} c on c.name = ${copyName(sql`f.name`, sql`k.copy`)}
      order by k.copy, b.id
      returning 1)
    select count(*) as n from added`,
  );
}

/**
 * Published cycles for the years before the demo's first one, scored under that cycle's guideline, with its
 * deadlines and publication moved back by whole years. Returns how many cycles were added.
 */
async function addHistoryCycles(db: DbOrTx, firstYear: number): Promise<number> {
  return numberOf(
    db,
    sql`with first_cycle as (select * from ${ratingCyclesTable} where year = ${firstYear}),
    added as (
      insert into ${ratingCyclesTable} (year, guideline_id, status, self_assessment_due_on, association_scoring_due_on,
        bureau_review_due_on, publication_due_on, published_at)
      select y.year, f.guideline_id, 'PUBLISHED',
        (f.self_assessment_due_on - make_interval(years => f.year - y.year))::date,
        (f.association_scoring_due_on - make_interval(years => f.year - y.year))::date,
        (f.bureau_review_due_on - make_interval(years => f.year - y.year))::date,
        (f.publication_due_on - make_interval(years => f.year - y.year))::date,
        coalesce(f.published_at, f.publication_due_on::timestamptz) - make_interval(years => f.year - y.year)
      from first_cycle f cross join generate_series(${FIRST_CYCLE_YEAR}::int, ${firstYear - 1}::int) as y(year)
      order by y.year
      returning 1)
    select count(*) as n from added`,
  );
}

/**
 * Rates every branch open during a cycle's year that the cycle has not rated yet: the copies in the demo's cycles
 * that rate branches, everyone in the history (the years before `firstYear`). Scores derive from the ids, fall into the demo's grade shares, and the grade is the one
 * the guideline's thresholds give (no overrides, no adjustments). There are no score lines: a rating's stage
 * scores stand on their own. Returns how many ratings were added.
 */
async function rateOpenBranches(db: DbOrTx, firstYear: number): Promise<number> {
  return numberOf(
    db,
    sql`with scored as (
      select c.id as cycle_id, b.id as branch_id, g.base_score, g.threshold_a, g.threshold_b, g.threshold_c,
        -- Knuth's multiplicative hash of the pair: the percentile picks the band, the rest the half-points lost.
        (b.id::bigint * 2654435761 + c.year::bigint * 40503) % 4294967296 as h
      from ${ratingCyclesTable} c
      join ${ratingGuidelinesTable} g on g.id = c.guideline_id
      join ${branchesTable} b on (b.opened_on is null or b.opened_on <= make_date(c.year, 12, 31))
        and (b.closed_on is null or b.closed_on >= make_date(c.year, 1, 1))
      where c.year < ${firstYear} or exists (select 1 from ${branchRatingsTable} r where r.cycle_id = c.id)
    ),
    totals as (
      select s.*, s.base_score - (band.lost_min * 2 + (s.h / 100) % ((band.lost_max - band.lost_min) * 2 + 1)) / 2.0 as total
      from scored s
      cross join lateral (select * from ${RATING_BANDS} where s.h % 100 < band.upto order by band.upto limit 1) as band
    ),
    added as (
      insert into ${branchRatingsTable} (cycle_id, branch_id, self_score, association_score, total_score, computed_grade, grade)
      select t.cycle_id, t.branch_id, least(t.base_score, t.total + (t.h / 10000) % 3), t.total, t.total, grade, grade
      from totals t
      cross join lateral (select (case when t.total >= t.threshold_a then 'A' when t.total >= t.threshold_b then 'B'
        when t.total >= t.threshold_c then 'C' else 'D' end)::branch_grade as grade) as graded
      order by t.cycle_id, t.branch_id
      on conflict (cycle_id, branch_id) do nothing
      returning 1)
    select count(*) as n from added`,
  );
}

/**
 * The follow-ups every published C and D rating has (the demo's own are kept); those of the history cycles were
 * completed on their due day long ago. Returns how many were added.
 */
async function addFollowUps(db: DbOrTx, firstYear: number): Promise<number> {
  const published = await db.select().from(ratingCyclesTable).where(eq(ratingCyclesTable.status, 'PUBLISHED'));
  let added = 0;
  for (const cycle of published) added += await insertFollowUps(db, cycle, todayInShanghai(cycle.publishedAt!));
  await db.execute(sql`update ${supervisoryFollowUpsTable} f set status = 'DONE', completed_on = f.due_on
    from ${branchRatingsTable} r join ${ratingCyclesTable} c on c.id = r.cycle_id
    where r.id = f.rating_id and c.year < ${firstYear} and f.status <> 'DONE'`);
  return added;
}

/**
 * Makes a database holding the demo data (src/seed/seed-all.ts) `factor` times its size: (factor − 1) copies of
 * every organization and branch, published cycles back to 2019, and a rating for every branch open in each cycle's
 * year. Refuses a database scaled already. One transaction, then VACUUM ANALYZE.
 */
export async function scaleDemoData(db: Db, factor: number): Promise<Record<string, number>> {
  const added = await db.transaction(async (tx) => {
    const firstYear = await checkScalable(tx, factor);
    const nextCode = copyCreditCodes();
    const organizations = await copyOrganizations(tx, factor, nextCode);
    const branches = await copyBranches(tx, factor, nextCode);
    const ratingCycles = await addHistoryCycles(tx, firstYear);
    const branchRatings = await rateOpenBranches(tx, firstYear);
    const supervisoryFollowUps = await addFollowUps(tx, firstYear);
    return { organizations, branches, ratingCycles, branchRatings, supervisoryFollowUps };
  });
  // What autovacuum would do on a server, and PGlite never does: statistics for the planner, and the visibility map
  // that lets index-only scans skip the heap. VACUUM cannot run inside a transaction, hence after it.
  await db.execute(sql`vacuum analyze`);
  return added;
}
