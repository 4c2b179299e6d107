// The CSV exports: RFC 4180 quoting of Chinese text, BOM and headers, the same rows as the reports and GraphQL,
// the contract's 401 / 403 / 400 answers, the read audit and the rate-limit budget.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../src/auth/viewer.js';
import { parseGlobalIdOf } from '../src/global-id.js';
import { updateBranch } from '../src/members/members.service.js';
import { csvCell, shanghaiDateTime } from '../src/reports/reports.csv.js';
import { scoreBranchRating } from '../src/ratings/ratings.scoring.js';
import { submitSuggestion } from '../src/suggestions/suggestions.service.js';
import { todayInShanghai } from '../src/time.js';
import { csvObjects, getCsv, parseCsv } from './support/csv.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { staffToken } from './support/integration.js';
import { cast, scalar, type Cast } from './support/ratings.js';

let t: TestApp;
let c: Cast;
beforeAll(async () => {
  t = await createTestApp();
  c = await cast(t);
});
afterAll(async () => {
  await t?.close();
});

const RATINGS_HEADER =
  'rating_id,year,cycle_status,firm_id,firm_credit_code,firm_name,branch_id,branch_name,branch_kind,district,self_score,association_score,bureau_score,total_score,computed_grade,grade,adjusted_grade,adjustment_reason,under_daily_supervision,version,updated_at';
const SUGGESTIONS_HEADER =
  'suggestion_id,submitted_at,organization_id,organization_credit_code,organization_name,organization_kind,topic,status,title,body,campaign_document_number,review_note,reference_number,recipient,forwarded_at,response_outcome,responded_at,response,updated_at';

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

