import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidDocumentNumber, normalizeDocumentNumber } from '../src/policies/document-number.js';
import { sql } from 'drizzle-orm';
import { buildExcerpt, buildSearchVector, excerptHtml, expansionTerms, parseSearchQuery } from '../src/policies/policies.search.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { listPage, listTitles, roleTokens, rowCounts, seededIds, seededKeyOf, type Role, type Seeded } from './support/policies.js';

let t: TestApp;
let tokens: Record<Role, string | undefined>;
let ids: Record<Seeded, string>;

beforeAll(async () => {
  // Rate limiting has its own tests; these files send many requests as one viewer.
  t = await createTestApp({ RATE_LIMIT_POINTS: '100000000' });
  tokens = await roleTokens(t);
  ids = await seededIds(t, tokens.association!);
});
afterAll(async () => {
  await t?.close();
});

const keysFor = async (token: string | undefined, search: string) => (await listTitles(t, token, { search, first: 100 })).map(seededKeyOf);

const CREATE = `mutation($input: CreatePolicyInterpretationInput!) {
  createPolicyInterpretation(input: $input) { policyInterpretation { id } userErrors { field code } }
}`;
async function createDraft(title: string, body: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.gql(CREATE, { input: { title, summary: '测试摘要。', body, audience: 'PUBLIC', ...extra } }, { token: tokens.association });
  expect(res.body.data.createPolicyInterpretation.userErrors).toEqual([]);
  return res.body.data.createPolicyInterpretation.policyInterpretation.id;
}

