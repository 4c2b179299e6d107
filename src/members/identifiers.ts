// Validation of the identifiers partners type in: unified social credit codes (GB 32100-2015) and stock codes.

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

/** True when the code has the GB 32100 form and a correct check character. */
export function isValidCreditCode(code: string): boolean {
  return USCC_FORMAT.test(code) && creditCodeCheckCharacter(code.slice(0, 17)) === code[17];
}

export type StockExchange = 'SZ' | 'SH' | 'BJ';

const STOCK_PATTERNS: Record<StockExchange, RegExp[]> = {
  // SZSE main board (incl. the former SME board), ChiNext, B shares
  SZ: [/^00[0-4]\d{3}$/, /^30[0-2]\d{3}$/, /^200\d{3}$/],
  // SSE main board, STAR market (688, CDRs on 689), B shares
  SH: [/^60[0135]\d{3}$/, /^68[89]\d{3}$/, /^900\d{3}$/],
  // BSE: every listed stock is on 920 since 2025-10-09
  BJ: [/^920\d{3}$/],
};

/** Parses "000001.SZ" into its parts; null when the form or the code's range for that exchange is wrong. */
export function parseStockCode(input: string): { code: string; exchange: StockExchange } | null {
  const match = /^(\d{6})\.(SZ|SH|BJ)$/.exec(input);
  if (!match) return null;
  const code = match[1]!;
  const exchange = match[2] as StockExchange;
  return STOCK_PATTERNS[exchange].some((p) => p.test(code)) ? { code, exchange } : null;
}

export function formatStockCode(code: string | null, exchange: StockExchange | null): string | null {
  return code && exchange ? `${code}.${exchange}` : null;
}
