// Validation of the identifiers partners type in: unified social credit codes (GB 32100-2015) and listings (stock
// codes with their exchange and board).
import { sql, type SQL } from 'drizzle-orm';
import type { LocalizedMessage } from '../errors.js';
import { DIVISION_PREFECTURES } from './divisions.data.js';

const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const USCC_FORMAT = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** Trims and turns full-width letters and digits into half-width; case is kept so lowercase is refused, not silently fixed. */
export function normalizeCreditCode(input: string): string {
  return input
    .trim()
    .replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
}

/** The GB 32100 check character for the first 17 characters. */
export function creditCodeCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17[i]!) * USCC_WEIGHTS[i]!;
  return USCC_CHARSET[(31 - (sum % 31)) % 31]!;
}

/**
 * True when the code has the GB 32100 form and a correct check character: the cheap test of a lookup (a code that
 * is not there simply finds nothing). Edits check the structure too (checkCreditCode).
 */
export function isValidCreditCode(code: string): boolean {
  return USCC_FORMAT.test(code) && creditCodeCheckCharacter(code.slice(0, 17)) === code[17];
}

// ---------------------------------------------------------------- GB 32100 structure

/**
 * Positions 1–2: the registration authority (登记管理部门) and the type of organization it registers (机构类别),
 * GB 32100-2015 Table 1 with its amendments (A 中央军委改革和编制办公室, N 农业农村). Authority 0 and any pair not
 * listed (94, 99, 54 …) do not exist.
 */
export const REGISTRATION_TYPES: Readonly<Record<string, { authority: string; types: Readonly<Record<string, string>> }>> = {
  '1': { authority: '机构编制', types: { '1': '机关', '2': '事业单位', '3': '中央编办直接管理机构编制的群众团体', '9': '其他' } },
  '2': { authority: '外交', types: { '1': '外国常驻新闻机构', '9': '其他' } },
  '3': { authority: '司法行政', types: { '1': '律师执业机构', '2': '公证处', '3': '基层法律服务所', '4': '司法鉴定机构', '5': '仲裁委员会', '9': '其他' } },
  '4': { authority: '文化', types: { '1': '外国在华文化中心', '9': '其他' } },
  '5': { authority: '民政', types: { '1': '社会团体', '2': '民办非企业单位', '3': '基金会', '9': '其他' } },
  '6': { authority: '旅游', types: { '1': '外国旅游部门常驻代表机构', '2': '港澳台地区旅游部门常驻内地（大陆）代表机构', '9': '其他' } },
  '7': { authority: '宗教', types: { '1': '宗教活动场所', '2': '宗教院校', '9': '其他' } },
  '8': { authority: '工会', types: { '1': '基层工会', '9': '其他' } },
  '9': { authority: '工商（市场监管）', types: { '1': '企业', '2': '个体工商户', '3': '农民专业合作社' } },
  A: { authority: '中央军委改革和编制办公室', types: { '1': '军队事业单位', '9': '其他' } },
  N: { authority: '农业农村', types: { '1': '组级集体经济组织', '2': '村级集体经济组织', '3': '乡镇级集体经济组织', '9': '其他' } },
  Y: { authority: '其他', types: { '1': '其他' } },
};

/** The kinds a code is checked against: the organization kinds, and a securities firm's branch (分公司、营业部). */
export type CreditCodeHolder = 'SECURITIES_FIRM' | 'FUTURES_FIRM' | 'FUND_MANAGER' | 'INVESTMENT_ADVISORY' | 'LISTED_COMPANY' | 'OTHER' | 'BRANCH';

/**
 * Which registration types fit each kind. Securities, futures, fund management and advisory firms are companies
 * (公司法), a listed company is a company limited by shares, and a branch is registered by the market regulator as an
 * enterprise's branch: all 91 (企业). OTHER holds everything else the associations admit (a research institute 52,
 * an association 51, a public institution 12, an exchange or clearing body 91/12 …): any type that exists.
 */
export const KIND_REGISTRATION_TYPES: Readonly<Record<CreditCodeHolder, readonly string[] | null>> = {
  SECURITIES_FIRM: ['91'],
  FUTURES_FIRM: ['91'],
  FUND_MANAGER: ['91'],
  INVESTMENT_ADVISORY: ['91'],
  LISTED_COMPANY: ['91'],
  BRANCH: ['91'],
  OTHER: null,
};

const KIND_LABEL: Record<CreditCodeHolder, LocalizedMessage> = {
  SECURITIES_FIRM: { zh: '证券公司', en: 'a securities firm' },
  FUTURES_FIRM: { zh: '期货公司', en: 'a futures firm' },
  FUND_MANAGER: { zh: '基金管理公司', en: 'a fund manager' },
  INVESTMENT_ADVISORY: { zh: '证券投资咨询机构', en: 'an investment advisory firm' },
  LISTED_COMPANY: { zh: '上市公司', en: 'a listed company' },
  BRANCH: { zh: '分支机构', en: 'a branch' },
  OTHER: { zh: '其他机构', en: 'another organization' },
};