describe('searching in Chinese, English or both', () => {
  it('"适当性" finds the bodies that say 投资者适当性管理, the suitability interpretation first', async () => {
    const page = await listPage(t, tokens.firm, { search: '适当性', first: 100 });
    const keys = page.edges.map((e) => seededKeyOf(e.node.title));
    expect(keys[0]).toBe('suitability');
    expect(keys).toEqual(expect.arrayContaining(['suitability', 'securitiesLaw', 'branchRules', 'shenzhenGuideline']));
    expect(page.totalCount).toBe(keys.length);
    const relevances = page.edges.map((e) => e.node.relevance);
    expect([...relevances].sort((a, b) => b - a)).toEqual(relevances);
    for (const e of page.edges) {
      expect(e.node.highlight.fragments.filter((f: any) => f.highlighted).map((f: any) => f.text)).toContain('适当性');
      expect(e.node.highlight.html).toContain('<mark>适当性</mark>');
    }
    expect(page.edges[0]!.node.highlight.text).toContain('投资者适当性管理');
  });

  it('a two-character term the segmenter splits (合规 → 合|规) is found, and only where its characters stand together', async () => {
    const keys = await keysFor(tokens.firm, '合规');
    expect(keys).toEqual(expect.arrayContaining(['dealerNotice', 'branchRules', 'shenzhenGuideline']));
    expect(keys).not.toContain('complianceDraft'); // a draft: staff only
    expect(await keysFor(tokens.association, '合规')).toContain('complianceDraft');
    // 合 and 规 both occur in the anti-money-laundering text, but never together.
    expect(keys).not.toContain('aml');
    expect(await keysFor(tokens.firm, '洗钱')).toEqual(['aml']);
    expect(await keysFor(tokens.firm, '反洗钱')).toEqual(['aml']);
  });

  it('a text whose own words match the query ranks above one that only holds the characters across a word boundary', async () => {
    // Both bodies hold the bigram 合规; only the first segments it as 合|规 the way the query does (综合|规划 in the second).
    const real = await createDraft('测试甲', '本公司持续加强合规工作。');
    const accidental = await createDraft('测试乙', '本公司持续推进综合规划。');
    const page = await listPage(t, tokens.association, { search: '合规', first: 100 });
    const order = page.edges.map((e) => e.node.id);
    expect(order).toContain(accidental);
    expect(order.indexOf(real)).toBeLessThan(order.indexOf(accidental));
  });

  it('an English acronym is found in any case, inside Chinese punctuation, and highlighted', async () => {
    for (const search of ['AML', 'aml', 'Aml', 'ＡＭＬ']) {
      const page = await listPage(t, tokens.firm, { search });
      expect(page.edges.map((e) => seededKeyOf(e.node.title))).toEqual(['aml']);
      expect(page.edges[0]!.node.highlight.html).toMatch(/<mark>AML<\/mark>/);
    }
    expect(await keysFor(tokens.firm, 'KYC')).toEqual(['aml']);
    // A word matches whole: no hit for a prefix of it.
    expect(await keysFor(tokens.firm, 'AM')).toEqual([]);
  });

  it('a multi-word query finds documents that match any word, those matching more words first, and highlights each', async () => {
    const page = await listPage(t, tokens.firm, { search: '反洗钱 AML', first: 100 });
    const keys = page.edges.map((e) => seededKeyOf(e.node.title));
    expect(keys[0]).toBe('aml');
    const marked = page.edges[0]!.node.highlight.fragments.filter((f: any) => f.highlighted).map((f: any) => f.text);
    expect(marked).toEqual(expect.arrayContaining(['反洗钱', 'AML']));
    // Without a space the two are one word of the query: both must match.
    expect(await keysFor(tokens.firm, 'AML反洗钱')).toEqual(['aml']);
    expect((await keysFor(tokens.firm, '客户尽职调查 CDD'))[0]).toBe('aml');
    // 注册制 is in other interpretations, AML only in the anti-money-laundering one: both kinds are found.
    const either = await keysFor(tokens.firm, 'AML 注册制');
    const registration = await keysFor(tokens.firm, '注册制');
    expect(registration.length).toBeGreaterThan(0);
    expect(registration).not.toContain('aml');
    expect([...either].sort()).toEqual([...new Set(['aml', ...registration])].sort());
  });

  it('ranks by how many words match, then by where (title above body), ties newest first', async () => {
    const both = await createDraft('多词排序测试', '本文讨论甲乙丙丁戊和庚辛壬癸子两个主题。');
    const titleOnly = await createDraft('甲乙丙丁戊', '正文没有第二个词。');
    const bodyOnly = await createDraft('多词排序测试二', '正文提到甲乙丙丁戊。');
    const bodyOnlyTwin = await createDraft('多词排序测试三', '正文提到甲乙丙丁戊。');
    const page = await listPage(t, tokens.association, { search: '甲乙丙丁戊 庚辛壬癸子', first: 100 });
    expect(page.edges.map((e) => e.node.id)).toEqual([both, titleOnly, bodyOnlyTwin, bodyOnly]);
    const [r2, r1a, r1b, r1c] = page.edges.map((e) => e.node.relevance as number);
    expect(Math.floor(r2!)).toBe(2);
    expect([Math.floor(r1a!), Math.floor(r1b!), Math.floor(r1c!)]).toEqual([1, 1, 1]);
    expect(r1a).toBeGreaterThan(r1b!);
    expect(r1b).toBe(r1c);
    expect(page.totalCount).toBe(4);
    // The same order page by page.
    const first = await listPage(t, tokens.association, { search: '甲乙丙丁戊 庚辛壬癸子', first: 2 });
    const rest = await listPage(t, tokens.association, { search: '甲乙丙丁戊 庚辛壬癸子', first: 2, after: first.pageInfo.endCursor! });
    expect([...first.edges, ...rest.edges].map((e) => e.node.id)).toEqual([both, titleOnly, bodyOnlyTwin, bodyOnly]);
  });

  it('punctuation does not break a phrase: 新证券法 finds 新《证券法》, however it is typed', async () => {
    for (const search of ['新证券法', '新《证券法》', '新"证券法"', '新“证券法”', '新（证券法）', '新・证券法', '新『证券法』']) {
      const page = await listPage(t, tokens.anonymous, { search, first: 100 });
      expect(page.edges.map((e) => seededKeyOf(e.node.title))[0], search).toBe('securitiesLaw');
      expect(page.edges[0]!.node.highlight.html, search).toMatch(/<mark>新《证券法<\/mark>》/);
    }
    // Either side may carry the punctuation: a text without it is found by a query with it.
    await createDraft('标点测试', '投资者适当性管理的新要求。');
    expect(await listTitles(t, tokens.association, { search: '“投资者”、适当性' })).toContain('标点测试');
    // Whitespace still separates words: 新 证券法 is two words (新, 证券法), each found on its own.
    expect(await keysFor(tokens.anonymous, '新 证券法')).toContain('securitiesLaw');
  });

  it('synonyms and common slips are expanded from the search_synonyms table, and highlighted', async () => {
    expect((await keysFor(tokens.anonymous, 'suitability'))[0]).toBe('suitability');
    expect((await keysFor(tokens.anonymous, 'Suitability'))[0]).toBe('suitability');
    expect(await keysFor(tokens.firm, 'anti-money laundering')).toEqual(['aml']);
    expect(await keysFor(tokens.firm, 'Anti Money Laundering')).toEqual(['aml']);
    expect((await keysFor(tokens.anonymous, '证卷法'))[0]).toBe('securitiesLaw');
    expect((await keysFor(tokens.anonymous, '新证卷法'))[0]).toBe('securitiesLaw');
    const suitability = await listPage(t, tokens.anonymous, { search: 'suitability' });
    expect(suitability.edges[0]!.node.highlight.html).toContain('<mark>适当性</mark>');
    const slip = await listPage(t, tokens.anonymous, { search: '证卷法' });
    expect(slip.edges[0]!.node.highlight.html).toContain('<mark>证券法</mark>');
    const star = await createDraft('科创板测试', '科创板上市公司的信息披露。');
    const margin = await createDraft('融资融券测试', '融资融券业务的适当性要求。');
    const brokers = await createDraft('券商测试', '券商分支机构的合规管理。');
    const listed = async (search: string) => (await listPage(t, tokens.association, { search, first: 100 })).edges.map((e) => e.node.id);
    expect(await listed('科创版')).toContain(star);
    expect(await listed('STAR Market')).toContain(star);
    expect(await listed('两融')).toContain(margin);
    expect(await listed('融资融卷')).toContain(margin);
    expect(await listed('卷商')).toContain(brokers);
    // A row added to the table is used by the next search (it is data, not code).
    expect(await listed('zzqx')).toEqual([]);
    const db = t.database.db;
    await db.execute(sql`insert into search_synonyms (variant, canonical, canonical_query, note) values ('zzqx', '券商', ${"'券商'"}, '测试')`);
    try {
      expect(await listed('zzqx')).toContain(brokers);
    } finally {
      await db.execute(sql`delete from search_synonyms where variant = 'zzqx'`);
    }
  });

  it('every seeded synonym row is normalized and its canonical query is what the analyser builds', async () => {
    const res = (await t.database.db.execute(sql`select variant, canonical, canonical_query from search_synonyms order by id`)) as unknown as {
      rows: { variant: string; canonical: string; canonical_query: string }[];
    };
    const rows = res.rows;
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const row of rows) {
      expect(row.variant, row.variant).toBe(parseSearchQuery(row.variant).terms.map((term) => term.text).join(' '));
      const parsed = parseSearchQuery(row.canonical);
      expect(parsed.terms.length, row.canonical).toBe(1);
      expect(row.canonical_query, row.canonical).toBe(parsed.matchQuery);
    }
    for (const [variant, canonical] of [
      ['suitability', '适当性'],
      ['aml', '反洗钱'],
      ['anti money laundering', '反洗钱'],
      ['kyc', '了解你的客户'],
      ['证卷', '证券'],
      ['卷商', '券商'],
      ['两融', '融资融券'],
      ['科创版', '科创板'],
      ['新三版', '新三板'],
    ]) {
      expect(rows.some((r) => r.variant === variant && r.canonical === canonical), variant).toBe(true);
    }
  });

  it('a term in the title ranks its interpretation above ones that mention it in passing', async () => {
    const keys = await keysFor(tokens.firm, '分支机构');
    expect(keys.slice(0, 2).sort()).toEqual(['branchRules', 'shenzhenGuideline']);
    expect(keys.indexOf('aml')).toBeGreaterThan(keys.indexOf('securitiesLaw'));
    expect((await keysFor(tokens.firm, '证券法'))[0]).toBe('securitiesLaw');
    expect((await keysFor(tokens.firm, '分类评价'))[0]).toBe('classification2025');
  });

  it('document numbers and standard numbers find the interpretation of that document', async () => {
    expect((await keysFor(tokens.firm, '证监会公告〔2013〕17号'))[0]).toBe('branchRules');
    expect((await keysFor(tokens.firm, '证监会公告[2013]17号'))[0]).toBe('branchRules');
    expect((await keysFor(tokens.anonymous, 'JR/T 0158—2018'))[0]).toBe('dataStandard');
    expect((await keysFor(tokens.anonymous, '证监会令第130号'))[0]).toBe('suitability');
  });

  it('a single Chinese character is a query too', async () => {
    expect(await keysFor(tokens.firm, '钱')).toEqual(['aml']);
  });

  it('no match answers an empty page with totalCount 0', async () => {
    for (const search of ['量子纠缠', 'blockchain', '区块链 量子纠缠']) {
      const page = await listPage(t, tokens.association, { search });
      expect(page).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
    }
  });

  it('search and tag combine', async () => {
    expect(await keysFor(tokens.firm, '证券')).toContain('aml');
    expect((await listTitles(t, tokens.firm, { search: '证券', tag: 'AML' })).map(seededKeyOf)).toEqual(['aml']);
    expect(await listTitles(t, tokens.firm, { search: '量子', tag: 'AML' })).toEqual([]);
  });

  it('a blank search lists everything, newest first, without relevance or highlight', async () => {
    const page = await listPage(t, tokens.firm, { search: '   ', first: 100 });
    expect(page.totalCount).toBe((await listPage(t, tokens.firm, { first: 1 })).totalCount);
    for (const e of page.edges) expect([e.node.relevance, e.node.highlight]).toEqual([null, null]);
  });

  it('the highlighted excerpt is escaped HTML: text from the body never becomes markup', async () => {
    await createDraft('转义测试', '见 <script>alert("x")</script> & 〈合规〉 说明');
    const page = await listPage(t, tokens.association, { search: '转义测试 合规' });
    const html: string = page.edges[0]!.node.highlight.html;
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;');
    expect(html).toContain('<mark>合规</mark>');
    expect(html.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
  });
});

