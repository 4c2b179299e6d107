// Rating guidelines: the versioned indicators, thresholds and override rules a cycle is scored under, and the
// association's adding of a version (never an edit of one).
import { asc, desc, inArray, max } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.service.js';
import type { Viewer } from '../auth/viewer.js';
import type { DbOrTx } from '../db/client.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector, isUniqueViolation, type LocalizedMessage } from '../errors.js';
import { cleanText } from '../text.js';
import type { GradingGuideline } from './ratings.grading.js';
import {
  ratingGuidelinesTable,
  ratingIndicatorsTable,
  ratingOverrideRulesTable,
  type RatingGuidelineRow,
  type RatingIndicatorRow,
  type RatingOverrideRuleRow,
} from './ratings.table.js';

type IndicatorCategory = RatingIndicatorRow['category'];
type IndicatorMethod = RatingIndicatorRow['method'];
type OverrideType = RatingOverrideRuleRow['type'];

export const MAX_INDICATORS = 100;
export const MAX_OVERRIDE_RULES = 20;

// ---------------------------------------------------------------- reading (public reference data)

export async function listGuidelines(db: DbOrTx): Promise<RatingGuidelineRow[]> {
  return db.select().from(ratingGuidelinesTable).orderBy(desc(ratingGuidelinesTable.version));
}

export async function loadGuidelinesByIds(db: DbOrTx, ids: readonly number[]): Promise<RatingGuidelineRow[]> {
  return db.select().from(ratingGuidelinesTable).where(inArray(ratingGuidelinesTable.id, [...ids]));
}

export async function loadIndicatorsByGuidelineIds(db: DbOrTx, guidelineIds: readonly number[]): Promise<RatingIndicatorRow[]> {
  return db
    .select()
    .from(ratingIndicatorsTable)
    .where(inArray(ratingIndicatorsTable.guidelineId, [...guidelineIds]))
    .orderBy(asc(ratingIndicatorsTable.guidelineId), asc(ratingIndicatorsTable.position));
}

export async function loadIndicatorsByIds(db: DbOrTx, ids: readonly number[]): Promise<RatingIndicatorRow[]> {
  return db.select().from(ratingIndicatorsTable).where(inArray(ratingIndicatorsTable.id, [...ids]));
}

export async function loadOverrideRulesByGuidelineIds(db: DbOrTx, guidelineIds: readonly number[]): Promise<RatingOverrideRuleRow[]> {
  return db
    .select()
    .from(ratingOverrideRulesTable)
    .where(inArray(ratingOverrideRulesTable.guidelineId, [...guidelineIds]))
    .orderBy(asc(ratingOverrideRulesTable.guidelineId), asc(ratingOverrideRulesTable.id));
}

/** The grading inputs of a guideline version, in the pure function's terms. */
export function gradingGuideline(
  guideline: Pick<RatingGuidelineRow, 'baseScore' | 'thresholdA' | 'thresholdB' | 'thresholdC'>,
  indicators: readonly Pick<RatingIndicatorRow, 'id' | 'method' | 'points' | 'cap'>[],
): GradingGuideline {
  return {
    baseScore: guideline.baseScore,
    thresholds: { a: guideline.thresholdA, b: guideline.thresholdB, c: guideline.thresholdC },
    indicators: indicators.map((i) => ({ id: i.id, method: i.method, points: i.points, cap: i.cap })),
  };
}

// ---------------------------------------------------------------- guideline versions (association)

const CODE = /^[A-Z][A-Z0-9_]{1,39}$/;
const MAX_POINTS = 1000;

/** A score or point value: finite, at most two decimals, within (min, max] or [min, max]. */
function checkPoints(
  errors: ErrorCollector,
  value: number,
  field: string[],
  label: LocalizedMessage,
  range: { min: number; max: number; minExclusive?: boolean },
): boolean {
  if (!Number.isFinite(value) || Math.abs(value * 100 - Math.round(value * 100)) > 1e-6) {
    errors.add('INVALID', field, { zh: `${label.zh}最多保留两位小数`, en: `${label.en} must have at most two decimals` });
    return false;
  }
  const low = range.minExclusive ? value <= range.min : value < range.min;
  if (low || value > range.max) {
    const zhLow = range.minExclusive ? `大于 ${range.min}` : `不小于 ${range.min}`;
    const enLow = range.minExclusive ? `greater than ${range.min}` : `at least ${range.min}`;
    errors.add('OUT_OF_RANGE', field, {
      zh: `${label.zh}应${zhLow}且不大于 ${range.max}`,
      en: `${label.en} must be ${enLow} and at most ${range.max}`,
    });
    return false;
  }
  return true;
}

