// Chinese + English full-text search without extensions: text is analysed here in JS (Intl.Segmenter words plus
// overlapping Han-character bigrams and single characters), stored as a 'simple' tsvector literal, and queried with a
// tsquery literal built here from the same analysis. PostgreSQL never parses user text, so PGlite (18) and
// PostgreSQL 15 index and match identically, whatever their locale.

/** The segmenter splits 合规 into 合|规 and 反洗钱 into 反|洗钱 (docs/NOTES.md, trap 15): its words only refine ranking. */
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

const HAN = /\p{Script=Han}/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;
/** Runs of Han characters, and runs of other letters, digits and marks (never swallowing a Han character). */
const RUNS = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}\p{M}])+/gu;

/** tsvector positions run 1..16383; later positions wrap around instead of piling up on 16383 (which breaks phrases). */
const MAX_POSITION = 16_383;
/** PostgreSQL keeps at most 256 positions per lexeme. */
const MAX_POSITIONS_PER_LEXEME = 256;
/** Longer "words" (a base64 blob, a URL run together) are not worth indexing. */
const MAX_WORD_LENGTH = 40;
/** Prefix of segmenter-word lexemes, so 合规 as a word is a different lexeme from the bigram 合规 inside 综合规划. */
const WORD_PREFIX = '~';

/** Search text beyond this is ignored (a 5,000-character query is just text, cut short). */
export const MAX_QUERY_LENGTH = 100;
/** At most this many terms (Han runs or other words) from one query. */
export const MAX_QUERY_TERMS = 8;
/** A Han run in a query is cut to this many characters. */
const MAX_QUERY_RUN = 20;

export type Weight = 'A' | 'B' | 'C' | 'D';

/** Full-width letters and digits become ASCII, letters lower case; the text keeps its length in code points mostly. */
export function normalizeForSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

type Emit = (lexeme: string, position: number) => void;

/**
 * Walks a text and reports every lexeme with its position. A Han character takes one position, another word one
 * position; punctuation and spaces take none but break Han runs, so bigrams never straddle them.
 */
function analyze(text: string, startPosition: number, emitGram: Emit, emitWord: Emit): number {
  let position = startPosition;
  let previousHan: string | null = null;
  for (const { segment, isWordLike } of segmenter.segment(normalizeForSearch(text))) {
    if (!isWordLike) {
      previousHan = null;
      continue;
    }
    // A word-like segment is normally all Han or all other letters/digits; split any mixture into runs.
    for (const run of segment.match(RUNS) ?? []) {
      if (HAN.test(run)) {
        emitWord(WORD_PREFIX + run, position);
        for (const char of run) {
          emitGram(char, position);
          if (previousHan !== null) emitGram(previousHan + char, position - 1);
          previousHan = char;
          position += 1;
        }
      } else {
        previousHan = null;
        if ([...run].length <= MAX_WORD_LENGTH) emitGram(run, position);
        position += 1;
      }
    }
    if (!HAN.test([...segment].at(-1) ?? '')) previousHan = null;
  }
  return position;
}