describe('search respects who may read what', () => {
  it('anonymous viewers find only published PUBLIC interpretations', async () => {
    expect(await keysFor(tokens.anonymous, 'AML')).toEqual([]);
    const anonymous = await keysFor(tokens.anonymous, '适当性');
    expect(anonymous).toContain('suitability');
    expect(anonymous).not.toContain('investorEducationDraft');
    expect(anonymous).not.toContain('branchRules');
    expect(await keysFor(tokens.association, '适当性')).toContain('investorEducationDraft');
  });

  it('archived interpretations are not found by anyone', async () => {
    // 资本充足 appears only in the archived 2020 classification interpretation.
    for (const token of Object.values(tokens)) {
      const page = await listPage(t, token, { search: '资本充足' });
      expect([page.edges, page.totalCount]).toEqual([[], 0]);
    }
    expect((await t.gql(`query($id: ID!) { node(id: $id) { ... on PolicyInterpretation { title } } }`, { id: ids.classification2020 }, { token: tokens.firm })).body.data.node.title).toContain('分类监管规定');
  });

  it('totalCount of a search counts only what the viewer may read', async () => {
    for (const role of ['anonymous', 'firm', 'association'] as const) {
      const page = await listPage(t, tokens[role], { search: '投资者', first: 100 });
      expect(page.totalCount).toBe(page.edges.length);
    }
    const counts = await Promise.all((['anonymous', 'firm', 'association'] as const).map(async (r) => (await listPage(t, tokens[r], { search: '投资者' })).totalCount));
    expect(counts[0]).toBeLessThan(counts[1]!);
    expect(counts[1]).toBeLessThan(counts[2]!);
  });
});

