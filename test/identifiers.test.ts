import { describe, expect, it } from 'vitest';
import {
  boardOf,
  checkCreditCode,
  creditCodeCheckCharacter,
  formatStockCode,
  isKnownDivision,
  isValidCreditCode,
  normalizeCreditCode,
  organizationCodeCheckCharacter,
  parseListing,
  parseStockCode,
} from '../src/members/identifiers.js';

/** A code with a correct GB 32100 check character after these 17 characters. */
const withCheck = (first17: string) => first17 + creditCodeCheckCharacter(first17);
const parts = (code: string, holder?: Parameters<typeof checkCreditCode>[1]) => checkCreditCode(code, holder).errors.map((e) => e.part);

describe('unified social credit code (GB 32100)', () => {
  const valid = [
    '91440300192238549B', '914403001017814402', '91440300192185379H', '91440300192181490G', '9144030027939873X7',
    '91440300192317458F', '914403001922784445', '91440300192431912U', '914403001000234534', '91440300792573957K',
    '91440300192241158P', '914403002794349137', '91440300779891627F', '91440300100012316L', '9144030010001686XA',
    '91440300MA5WC9CB19', '91440300MA5G3DKJ5W', '91440300MA5PGY6J2B', '91440300MA5RAH7F9C', '91440300MA57B8T091',
    '91440300MA5P2FHT6M', '91440300MA5170CA31', '91440300MA5Q8PA13M', '51440300MA566C1T0R', '51440300MA53YP758G',
    '52440300MA5EK6PQ62',
  ];
  it.each(valid)('accepts %s', (code) => {
    expect(isValidCreditCode(code)).toBe(true);
    expect(creditCodeCheckCharacter(code.slice(0, 17))).toBe(code[17]);
  });

  it.each([
    ['91440300MA5WC9CB1A', 'wrong check character'],
    ['91440300ma5wc9cb19', 'lowercase'],
    ['91440300MO5WC9CB19', 'contains O'],
    ['91440300MA11YZAB90', 'contains Z'],
    ['91350203M0001QAY9B', 'check character should be 9'],
    ['9144030019223854', 'too short'],
    ['91440300192238549BX', 'too long'],
    ['9144A300192238549B', 'letter in the region code'],
    ['', 'empty'],
  ])('refuses %s (%s)', (code) => {
    expect(isValidCreditCode(code)).toBe(false);
  });

  it('normalises full-width characters and spaces but not case', () => {
    expect(checkCreditCode(normalizeCreditCode('９１４４０３００１９２２３８５４９Ｂ'), 'SECURITIES_FIRM')).toEqual({ errors: [], warnings: [] });
    expect(normalizeCreditCode(' ９１４４０３００１９２２３８５４９Ｂ ')).toBe('91440300192238549B');
    expect(isValidCreditCode(normalizeCreditCode('91440300ma5wc9cb19'))).toBe(false);
  });
});