/** Quotes a lexeme for the tsvector / tsquery input syntax. */
function quoteLexeme(lexeme: string): string {
  return `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

export interface SearchField {
  text: string | null | undefined;
  weight: Weight;
}

/**
 * The tsvector literal of a document's fields (title A, summary B, ...): every lexeme with its positions and weights.
 * Stored with `::tsvector`; PostgreSQL only parses the literal, it never tokenizes.
 */
export function buildSearchVector(fields: SearchField[]): string {
  const lexemes = new Map<string, Map<number, Weight>>();
  let position = 1;
  for (const field of fields) {
    if (!field.text) continue;
    const add: Emit = (lexeme, raw) => {
      const wrapped = ((raw - 1) % MAX_POSITION) + 1;
      let positions = lexemes.get(lexeme);
      if (!positions) lexemes.set(lexeme, (positions = new Map()));
      const existing = positions.get(wrapped);
      // Keep the heaviest weight when a wrapped position collides (A > B > C > D).
      if (existing === undefined || field.weight < existing) positions.set(wrapped, field.weight);
    };
    position = analyze(field.text, position, add, add) + 2;
  }
  const parts: string[] = [];
  for (const [lexeme, positions] of [...lexemes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const list = [...positions]
      .sort(([a], [b]) => a - b)
      .slice(0, MAX_POSITIONS_PER_LEXEME)
      .map(([p, w]) => `${p}${w === 'D' ? '' : w}`);
    parts.push(`${quoteLexeme(lexeme)}:${list.join(',')}`);
  }
  return parts.join(' ');
}

/** One thing the searcher typed: a run of Han characters, or another word (English, digits). */
export interface QueryTerm {
  kind: 'han' | 'word';
  /** Normalized text of the term, as it is looked for in documents. */
  text: string;
  /** For Han runs: the segmenter's words, in order. */
  words: string[];
}

export interface ParsedQuery {
  terms: QueryTerm[];
  /** Every term must match: Han runs as adjacent bigrams (`<->`), words as lexemes. Null when nothing is searchable. */
  matchQuery: string | null;
  /** Segmenter words of each Han run at their distances: documents that segment the same way rank higher. */
  boostQuery: string | null;
}

/** Strips control characters and caps the length; what is left is only ever data, never syntax. */
export function cleanQueryText(search: string): string {
  return [...search.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, ' ')].slice(0, MAX_QUERY_LENGTH).join('').trim();
}

/** Analyses a search string exactly as documents are analysed and builds the tsquery literals. */
export function parseSearchQuery(search: string): ParsedQuery {
  const terms: QueryTerm[] = [];
  let current: QueryTerm | null = null;
  for (const { segment, isWordLike } of segmenter.segment(normalizeForSearch(cleanQueryText(search)))) {
    if (!isWordLike) {
      current = null;
      continue;
    }
    for (const run of segment.match(RUNS) ?? []) {
      if (HAN.test(run)) {
        if (current?.kind !== 'han') {
          current = { kind: 'han', text: '', words: [] };
          terms.push(current);
        }
        current.text += run;
        current.words.push(run);
      } else {
        current = null;
        if ([...run].length <= MAX_WORD_LENGTH) terms.push({ kind: 'word', text: run, words: [run] });
      }
    }
    if (!HAN.test([...segment].at(-1) ?? '')) current = null;
  }

  const unique: QueryTerm[] = [];
  for (const term of terms) {
    if (term.kind === 'han' && [...term.text].length > MAX_QUERY_RUN) {
      term.text = [...term.text].slice(0, MAX_QUERY_RUN).join('');
      const kept: string[] = [];
      let length = 0;
      for (const word of term.words) {
        if (length + [...word].length > MAX_QUERY_RUN) break;
        kept.push(word);
        length += [...word].length;
      }
      term.words = kept;
    }
    if (!unique.some((u) => u.kind === term.kind && u.text === term.text)) unique.push(term);
  }
  const kept = unique.slice(0, MAX_QUERY_TERMS);
  if (kept.length === 0) return { terms: [], matchQuery: null, boostQuery: null };

  const match = kept.map((term) => {
    if (term.kind === 'word') return quoteLexeme(term.text);
    const chars = [...term.text];
    if (chars.length === 1) return quoteLexeme(chars[0]!);
    const bigrams = chars.slice(1).map((c, i) => quoteLexeme(chars[i]! + c));
    return bigrams.length === 1 ? bigrams[0]! : `(${bigrams.join(' <-> ')})`;
  });
  const boosts = kept
    .filter((term) => term.kind === 'han' && term.words.length > 0)
    .map((term) => {
      let out = quoteLexeme(WORD_PREFIX + term.words[0]!);
      for (let i = 1; i < term.words.length; i++) {
        out += ` <${[...term.words[i - 1]!].length}> ${quoteLexeme(WORD_PREFIX + term.words[i]!)}`;
      }
      return term.words.length > 1 ? `(${out})` : out;
    });
  return {
    terms: kept,
    matchQuery: match.join(' & '),
    boostQuery: boosts.length > 0 ? boosts.join(' | ') : null,
  };
}

// ---------------------------------------------------------------------------------------------- highlighted excerpts

export interface ExcerptFragment {
  text: string;
  highlighted: boolean;
}

export interface Excerpt {
  fragments: ExcerptFragment[];
}

/** Markdown reduced to readable text for an excerpt: no heading marks, emphasis, link targets, table pipes. */
export function plainTextOfMarkdown(markdown: string): string {
  return markdown
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}#{1,6}\s+/gm, '')
    .replace(/^\s{0,3}>\s?/gm, '')
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+/gm, '')
    .replace(/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/gm, ' ')
    .replace(/\|/g, ' ')
    .replace(/(\*\*|__|\*|`|~~)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Where the query's terms stand in a text, as [start, end) code-unit ranges of the original text, merged. */
