// The benchmark's outputs: the table on stdout and bench/results/latest.json with a dated copy.
import type { DomainBenchResult } from './domains.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromProjectRoot } from '../../src/project-root.js';
import { HEAP_GATE_BYTES_PER_REQUEST, type Entry, type Settings } from './measure.js';

const RESULTS_DIR = fromProjectRoot('bench', 'results');

/** The checked-out commit, and whether the working tree differs from it (then the figures are not the commit's). */
export function gitRevision(): { commit: string; dirty: boolean } {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit: git('rev-parse', '--short', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

function row(e: Entry): string[] {
  const bySize = e.statementsBySize ? ` (${Object.entries(e.statementsBySize).map(([size, n]) => `${size}:${n}`).join(' ')})` : '';
  return [
    `#${e.id} ${e.name}`,
    e.driver,
    `${e.statements}${bySize}`,
    `≤${e.statementGate}`,
    `${e.ratio.toFixed(2)}×`,
    `≤${e.ratioGate}×`,
    `±${e.noise.toFixed(3)}`,
    e.p50Ms.toFixed(2),
    e.p99Ms.toFixed(2),
    e.heapBytesPerRequest === null ? '—' : `${e.heapBytesPerRequest}${e.heapGated ? '*' : ''}`,
    e.httpErrors ? `${e.graphqlErrors}+${e.httpErrors} http` : String(e.graphqlErrors),
    e.floorAnswerMatches === null ? '—' : `${e.floorAnswerMatches ? 'yes' : 'NO'}${e.floorAnswerCompared === 'bytes' ? ' (bytes)' : ''}`,
    e.pass ? 'ok' : `MISSED: ${e.failures.join('; ')}`,
  ];
}

export function printTable(entries: Entry[], settings: Settings): void {
  const header = ['scenario', 'driver', 'statements', 'gate', 'ratio', 'gate', 'noise', 'p50 ms', 'p99 ms', 'heap B/req', 'errors', 'same answer', 'verdict'];
  const rows = [header, ...entries.map(row)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows.slice(1)) console.log(line(r));
  const heapRun = `${settings.heapRequests.toLocaleString('en')} requests (after ${settings.heapWarmupRequests.toLocaleString('en')} to warm up)`;
  console.log(
    `\nratio: median of the API's round medians over the baseline's (the floor; scenario 6: the same query anonymous); noise: the baseline against itself, |A/A − 1|.` +
      `\np50/p99: at a fixed offered rate of 70 % of the closed-loop throughput, from each request's due time.` +
      `\nheap: growth per API request between forced GCs. * = scenario 1's dedicated run of ${heapRun}, where the gate "near zero" applies as` +
      ` ≤ ${HEAP_GATE_BYTES_PER_REQUEST} B/request, taken on the bench process's app; the other figures span only their rounds and are mostly warm-up and GC noise` +
      ` (— where the API ran in its own process, whose heap is out of reach).` +
      `\nPostgreSQL: the API as \`npm start\` runs it and the honest floor (one prepared statement building the JSON), each in its own process; same answer (bytes): the floor's JSON text of data is the API's data, byte for byte. PGlite (and --in-process): both in the bench process, answers deep-equal.`,
  );
}

/** bench/results/*.json: the fields issue 8 names (node, commit, scenarios[…]) and what a later run needs to compare. */
export interface Results {
  node: string;
  commit: string;
  /** The working tree had uncommitted changes: the figures are not exactly the commit's. */
  dirty: boolean;
  at: string;
  quick: boolean;
  /** --tracing: the API ran with tracing on (spans batched, then dropped). */
  tracing?: boolean;
  machine: { cpus: number; model: string; totalMemoryBytes: number };
  settings: Settings;
  drivers: ({ driver: string; skipped: string } | { driver: string; setupSeconds: number; seconds: number; scale?: { label: string; counts: Record<string, number>; seconds: number } })[];
  elapsedSeconds: number;
  allGatesMet: boolean;
  gatesMissed: string[];
  scenarios: Entry[];
  /** The domains' entries (scripts/bench/domains.ts). */
  domains: DomainBenchResult[];
}

/** Writes latest.json and bench/results/<date>-<commit>.json (with `-tracing` before `.json` for a --tracing run); returns their paths. */
export function writeResults(results: Results): string[] {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const text = `${JSON.stringify(results, null, 2)}\n`;
  const suffix = results.tracing ? '-tracing' : '';
  const paths = [join(RESULTS_DIR, `latest${suffix}.json`), join(RESULTS_DIR, `${results.at.slice(0, 10)}-${results.commit}${suffix}.json`)];
  for (const path of paths) writeFileSync(path, text);
  return paths;
}