describe('unified social credit code structure (GB 32100 positions 1–17)', () => {
  // Real codes of Shenzhen securities firms (招商证券, 平安证券, 国信证券, 中信证券), every rule passing; each first
  // checked with both check characters (GB 32100 position 18, GB 11714 position 17).
  it.each([
    ['招商证券', '91440300192238549B'],
    ['平安证券', '914403001000234534'],
    ['国信证券', '914403001922784445'],
    ['中信证券', '914403001017814402'],
  ])('accepts %s %s for a securities firm, with no warning', (_name, code) => {
    expect(isValidCreditCode(code)).toBe(true);
    expect(organizationCodeCheckCharacter(code.slice(8, 16))).toBe(code[16]);
    expect(checkCreditCode(code, 'SECURITIES_FIRM')).toEqual({ errors: [], warnings: [] });
    expect(checkCreditCode(code, 'LISTED_COMPANY').errors).toEqual([]);
    expect(checkCreditCode(code, 'BRANCH').errors).toEqual([]);
  });

  it('refuses registration authority 0 (01440300MA5WC9CB1J passes the checksum, yet no authority 0 exists)', () => {
    expect(isValidCreditCode('01440300MA5WC9CB1J')).toBe(true);
    const { errors } = checkCreditCode('01440300MA5WC9CB1J');
    expect(errors.map((e) => e.part)).toEqual(['REGISTRATION_TYPE']);
    expect(errors[0]!.message.zh).toContain('“0”不存在');
    expect(errors[0]!.message.en).toContain('registration authority "0"');
  });

  it.each(['99', '94', '54', '10', '1A', 'Y2', 'B1', 'AA'])('refuses the registration type %s, which the table does not have', (pair) => {
    const code = withCheck(`${pair}440300MA5WC9CB1`);
    expect(isValidCreditCode(code)).toBe(true);
    expect(parts(code)).toEqual(['REGISTRATION_TYPE']);
  });

  it.each(['11', '12', '13', '19', '21', '31', '35', '41', '51', '52', '53', '59', '61', '71', '81', '91', '92', '93', 'A1', 'N2', 'Y1'])('accepts the registration type %s', (pair) => {
    expect(parts(withCheck(`${pair}440300MA5WC9CB1`))).toEqual([]);
  });

  it('names the failing pair in the message, with what its authority registers', () => {
    const [error] = checkCreditCode(withCheck('99440300MA5WC9CB1')).errors;
    expect(error!.message.zh).toContain('“99”不存在');
    expect(error!.message.zh).toContain('91、92、93');
    expect(error!.message.en).toContain('"99"');
  });

  it('checks positions 3–8 against GB/T 2260: 999999 and a province or prefecture that never existed are refused', () => {
    for (const division of ['999999', '000000', '440000'.replace('44', '29'), '449900', '770300']) {
      expect(parts(withCheck(`91${division}MA5WC9CB1`)), division).toEqual(['DIVISION']);
    }
    expect(checkCreditCode(withCheck('91999999MA5WC9CB1')).errors[0]!.message.zh).toContain('“999999”');
  });

  it('accepts provinces, prefectures, a county of a known prefecture (福田 440304), merged ones (莱芜 3712) and national registrations (100000)', () => {
    for (const division of ['440000', '440300', '440304', '440311', '110000', '110108', '310115', '540000', '650100', '371200', '371202', '100000', '810000']) {
      expect(isKnownDivision(division), division).toBe(true);
      expect(parts(withCheck(`91${division}MA5WC9CB1`)), division).toEqual([]);
    }
    expect(isKnownDivision('44030')).toBe(false);
  });

  it('refuses an all-zero subject identifier (positions 9–17), though its GB 11714 check character holds', () => {
    expect(organizationCodeCheckCharacter('00000000')).toBe('0');
    expect(parts(withCheck('91440300000000000'))).toEqual(['SUBJECT']);
  });

  it('reports a GB 11714 check failure on positions 9–17 as a warning, not an error, except for 个体工商户 (92)', () => {
    // 招商证券's code with position 17 changed and position 18 recomputed: a valid GB 32100 code whose organization code fails.
    const code = withCheck('91440300192238548');
    expect(isValidCreditCode(code)).toBe(true);
    const { errors, warnings } = checkCreditCode(code, 'SECURITIES_FIRM');
    expect(errors).toEqual([]);
    expect(warnings.map((w) => w.part)).toEqual(['ORGANIZATION_CODE']);
    expect(warnings[0]!.message.zh).toContain('GB 11714');
    expect(checkCreditCode(withCheck('92440300192238548')).warnings).toEqual([]);
    // MA-series codes follow GB 11714 too (letters count A = 10 … Z = 35): MA5WC9CB → 1.
    expect(organizationCodeCheckCharacter('MA5WC9CB')).toBe('1');
    expect(organizationCodeCheckCharacter('10001686')).toBe('X');
  });

  it('refuses a registration type that does not fit the kind: a 社会团体 (51) or 民非 (52) is no securities firm, listed company or branch', () => {
    const association = '51440300MA566C1T0R';
    expect(parts(association)).toEqual([]);
    for (const holder of ['SECURITIES_FIRM', 'FUTURES_FIRM', 'FUND_MANAGER', 'INVESTMENT_ADVISORY', 'LISTED_COMPANY', 'BRANCH'] as const) {
      expect(parts(association, holder), holder).toEqual(['KIND']);
    }
    const [error] = checkCreditCode(association, 'SECURITIES_FIRM').errors;
    expect(error!.message.zh).toBe('统一社会信用代码第 1–2 位“51”（社会团体）与机构类型不符：证券公司应为 91（企业）');
    expect(parts('52440300MA5EK6PQ62', 'LISTED_COMPANY')).toEqual(['KIND']);
    expect(parts(withCheck('92440300MA5WC9CB1'), 'SECURITIES_FIRM')).toEqual(['KIND']);
    // OTHER takes any type that exists.
    expect(parts(association, 'OTHER')).toEqual([]);
    expect(parts('52440300MA5EK6PQ62', 'OTHER')).toEqual([]);
  });

  it('reports each failing part at once', () => {
    expect(parts(withCheck('94999999000000000'), 'SECURITIES_FIRM')).toEqual(['REGISTRATION_TYPE', 'DIVISION', 'SUBJECT']);
    expect(parts('91440300MA5WC9CB1A')).toEqual(['CHECK_CHARACTER']);
    expect(parts('not a code')).toEqual(['FORMAT']);
  });
});

