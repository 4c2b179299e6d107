// The association's bulk import: all or nothing, one error per bad row naming it, set-based writes.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/global-id.js';
import { MAX_IMPORT_ROWS } from '../src/ratings/ratings.scoring.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { cast, cycleAt, expectNothingWritten, fingerprint, IMPORT, scalar, userErrorsOf, type Cast, type Who } from './support/ratings.js';

let t: TestApp;
let c: Cast;
let branchIds: string[];
let indicators: { code: string; method: string; points: number }[];

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_POINTS: '0' });
  c = await cast(t);
  await cycleAt(t, c.tokens, 2027, 'ASSOCIATION_SCORING', 2);
  const rows = (await t.database.db.execute(sql`select id from branches where closed_on is null order by id`)) as unknown as { rows: { id: number }[] };
  branchIds = rows.rows.map((r) => encodeGlobalId('Branch', r.id));
  const g = await t.gql(`{ ratingCycle(year: 2027) { guideline { indicators { code method points } } } }`);
  indicators = g.body.data.ratingCycle.guideline.indicators;
});
afterAll(async () => {
  await t?.close();
});

/** Every open branch × every basic item: branch n loses (n mod 4) × 0.5 points on each item. */
function goodRows(shift = 0) {
  return branchIds.flatMap((branchId, n) =>
    indicators.filter((i) => i.method === 'BASE').map((i) => ({ branchId, indicator: i.code, value: i.points - ((n + shift) % 4) * 0.5 })),
  );
}

const importAs = (who: Who, year: number, rows: unknown[]) => t.gql(IMPORT, { input: { year, rows } }, { token: c.tokens[who] });

