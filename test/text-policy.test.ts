// The one text policy (src/text.ts cleanText): every refused class of character, in one-line and multi-line fields,
// and what stays allowed (Chinese text, emoji, accents, line breaks where multi-line).
import { describe, expect, it } from 'vitest';
import { ErrorCollector } from '../src/errors.js';
import { cleanText, textProblem } from '../src/text.js';

function check(value: string, multiline = false) {
  const errors = new ErrorCollector();
  const cleaned = cleanText(errors, value, { field: ['input', 'title'], max: 200, multiline, labelZh: '标题', labelEn: 'title' });
  return { cleaned, errors: errors.errors };
}

const refusedEverywhere: [string, string][] = [
  ['NUL', '\u0000'],
  ['BEL', '\u0007'],
  ['DEL', '\u007F'],
  ['C1 control', '\u0085'],
  ['soft hyphen', '\u00AD'],
  ['combining grapheme joiner', '\u034F'],
  ['Arabic letter mark', '\u061C'],
  ['Hangul choseong filler', '\u115F'],
  ['Mongolian vowel separator', '\u180E'],
  ['zero-width space', '\u200B'],
  ['zero-width non-joiner', '\u200C'],
  ['zero-width joiner', '\u200D'],
  ['left-to-right mark', '\u200E'],
  ['right-to-left mark', '\u200F'],
  ['line separator', '\u2028'],
  ['paragraph separator', '\u2029'],
  ['right-to-left override', '\u202E'],
  ['word joiner', '\u2060'],
  ['invisible times', '\u2062'],
  ['invisible plus', '\u2064'],
  ['first strong isolate', '\u2068'],
  ['Hangul filler', '\u3164'],
  ['byte-order mark inside', '\uFEFF'],
  ['halfwidth Hangul filler', '\uFFA0'],
  ['tag character', '\u{E0041}'],
  ['cancel tag', '\u{E007F}'],
  ['lone high surrogate', '\uD800'],
  ['lone low surrogate', '\uDC00'],
  ['five combining marks on one letter', 'e\u0301\u0302\u0303\u0304\u0305'],
];

describe('the text policy', () => {
  it.for(refusedEverywhere)('refuses %s in a one-line field and in a multi-line field, with an INVALID userError', ([, ch]) => {
    for (const multiline of [false, true]) {
      const { errors } = check(`证券${ch}公司`, multiline);
      expect(errors, JSON.stringify(ch)).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'title'] });
      expect(errors[0]!.message.en).toMatch(/^title (contains|piles)/);
    }
  });

  it('refuses line breaks and tabs in a one-line field, keeps them in a multi-line one', () => {
    for (const ch of ['\n', '\r\n', '\t']) {
      expect(check(`第一行${ch}第二行`).errors.map((e) => e.code)).toEqual(['INVALID']);
      expect(check(`第一行${ch}第二行`, true)).toEqual({ cleaned: `第一行${ch}第二行`, errors: [] });
    }
  });

  it('allows what real text holds: Chinese with full-width punctuation, accents, a few combining marks, emoji, surrogate pairs', () => {
    for (const text of ['深圳市证券业协会（深证协）：“行稳致远·专业赋能”。', 'Société Générale', 'e\u0301\u0302', '👍 好评', '𠀋𡈽 (CJK Extension B)', 'Ａ股・Ｈ股']) {
      expect(check(text)).toEqual({ cleaned: text, errors: [] });
      expect(textProblem(text, false)).toBeNull();
    }
  });

  it('names the problem in both languages', () => {
    expect(check('a\u200Bb').errors[0]!.message).toEqual({ zh: '标题含有不可见字符或方向控制字符', en: 'title contains invisible or direction-changing characters' });
    expect(check('a\uD800b').errors[0]!.message.en).toBe('title contains an invalid Unicode character (a lone surrogate)');
  });
});