describe('paging through search results', () => {
  it('pages in relevance order without repeats or gaps', async () => {
    const all = await listPage(t, tokens.association, { search: '证券', first: 100 });
    const seen: string[] = [];
    let after: string | undefined;
    for (let guard = 0; guard < 20; guard++) {
      const page = await listPage(t, tokens.association, { search: '证券', first: 2, after });
      seen.push(...page.edges.map((e) => e.node.id));
      expect(page.totalCount).toBe(all.totalCount);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    expect(seen).toEqual(all.edges.map((e) => e.node.id));
    expect(seen.length).toBeGreaterThan(4);
  });

  it('a cursor naming an interpretation the viewer may not read yields nothing, revealing nothing about it', async () => {
    const draftCursor = Buffer.from(`c1:${Buffer.from(ids.complianceDraft, 'base64url').toString().split(':')[1]}`).toString('base64url');
    const asFirm = await listPage(t, tokens.firm, { search: '合规', after: draftCursor });
    expect(asFirm.edges).toEqual([]);
    const asStaff = await listPage(t, tokens.association, { search: '合规', after: draftCursor });
    expect(asStaff.edges.length).toBeGreaterThan(0);
  });
});

describe('hostile search text is just text', () => {
  const hostile = [
    `'`,
    `"`,
    `''''`,
    `\\`,
    `\\'; drop table policy_interpretations; --`,
    `%`,
    `%_%`,
    `合规%`,
    `a & b | !c`,
    `&|!():*`,
    `'合规':* & !'洗钱'`,
    `合规 <-> 洗钱`,
    `<2> <-> !! ((( )))`,
    `合规:A`,
    `x:*`,
    `\u0000合规\u0001\u0007`,
    `\u202E合规\u2066`,
    `\uD800`,
    `😀🀄️`,
    `合`.repeat(5_000),
    `AML `.repeat(1_250),
    `a`.repeat(5_000),
    `${'合规 '.repeat(100)}AML`,
    `null`,
    `undefined`,
    ` \t\n\r `,
  ];

  it.each(hostile.map((s) => [JSON.stringify(s).slice(0, 60), s]))('search %s answers 200 with a page, never an error', async (_label, search) => {
    for (const role of ['anonymous', 'firm', 'association'] as const) {
      const res = await t.gql(`query($s: String) { policyInterpretations(search: $s, first: 5) { totalCount edges { node { id highlight { html } } } } }`, { s: search }, { token: tokens[role] });
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.policyInterpretations.totalCount).toBeGreaterThanOrEqual(0);
      expect(res.text).not.toMatch(/tsquery|syntax error|postgres|drizzle/i);
    }
  });

  it('control characters count as spaces: "合\\u0000规" finds what "合 规" finds, and "\\u0000合规\\u0001" what "合规" finds', async () => {
    expect(await keysFor(tokens.firm, '合\u0000规')).toEqual(await keysFor(tokens.firm, '合 规'));
    expect(await keysFor(tokens.firm, '\u0000合规\u0001')).toEqual(await keysFor(tokens.firm, '合规'));
  });

  it('hostile tag filters answer an empty page', async () => {
    for (const tag of [`'`, `%`, `\\`, `\u0000`, '签'.repeat(5_000), `{AML}`, `AML"}`]) {
      const page = await listPage(t, tokens.firm, { tag });
      expect([page.edges, page.totalCount]).toEqual([[], 0]);
    }
  });

  it('nothing is written by searching', async () => {
    const before = await rowCounts(t);
    await listPage(t, tokens.firm, { search: `'; delete from policy_interpretations; --` });
    expect(await rowCounts(t)).toEqual(before);
  });
});

