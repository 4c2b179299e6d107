// The differences between two versions of a rule's text, line by line (条文对照): a pure function, no I/O.

export type LineChangeKind = 'UNCHANGED' | 'ADDED' | 'REMOVED';

export interface LineChange {
  kind: LineChangeKind;
  text: string;
  /** 1-based line number in the old text (UNCHANGED, REMOVED), or null. */
  oldLine: number | null;
  /** 1-based line number in the new text (UNCHANGED, ADDED), or null. */
  newLine: number | null;
}

/** Above this many cells the middle part is shown as removed-then-added instead of aligned (bounded work per request). */
const MAX_CELLS = 4_000_000;

function splitLines(text: string): string[] {
  return text === '' ? [] : text.replace(/\r\n?/g, '\n').split('\n');
}

/**
 * A shortest line diff (longest common subsequence) from `before` to `after`, in reading order: unchanged lines, and
 * where they differ the removed lines before the added ones.
 */
export function lineDiff(before: string, after: string): LineChange[] {
  const a = splitLines(before);
  const b = splitLines(after);
  const out: LineChange[] = [];
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) {
    out.push({ kind: 'UNCHANGED', text: a[start]!, oldLine: start + 1, newLine: start + 1 });
    start++;
  }
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  const middle: LineChange[] = [];
  if (n * m > MAX_CELLS) {
    for (let i = 0; i < n; i++) middle.push({ kind: 'REMOVED', text: a[start + i]!, oldLine: start + i + 1, newLine: null });
    for (let j = 0; j < m; j++) middle.push({ kind: 'ADDED', text: b[start + j]!, oldLine: null, newLine: start + j + 1 });
  } else if (n > 0 || m > 0) {
    // lcs[i][j]: length of the LCS of a[start+i..] and b[start+j..].
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] = a[start + i] === b[start + j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    const removed: LineChange[] = [];
    const added: LineChange[] = [];
    const flush = () => {
      middle.push(...removed.splice(0), ...added.splice(0));
    };
    while (i < n || j < m) {
      if (i < n && j < m && a[start + i] === b[start + j]) {
        flush();
        middle.push({ kind: 'UNCHANGED', text: a[start + i]!, oldLine: start + i + 1, newLine: start + j + 1 });
        i++;
        j++;
      } else if (j >= m || (i < n && lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
        removed.push({ kind: 'REMOVED', text: a[start + i]!, oldLine: start + i + 1, newLine: null });
        i++;
      } else {
        added.push({ kind: 'ADDED', text: b[start + j]!, oldLine: null, newLine: start + j + 1 });
        j++;
      }
    }
    flush();
  }
  out.push(...middle);
  for (let k = 0; k < a.length - endA; k++) {
    out.push({ kind: 'UNCHANGED', text: a[endA + k]!, oldLine: endA + k + 1, newLine: endB + k + 1 });
  }
  return out;
}
