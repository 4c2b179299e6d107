// Text input hygiene shared by every domain: the one text policy (control, invisible and direction characters, lone
// surrogates, piled-up combining marks), trimming, lengths, LIKE escaping. docs/SECURITY.md lists what it refuses.
import { ErrorCollector } from './errors.js';

// C0 controls except tab/newline/carriage return, DEL, C1 controls, and Unicode line/bidi controls.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/**
 * Characters that show nothing or reorder what is shown, so two different strings look alike: soft hyphen, combining
 * grapheme joiner, Arabic letter mark, Hangul fillers, Mongolian vowel separator, zero-width space/joiners and
 * direction marks (U+200B–U+200F), line and paragraph separators (U+2028, U+2029), word joiner and invisible
 * operators (U+2060–U+2064), deprecated format characters (U+206A–U+206F), the byte-order mark, and tag characters
 * (U+E0000–U+E007F). Line breaks in multi-line fields are \n and \r\n only.
 */
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u180E\u200B-\u200F\u2028\u2029\u2060-\u2065\u206A-\u206F\u3164\uFEFF\uFFA0\u{E0000}-\u{E007F}]/u;
/** A UTF-16 surrogate without its pair: not a character at all (the database would store U+FFFD in its place). */
const LONE_SURROGATE = /\p{Cs}/u;
/** More combining marks on one character than any script needs ("Zalgo" text that overflows its line). */
const PILED_MARKS = /\p{M}{5,}/u;

export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value);
}

/** What the text policy refuses in a value, if anything (line breaks and tabs only where `multiline`). */
export function textProblem(value: string, multiline: boolean): 'control' | 'invisible' | 'surrogate' | 'marks' | null {
  if (CONTROL.test(value) || (!multiline && /[\r\n\t]/.test(value))) return 'control';
  if (LONE_SURROGATE.test(value)) return 'surrogate';
  if (INVISIBLE.test(value)) return 'invisible';
  if (PILED_MARKS.test(value)) return 'marks';
  return null;
}

const problemMessages = {
  control: { zh: '含有控制字符', en: 'contains control characters' },
  invisible: { zh: '含有不可见字符或方向控制字符', en: 'contains invisible or direction-changing characters' },
  surrogate: { zh: '含有无效的 Unicode 字符（孤立代理项）', en: 'contains an invalid Unicode character (a lone surrogate)' },
  marks: { zh: '含有过多叠加的组合符号', en: 'piles up too many combining marks on one character' },
} as const;

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
  const problem = textProblem(trimmed, rule.multiline ?? false);
  if (problem) {
    const message = problemMessages[problem];
    errors.add('INVALID', rule.field, { zh: `${rule.labelZh}${message.zh}`, en: `${rule.labelEn} ${message.en}` });
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
