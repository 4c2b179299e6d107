// The yearly cycle, role by role: guideline versions, stage moves, self-assessment, association scoring, bureau
// review and publication — each role's allowed moves, its refused ones (precise code, nothing written), audit and outbox.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../src/ratings/ratings.follow-ups.js';
import { todayInShanghai } from '../src/time.js';
import { createTestApp, type TestApp } from './support/harness.js';
import {
  ADVANCE,
  cast,
  CREATE_CYCLE,
  cycleAt,
  expectNothingWritten,
  fingerprint,
  PUBLISH,
  scalar,
  SCORE,
  userErrorsOf,
  type Cast,
  type Who,
} from './support/ratings.js';

let t: TestApp;
let c: Cast;
let ownBranch: string;
let otherBranch: string;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_POINTS: '0' });
  c = await cast(t);
  ownBranch = c.firmBranchIds[0]!;
  otherBranch = c.otherFirmBranchIds[0]!;
});
afterAll(async () => {
  await t?.close();
});

const CREATE_GUIDELINE = `mutation($input: CreateRatingGuidelineInput!) {
  createRatingGuideline(input: $input) {
    ratingGuideline { id version baseScore thresholds { a b c } indicators { code method points cap } overrideRules { code type } }
    userErrors { field code message }
  }
}`;

const REVISION = {
  title: '测试指引（2027 年修订）',
  note: '提高 A 类分数线',
  thresholds: { a: 95, b: 85, c: 75 },
  indicators: [
    { code: 'CM_SYSTEM', category: 'COMPLIANCE_MANAGEMENT', nameZh: '合规管理', nameEn: 'Compliance management', method: 'BASE', points: 20 },
    { code: 'VD_WARNING_LETTER', category: 'VIOLATION_DEDUCTION', nameZh: '警示函（每次）', nameEn: 'Warning letter (each)', method: 'DEDUCTION', points: 1, cap: 5 },
    { code: 'BONUS_AWARD', category: 'BONUS', nameZh: '行业表彰', nameEn: 'Industry award', method: 'BONUS', points: 1, cap: 2 },
  ],
  overrideRules: [
    { code: 'MISAPPROPRIATION_CLIENT_ASSETS', type: 'DIRECT_D', nameZh: '挪用客户资产', nameEn: 'Misuse of client assets' },
    { code: 'PENDING_MAJOR_CASE', type: 'DOWNGRADE_ONE', nameZh: '重大案件调查中', nameEn: 'Major case under investigation' },
  ],
};

const audits = () => scalar(t, sql`select count(*) from audit_log`);
const lastAudit = async () => {
  const res = (await t.database.db.execute(sql`select action, actor_role, entity_type, before, after from audit_log order by id desc limit 1`)) as unknown as { rows: any[] };
  return res.rows[0];
};
const score = (who: Who, input: Record<string, unknown>) => t.gql(SCORE, { input }, { token: c.tokens[who] });
const ratingSnapshot = async (year: number) =>
  ((await t.database.db.execute(sql`select r.id, r.total_score, r.grade, r.version from branch_ratings r join rating_cycles y on y.id = r.cycle_id where y.year = ${year} order by r.id`)) as unknown as { rows: unknown[] }).rows;