const PREFECTURES = new Set(DIVISION_PREFECTURES.flatMap((s) => Array.from({ length: (s.length - 2) / 2 }, (_, i) => s.slice(0, 2) + s.slice(2 + 2 * i, 4 + 2 * i))));
/** Organizations registered by a national authority (国家市场监督管理总局, 民政部 …) carry 100000, which GB/T 2260 does not list. */
const NATIONAL_DIVISION = '100000';

/** True when positions 3–8 name a GB/T 2260 division: a province or prefecture that exists, or a county of one. */
export function isKnownDivision(code6: string): boolean {
  return /^\d{6}$/.test(code6) && (code6 === NATIONAL_DIVISION || PREFECTURES.has(code6.slice(0, 4)));
}

const GB11714_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** The GB 11714 check character of an 8-character organization code body (digits, capital letters A = 10 … Z = 35). */
export function organizationCodeCheckCharacter(body8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += parseInt(body8[i]!, 36) * GB11714_WEIGHTS[i]!;
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** The part of a code a problem is about. */
export type CreditCodePart = 'FORMAT' | 'CHECK_CHARACTER' | 'REGISTRATION_TYPE' | 'DIVISION' | 'SUBJECT' | 'KIND' | 'ORGANIZATION_CODE';

export interface CreditCodeProblem {
  part: CreditCodePart;
  message: LocalizedMessage;
}

/**
 * Checks a (normalized) code as GB 32100 defines it, and against the kind of its holder when one is given.
 * Errors: the form (18 characters of the code's alphabet), the check character (position 18), the authority and type
 * (positions 1–2), the division (3–8), an all-zero subject identifier (9–17), a type that does not fit the kind.
 * Warnings: positions 9–17 are an organization code whose GB 11714 check character (position 17) is wrong; this is
 * checked for every type but 个体工商户 (92), whose subject identifiers are not organization codes.
 */
export function checkCreditCode(code: string, holder?: CreditCodeHolder): { errors: CreditCodeProblem[]; warnings: CreditCodeProblem[] } {
  const errors: CreditCodeProblem[] = [];
  const warnings: CreditCodeProblem[] = [];
  if (!USCC_FORMAT.test(code)) {
    errors.push({
      part: 'FORMAT',
      message: {
        zh: '统一社会信用代码格式错误：应为 18 位数字或大写字母（不含 I、O、S、V、Z），第 3–8 位为数字',
        en: 'The credit code must be 18 digits or capital letters (no I, O, S, V or Z), positions 3–8 digits',
      },
    });
    return { errors, warnings };
  }
  if (creditCodeCheckCharacter(code.slice(0, 17)) !== code[17]) {
    errors.push({ part: 'CHECK_CHARACTER', message: { zh: '统一社会信用代码校验位（第 18 位）错误', en: 'Credit code: the check character (position 18) is wrong' } });
  }
  const authority = REGISTRATION_TYPES[code[0]!];
  const type = authority?.types[code[1]!];
  if (!authority) {
    errors.push({
      part: 'REGISTRATION_TYPE',
      message: { zh: `统一社会信用代码第 1 位登记管理部门代码“${code[0]}”不存在`, en: `Credit code: registration authority "${code[0]}" (position 1) does not exist` },
    });
  } else if (!type) {
    errors.push({
      part: 'REGISTRATION_TYPE',
      message: {
        zh: `统一社会信用代码第 1–2 位“${code.slice(0, 2)}”不存在：${authority.authority}登记的机构类别只有 ${Object.keys(authority.types).map((t) => code[0] + t).join('、')}`,
        en: `Credit code: registration type "${code.slice(0, 2)}" (positions 1–2) does not exist; ${code[0]} registers ${Object.keys(authority.types).map((t) => code[0] + t).join(', ')} only`,
      },
    });
  }
  if (!isKnownDivision(code.slice(2, 8))) {
    errors.push({
      part: 'DIVISION',
      message: { zh: `统一社会信用代码第 3–8 位行政区划码“${code.slice(2, 8)}”不存在（GB/T 2260）`, en: `Credit code: division "${code.slice(2, 8)}" (positions 3–8) is not a GB/T 2260 administrative division` },
    });
  }
  if (/^0{9}$/.test(code.slice(8, 17))) {
    errors.push({ part: 'SUBJECT', message: { zh: '统一社会信用代码第 9–17 位主体标识码不能全为 0', en: 'Credit code: the subject identifier (positions 9–17) cannot be all zeros' } });
  }
  const allowed = holder ? KIND_REGISTRATION_TYPES[holder] : null;
  if (type && allowed && !allowed.includes(code.slice(0, 2))) {
    const label = KIND_LABEL[holder!];
    errors.push({
      part: 'KIND',
      message: {
        zh: `统一社会信用代码第 1–2 位“${code.slice(0, 2)}”（${type}）与机构类型不符：${label.zh}应为 ${allowed.join('、')}（${allowed.map((t) => REGISTRATION_TYPES[t[0]!]!.types[t[1]!]).join('、')}）`,
        en: `Credit code: registration type "${code.slice(0, 2)}" (${type}) does not fit ${label.en}, which is registered as ${allowed.join(' or ')}`,
      },
    });
  }
  if (code.slice(0, 2) !== '92' && organizationCodeCheckCharacter(code.slice(8, 16)) !== code[16]) {
    warnings.push({
      part: 'ORGANIZATION_CODE',
      message: {
        zh: '统一社会信用代码第 9–17 位组织机构代码的校验位（GB 11714）不符，请核对营业执照',
        en: 'Credit code: the organization code in positions 9–17 fails its GB 11714 check; please check the licence',
      },
    });
  }
  return { errors, warnings };
}

// ---------------------------------------------------------------- listings

export type StockExchange = 'SZ' | 'SH' | 'BJ' | 'HK';
export type ListingBoard = 'SZSE_MAIN' | 'CHINEXT' | 'SSE_MAIN' | 'STAR' | 'BSE' | 'HKEX';

/** The boards of each exchange, by the code's range. */
const BOARDS: Record<StockExchange, [RegExp, ListingBoard][]> = {
  // SZSE main board (000–004, incl. the former SME board 002/003, and B shares 200), ChiNext (300–302)
  SZ: [[/^00[0-4]\d{3}$/, 'SZSE_MAIN'], [/^200\d{3}$/, 'SZSE_MAIN'], [/^30[0-2]\d{3}$/, 'CHINEXT']],
  // SSE main board (600/601/603/605, B shares 900), STAR market (688, CDRs on 689)
  SH: [[/^60[0135]\d{3}$/, 'SSE_MAIN'], [/^900\d{3}$/, 'SSE_MAIN'], [/^68[89]\d{3}$/, 'STAR']],
  // BSE: 920 since 2025-10-09; the earlier 4xxxxx/8xxxxx (NEEQ-era) codes still name listings in records
  BJ: [[/^92\d{4}$/, 'BSE'], [/^8\d{5}$/, 'BSE'], [/^4\d{5}$/, 'BSE']],
  // HKEX: 1–5 digit stock numbers, stored zero-padded to 5 (06099)
  HK: [[/^\d{5}$/, 'HKEX']],
};

export interface ParsedListing {
  /** 6 digits on the mainland exchanges, 5 (zero-padded) on HKEX. */
  code: string;
  exchange: StockExchange;
  board: ListingBoard;
}

/** The board a listing trades on, from its exchange and code; null when the code is outside that exchange's ranges. */
export function boardOf(code: string, exchange: StockExchange): ListingBoard | null {
  return BOARDS[exchange]?.find(([pattern]) => pattern.test(code))?.[1] ?? null;
}

/**
 * Parses a listing as partners type it: "600999.SH", "600999.sh", " 6099.HK ", "06099.HK", full-width characters
 * too (normalized like credit codes, and the suffix's case). HKEX numbers of 4 or 5 digits are padded to 5. Null when
 * the form or the code's range for that exchange is wrong.
 */
export function parseListing(input: string): ParsedListing | null {
  const match = /^(\d{4,6})\.(SZ|SH|BJ|HK)$/.exec(normalizeCreditCode(input).toUpperCase());
  if (!match) return null;
  const exchange = match[2] as StockExchange;
  let code = match[1]!;
  if (exchange === 'HK') {
    if (code.length === 6 || /^0+$/.test(code)) return null;
    code = code.padStart(5, '0');
  } else if (code.length !== 6) return null;
  const board = boardOf(code, exchange);
  return board ? { code, exchange, board } : null;
}

/** Parses a mainland or Hong Kong stock code with its suffix (parseListing without the board). */
export function parseStockCode(input: string): { code: string; exchange: StockExchange } | null {
  const parsed = parseListing(input);
  return parsed ? { code: parsed.code, exchange: parsed.exchange } : null;
}

/** "600999.SH"; HKEX shows 4 digits when the number has a leading zero ("6099.HK"), else 5 ("80737.HK"). */
export function formatStockCode(code: string | null, exchange: StockExchange | null): string | null {
  if (!code || !exchange) return null;
  return `${exchange === 'HK' && code.startsWith('0') ? code.slice(1) : code}.${exchange}`;
}

/** formatStockCode in SQL, over a code and an exchange column (one-statement answers); keep the two alike. */
export function formatStockCodeSql(code: SQL, exchange: SQL): SQL {
  return sql`(case when coalesce(${code}, '') = '' or ${exchange} is null then null
    when ${exchange} = 'HK' and left(${code}, 1) = '0' then substr(${code}, 2) || '.HK'
    else ${code} || '.' || ${exchange}::text end)`;
}
