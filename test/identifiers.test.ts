import { describe, expect, it } from 'vitest';
import { creditCodeCheckCharacter, isValidCreditCode, normalizeCreditCode, parseStockCode } from '../src/members/identifiers.js';

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
    expect(normalizeCreditCode(' ９１４４０３００１９２２３８５４９Ｂ ')).toBe('91440300192238549B');
    expect(isValidCreditCode(normalizeCreditCode('91440300ma5wc9cb19'))).toBe(false);
  });
});

describe('stock codes', () => {
  it.each([
    ['000001.SZ', 'SZ'], ['001979.SZ', 'SZ'], ['002594.SZ', 'SZ'], ['003816.SZ', 'SZ'], ['300760.SZ', 'SZ'], ['301039.SZ', 'SZ'],
    ['200011.SZ', 'SZ'], ['600036.SH', 'SH'], ['601318.SH', 'SH'], ['603160.SH', 'SH'], ['605499.SH', 'SH'], ['688036.SH', 'SH'],
    ['689009.SH', 'SH'], ['900901.SH', 'SH'], ['920185.BJ', 'BJ'],
  ])('accepts %s', (input, exchange) => {
    expect(parseStockCode(input)).toEqual({ code: input.slice(0, 6), exchange });
  });

  it.each(['000001', '1.SZ', '600036.SZ', '000001.SH', '005001.SZ', '303000.SZ', '604000.SH', '830799.BJ', '00001A.SZ', ' 000001.SZ', '000001.sz', '0000001.SZ'])(
    'refuses %s',
    (input) => {
      expect(parseStockCode(input)).toBeNull();
    },
  );
});
