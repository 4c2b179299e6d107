// Chinese + English full-text search without extensions: text is analysed here in JS (Intl.Segmenter words plus
// overlapping Han-character bigrams and single characters), stored as a 'simple' tsvector literal, and queried with a
// tsquery literal built here from the same analysis. PostgreSQL never parses user text, so PGlite (18) and
// PostgreSQL 15 index and match identically, whatever their locale.
//
// Punctuation (《》“”、，。·：；（） and their ASCII and full-width forms) is transparent: it takes no position and does
// not break a Han run, so 新《证券法》 indexes the bigrams of 新证券法 and the query 新证券法 (or 新《证券法》) finds it.
// Whitespace and other symbols break runs. A query is split at whitespace into words; a document matches when it
// matches any word, and ranks by how many words it matches, then by where (title above body). Each term of a query
// is expanded in the search statement itself with the rows of search_synonyms (AML → 反洗钱, 证卷 → 证券, ...).
import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { searchSynonymsTable } from './policies.table.js';

/** The segmenter splits 合规 into 合|规 and 反洗钱 into 反|洗钱 (docs/NOTES.md, trap 15): its words only refine ranking. */
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

const HAN = /\p{Script=Han}/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;
/** A segment of punctuation only: it neither takes a position nor breaks a Han run. */
const TRANSPARENT = /^\p{P}+$/u;
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
 * position; punctuation takes none and is transparent (bigrams span it: 新《证券法》 holds 新证); whitespace and other
 * symbols take none but break Han runs, so bigrams never straddle them.
 */