describe('listings', () => {
  it.each([
    ['600999.SH', '600999', 'SH', 'SSE_MAIN'],
    ['600999.sh', '600999', 'SH', 'SSE_MAIN'],
    [' 6099.HK ', '06099', 'HK', 'HKEX'],
    ['06099.HK', '06099', 'HK', 'HKEX'],
    ['６０９９．ＨＫ', '06099', 'HK', 'HKEX'],
    ['3968.hk', '03968', 'HK', 'HKEX'],
    ['80737.HK', '80737', 'HK', 'HKEX'],
    ['000001.SZ', '000001', 'SZ', 'SZSE_MAIN'],
    ['001979.SZ', '001979', 'SZ', 'SZSE_MAIN'],
    ['002594.SZ', '002594', 'SZ', 'SZSE_MAIN'],
    ['003816.SZ', '003816', 'SZ', 'SZSE_MAIN'],
    ['300750.SZ', '300750', 'SZ', 'CHINEXT'],
    ['301039.SZ', '301039', 'SZ', 'CHINEXT'],
    ['601318.SH', '601318', 'SH', 'SSE_MAIN'],
    ['603160.SH', '603160', 'SH', 'SSE_MAIN'],
    ['605499.SH', '605499', 'SH', 'SSE_MAIN'],
    ['688981.SH', '688981', 'SH', 'STAR'],
    ['689009.SH', '689009', 'SH', 'STAR'],
    ['920185.BJ', '920185', 'BJ', 'BSE'],
    ['830799.BJ', '830799', 'BJ', 'BSE'],
    ['430047.BJ', '430047', 'BJ', 'BSE'],
  ])('parses %j as %s on %s (%s)', (input, code, exchange, board) => {
    expect(parseListing(input)).toEqual({ code, exchange, board });
    expect(boardOf(code, exchange as never)).toBe(board);
  });

  it.each(['6099.SH', '600999.SZ', '300750.SH', '688981.SZ', '600999.HK', '0.HK', '00000.HK', '600999', '600999.XX', '60099.SH', '1234567.HK', '520001.BJ'])('refuses %j', (input) => {
    expect(parseListing(input)).toBeNull();
  });

  it('shows HKEX numbers with 4 digits when padded (6099.HK), 5 otherwise', () => {
    expect(formatStockCode('06099', 'HK')).toBe('6099.HK');
    expect(formatStockCode('80737', 'HK')).toBe('80737.HK');
    expect(formatStockCode('600999', 'SH')).toBe('600999.SH');
  });
});

describe('stock codes', () => {
  it.each([
    ['000001.SZ', 'SZ'], ['001979.SZ', 'SZ'], ['002594.SZ', 'SZ'], ['003816.SZ', 'SZ'], ['300760.SZ', 'SZ'], ['301039.SZ', 'SZ'],
    ['200011.SZ', 'SZ'], ['600036.SH', 'SH'], ['601318.SH', 'SH'], ['603160.SH', 'SH'], ['605499.SH', 'SH'], ['688036.SH', 'SH'],
    ['689009.SH', 'SH'], ['900901.SH', 'SH'], ['920185.BJ', 'BJ'], [' 000001.SZ', 'SZ'], ['000001.sz', 'SZ'],
  ])('accepts %s', (input, exchange) => {
    expect(parseStockCode(input)).toEqual({ code: input.trim().slice(0, 6), exchange });
  });

  it.each(['000001', '1.SZ', '600036.SZ', '000001.SH', '005001.SZ', '303000.SZ', '604000.SH', '520001.BJ', '00001A.SZ', '0000001.SZ'])(
    'refuses %s',
    (input) => {
      expect(parseStockCode(input)).toBeNull();
    },
  );
});