export interface IndicatorInput {
  code: string;
  category: IndicatorCategory;
  nameZh: string;
  nameEn: string;
  method: IndicatorMethod;
  points: number;
  cap?: number | null;
}

export interface OverrideRuleInput {
  code: string;
  type: OverrideType;
  nameZh: string;
  nameEn: string;
}

export interface GuidelineInput {
  title: string;
  note?: string | null;
  baseScore?: number | null;
  thresholds?: { a: number; b: number; c: number } | null;
  indicators: IndicatorInput[];
  overrideRules?: OverrideRuleInput[] | null;
}

export const DEFAULT_BASE_SCORE = 100;
export const DEFAULT_THRESHOLDS = { a: 90, b: 80, c: 70 } as const;

function checkGuideline(input: GuidelineInput) {
  const errors = new ErrorCollector();
  const title = cleanText(errors, input.title, { field: ['input', 'title'], max: 100, required: true, labelZh: '标题', labelEn: 'title' });
  const note = cleanText(errors, input.note, { field: ['input', 'note'], max: 2000, multiline: true, labelZh: '修订说明', labelEn: 'note' });
  const baseScore = input.baseScore ?? DEFAULT_BASE_SCORE;
  checkPoints(errors, baseScore, ['input', 'baseScore'], { zh: '基础分', en: 'baseScore' }, { min: 0, max: MAX_POINTS, minExclusive: true });
  const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
  let thresholdsOk = true;
  for (const key of ['a', 'b', 'c'] as const) {
    thresholdsOk &&= checkPoints(errors, thresholds[key], ['input', 'thresholds', key], { zh: `${key.toUpperCase()} 类分数线`, en: `threshold ${key}` }, { min: 0, max: MAX_POINTS, minExclusive: true });
  }
  if (thresholdsOk && !(thresholds.a > thresholds.b && thresholds.b > thresholds.c)) {
    errors.add('INVALID', ['input', 'thresholds'], { zh: '分数线应满足 A > B > C', en: 'thresholds must satisfy a > b > c' });
  }

  const indicators = input.indicators ?? [];
  if (indicators.length === 0) errors.add('REQUIRED', ['input', 'indicators'], { zh: '至少需要一个评价指标', en: 'At least one indicator is required' });
  if (indicators.length > MAX_INDICATORS) {
    errors.add('LIMIT_EXCEEDED', ['input', 'indicators'], { zh: `评价指标最多 ${MAX_INDICATORS} 个`, en: `At most ${MAX_INDICATORS} indicators` });
  }
  const codes = new Set<string>();
  const indicatorValues = indicators.slice(0, MAX_INDICATORS).map((ind, i) => {
    const field = (name: string) => ['input', 'indicators', String(i), name];
    const code = (ind.code ?? '').trim();
    if (!CODE.test(code)) {
      errors.add('INVALID', field('code'), { zh: '指标代码应为 2–40 位大写字母、数字或下划线，以字母开头', en: 'code must be 2–40 capital letters, digits or underscores, starting with a letter' });
    } else if (codes.has(code)) {
      errors.add('DUPLICATE', field('code'), { zh: `指标代码 ${code} 重复`, en: `Indicator code ${code} appears twice` });
    }
    codes.add(code);
    const nameZh = cleanText(errors, ind.nameZh, { field: field('nameZh'), max: 100, required: true, labelZh: '中文名称', labelEn: 'nameZh' });
    const nameEn = cleanText(errors, ind.nameEn, { field: field('nameEn'), max: 200, required: true, labelZh: '英文名称', labelEn: 'nameEn' });
    checkPoints(errors, ind.points, field('points'), { zh: '分值', en: 'points' }, { min: 0, max: 100, minExclusive: true });
    const cap = ind.cap ?? null;
    if (cap !== null) {
      if (ind.method === 'BASE') {
        errors.add('INVALID', field('cap'), { zh: '基础项没有封顶分值', en: 'A BASE indicator has no cap' });
      } else if (checkPoints(errors, cap, field('cap'), { zh: '封顶分值', en: 'cap' }, { min: 0, max: MAX_POINTS, minExclusive: true }) && cap < ind.points) {
        errors.add('OUT_OF_RANGE', field('cap'), { zh: '封顶分值不能小于单次分值', en: 'cap cannot be less than points' });
      }
    }
    return { position: i + 1, code, category: ind.category, nameZh: nameZh!, nameEn: nameEn!, method: ind.method, points: ind.points, cap };
  });

  const rules = input.overrideRules ?? [];
  if (rules.length > MAX_OVERRIDE_RULES) {
    errors.add('LIMIT_EXCEEDED', ['input', 'overrideRules'], { zh: `调整规则最多 ${MAX_OVERRIDE_RULES} 条`, en: `At most ${MAX_OVERRIDE_RULES} override rules` });
  }
  const ruleCodes = new Set<string>();
  const ruleValues = rules.slice(0, MAX_OVERRIDE_RULES).map((rule, i) => {
    const field = (name: string) => ['input', 'overrideRules', String(i), name];
    const code = (rule.code ?? '').trim();
    if (!CODE.test(code)) {
      errors.add('INVALID', field('code'), { zh: '规则代码应为 2–40 位大写字母、数字或下划线，以字母开头', en: 'code must be 2–40 capital letters, digits or underscores, starting with a letter' });
    } else if (ruleCodes.has(code)) {
      errors.add('DUPLICATE', field('code'), { zh: `规则代码 ${code} 重复`, en: `Rule code ${code} appears twice` });
    }
    ruleCodes.add(code);
    const nameZh = cleanText(errors, rule.nameZh, { field: field('nameZh'), max: 100, required: true, labelZh: '中文名称', labelEn: 'nameZh' });
    const nameEn = cleanText(errors, rule.nameEn, { field: field('nameEn'), max: 200, required: true, labelZh: '英文名称', labelEn: 'nameEn' });
    return { code, type: rule.type, nameZh: nameZh!, nameEn: nameEn! };
  });
  errors.throwIfAny();
  return { title: title!, note: note ?? null, baseScore, thresholds, indicators: indicatorValues, rules: ruleValues };
}