describe('bulk import of the association\'s scores', () => {
  it('a bad row anywhere refuses the whole import, with one error per bad row naming it, and nothing is written', async () => {
    const rows: any[] = goodRows();
    expect(rows.length).toBeGreaterThan(500);
    rows[5] = { ...rows[5], indicator: 'NO_SUCH_INDICATOR' };
    rows[300] = { ...rows[300], value: 999 };
    rows[301] = { ...rows[301], value: 1.005 };
    rows.push({ ...rows[10] });
    rows.push({ branchId: encodeGlobalId('Branch', 999999), indicator: 'CM_SYSTEM', value: 1 });
    rows.push({ branchId: 'garbage', indicator: 'CM_SYSTEM', value: 1 });
    const before = await fingerprint(t);
    const res = await importAs('association', 2027, rows);
    const n = rows.length;
    expect(res.body.data.importBranchScores.importedRows).toBeNull();
    expect(res.body.data.importBranchScores.branchRatings).toEqual([]);
    const errors = userErrorsOf(res, 'importBranchScores');
    expect(errors.map((e) => [e.field?.join('.'), e.code])).toEqual([
      ['input.rows.5.indicator', 'UNKNOWN_INDICATOR'],
      ['input.rows.300.value', 'OUT_OF_RANGE'],
      ['input.rows.301.value', 'INVALID'],
      [`input.rows.${n - 3}.indicator`, 'DUPLICATE'],
      [`input.rows.${n - 2}.branchId`, 'NOT_FOUND'],
      [`input.rows.${n - 1}.branchId`, 'NOT_FOUND'],
    ]);
    expect(errors[0]!.message).toMatch(/^第 6 行：/);
    await expectNothingWritten(t, before);
  });

  it('a clean import writes every row in one transaction, computes each rating and leaves one audit entry', async () => {
    const rows = goodRows();
    const auditsBefore = await scalar(t, sql`select count(*) from audit_log`);
    const res = await importAs('association', 2027, rows);
    expect(userErrorsOf(res, 'importBranchScores')).toEqual([]);
    expect(res.body.data.importBranchScores.importedRows).toBe(rows.length);
    const ratings = res.body.data.importBranchScores.branchRatings;
    expect(ratings.length).toBe(branchIds.length);
    const baseCount = indicators.filter((i) => i.method === 'BASE').length;
    for (const r of ratings) {
      const n = branchIds.indexOf(r.branch.id);
      const expected = 100 - baseCount * (n % 4) * 0.5;
      expect(r.totalScore).toBe(expected);
      expect(r.grade).toBe(expected >= 90 ? 'A' : expected >= 80 ? 'B' : expected >= 70 ? 'C' : 'D');
    }
    expect(await scalar(t, sql`select count(*) from rating_score_lines l join branch_ratings r on r.id = l.rating_id join rating_cycles y on y.id = r.cycle_id where y.year = 2027 and l.stage = 'ASSOCIATION'`)).toBe(rows.length);
    expect(await scalar(t, sql`select count(*) from audit_log`)).toBe(auditsBefore + 1);
    const audit = (await t.database.db.execute(sql`select action, actor_role, before, after from audit_log order by id desc limit 1`)) as unknown as { rows: any[] };
    expect(audit.rows[0]).toMatchObject({ action: 'branch_rating.import', actor_role: 'ASSOCIATION', after: { rows: rows.length } });
    expect(audit.rows[0].after.ratings.length).toBe(branchIds.length);
  });

  it('importing again replaces the association\'s lines rather than adding to them', async () => {
    const rows = goodRows(1);
    const linesBefore = await scalar(t, sql`select count(*) from rating_score_lines`);
    const versionsBefore = await scalar(t, sql`select sum(version) from branch_ratings r join rating_cycles y on y.id = r.cycle_id where y.year = 2027`);
    const res = await importAs('association', 2027, rows);
    expect(userErrorsOf(res, 'importBranchScores')).toEqual([]);
    expect(await scalar(t, sql`select count(*) from rating_score_lines`)).toBe(linesBefore);
    expect(await scalar(t, sql`select sum(version) from branch_ratings r join rating_cycles y on y.id = r.cycle_id where y.year = 2027`)).toBe(versionsBefore + branchIds.length);
    const first = res.body.data.importBranchScores.branchRatings.find((r: any) => r.branch.id === branchIds[0]);
    expect(first.totalScore).toBe(100 - indicators.filter((i) => i.method === 'BASE').length * 0.5);
  });

  it('costs the same number of statements for 10 rows as for 1,000', async () => {
    const query = `mutation($input: ImportBranchScoresInput!) { importBranchScores(input: $input) { importedRows userErrors { code } } }`;
    const rows = branchIds.flatMap((branchId) => indicators.map((i) => ({ branchId, indicator: i.code, value: i.method === 'BASE' ? i.points : 0 })));
    expect(rows.length).toBeGreaterThanOrEqual(1000);
    const small = await t.countedExecute(query, { input: { year: 2027, rows: rows.slice(0, 10) } }, c.viewers.association);
    const large = await t.countedExecute(query, { input: { year: 2027, rows: rows.slice(0, 1000) } }, c.viewers.association);
    expect(small.body.data.importBranchScores).toEqual({ importedRows: 10, userErrors: [] });
    expect(large.body.data.importBranchScores).toEqual({ importedRows: 1000, userErrors: [] });
    expect(large.count).toBe(small.count);
  });

  it.each(['anonymous', 'firm', 'listed', 'regulator'] as Who[])('%s may not import', async (who) => {
    const before = await fingerprint(t);
    const res = await importAs(who, 2027, goodRows().slice(0, 3));
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await expectNothingWritten(t, before);
  });

  it('refuses imports outside association scoring, empty ones and oversized ones', async () => {
    const before = await fingerprint(t);
    const review = await importAs('association', 2026, [{ branchId: branchIds[0], indicator: 'CM_SYSTEM', value: 1 }]);
    expect(userErrorsOf(review, 'importBranchScores')).toEqual([expect.objectContaining({ code: 'INVALID_STATE' })]);
    const published = await importAs('association', 2025, [{ branchId: branchIds[0], indicator: 'CM_SYSTEM', value: 1 }]);
    expect(userErrorsOf(published, 'importBranchScores')).toEqual([expect.objectContaining({ code: 'ALREADY_PUBLISHED' })]);
    const empty = await importAs('association', 2027, []);
    expect(userErrorsOf(empty, 'importBranchScores')).toEqual([expect.objectContaining({ code: 'REQUIRED', field: ['input', 'rows'] })]);
    const huge = Array.from({ length: MAX_IMPORT_ROWS + 1 }, () => ({ branchId: branchIds[0], indicator: 'CM_SYSTEM', value: 1 }));
    const tooMany = await importAs('association', 2027, huge);
    expect(userErrorsOf(tooMany, 'importBranchScores')).toEqual([expect.objectContaining({ code: 'LIMIT_EXCEEDED', field: ['input', 'rows'] })]);
    await expectNothingWritten(t, before);
  });
});
