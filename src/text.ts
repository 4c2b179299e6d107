// Text input hygiene shared by every domain: trimming, control characters, lengths, LIKE escaping.
import { ErrorCollector } from './errors.js';

// C0 controls except tab/newline/carriage return, DEL, C1 controls, and Unicode line/bidi controls.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value);
}

/** Escapes LIKE wildcards so user text matches literally (used with ESCAPE '\'). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

interface TextRule {
  field: string[];
  max: number;
  required?: boolean;
  /** Single-line fields also refuse newlines. */
  multiline?: boolean;
  labelZh: string;
  labelEn: string;
}

/**
 * Trims and checks one text field, adding any problem to the collector.
 * Returns the cleaned value (undefined stays undefined; empty optional text becomes null).
 */
export function cleanText(
  errors: ErrorCollector,
  value: string | null | undefined,
  rule: TextRule,
): string | null | undefined {
  if (value === undefined) {
    if (rule.required) errors.add('REQUIRED', rule.field, { zh: `${rule.labelZh}不能为空`, en: `${rule.labelEn} is required` });
    return undefined;
  }
  const trimmed = value === null ? '' : value.trim();
  if (trimmed.length === 0) {
    if (rule.required) errors.add('REQUIRED', rule.field, { zh: `${rule.labelZh}不能为空`, en: `${rule.labelEn} is required` });
    return null;
  }
  if (hasControlCharacters(trimmed) || (!rule.multiline && /[\r\n\t]/.test(trimmed))) {
    errors.add('INVALID', rule.field, { zh: `${rule.labelZh}含有控制字符`, en: `${rule.labelEn} contains control characters` });
    return trimmed;
  }
  if ([...trimmed].length > rule.max) {
    errors.add('TOO_LONG', rule.field, {
      zh: `${rule.labelZh}不能超过 ${rule.max} 个字符`,
      en: `${rule.labelEn} must be at most ${rule.max} characters`,
    });
  }
  return trimmed;
}