function analyze(text: string, startPosition: number, emitGram: Emit, emitWord: Emit): number {
  let position = startPosition;
  let previousHan: string | null = null;
  for (const { segment, isWordLike } of segmenter.segment(normalizeForSearch(text))) {
    if (!isWordLike) {
      if (!TRANSPARENT.test(segment)) previousHan = null;
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
  /** Which whitespace-separated word of the query the term belongs to (0-based, after dropping empty ones). */
  group: number;
  /** The texts a synonym's variant is compared with: the term itself and, for a word, runs of adjacent words with it. */
  phrases: string[];
}

export interface ParsedQuery {
  terms: QueryTerm[];
  /** The tsquery of each whitespace-separated word of the query (its terms together), before synonym expansion. */
  groupQueries: string[];
  /**
   * A document matches when it matches any word of the query (`|`); inside a word every term must match: Han runs as
   * adjacent bigrams (`<->`), other words as lexemes (`&`). Before synonym expansion. Null when nothing is searchable.
   */
  matchQuery: string | null;
  /** Segmenter words of each Han run at their distances: documents that segment the same way rank higher. */
  boostQuery: string | null;
}

/** Strips control characters and caps the length; what is left is only ever data, never syntax. */
export function cleanQueryText(search: string): string {
  return [...search.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, ' ')].slice(0, MAX_QUERY_LENGTH).join('').trim();
}

/** The terms of one whitespace-free chunk of a query; punctuation inside it is transparent, other symbols split runs. */
function termsOfChunk(chunk: string, group: number): QueryTerm[] {
  const terms: QueryTerm[] = [];
  let current: QueryTerm | null = null;
  for (const { segment, isWordLike } of segmenter.segment(chunk)) {
    if (!isWordLike) {
      if (!TRANSPARENT.test(segment)) current = null;
      continue;
    }
    for (const run of segment.match(RUNS) ?? []) {
      if (HAN.test(run)) {
        if (current?.kind !== 'han') {
          current = { kind: 'han', text: '', words: [], group, phrases: [] };
          terms.push(current);
        }
        current.text += run;
        current.words.push(run);
      } else {
        current = null;
        if ([...run].length <= MAX_WORD_LENGTH) terms.push({ kind: 'word', text: run, words: [run], group, phrases: [] });
      }
    }
    if (!HAN.test([...segment].at(-1) ?? '')) current = null;
  }
  return terms;
}

/** The tsquery literal of one term: a Han run as its bigrams in a row, a single Han character or a word as itself. */
export function termQuery(term: Pick<QueryTerm, 'kind' | 'text'>): string {
  if (term.kind === 'word') return quoteLexeme(term.text);
  const chars = [...term.text];
  if (chars.length === 1) return quoteLexeme(chars[0]!);
  const bigrams = chars.slice(1).map((c, i) => quoteLexeme(chars[i]! + c));
  return bigrams.length === 1 ? bigrams[0]! : `(${bigrams.join(' <-> ')})`;
}

/** Adjacent words of a query joined by one space (up to four), so "anti-money laundering" can meet its synonym. */
const MAX_PHRASE_WORDS = 4;

/** Analyses a search string exactly as documents are analysed and builds the tsquery literals. */
export function parseSearchQuery(search: string): ParsedQuery {
  const chunks = normalizeForSearch(cleanQueryText(search)).split(/\s+/u).filter(Boolean);
  const terms: QueryTerm[] = [];
  let group = 0;
  for (const chunk of chunks) {
    const found = termsOfChunk(chunk, group);
    if (found.length > 0) {
      terms.push(...found);
      group += 1;
    }
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
  if (kept.length === 0) return { terms: [], groupQueries: [], matchQuery: null, boostQuery: null };
  // Renumber the groups that kept a term: 0, 1, 2, ... in query order.
  const groupIds = [...new Set(kept.map((t) => t.group))];
  for (const term of kept) term.group = groupIds.indexOf(term.group);
  for (let i = 0; i < kept.length; i++) {
    const term = kept[i]!;
    const phrases = new Set([term.text]);
    if (term.kind === 'word') {
      for (let from = Math.max(0, i - MAX_PHRASE_WORDS + 1); from <= i; from++) {
        for (let to = i; to < Math.min(kept.length, from + MAX_PHRASE_WORDS); to++) {
          const run = kept.slice(from, to + 1);
          if (run.length > 1 && run.every((t) => t.kind === 'word')) phrases.add(run.map((t) => t.text).join(' '));
        }
      }
    }
    term.phrases = [...phrases];
  }

  const groupQueries = groupIds.map((_, g) => {
    const parts = kept.filter((t) => t.group === g).map(termQuery);
    return parts.length === 1 ? parts[0]! : `(${parts.join(' & ')})`;
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
    groupQueries,
    matchQuery: groupQueries.length === 1 ? groupQueries[0]! : groupQueries.join(' | '),
    boostQuery: boosts.length > 0 ? boosts.join(' | ') : null,
  };
}

// ---------------------------------------------------------------------------------------------- SQL of a search

/**
 * The tsquery text of one term with its synonyms, as SQL evaluated once per statement (an uncorrelated subquery):
 * the term's own query, or'ed with the canonical query of every synonym whose variant is the term (or a phrase of
 * adjacent words holding it), and, for a Han run, with the bigram phrase of the run after replacing each Han variant
 * it contains by its Han canonical (证卷法 → 证券法). Han text needs no quoting inside a lexeme.
 */
function expandedTermSql(term: QueryTerm): SQL {
  const s = searchSynonymsTable;
  const phrases = sql.join(
    term.phrases.map((p) => sql`${p}`),
    sql`, `,
  );
  const own = termQuery(term);
  const byPhrase = sql`select ${s.canonicalQuery} as alt from ${s} where ${s.variant} = any(array[${phrases}]::text[])`;
  if (term.kind === 'word') {
    return sql`(select ${own}::text || coalesce(string_agg(' | ' || x.alt, '' order by x.alt), '') from (${byPhrase}) x)`;
  }
  // Han runs: the run with each Han variant replaced, as bigrams in a row (a single character as itself).
  const replaced = sql`select replace(${term.text}::text, ${s.variant}, ${s.canonical}) as r from ${s}
    where strpos(${term.text}::text, ${s.variant}) > 0 and ${s.variant} ~ '^[^ -~]+$' and ${s.canonical} ~ '^[^ -~]+$'`;
  const phrase = sql`(select case when char_length(y.r) < 2 then chr(39) || y.r || chr(39) else
      '(' || string_agg(chr(39) || substr(y.r, g, 2) || chr(39), ' <-> ' order by g) || ')' end
    from generate_series(1, greatest(char_length(y.r) - 1, 1)) g)`;
  return sql`(select ${own}::text || coalesce(string_agg(' | ' || x.alt, '' order by x.alt), '') from (
    ${byPhrase} union select ${phrase} as alt from (${replaced}) y) x)`;
}

/** The tsquery of one whitespace-separated word of the query (all its terms), synonyms included. */
function groupSql(query: ParsedQuery, group: number): SQL {
  const parts = query.terms.filter((t) => t.group === group).map((t) => sql`'(' || ${expandedTermSql(t)} || ')'`);
  return sql`(${sql.join(parts, sql` || ' & ' || `)})::tsquery`;
}

/** The whole query with synonyms: any word of it. */
function matchSql(query: ParsedQuery): SQL {
  const groups = query.groupQueries.map((_, g) => sql`'(' || (${groupSql(query, g)})::text || ')'`);
  return sql`(${sql.join(groups, sql` || ' | ' || `)})::tsquery`;
}

/** `vector` matches the query (any of its words, synonyms included). Null when nothing in the query is searchable. */
export function searchMatches(vector: SQL | AnyColumn, query: ParsedQuery): SQL | null {
  if (!query.matchQuery) return null;
  return sql`${vector} @@ ${matchSql(query)}`;
}

/**
 * The texts the query's synonyms stood for (反洗钱 for AML, 证券法 for 证卷法), as a text[] column of the search
 * statement, so that excerpts highlight them too (see `expansionTerms`).
 */
export function searchExpansions(query: ParsedQuery): SQL {
  const s = searchSynonymsTable;
  const parts: SQL[] = [];
  const phrases = [...new Set(query.terms.flatMap((t) => t.phrases))];
  if (phrases.length > 0) {
    parts.push(sql`select ${s.canonical} as e from ${s} where ${s.variant} = any(array[${sql.join(phrases.map((p) => sql`${p}`), sql`, `)}]::text[])`);
  }
  for (const term of query.terms.filter((t) => t.kind === 'han')) {
    parts.push(sql`select replace(${term.text}::text, ${s.variant}, ${s.canonical}) as e from ${s}
      where strpos(${term.text}::text, ${s.variant}) > 0 and ${s.variant} ~ '^[^ -~]+$' and ${s.canonical} ~ '^[^ -~]+$'`);
  }
  if (parts.length === 0) return sql`'{}'::text[]`;
  return sql`(select coalesce(array_agg(distinct z.e order by z.e), '{}'::text[]) from (${sql.join(parts, sql` union `)}) z)`;
}

/** Expansion texts (from `searchExpansions`) as terms an excerpt can highlight. */
export function expansionTerms(expansions: readonly string[]): Pick<QueryTerm, 'kind' | 'text'>[] {
  return expansions.map((text) => ({ kind: HAN.test(text) ? 'han' : 'word', text }));
}

const RANK_WEIGHTS = sql.raw(`'{0.1, 0.2, 0.4, 1.0}'::real[]`);

/**
 * Relevance: how many words of the query the document matches (the integer part), then where and how well (the
 * fraction: ts_rank with title A above body D, scaled into [0, 1) by rank / (rank + 1), averaged with the bonus for
 * documents whose own segmentation agrees with the query's). Ties are broken by the caller's id order.
 */
export function searchRank(vector: SQL | AnyColumn, query: ParsedQuery): SQL {
  const words = query.groupQueries.map((_, g) => sql`(${vector} @@ ${groupSql(query, g)})::int`);
  const match = sql`ts_rank(${RANK_WEIGHTS}, ${vector}, ${matchSql(query)}, 32)`;
  const boost = query.boostQuery ? sql`ts_rank(${RANK_WEIGHTS}, ${vector}, ${query.boostQuery}::tsquery, 32)` : sql`0`;
  return sql`((${sql.join(words, sql` + `)}) + (${match} + ${boost}) / 2)::real`;
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

/**
 * Where the query's terms (and any extra texts, such as the synonyms a search used) stand in a text, as [start, end)
 * code-unit ranges of the original text, merged. Han terms are looked for with punctuation skipped, as they are
 * indexed (新证券法 highlights 新《证券法); words match whole ("aml" not inside "camlock", "17" not inside "2017").
 */
export function findMatches(text: string, terms: Pick<QueryTerm, 'kind' | 'text'>[]): [number, number][] {
  // The normalized text, code unit by code unit, with where each unit came from in the original.
  let normalized = '';
  const from: number[] = [];
  const to: number[] = [];
  // The same without punctuation: `kept` holds the index in `normalized` of each unit of `squeezed`.
  let squeezed = '';
  const kept: number[] = [];
  for (let i = 0; i < text.length; ) {
    const char = String.fromCodePoint(text.codePointAt(i)!);
    const norm = normalizeForSearch(char);
    const punctuation = TRANSPARENT.test(norm);
    for (let k = 0; k < norm.length; k++) {
      if (!punctuation) {
        kept.push(normalized.length);
        squeezed += norm[k];
      }
      from.push(i);
      to.push(i + char.length);
      normalized += norm[k];
    }
    i += char.length;
  }
  const ranges: [number, number][] = [];
  for (const term of terms) {
    if (!term.text) continue;
    if (term.kind === 'han') {
      for (let found = squeezed.indexOf(term.text); found !== -1; found = squeezed.indexOf(term.text, found + 1)) {
        ranges.push([from[kept[found]!]!, to[kept[found + term.text.length - 1]!]!]);
      }
      continue;
    }
    for (let found = normalized.indexOf(term.text); found !== -1; found = normalized.indexOf(term.text, found + 1)) {
      const end = found + term.text.length;
      const before = String.fromCodePoint(normalized.codePointAt(found - 1) ?? 32);
      const after = String.fromCodePoint(normalized.codePointAt(end) ?? 32);
      if ((WORD_CHAR.test(before) && !HAN.test(before)) || (WORD_CHAR.test(after) && !HAN.test(after))) continue;
      ranges.push([from[found]!, to[end - 1]!]);
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
export function buildExcerpt(text: string, terms: Pick<QueryTerm, 'kind' | 'text'>[], size = 120): Excerpt | null {
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