describe('csvCell (RFC 4180)', () => {
  it('quotes commas, quotes, CR and LF, doubles quotes, and leaves plain Chinese text alone', () => {
    expect(csvCell('深圳证券业协会')).toBe('深圳证券业协会');
    expect(csvCell('甲，乙,丙')).toBe('"甲，乙,丙"');
    expect(csvCell('他说"好"')).toBe('"他说""好"""');
    expect(csvCell('第一行\r\n第二行\n第三行\r')).toBe('"第一行\r\n第二行\n第三行\r"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(92.5)).toBe('92.5');
    expect(csvCell(false)).toBe('false');
  });

  it('defuses spreadsheet formulas in free text only', () => {
    expect(csvCell('=HYPERLINK("http://x","点我")', true)).toBe('"\'=HYPERLINK(""http://x"",""点我"")"');
    expect(csvCell('+86 755', true)).toBe("'+86 755");
    expect(csvCell('@SUM(A1)', true)).toBe("'@SUM(A1)");
    expect(csvCell('-1', false)).toBe('-1');
  });

  it('defuses full-width formula starts, and quotes semicolons so a `;`-separated locale cannot split a formula out', () => {
    expect(csvCell('＝1+1', true)).toBe("'＝1+1");
    expect(csvCell('＋86 755', true)).toBe("'＋86 755");
    expect(csvCell('－1', true)).toBe("'－1");
    expect(csvCell('＠SUM(A1)', true)).toBe("'＠SUM(A1)");
    expect(csvCell('说明;=HYPERLINK("http://x")', true)).toBe('"说明;=HYPERLINK(""http://x"")"');
    expect(csvCell(';=1+1', true)).toBe('";=1+1"');
  });

  it('writes timestamps in Asia/Shanghai with their offset', () => {
    expect(shanghaiDateTime(new Date('2025-12-31T16:30:00Z'))).toBe('2026-01-01T00:30:00+08:00');
  });
});

describe('GET /reports/branch-ratings.csv', () => {
  it('streams one row per visible rating with a BOM, a header row, CRLF records and the download headers', async () => {
    const res = await getCsv(t, '/reports/branch-ratings.csv?year=2025', c.tokens.association);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="branch-ratings-2025.csv"; filename*=UTF-8''${encodeURIComponent('分支机构分类评价结果-2025.csv')}`,
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(res.text.startsWith(`${RATINGS_HEADER}\r\n`)).toBe(true);
    expect(res.text.endsWith('\r\n')).toBe(true);
    const rows = csvObjects(res.text);
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.every((r) => r.year === '2025' && r.cycle_status === 'PUBLISHED')).toBe(true);
    // In id order, each once.
    const ids = rows.map((r) => parseGlobalIdOf(r.rating_id!, 'BranchRating')!);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    // The grade columns agree with the supervision rule.
    for (const r of rows) expect(r.under_daily_supervision).toBe(String(r.grade === 'C' || r.grade === 'D'));
  });

  it('has as many rows as reports.ratingDistribution counts and as branchRatings.totalCount, for the association and the regulator', async () => {
    for (const token of [c.tokens.association, c.tokens.regulator]) {
      for (const year of [2025, 2026]) {
        const csv = await getCsv(t, `/reports/branch-ratings.csv?year=${year}`, token);
        const gql = await t.gql(
          `query($y: Int!) { reports { ratingDistribution(year: $y) { grade count } } branchRatings(year: $y, first: 1) { totalCount } }`,
          { y: year },
          { token },
        );
        const reported = gql.body.data.reports.ratingDistribution.reduce((n: number, g: any) => n + g.count, 0);
        const rows = parseCsv(csv.text).length - 1;
        expect(rows).toBeGreaterThan(0);
        expect(rows).toBe(reported);
        expect(rows).toBe(gql.body.data.branchRatings.totalCount);
      }
    }
  });

  it('quotes commas, quotes and line breaks of Chinese branch names and adjustment reasons (data written through the services)', async () => {
    const association: Viewer = c.viewers.association;
    const regulator: Viewer = c.viewers.regulator;
    const branchDbId = await scalar(
      t,
      sql`select r.branch_id from branch_ratings r join rating_cycles y on y.id = r.cycle_id where y.year = 2026 and r.adjusted_grade is null order by r.id limit 1`,
    );
    const firmName = (
      (await t.database.db.execute(sql`select o.name from organizations o join branches b on b.firm_id = o.id where b.id = ${branchDbId}`)) as unknown as {
        rows: { name: string }[];
      }
    ).rows[0]!.name;
    const name = `${firmName}深圳福田"中心"证券营业部，第一,分部`;
    const reason = '复核意见：投诉处理不及时，"客户回访"缺失；\r\n另见检查报告,第3页\n整改中';
    await updateBranch(t.database.db, association, branchDbId, { name });
    await scoreBranchRating(t.database.db, regulator, { year: 2026, branchId: branchDbId, gradeAdjustment: { grade: 'D', reason } });

    const res = await getCsv(t, '/reports/branch-ratings.csv?year=2026', c.tokens.regulator);
    expect(res.status).toBe(200);
    const rows = csvObjects(res.text);
    const row = rows.find((r) => parseGlobalIdOf(r.branch_id!, 'Branch') === branchDbId)!;
    expect(row.branch_name).toBe(name);
    expect(row.adjustment_reason).toBe(reason);
    expect(row.adjusted_grade).toBe('D');
    expect(row.grade).toBe('D');
    // The raw text carries the doubled quotes and the embedded CRLF inside one quoted field.
    expect(res.text).toContain(`"${firmName}深圳福田""中心""证券营业部，第一,分部"`);
    expect(res.text).toContain('"复核意见：投诉处理不及时，""客户回访""缺失；\r\n另见检查报告,第3页\n整改中"');
    // Every record has every column.
    const width = RATINGS_HEADER.split(',').length;
    expect(parseCsv(res.text).every((r) => r.length === width)).toBe(true);
  });

  it('answers 401 without a token or with a bad one, as the GraphQL endpoint does', async () => {
    for (const headers of [{}, { authorization: 'Bearer a.b.c' }, { authorization: 'Basic x' }] as Record<string, string>[]) {
      const res = await getCsv(t, '/reports/branch-ratings.csv?year=2025', undefined, headers);
      expect(res.status).toBe(401);
      expect(res.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(res.text).not.toContain('rating_id');
    }
  });

  it('answers 403 to firms, listed companies and with bad parameters alike (authorization before validation)', async () => {
    for (const token of [c.tokens.firm, c.tokens.listed]) {
      for (const path of ['/reports/branch-ratings.csv?year=2025', '/reports/branch-ratings.csv?year=abc', '/reports/suggestions.csv?from=2025-01-01&to=2025-12-31']) {
        const res = await getCsv(t, path, token);
        expect(res.status).toBe(403);
        expect(res.json.errors[0].extensions.code).toBe('FORBIDDEN');
      }
    }
  });

  it('answers 400 with a JSON error for a missing, malformed, out-of-range or repeated year', async () => {
    for (const query of ['', '?year=', '?year=abc', '?year=25', '?year=20255', '?year=1999', '?year=2025.0', '?year=2025&year=2026', '?year=%202025']) {
      const res = await getCsv(t, `/reports/branch-ratings.csv${query}`, c.tokens.regulator);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
  });

  it('a year without ratings is a header row alone; POST is 405', async () => {
    const empty = await getCsv(t, '/reports/branch-ratings.csv?year=2099', c.tokens.association);
    expect(empty.status).toBe(200);
    expect(empty.text).toBe(`${RATINGS_HEADER}\r\n`);
    const post = await fetch(`${t.url}/reports/branch-ratings.csv?year=2025`, { method: 'POST', headers: { authorization: `Bearer ${c.tokens.association}` } });
    expect(post.status).toBe(405);
  });

  it('records the regulator\'s exports in the data-access log, and not the association\'s', async () => {
    const count = (resource: string) => scalar(t, sql`select count(*) from data_access_log where resource = ${resource}`);
    const before = await count('branch-ratings.csv');
    await getCsv(t, '/reports/branch-ratings.csv?year=2025', c.tokens.association);
    expect(await count('branch-ratings.csv')).toBe(before);
    await getCsv(t, '/reports/branch-ratings.csv?year=2025', c.tokens.regulator);
    expect(await count('branch-ratings.csv')).toBe(before + 1);
    const res = await t.gql(`{ dataAccessLog(first: 1, filter: { resource: "branch-ratings.csv" }) { edges { node { actorRole resource details } } } }`, {}, { token: c.tokens.association });
    const entry = res.body.data.dataAccessLog.edges[0].node;
    expect(entry).toMatchObject({ actorRole: 'REGULATOR', resource: 'branch-ratings.csv' });
    expect(JSON.parse(entry.details)).toEqual({ year: 2025 });
    // Refused requests are not exports.
    await getCsv(t, '/reports/branch-ratings.csv?year=x', c.tokens.regulator);
    expect(await count('branch-ratings.csv')).toBe(before + 1);
  });
});

describe('GET /reports/suggestions.csv', () => {
  it('quotes commas, quotes and line breaks of a suggestion submitted through the service, and counts like suggestionSummary', async () => {
    const title = '关于"跨境理财通"额度，提高的建议,试行';
    const body = '第一，扩大额度；\r\n第二，"南向通"试点\n第三，简化流程,提高效率';
    const { suggestion } = await submitSuggestion(t.database.db, c.viewers.firm, { topic: 'GBA_CROSS_BORDER', title, body });
    const today = todayInShanghai();
    const from = addDays(today, -400);
    const to = addDays(today, 1);
    const res = await getCsv(t, `/reports/suggestions.csv?from=${from}&to=${to}`, c.tokens.regulator);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="suggestions-${from}_${to}.csv"; filename*=UTF-8''${encodeURIComponent(`双区建议-${from}_${to}.csv`)}`,
    );
    expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(res.text.startsWith(`${SUGGESTIONS_HEADER}\r\n`)).toBe(true);
    const rows = csvObjects(res.text);
    const row = rows.find((r) => parseGlobalIdOf(r.suggestion_id!, 'Suggestion') === suggestion.id)!;
    expect(row).toMatchObject({ title, body, topic: 'GBA_CROSS_BORDER', status: 'SUBMITTED', organization_kind: 'SECURITIES_FIRM', organization_credit_code: c.firmCode });
    expect(row.submitted_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(row.submitted_at!.slice(0, 10)).toBe(today);

    const summary = await t.gql(`query($from: Date, $to: Date) { reports { suggestionSummary(from: $from, to: $to) { count } } }`, { from, to }, { token: c.tokens.regulator });
    expect(rows.length).toBe(summary.body.data.reports.suggestionSummary.reduce((n: number, s: any) => n + s.count, 0));
  });

  it('a narrower range holds exactly the suggestions submitted on those Shanghai days', async () => {
    // The securities association's staff export their association's suggestions.
    const day = await t.database.db.execute(sql`select to_char((submitted_at at time zone 'Asia/Shanghai')::date, 'YYYY-MM-DD') as d, count(*)::int as n
      from suggestions where association_id = 1 group by 1 order by 2 desc limit 1`);
    const { d, n } = (day as unknown as { rows: { d: string; n: number }[] }).rows[0]!;
    const res = await getCsv(t, `/reports/suggestions.csv?from=${d}&to=${d}`, c.tokens.association);
    const rows = csvObjects(res.text);
    expect(rows.length).toBe(n);
    expect(rows.every((r) => r.submitted_at!.startsWith(d))).toBe(true);
  });

  it('answers 400 for missing, malformed, impossible or reversed days', async () => {
    for (const query of ['', '?from=2025-01-01', '?to=2025-01-01', '?from=2025-1-1&to=2025-12-31', '?from=2025-02-30&to=2025-03-01', '?from=2025-12-31&to=2025-01-01', '?from=2025-01-01&from=2025-02-01&to=2025-12-31']) {
      const res = await getCsv(t, `/reports/suggestions.csv${query}`, c.tokens.association);
      expect(res.status, query).toBe(400);
      expect(res.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
    const anonymous = await getCsv(t, '/reports/suggestions.csv');
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('rate limits', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await createTestApp({ RATE_LIMIT_POINTS: '150', RATE_LIMIT_WINDOW_SECONDS: '3600' });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('an export costs 100 points of the caller\'s budget: the second within the window is 429 with Retry-After, other callers unaffected', async () => {
    const regulator = await limited.token('regulator');
    const first = await getCsv(limited, '/reports/branch-ratings.csv?year=2025', regulator);
    expect(first.status).toBe(200);
    const second = await getCsv(limited, '/reports/branch-ratings.csv?year=2025', regulator);
    expect(second.status).toBe(429);
    expect(second.json.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    const association = await limited.token('association');
    expect((await getCsv(limited, '/reports/branch-ratings.csv?year=2025', association)).status).toBe(200);
  });
});

describe('exports for several associations', () => {
  it('another association\'s staff get 403 on branch-ratings.csv (they never read ratings), like a role that may not export it', async () => {
    const szlca = await staffToken(t, 'SZLCA');
    for (const path of ['/reports/branch-ratings.csv?year=2025', '/reports/branch-ratings.csv?year=abc']) {
      const res = await getCsv(t, path, szlca);
      expect(res.status).toBe(403);
      expect(res.json.errors[0].extensions.code).toBe('FORBIDDEN');
    }
  });

  it('suggestions.csv holds the staff\'s association\'s suggestions only, and every association\'s for the regulator', async () => {
    // A suggestion submitted to the listed companies association (written directly: its submission path is the suggestions area's).
    const orgId = ((await t.database.db.execute(sql`select o.id from organizations o join memberships m on m.organization_id = o.id and m.association_id = 2 limit 1`)) as unknown as { rows: { id: number }[] }).rows[0]!.id;
    const inserted = (await t.database.db.execute(sql`insert into suggestions (association_id, organization_id, topic, title, body)
      values (2, ${orgId}, 'TAX_POLICY', '上市公司协会专用的建议', '仅上市公司协会与证监局可见') returning id`)) as unknown as { rows: { id: number }[] };
    const id = inserted.rows[0]!.id;
    try {
      const today = todayInShanghai();
      const path = `/reports/suggestions.csv?from=${addDays(today, -1)}&to=${addDays(today, 1)}`;
      const ids = async (token: string) => csvObjects((await getCsv(t, path, token)).text).map((r) => parseGlobalIdOf(r.suggestion_id!, 'Suggestion'));
      const inRange = async (associationId: number | null) =>
        scalar(t, sql`select count(*) from suggestions where (submitted_at at time zone 'Asia/Shanghai')::date between ${addDays(today, -1)}::date and ${addDays(today, 1)}::date
          and (${associationId}::int is null or association_id = ${associationId}::int)`);
      const szlca = await ids(await staffToken(t, 'SZLCA'));
      expect(szlca).toContain(id);
      expect(szlca.length).toBe(await inRange(2));
      const szsa = await ids(c.tokens.association!);
      expect(szsa).not.toContain(id);
      expect(szsa.length).toBe(await inRange(1));
      const regulator = await ids(c.tokens.regulator!);
      expect(regulator).toContain(id);
      expect(regulator.length).toBe(await inRange(null));
    } finally {
      await t.database.db.execute(sql`delete from suggestions where id = ${id}`);
    }
  });
});