describe('guideline versions', () => {
  it('the association adds a revision as a new version, and earlier cycles keep their version and their results', async () => {
    const before = await ratingSnapshot(2025);
    const res = await t.gql(CREATE_GUIDELINE, { input: REVISION }, { token: c.tokens.association });
    expect(userErrorsOf(res, 'createRatingGuideline')).toEqual([]);
    expect(res.body.data.createRatingGuideline.ratingGuideline).toMatchObject({
      version: 3,
      baseScore: 100,
      thresholds: { a: 95, b: 85, c: 75 },
      indicators: [
        { code: 'CM_SYSTEM', method: 'BASE', points: 20, cap: null },
        { code: 'VD_WARNING_LETTER', method: 'DEDUCTION', points: 1, cap: 5 },
        { code: 'BONUS_AWARD', method: 'BONUS', points: 1, cap: 2 },
      ],
    });
    const cycles = await t.gql(`{ ratingGuidelines { version } ratingCycle(year: 2025) { guideline { version thresholds { a } indicators { code } } } }`);
    expect(cycles.body.data.ratingGuidelines.map((g: any) => g.version)).toEqual([3, 2, 1]);
    expect(cycles.body.data.ratingCycle.guideline).toMatchObject({ version: 1, thresholds: { a: 90 } });
    expect(cycles.body.data.ratingCycle.guideline.indicators.length).toBe(14);
    expect(await ratingSnapshot(2025)).toEqual(before);
    expect((await lastAudit()).action).toBe('rating_guideline.create');
  });

  it('refuses a bad guideline with every problem at once, and writes nothing', async () => {
    const before = await fingerprint(t);
    const res = await t.gql(
      CREATE_GUIDELINE,
      {
        input: {
          title: ' ',
          thresholds: { a: 80, b: 85, c: 70 },
          indicators: [
            { code: 'ok_lower', category: 'AML', nameZh: '反洗钱', nameEn: 'AML', method: 'BASE', points: 10 },
            { code: 'CM', category: 'AML', nameZh: '甲', nameEn: 'A', method: 'BASE', points: 10, cap: 12 },
            { code: 'CM', category: 'AML', nameZh: '乙', nameEn: 'B', method: 'DEDUCTION', points: 2, cap: 1 },
            { code: 'ZERO', category: 'AML', nameZh: '丙', nameEn: 'C', method: 'BONUS', points: 0 },
          ],
        },
      },
      { token: c.tokens.association },
    );
    const errors = userErrorsOf(res, 'createRatingGuideline').map((e) => [e.field?.join('.'), e.code]);
    expect(errors).toEqual([
      ['input.title', 'REQUIRED'],
      ['input.thresholds', 'INVALID'],
      ['input.indicators.0.code', 'INVALID'],
      ['input.indicators.1.cap', 'INVALID'],
      ['input.indicators.2.code', 'DUPLICATE'],
      ['input.indicators.2.cap', 'OUT_OF_RANGE'],
      ['input.indicators.3.points', 'OUT_OF_RANGE'],
    ]);
    await expectNothingWritten(t, before);
  });

  it.each(['anonymous', 'firm', 'listed', 'regulator'] as Who[])('%s may not create a guideline', async (who) => {
    const res = await t.gql(CREATE_GUIDELINE, { input: REVISION }, { token: c.tokens[who] });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('a cycle from PLANNED to PUBLISHED', () => {
  it('the association creates the 2027 cycle under the new version; duplicates and bad input are refused with nothing written', async () => {
    // The real rhythm: the rating of 2027 opens with the bureau's notice at the end of January 2028, results by 15 March.
    const input = { year: 2027, guidelineVersion: 3, noticeOn: '2028-01-28', selfAssessmentDueOn: '2028-02-14', associationScoringDueOn: '2028-02-28', bureauReviewDueOn: '2028-03-10', publicationDueOn: '2028-03-15' };
    const res = await t.gql(CREATE_CYCLE, { input }, { token: c.tokens.association });
    expect(userErrorsOf(res, 'createRatingCycle')).toEqual([]);
    expect(res.body.data.createRatingCycle.ratingCycle).toMatchObject({ year: 2027, status: 'PLANNED', guideline: { version: 3 } });
    expect((await t.gql('{ ratingCycle(year: 2027) { noticeOn } }')).body.data.ratingCycle.noticeOn).toBe('2028-01-28');

    const before = await fingerprint(t);
    const cases: [Record<string, unknown>, string, string][] = [
      [{}, 'input.year', 'DUPLICATE'],
      [{ year: 2018 }, 'input.year', 'OUT_OF_RANGE'],
      [{ year: 2028, guidelineVersion: 9 }, 'input.guidelineVersion', 'NOT_FOUND'],
      [{ year: 2028, bureauReviewDueOn: '2028-02-01' }, 'input.bureauReviewDueOn', 'INVALID'],
      [{ year: 2028, noticeOn: '2028-02-15' }, 'input.noticeOn', 'INVALID'],
    ];
    for (const [change, field, code] of cases) {
      const bad = await t.gql(CREATE_CYCLE, { input: { ...input, ...change } }, { token: c.tokens.association });
      expect(userErrorsOf(bad, 'createRatingCycle').map((e) => [e.field?.join('.'), e.code])).toEqual([[field, code]]);
    }
    await expectNothingWritten(t, before);
  });

  it.each(['anonymous', 'firm', 'listed', 'regulator'] as Who[])('%s may neither create a cycle nor move one', async (who) => {
    const before = await fingerprint(t);
    const create = await t.gql(CREATE_CYCLE, { input: { year: 2030, guidelineVersion: 1, selfAssessmentDueOn: '2030-01-01', associationScoringDueOn: '2030-01-01', bureauReviewDueOn: '2030-01-01', publicationDueOn: '2030-01-01' } }, { token: c.tokens[who] });
    const move = await t.gql(ADVANCE, { year: 2027, to: 'SELF_ASSESSMENT' }, { token: c.tokens[who] });
    expect(create.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(move.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await expectNothingWritten(t, before);
  });

  it('a move out of order is INVALID_STATE; the next stage is taken with an audit entry', async () => {
    const before = await fingerprint(t);
    for (const to of ['ASSOCIATION_SCORING', 'PUBLISHED', 'PLANNED']) {
      const skip = await t.gql(ADVANCE, { year: 2027, to }, { token: c.tokens.association });
      expect(userErrorsOf(skip, 'advanceRatingCycle')).toEqual([expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'to'] })]);
    }
    const missing = await t.gql(ADVANCE, { year: 2040, to: 'SELF_ASSESSMENT' }, { token: c.tokens.association });
    expect(userErrorsOf(missing, 'advanceRatingCycle')).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
    await expectNothingWritten(t, before);

    const ok = await t.gql(ADVANCE, { year: 2027, to: 'SELF_ASSESSMENT' }, { token: c.tokens.association });
    expect(ok.body.data.advanceRatingCycle).toEqual({ ratingCycle: { year: 2027, status: 'SELF_ASSESSMENT' }, userErrors: [] });
    expect(await lastAudit()).toMatchObject({ action: 'rating_cycle.advance', actor_role: 'ASSOCIATION', before: { status: 'PLANNED' }, after: { status: 'SELF_ASSESSMENT' } });
  });

  it('in SELF_ASSESSMENT a firm scores its own branch; the rating stays hidden from it until publication', async () => {
    const auditsBefore = await audits();
    const res = await score('firm', { year: 2027, branchId: ownBranch, scores: [{ indicator: 'CM_SYSTEM', value: 18, comment: '自评：制度执行良好' }] });
    expect(userErrorsOf(res, 'scoreBranchRating')).toEqual([]);
    expect(res.body.data.scoreBranchRating.branchRating).toBeNull();
    expect(res.body.data.scoreBranchRating.scoreLines).toEqual([{ indicator: { code: 'CM_SYSTEM' }, stage: 'SELF', value: 18, comment: '自评：制度执行良好', enteredByRole: 'FIRM' }]);
    expect(await audits()).toBe(auditsBefore + 1);
    expect(await lastAudit()).toMatchObject({ action: 'branch_rating.score', actor_role: 'FIRM', entity_type: 'BranchRating', after: { stage: 'SELF', totalScore: 98 } });
    const staff = await t.gql(`query($b: ID!) { node(id: $b) { ... on Branch { ratings { year selfScore totalScore grade } } } }`, { b: ownBranch }, { token: c.tokens.association });
    expect(staff.body.data.node.ratings[0]).toEqual({ year: 2027, selfScore: 98, totalScore: 98, grade: 'A' });
  });

  it('a firm cannot score another firm\'s branch, unknown indicators, or values out of range; nothing is written', async () => {
    const before = await fingerprint(t);
    const other = await score('firm', { year: 2027, branchId: otherBranch, scores: [{ indicator: 'CM_SYSTEM', value: 20 }] });
    expect(userErrorsOf(other, 'scoreBranchRating')).toEqual([expect.objectContaining({ code: 'NOT_OWN_BRANCH', field: ['input', 'branchId'] })]);
    const bad = await score('firm', {
      year: 2027,
      branchId: ownBranch,
      scores: [
        { indicator: 'CM_SYSTEM', value: 20.5 },
        { indicator: 'NO_SUCH_THING', value: 1 },
        { indicator: 'VD_WARNING_LETTER', value: 1.5 },
        { indicator: 'BONUS_AWARD', value: -1 },
      ],
    });
    expect(userErrorsOf(bad, 'scoreBranchRating').map((e) => [e.field?.join('.'), e.code])).toEqual([
      ['input.scores.0.value', 'OUT_OF_RANGE'],
      ['input.scores.1.indicator', 'UNKNOWN_INDICATOR'],
      ['input.scores.2.value', 'INVALID'],
      ['input.scores.3.value', 'OUT_OF_RANGE'],
    ]);
    const english = await t.gql(SCORE, { input: { year: 2027, branchId: ownBranch, scores: [{ indicator: 'CM_SYSTEM', value: 21 }] } }, { token: c.tokens.firm, headers: { 'accept-language': 'en' } });
    expect(english.body.data.scoreBranchRating.userErrors[0].message).toMatch(/CM_SYSTEM scores 0–20/);
    const overrides = await score('firm', { year: 2027, branchId: ownBranch, overrides: [{ rule: 'PENDING_MAJOR_CASE', applied: false, reason: '自行撤销' }], gradeAdjustment: { grade: 'A', reason: '自定' } });
    expect(userErrorsOf(overrides, 'scoreBranchRating').map((e) => [e.field?.join('.'), e.code])).toEqual([
      ['input.overrides', 'INVALID'],
      ['input.gradeAdjustment', 'INVALID'],
    ]);
    const garbage = await score('firm', { year: 2027, branchId: 'garbage', scores: [{ indicator: 'CM_SYSTEM', value: 1 }] });
    expect(userErrorsOf(garbage, 'scoreBranchRating')).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'branchId'] })]);
    const empty = await score('firm', { year: 2027, branchId: ownBranch, scores: [] });
    expect(userErrorsOf(empty, 'scoreBranchRating')).toEqual([expect.objectContaining({ code: 'REQUIRED' })]);
    await expectNothingWritten(t, before);
  });

  it('in SELF_ASSESSMENT the association and the regulator may not score, listed companies and anonymous viewers never', async () => {
    const before = await fingerprint(t);
    for (const who of ['association', 'regulator'] as Who[]) {
      const res = await score(who, { year: 2027, branchId: ownBranch, scores: [{ indicator: 'CM_SYSTEM', value: 10, comment: '理由' }] });
      expect(userErrorsOf(res, 'scoreBranchRating')).toEqual([expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'year'] })]);
    }
    for (const who of ['listed', 'anonymous'] as Who[]) {
      const res = await score(who, { year: 2027, branchId: ownBranch, scores: [{ indicator: 'CM_SYSTEM', value: 10 }] });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const publish = await t.gql(PUBLISH, { year: 2027 }, { token: c.tokens.regulator });
    expect(userErrorsOf(publish, 'publishRatingCycle')).toEqual([expect.objectContaining({ code: 'INVALID_STATE' })]);
    await expectNothingWritten(t, before);
  });

  it('in ASSOCIATION_SCORING the association scores and applies an override rule with its reason; the firm no longer scores', async () => {
    const moved = await t.gql(ADVANCE, { year: 2027, to: 'ASSOCIATION_SCORING' }, { token: c.tokens.association });
    expect(userErrorsOf(moved, 'advanceRatingCycle')).toEqual([]);
    const before = await fingerprint(t);
    const late = await score('firm', { year: 2027, branchId: ownBranch, scores: [{ indicator: 'CM_SYSTEM', value: 20 }] });
    expect(userErrorsOf(late, 'scoreBranchRating')).toEqual([expect.objectContaining({ code: 'INVALID_STATE' })]);
    const noReason = await score('association', { year: 2027, branchId: ownBranch, overrides: [{ rule: 'MISAPPROPRIATION_CLIENT_ASSETS', applied: true, reason: '  ' }] });
    expect(userErrorsOf(noReason, 'scoreBranchRating')).toEqual([expect.objectContaining({ code: 'REQUIRED', field: ['input', 'overrides', '0', 'reason'] })]);
    const unknownRule = await score('association', { year: 2027, branchId: ownBranch, overrides: [{ rule: 'NOPE', applied: true, reason: '理由' }] });
    expect(userErrorsOf(unknownRule, 'scoreBranchRating')).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'overrides', '0', 'rule'] })]);
    await expectNothingWritten(t, before);

    const res = await score('association', {
      year: 2027,
      branchId: ownBranch,
      scores: [{ indicator: 'CM_SYSTEM', value: 14 }, { indicator: 'VD_WARNING_LETTER', value: 2 }],
      overrides: [{ rule: 'MISAPPROPRIATION_CLIENT_ASSETS', applied: true, reason: '员工挪用客户资金' }],
    });
    expect(userErrorsOf(res, 'scoreBranchRating')).toEqual([]);
    expect(res.body.data.scoreBranchRating.branchRating).toMatchObject({
      totalScore: 92,
      computedGrade: 'B',
      grade: 'D',
      overrides: [{ rule: { code: 'MISAPPROPRIATION_CLIENT_ASSETS' }, reason: '员工挪用客户资金' }],
    });
  });

  it('in BUREAU_REVIEW the regulator adjusts scores and grades, always with a reason; the association may not publish', async () => {
    const moved = await t.gql(ADVANCE, { year: 2027, to: 'BUREAU_REVIEW' }, { token: c.tokens.association });
    expect(userErrorsOf(moved, 'advanceRatingCycle')).toEqual([]);
    const before = await fingerprint(t);
    const toPublished = await t.gql(ADVANCE, { year: 2027, to: 'PUBLISHED' }, { token: c.tokens.association });
    expect(userErrorsOf(toPublished, 'advanceRatingCycle')).toEqual([expect.objectContaining({ code: 'INVALID_STATE' })]);
    const associationPublish = await t.gql(PUBLISH, { year: 2027 }, { token: c.tokens.association });
    expect(associationPublish.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const associationScore = await score('association', { year: 2027, branchId: ownBranch, scores: [{ indicator: 'CM_SYSTEM', value: 20 }] });
    expect(userErrorsOf(associationScore, 'scoreBranchRating')).toEqual([expect.objectContaining({ code: 'INVALID_STATE' })]);
    const noReason = await score('regulator', { year: 2027, branchId: ownBranch, scores: [{ indicator: 'CM_SYSTEM', value: 12 }], gradeAdjustment: { grade: 'C' } });
    expect(userErrorsOf(noReason, 'scoreBranchRating').map((e) => [e.field?.join('.'), e.code])).toEqual([
      ['input.scores.0.comment', 'REQUIRED'],
      ['input.gradeAdjustment.reason', 'REQUIRED'],
    ]);
    await expectNothingWritten(t, before);

    const adjusted = await score('regulator', {
      year: 2027,
      branchId: ownBranch,
      scores: [{ indicator: 'CM_SYSTEM', value: 12, comment: '现场检查发现合规问题' }],
      overrides: [{ rule: 'MISAPPROPRIATION_CLIENT_ASSETS', applied: false, reason: '经核查系个人行为且已追回' }],
    });
    expect(userErrorsOf(adjusted, 'scoreBranchRating')).toEqual([]);
    expect(adjusted.body.data.scoreBranchRating.branchRating).toMatchObject({ totalScore: 90, computedGrade: 'B', grade: 'B', overrides: [] });
    const graded = await score('regulator', { year: 2027, branchId: ownBranch, gradeAdjustment: { grade: 'C', reason: '整改不到位' } });
    expect(graded.body.data.scoreBranchRating.branchRating).toMatchObject({ totalScore: 90, computedGrade: 'B', grade: 'C', gradeAdjustment: { grade: 'C', reason: '整改不到位' } });
    // Every stage's lines are kept.
    const lines = await t.gql(`query($b: ID!) { node(id: $b) { ... on Branch { ratings { year selfScore associationScore bureauScore scoreLines { stage indicator { code } value } } } } }`, { b: ownBranch }, { token: c.tokens.regulator });
    const r2027 = lines.body.data.node.ratings.find((r: any) => r.year === 2027);
    expect(r2027).toMatchObject({ selfScore: 98, associationScore: 92, bureauScore: 90 });
    expect(r2027.scoreLines.map((l: any) => [l.stage, l.indicator.code, l.value])).toEqual([
      ['SELF', 'CM_SYSTEM', 18],
      ['ASSOCIATION', 'CM_SYSTEM', 14],
      ['ASSOCIATION', 'VD_WARNING_LETTER', 2],
      ['BUREAU', 'CM_SYSTEM', 12],
    ]);
  });

  it.each(['anonymous', 'firm', 'listed', 'association'] as Who[])('%s may not publish', async (who) => {
    const res = await t.gql(PUBLISH, { year: 2027 }, { token: c.tokens[who] });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('the regulator publishes: follow-ups, an outbox event and an audit entry in the same change; the firm now sees why', async () => {
    const res = await t.gql(PUBLISH, { year: 2027 }, { token: c.tokens.regulator });
    expect(userErrorsOf(res, 'publishRatingCycle')).toEqual([]);
    expect(res.body.data.publishRatingCycle.ratingCycle).toMatchObject({ year: 2027, status: 'PUBLISHED' });
    expect(res.body.data.publishRatingCycle.ratingCycle.publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const event = (await t.database.db.execute(sql`select type, entity_type, payload from outbox_events order by id desc limit 1`)) as unknown as { rows: any[] };
    expect(event.rows[0]).toMatchObject({ type: 'rating_cycle.published', entity_type: 'RatingCycle', payload: { year: 2027, grades: { C: 1 }, followUps: 2 } });
    expect(await lastAudit()).toMatchObject({ action: 'rating_cycle.publish', actor_role: 'REGULATOR', before: { status: 'BUREAU_REVIEW' }, after: { status: 'PUBLISHED' } });

    const seen = await t.gql(
      `query($b: ID!) { node(id: $b) { ... on Branch { ratings { year grade totalScore underDailySupervision gradeAdjustment { grade reason }
        indicatorScores { indicator { code } value points stage } followUps { type owner dueOn } } } } }`,
      { b: ownBranch },
      { token: c.tokens.firm },
    );
    expect(seen.body.errors).toBeUndefined();
    const today = todayInShanghai();
    expect(seen.body.data.node.ratings[0]).toEqual({
      year: 2027,
      grade: 'C',
      totalScore: 90,
      underDailySupervision: true,
      gradeAdjustment: { grade: 'C', reason: '整改不到位' },
      indicatorScores: [
        { indicator: { code: 'CM_SYSTEM' }, value: 12, points: -8, stage: 'BUREAU' },
        { indicator: { code: 'VD_WARNING_LETTER' }, value: 2, points: -2, stage: 'ASSOCIATION' },
        { indicator: { code: 'BONUS_AWARD' }, value: null, points: 0, stage: null },
      ],
      followUps: [
        { type: 'WARNING_TALK_BRANCH_HEAD', owner: 'BUREAU', dueOn: addDays(today, 30) },
        { type: 'RECTIFICATION_REPORT', owner: 'BRANCH', dueOn: addDays(today, 60) },
      ],
    });
    const list = await t.gql(`{ supervisionList(year: 2027) { branch { id } } }`, undefined, { token: c.tokens.regulator });
    expect(list.body.data.supervisionList).toEqual([{ branch: { id: ownBranch } }]);
  });

  it('a published cycle cannot be published again, scored or moved: ALREADY_PUBLISHED, nothing written', async () => {
    const before = await fingerprint(t);
    const again = await t.gql(PUBLISH, { year: 2027 }, { token: c.tokens.regulator });
    expect(userErrorsOf(again, 'publishRatingCycle')).toEqual([expect.objectContaining({ code: 'ALREADY_PUBLISHED', field: ['input', 'year'] })]);
    const rescore = await score('regulator', { year: 2027, branchId: ownBranch, scores: [{ indicator: 'CM_SYSTEM', value: 20, comment: '改' }] });
    expect(userErrorsOf(rescore, 'scoreBranchRating')).toEqual([expect.objectContaining({ code: 'ALREADY_PUBLISHED' })]);
    const move = await t.gql(ADVANCE, { year: 2027, to: 'PUBLISHED' }, { token: c.tokens.association });
    expect(userErrorsOf(move, 'advanceRatingCycle')).toEqual([expect.objectContaining({ code: 'ALREADY_PUBLISHED' })]);
    const missing = await t.gql(PUBLISH, { year: 2041 }, { token: c.tokens.regulator });
    expect(userErrorsOf(missing, 'publishRatingCycle')).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
    await expectNothingWritten(t, before);
  });
});

describe('the demo 2026 cycle in bureau review', () => {
  it('a mutation payload shows the rating to the regulator who changed it', async () => {
    const res = await score('regulator', { year: 2026, branchId: otherBranch, scores: [{ indicator: 'RC_REPORTING', value: 3, comment: '信息报送两次迟报' }] });
    expect(userErrorsOf(res, 'scoreBranchRating')).toEqual([]);
    expect(res.body.data.scoreBranchRating.branchRating.id).toBeTruthy();
  });

  it('an indicator of another guideline version is unknown to this cycle', async () => {
    const before = await fingerprint(t);
    const res = await score('regulator', { year: 2026, branchId: otherBranch, scores: [{ indicator: 'BONUS_AWARD', value: 1, comment: '理由' }] });
    expect(userErrorsOf(res, 'scoreBranchRating')).toEqual([expect.objectContaining({ code: 'UNKNOWN_INDICATOR' })]);
    await expectNothingWritten(t, before);
  });

  it('publishing it puts every C and D branch under daily supervision with its follow-ups, and no A or B branch', async () => {
    const res = await t.gql(PUBLISH, { year: 2026 }, { token: c.tokens.regulator });
    expect(userErrorsOf(res, 'publishRatingCycle')).toEqual([]);
    const all = await t.gql(`{ branchRatings(year: 2026, first: 1) { totalCount }
      supervisionList(year: 2026) { id } reports { ratingDistribution(year: 2026) { grade count } } }`, undefined, { token: c.tokens.association });
    // Every rating of the cycle (the demo rates about 550 branches): all pages of 100.
    const nodes: any[] = [];
    for (let after: string | null = null, more = true; more; ) {
      const page: any = await t.gql(`query($after: String) { branchRatings(year: 2026, first: 100, after: $after) {
        pageInfo { hasNextPage endCursor } edges { node { grade underDailySupervision followUps { type owner } } } } }`, { after }, { token: c.tokens.association });
      nodes.push(...page.body.data.branchRatings.edges.map((e: any) => e.node));
      ({ hasNextPage: more, endCursor: after } = page.body.data.branchRatings.pageInfo);
    }
    expect(nodes.length).toBe(all.body.data.branchRatings.totalCount);
    const kinds = (n: any) => n.followUps.map((f: any) => `${f.type}/${f.owner}`).sort();
    for (const n of nodes) {
      expect(n.underDailySupervision).toBe(n.grade === 'C' || n.grade === 'D');
      if (n.grade === 'A' || n.grade === 'B') expect(n.followUps).toEqual([]);
      if (n.grade === 'C') expect(kinds(n)).toEqual(['RECTIFICATION_REPORT/BRANCH', 'WARNING_TALK_BRANCH_HEAD/BUREAU']);
      if (n.grade === 'D') {
        expect(kinds(n)).toEqual([
          'KEY_INSPECTION_TARGET/ASSOCIATION',
          'KEY_INSPECTION_TARGET/BUREAU',
          'OBJECTION_TO_BRANCH_HEAD/BUREAU',
          'RECTIFICATION_REPORT/BRANCH',
          'TALK_HQ_BROKERAGE_EXEC_AND_CCO/BUREAU',
          'WARNING_TALK_BRANCH_HEAD/BUREAU',
        ]);
      }
    }
    const supervised = nodes.filter((n: any) => n.underDailySupervision).length;
    expect(supervised).toBeGreaterThan(0);
    expect(all.body.data.supervisionList.length).toBe(supervised);
    const event = (await t.database.db.execute(sql`select payload from outbox_events where type = 'rating_cycle.published' order by id desc limit 1`)) as unknown as { rows: any[] };
    const grades = Object.fromEntries(all.body.data.reports.ratingDistribution.filter((g: any) => g.count > 0).map((g: any) => [g.grade, g.count]));
    expect(event.rows[0].payload).toMatchObject({ year: 2026, grades });
  });
});

describe('deadlines', () => {
  it('a firm cannot self-assess once the self-assessment deadline has passed', async () => {
    await cycleAt(t, c.tokens, 2023, 'SELF_ASSESSMENT', 1);
    const before = await fingerprint(t);
    const res = await score('firm', { year: 2023, branchId: ownBranch, scores: [{ indicator: 'CM_SYSTEM', value: 15 }] });
    expect(userErrorsOf(res, 'scoreBranchRating')).toEqual([expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'year'] })]);
    expect(res.body.data.scoreBranchRating.userErrors[0].message).toMatch(/2024-02-13/);
    await expectNothingWritten(t, before);
  });
});