export function findMatches(text: string, terms: QueryTerm[]): [number, number][] {
  // Positions in the normalized text map back to the original one to one when normalizing kept the length (the
  // usual case); otherwise normalize per code point, remembering where each normalized code unit came from.
  let normalized = normalizeForSearch(text);
  let origin: number[] | null = null;
  if (normalized.length !== text.length) {
    normalized = '';
    origin = [];
    for (let i = 0; i < text.length; ) {
      const char = String.fromCodePoint(text.codePointAt(i)!);
      const norm = normalizeForSearch(char);
      for (let k = 0; k < norm.length; k++) origin.push(i);
      normalized += norm;
      i += char.length;
    }
    origin.push(text.length);
  }
  const at = (index: number) => (origin ? origin[index] ?? text.length : index);
  const ranges: [number, number][] = [];
  for (const term of terms) {
    if (!term.text) continue;
    for (let found = normalized.indexOf(term.text); found !== -1; found = normalized.indexOf(term.text, found + 1)) {
      const end = found + term.text.length;
      if (term.kind === 'word') {
        // A word matches whole: "aml" not inside "camlock", "17" not inside "2017".
        const before = String.fromCodePoint(normalized.codePointAt(found - 1) ?? 32);
        const after = String.fromCodePoint(normalized.codePointAt(end) ?? 32);
        if ((WORD_CHAR.test(before) && !HAN.test(before)) || (WORD_CHAR.test(after) && !HAN.test(after))) continue;
      }
      ranges.push([at(found), at(end)]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([...range]);
  }
  return merged;
}

/**
 * A window of about `size` characters around the densest group of matches, cut into highlighted and plain fragments.
 * Null when the text holds none of the terms.
 */
export function buildExcerpt(text: string, terms: QueryTerm[], size = 120): Excerpt | null {
  const matches = findMatches(text, terms);
  if (matches.length === 0) return null;
  const lead = Math.floor(size / 4);
  // The window (starting a little before some match) that holds the most matches; matches are sorted and disjoint.
  let best = { start: 0, count: -1 };
  let last = 0;
  for (let first = 0; first < matches.length; first++) {
    const start = Math.max(0, matches[first]![0] - lead);
    last = Math.max(last, first);
    while (last + 1 < matches.length && matches[last + 1]![1] <= start + size) last++;
    const count = matches[first]![1] <= start + size ? last - first + 1 : 0;
    if (count > best.count) best = { start, count };
  }
  // Near the end of a short text, show the whole window rather than a lead-in cut mid-sentence.
  let end = Math.min(text.length, best.start + size);
  let start = Math.max(0, end - size);
  // Never cut a match or a surrogate pair in two.
  for (const [a, b] of matches) {
    if (a < end && b > end) end = b;
    if (a < start && b > start) start = a;
  }
  if (start > 0 && /[\uDC00-\uDFFF]/.test(text[start]!)) start -= 1;
  if (end < text.length && /[\uDC00-\uDFFF]/.test(text[end]!)) end += 1;
  const fragments: ExcerptFragment[] = [];
  const push = (piece: string, highlighted: boolean) => {
    if (piece) fragments.push({ text: piece, highlighted });
  };
  if (start > 0) push('…', false);
  let cursor = start;
  for (const [a, b] of matches) {
    if (b <= start || a >= end) continue;
    push(text.slice(cursor, a), false);
    push(text.slice(a, b), true);
    cursor = b;
  }
  push(text.slice(cursor, end), false);
  if (end < text.length) push('…', false);
  // Adjacent plain fragments (the ellipsis and its neighbour) read better as one.
  const joined: ExcerptFragment[] = [];
  for (const f of fragments) {
    const last = joined.at(-1);
    if (last && last.highlighted === f.highlighted) last.text += f.text;
    else joined.push({ ...f });
  }
  return { fragments: joined };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The excerpt as safe HTML: every character escaped, matches wrapped in <mark>. */
export function excerptHtml(excerpt: Excerpt): string {
  return excerpt.fragments
    .map((f) => {
      const escaped = f.text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
      return f.highlighted ? `<mark>${escaped}</mark>` : escaped;
    })
    .join('');
}

export function excerptText(excerpt: Excerpt): string {
  return excerpt.fragments.map((f) => f.text).join('');
}
