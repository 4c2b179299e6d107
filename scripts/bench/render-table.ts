// npm run bench:table [-- --summary "what this commit is"]: writes the table of bench/results/latest.json into
// docs/PERFORMANCE.md between <!-- table:start --> and <!-- table:end --> (scenarios, then the domains' entries), so
// the recorded figures are never retyped by hand.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { DomainBenchResult } from './domains.js';
import type { Entry } from './measure.js';
import type { Results } from './report.js';

const { values: args } = parseArgs({ options: { summary: { type: 'string' } } });
const root = new URL('../../', import.meta.url);
const results = JSON.parse(readFileSync(new URL('bench/results/latest.json', root), 'utf8')) as Results;
const docPath = new URL('docs/PERFORMANCE.md', root);

const size = (e: Entry) => (e.statementsBySize ? ` (${Object.entries(e.statementsBySize).map(([k, v]) => `${k}: ${v}`).join(', ')})` : '');
const heap = (e: Entry) => (e.heapBytesPerRequest === null ? '—' : `${e.heapBytesPerRequest}${e.heapGated ? ` (gated, ${e.heapRequests.toLocaleString('en')} req)` : ''}`);
// Results from before issue 25 have no `servers`: everything ran in the bench process then.
const driver = (e: Entry) => `${e.driver}${(e.servers ?? 'in-process') === 'in-process' ? ' (in-process)' : ''}`;
// Byte for byte against the honest floor, deep-equal against the in-process ones; — where the floor answers otherwise.
const sameAnswer = (e: Entry) =>
  e.floorAnswerMatches === null || e.floorAnswerMatches === undefined ? '—' : `${e.floorAnswerMatches ? 'yes' : 'no'}${e.floorAnswerCompared === 'bytes' ? ' (bytes)' : ''}`;
const scenarioRow = (e: Entry) =>
  `| ${e.id} | ${e.name}${e.scale ? ` @ ${e.scale}` : ''} | ${driver(e)} | ${e.statements}${size(e)} (≤${e.statementGate}) | ${e.ratio.toFixed(2)}× (≤${e.ratioGate}×) | ±${e.noise.toFixed(3)} | ${e.apiMedianMs} / ${e.floorMedianMs} | ${e.p50Ms} / ${e.p99Ms} | ${heap(e)} | ${sameAnswer(e)} | ${e.pass ? 'ok' : `MISSED: ${e.failures.join('; ')}`} |`;
const domainRow = (d: DomainBenchResult) =>
  `| ${d.domain} | ${d.name} | ${d.driver} | ${Object.entries(d.figures).map(([k, v]) => `${k} ${v}`).join(', ')} | ${d.gates.map((g) => `${g.pass ? '✔' : '✘'} ${g.name}: ${g.detail}`).join('; ')} |`;

const domains = results.domains ?? [];
const entries = results.scenarios.length + domains.reduce((n, d) => n + d.gates.length, 0);
const missed = results.gatesMissed.length;
const table = [
  `Commit \`${results.commit}\`${results.dirty ? ' (with uncommitted changes)' : ''}${args.summary ? ` (${args.summary})` : ''}, ${results.at.slice(0, 10)}, Node ${results.node}, ${results.machine.cpus} cores, ${Math.round(results.machine.totalMemoryBytes / 2 ** 30)} GiB; \`npm run bench${results.quick ? ' -- --quick' : ''}\` (${results.settings.rounds} rounds of up to ${results.settings.requests} requests, concurrency ${results.settings.concurrency}), ${Math.round(results.elapsedSeconds)} s. All gates met: **${results.allGatesMet ? 'yes' : 'no'}** (${entries - missed} of ${entries} scenario entries and domain gates${missed ? `; missed: ${results.gatesMissed.join(' | ')}` : ''}). \`bench/results/latest.json\` is this run.`,
  '',
  '| # | scenario | driver | statements (gate) | ratio (gate) | noise | API / floor median ms | p50 / p99 ms | heap B/req | same answer | verdict |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...results.scenarios.map(scenarioRow),
  ...(domains.length > 0
    ? ['', 'The domains\' entries (`scripts/bench/<domain>.bench.ts`), on the same app and database after the scenarios:', '', '| domain | entry | driver | figures | gates |', '| --- | --- | --- | --- | --- |', ...domains.map(domainRow)]
    : []),
].join('\n');

const doc = readFileSync(docPath, 'utf8');
const start = doc.indexOf('<!-- table:start -->');
const end = doc.indexOf('<!-- table:end -->');
if (start < 0 || end < start) throw new Error('docs/PERFORMANCE.md has no <!-- table:start --> … <!-- table:end --> markers');
writeFileSync(docPath, `${doc.slice(0, start)}<!-- table:start -->\n${table}\n${doc.slice(end)}`);
console.log(`docs/PERFORMANCE.md: the table of ${results.commit} (${results.scenarios.length} scenario entries, ${domains.length} domain entries)`);