/**
 * Adds a guideline version: the next version number, never an edit of an existing one, so a cycle scored under
 * an earlier version keeps its indicators, thresholds and results.
 */
export async function createGuidelineVersion(db: DbOrTx, actor: Viewer, input: GuidelineInput): Promise<RatingGuidelineRow> {
  const g = checkGuideline(input);
  try {
    return await runInTransaction(db, async (tx) => {
      const [{ latest }] = (await tx.select({ latest: max(ratingGuidelinesTable.version) }).from(ratingGuidelinesTable)) as [{ latest: number | null }];
      const [guideline] = await tx
        .insert(ratingGuidelinesTable)
        .values({
          version: (latest ?? 0) + 1,
          title: g.title,
          note: g.note,
          baseScore: g.baseScore,
          thresholdA: g.thresholds.a,
          thresholdB: g.thresholds.b,
          thresholdC: g.thresholds.c,
        })
        .returning();
      const indicators = await tx
        .insert(ratingIndicatorsTable)
        .values(g.indicators.map((i) => ({ ...i, guidelineId: guideline!.id })))
        .returning();
      const rules =
        g.rules.length === 0
          ? []
          : await tx.insert(ratingOverrideRulesTable).values(g.rules.map((r) => ({ ...r, guidelineId: guideline!.id }))).returning();
      await recordAudit(tx, actor, {
        action: 'rating_guideline.create',
        entityType: 'RatingGuideline',
        entityId: guideline!.id,
        after: { guideline, indicators, overrideRules: rules },
      });
      return guideline!;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'rating_guidelines_version_key')) {
      throw new DomainError('DUPLICATE', ['input'], {
        zh: '另一个版本刚刚创建，请刷新后重试',
        en: 'Another version was created at the same time; reload and try again',
      });
    }
    throw error;
  }
}