describe('the analyser (no database)', () => {
  it('indexes Han bigrams, single characters, segmenter words and lower-case words with positions and weights', () => {
    const vector = buildSearchVector([{ text: '投资者适当性管理', weight: 'A' }, { text: '合规 AML', weight: 'D' }]);
    expect(vector).toContain(`'适当':4A`);
    expect(vector).toContain(`'当性':5A`);
    expect(vector).toContain(`'性':6A`);
    expect(vector).toContain(`'~适当':4A`);
    expect(vector).toContain(`'aml':`);
    expect(vector).toContain(`'合规':`);
    // No bigram across fields or across a non-Han word.
    expect(vector).not.toMatch(/'理合'|'规a'/);
  });

  it('punctuation is transparent to Han bigrams; whitespace and symbols are not', () => {
    const vector = buildSearchVector([{ text: '新《证券法》、“适当性”。（合规）·管理：要求', weight: 'D' }]);
    for (const bigram of ['新证', '证券', '券法', '法适', '性合', '规管', '理要']) expect(vector).toContain(`'${bigram}':`);
    expect(vector).toContain(`'新':1 `);
    expect(vector).toContain(`'证':2 `);
    expect(buildSearchVector([{ text: '合 规 合+规', weight: 'D' }])).not.toContain(`'合规'`);
  });

  it('excerpts highlight a Han term across punctuation, and expansion texts', () => {
    const excerpt = buildExcerpt('根据新《证券法》的规定，AML 义务', [...parseSearchQuery('新证券法').terms, ...expansionTerms(['反洗钱', 'aml'])])!;
    expect(excerptHtml(excerpt)).toBe('根据<mark>新《证券法</mark>》的规定，<mark>AML</mark> 义务');
  });

  it('builds tsqueries only from quoted lexemes of letters and digits', () => {
    expect(parseSearchQuery('适当性').matchQuery).toBe(`('适当' <-> '当性')`);
    expect(parseSearchQuery('合规').matchQuery).toBe(`'合规'`);
    expect(parseSearchQuery('反洗钱 AML').matchQuery).toBe(`('反洗' <-> '洗钱') | 'aml'`);
    expect(parseSearchQuery('AML反洗钱').matchQuery).toBe(`('aml' & ('反洗' <-> '洗钱'))`);
    expect(parseSearchQuery('新《证券法》').matchQuery).toBe(`('新证' <-> '证券' <-> '券法')`);
    expect(parseSearchQuery('anti-money laundering').terms.map((t) => t.phrases)).toEqual([
      ['anti', 'anti money', 'anti money laundering'],
      ['money', 'anti money', 'anti money laundering', 'money laundering'],
      ['laundering', 'anti money laundering', 'money laundering'],
    ]);
    expect(parseSearchQuery(`&|!():* '' \\ %`).matchQuery).toBeNull();
    for (const s of [`a'b`, `'; drop table x; --`, `合规'&'洗钱`, '\\\\\'', `x:*A`]) {
      const q = parseSearchQuery(s).matchQuery ?? '';
      // Outside the quotes only operators we wrote ourselves.
      expect(q.replace(/'[^']*'/g, '')).toMatch(/^[\s&|()<>\-\d]*$/);
      expect(q).not.toMatch(/\\/);
    }
  });

  it('caps long queries', () => {
    const parsed = parseSearchQuery(Array.from({ length: 50 }, (_, i) => `word${i}`).join(' '));
    expect(parsed.terms.length).toBeLessThanOrEqual(8);
    expect(parseSearchQuery('合'.repeat(5_000)).matchQuery!.length).toBeLessThan(500);
  });

  it('excerpts around the matches and highlights each one', () => {
    const excerpt = buildExcerpt('前言很长'.repeat(30) + '投资者适当性管理要求与反洗钱（AML）义务' + '结尾'.repeat(60), parseSearchQuery('适当性 aml').terms)!;
    expect(excerpt.fragments.filter((f) => f.highlighted).map((f) => f.text)).toEqual(['适当性', 'AML']);
    expect(excerpt.fragments[0]!.text.startsWith('…')).toBe(true);
    expect(excerptHtml(excerpt)).toContain('<mark>AML</mark>');
    expect(buildExcerpt('没有命中', parseSearchQuery('AML').terms)).toBeNull();
  });

  it('normalises document numbers and checks them against the official shapes', () => {
    expect(normalizeDocumentNumber('证监会公告[2013]17号')).toBe('证监会公告〔2013〕17号');
    expect(normalizeDocumentNumber('深证协会字【2011】022号')).toBe('深证协会字〔2011〕022号');
    expect(normalizeDocumentNumber('JR/T0158-2018')).toBe('JR/T 0158—2018');
    for (const ok of ['证监会公告〔2020〕42号', '证监会令第130号', '中国证券监督管理委员会令第177号', '中华人民共和国主席令第三十七号', 'JR/T 0262—2022', '中国人民银行令〔2021〕第3号']) {
      expect(isValidDocumentNumber(ok, '2026-01-01'), ok).toBe(true);
    }
    for (const bad of ['17号', '证监会公告〔2013〕', '证监会〔20133〕1号', '证监会公告〔2013〕17', '令第130号', 'JR/T 158—2018', '']) {
      expect(isValidDocumentNumber(normalizeDocumentNumber(bad), '2026-01-01'), bad).toBe(false);
    }
  });
});
