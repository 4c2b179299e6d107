// Chinese document numbers (文号) and standard numbers: normalised to the official form, then checked (DOMAIN.md §2.3).

const CHINESE_NUMERAL = '〇零一二三四五六七八九十百千';
const ISSUER = String.raw`[\p{Script=Han}A-Za-z·]{1,30}`;

/** 证监会公告〔2013〕17号, 深证协会字〔2011〕022号, 中证协发〔2012〕213号 */
const YEAR_SEQUENCE = new RegExp(String.raw`^(?<org>${ISSUER})〔(?<year>\d{4})〕(?<seq>\d{1,5})号$`, 'u');
/** 中国人民银行令〔2021〕第3号 */
const ORDER_WITH_YEAR = new RegExp(String.raw`^(?<org>${ISSUER})令〔(?<year>\d{4})〕第(?<seq>\d{1,5})号$`, 'u');
/** 证监会令第130号, 中国证券监督管理委员会令第166号, 中华人民共和国主席令第三十七号 */
const ORDER = new RegExp(String.raw`^(?<org>${ISSUER})令第(?<seq>\d{1,5}|[${CHINESE_NUMERAL}]{1,8})号$`, 'u');
/** JR/T 0158—2018 (financial standards have four-digit numbers); GB/T 35273—2020, GB 32100—2015 */
const STANDARD = /^(?:JR(?:\/T)? \d{4}|GB(?:\/T)? \d{3,5})(?:\.\d{1,2})?—(?<year>\d{4})$/;

const OPEN_BRACKETS = '[【〖(（［〔﹝';
const CLOSE_BRACKETS = ']】〗)）］〕﹞';

/**
 * The official spelling of a document number: full-width digits made ASCII, 〔〕 around the year whatever brackets
 * were typed ([], 【】, ()), no spaces; standards as "JR/T 0158—2018" with an em dash.
 */
export function normalizeDocumentNumber(raw: string): string {
  const text = raw.normalize('NFKC').trim();
  const standard = /^(JR\s*\/\s*T|JR|GB\s*\/\s*T|GB)\s*(\d{3,5}(?:\.\d{1,2})?)\s*[-‐‑‒–—―−~～]\s*(\d{4})$/i.exec(text);
  if (standard) return `${standard[1]!.replace(/\s+/g, '').toUpperCase()} ${standard[2]}—${standard[3]}`;
  const bracketed = new RegExp(String.raw`[${OPEN_BRACKETS.replace(/[[\]()]/g, '\\$&')}]\s*(\d{4})\s*[${CLOSE_BRACKETS.replace(/[[\]()]/g, '\\$&')}]`, 'u');
  return text.replace(/\s+/g, '').replace(bracketed, '〔$1〕');
}

/** Whether a normalised document number has one of the known official shapes, with a plausible year. */
export function isValidDocumentNumber(value: string, today: string): boolean {
  const latestYear = Number(today.slice(0, 4)) + 1;
  const yearOk = (year: string | undefined) => year === undefined || (Number(year) >= 1949 && Number(year) <= latestYear);
  const seqOk = (seq: string | undefined) => seq === undefined || !/^\d+$/.test(seq) || Number(seq) > 0;
  for (const pattern of [YEAR_SEQUENCE, ORDER_WITH_YEAR, ORDER, STANDARD]) {
    const match = pattern.exec(value);
    if (match) return yearOk(match.groups?.year) && seqOk(match.groups?.seq);
  }
  return false;
}
