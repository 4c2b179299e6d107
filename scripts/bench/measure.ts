// Measures one scenario on one driver: SQL statements in-process, the API's answer against the floor's, then the API
// against its baseline over HTTP in alternating rounds, latency at a fixed offered rate, and heap growth.
import type { TokenVerifier } from '../../src/auth/tokens.js';
import type { Viewer } from '../../src/auth/viewer.js';
import type { Config } from '../../src/config.js';
import { type Database } from '../../src/db/client.js';
import { countStatements } from '../../src/db/instrumentation.js';
import type { Context } from '../../src/graphql/context.js';
import type { Logger } from '../../src/logger.js';
import type { App } from '../../src/server/app.js';
import { documentLimitsFromConfig } from '../../src/server/limits.js';
import { createViewerResolver } from '../../src/auth/authenticate.js';
import type { Scenario, Variables } from '../bench-scenarios.js';
import type { Driver } from './databases.js';
import { median, percentile, type LoadGenerator, type LoadResult } from './load.js';

export interface Settings {
  rounds: number;
  /** Requests per round and side (at most, with `roundSeconds`). */
  requests: number;
  /**
   * When set, a round has as many requests as the API serves in about this long (measured in the first warm-up
   * round), between MIN_REQUESTS_PER_ROUND and `requests`: slow scenarios get fewer requests, not longer rounds.
   */
  roundSeconds?: number;
  /** Connections (requests in flight), the same for both sides. */
  concurrency: number;
  warmupRounds: number;
  /** Requests of the dedicated heap run (scenario 1), and of its warm-up: V8 keeps compiling for thousands. */
  heapRequests: number;
  heapWarmupRequests: number;
  /** Length of the fixed-rate run that gives p50 and p99, and the fewest samples it takes. */
  latencySeconds: number;
  latencyMinSamples: number;
}

/** "Near zero" heap growth per request, as a number. */
export const HEAP_GATE_BYTES_PER_REQUEST = 64;
/** The fixed offered rate, as a share of the scenario's closed-loop throughput: loaded, but not saturated. */
const OFFERED_SHARE_OF_THROUGHPUT = 0.7;
const MIN_REQUESTS_PER_ROUND = 8;
/** The scenario whose heap growth is measured over `heapRequests` requests, where the heap gate applies. */
const HEAP_RUN_SCENARIO = '1';

/**
 * The heap-run scenario goes last, so that the code it shares with the others is compiled and warm before its heap is
 * measured: code and type feedback growing while V8 optimizes is not a leak, yet takes thousands of requests to settle.
 */
export function measurementOrder(scenarios: readonly Scenario[]): Scenario[] {
  return [...scenarios.filter((s) => s.key !== HEAP_RUN_SCENARIO), ...scenarios.filter((s) => s.key === HEAP_RUN_SCENARIO)];
}

/** One driver's running app, floor server and load generator. */
export interface Bench {
  driver: Driver;
  settings: Settings;
  config: Config;
  logger: Logger;
  database: Database;
  app: App;
  verifier: TokenVerifier;
  load: LoadGenerator;
  apiUrl: string;
  /** The floor server's address; each scenario's floor answers at /<key>. */
  floorUrl: string;
  /** The Authorization header of the scenario's token. */
  authorization(scenario: Scenario): Promise<string | undefined>;
}

export interface Entry {
  id: number;
  name: string;
  driver: Driver;
  /** null at the demo's size; the sizes reached when scaled. */
  scale: string | null;
  /** 'floor': the hand-written handler; 'anonymous': the same query without a token (scenario 6). */
  baseline: 'floor' | 'anonymous';
  statements: number;
  statementGate: number;
  statementsBySize?: Record<string, number>;
  /** Median of the API's round medians over the baseline's. */
  ratio: number;
  ratioGate: number;
  /** The A/A band as a fraction: |baseline-vs-baseline ratio − 1| (0.05 means the baseline differed from itself by 5 %). */
  noise: number;
  apiMedianMs: number;
  floorMedianMs: number;
  requestsPerRound: number;
  /** At `offeredRatePerSecond` (70 % of the closed-loop throughput), latency from each request's due time. */
  p50Ms: number;
  p99Ms: number;
  offeredRatePerSecond: number;
  latencySamples: number;
  /** Heap growth after a forced GC over `heapRequests` API requests, divided by them. */
  heapBytesPerRequest: number;
  heapRequests: number;
  /** Whether the heap gate applies: to the dedicated long run only; over a few rounds GC noise dominates. */
  heapGated: boolean;
  /** API answers with GraphQL errors (HTTP 200 with `errors`), over HTTP and in-process. */
  graphqlErrors: number;
  /** Non-200 answers and failed requests, on either side. */
  httpErrors: number;
  /** The API's `data` deep-equals the floor's answer; null where the floor answers something else by design. */
  floorAnswerMatches: boolean | null;
  floorAnswerDifference?: string;
  pass: boolean;
  failures: string[];
  /** Wall time this entry took to measure. */
  seconds: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Heap growth is measured between forced collections, which need node --expose-gc. */
export function checkGcExposed(): void {
  if (!globalThis.gc) throw new Error('heap growth needs --expose-gc: run `npm run bench` (node --expose-gc --import tsx scripts/bench.ts)');
}

/** Heap in use after full collections (twice, with finalizers run in between). */
async function settledHeapBytes(): Promise<number> {
  globalThis.gc!();
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc!();
  return process.memoryUsage().heapUsed;
}

/** The context app.ts builds for an HTTP request, for in-process execution. */
export function contextFor(bench: Bench, viewer: Viewer): Context {
  const limits = documentLimitsFromConfig(bench.config);
  return {
    viewer,
    db: bench.database.db,
    locale: 'zh',
    logger: bench.logger,
    requestId: 'bench',
    principal: viewer.role === 'ANONYMOUS' ? 'ip:127.0.0.1' : `sub:${viewer.subject}`,
    complexityLimit: { complexity: limits.maxComplexity, depth: limits.maxDepth },
  };
}

/**
 * Statements of one request as the app serves it: the viewer's lookups from the token (cold: a fresh resolver, so a
 * member token's organization lookup is counted although the app remembers it), then the operation.
 */
async function countRequest(bench: Bench, scenario: Scenario, variables: Variables, authorization: string | undefined) {
  const { count, result } = await countStatements(async () => {
    const viewer = await createViewerResolver(bench.verifier, bench.database.db)(authorization);
    return bench.app.apollo.executeOperation({ query: scenario.query, variables }, { contextValue: contextFor(bench, viewer) });
  });
  const errors = result.body.kind === 'single' ? (result.body.singleResult.errors ?? []) : [];
  if (errors.length > 0) console.error(`  !! #${scenario.key} in-process: GraphQL errors ${JSON.stringify(errors).slice(0, 300)}`);
  return { count, errors: errors.length };
}

/** Where two answers first differ, for a mismatch report. */
function firstDifference(api: unknown, floor: unknown, path: string): string | undefined {
  if (Object.is(api, floor)) return undefined;
  if (typeof api !== 'object' || typeof floor !== 'object' || api === null || floor === null || Array.isArray(api) !== Array.isArray(floor)) {
    return `${path}: API ${JSON.stringify(api)?.slice(0, 120)} ≠ floor ${JSON.stringify(floor)?.slice(0, 120)}`;
  }
  const a = api as Record<string, unknown>;
  const f = floor as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(f)])) {
    const difference = firstDifference(a[key], f[key], Array.isArray(api) ? `${path}[${key}]` : `${path}.${key}`);
    if (difference) return difference;
  }
  return undefined;
}

async function postJson(url: string, body: string, headers: Record<string, string>): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return res.json();
}

/** A floor that answers something else than the API is no floor: compare once, over HTTP, before timing anything. */
async function compareAnswers(bench: Bench, scenario: Scenario, body: string, headers: Record<string, string>) {
  const [api, floor] = await Promise.all([postJson(bench.apiUrl, body, headers), postJson(`${bench.floorUrl}/${scenario.key}`, body, {})]);
  const difference = api.errors ? `the API answered errors: ${JSON.stringify(api.errors).slice(0, 200)}` : firstDifference(api.data, floor.data, 'data');
  if (difference) console.error(`  !! #${scenario.key} ${scenario.name} on ${bench.driver}: the floor's answer differs from the API's — ${difference}`);
  return { matches: difference === undefined, difference };
}

/** The scenario's requests: fresh variables where they must differ, and the error counts of every answer. */
class Traffic {
  graphqlErrors = 0;
  httpErrors = 0;
  private sequence = 0;

  constructor(
    private readonly bench: Bench,
    readonly scenario: Scenario,
    readonly authorization: string | undefined,
  ) {}

  /** The API side's headers: the scenario's token, if any. */
  get apiHeaders(): Record<string, string> {
    return this.authorization ? { authorization: this.authorization } : {};
  }

  nextVariables(): Variables {
    return this.scenario.variablesFor?.(this.sequence++) ?? this.scenario.variables;
  }

  bodies(count: number): string[] {
    const body = () => JSON.stringify({ query: this.scenario.query, variables: this.nextVariables() });
    return this.scenario.variablesFor ? Array.from({ length: count }, body) : [body()];
  }

  /** 'api' with the scenario's token; the baseline is the floor, or the API without a token (scenario 6). */
  async run(side: Side, requests: number, ratePerSecond?: number): Promise<LoadResult> {
    const { bench, scenario } = this;
    const floor = scenario.baseline.kind === 'floor';
    const target = side === 'api' ? { url: bench.apiUrl, headers: this.apiHeaders } : { url: floor ? `${bench.floorUrl}/${scenario.key}` : bench.apiUrl, headers: {} };
    const result = await bench.load.run({ ...target, bodies: this.bodies(requests), requests, connections: bench.settings.concurrency, ratePerSecond });
    // Every answer of the API counts, the baseline's too when it is the API without a token.
    if (side === 'api' || !floor) this.graphqlErrors += result.graphqlErrors;
    this.httpErrors += result.httpErrors;
    return result;
  }
}

type Side = 'api' | 'baseline' | 'baseline again';

/** Statements of the measured request, the gate (scenario 6: the anonymous count + 1) and the counts per page size. */
async function measureStatements(bench: Bench, traffic: Traffic) {
  const { scenario, authorization } = traffic;
  const count = async (variables: Variables, withToken = true) => {
    const counted = await countRequest(bench, scenario, variables, withToken ? authorization : undefined);
    traffic.graphqlErrors += counted.errors;
    return counted.count;
  };
  // The first run fills per-process caches; the gates are about every later request.
  await countRequest(bench, scenario, traffic.nextVariables(), authorization);
  const statements = await count(traffic.nextVariables());
  const gate = scenario.statementGate;
  const statementGate = 'max' in gate ? gate.max : (await count(traffic.nextVariables(), false)) + gate.overAnonymous;
  let statementsBySize: Record<string, number> | undefined;
  if (scenario.sizes) {
    statementsBySize = {};
    for (const first of scenario.sizes.first) statementsBySize[String(first)] = await count({ ...traffic.nextVariables(), first });
  }
  return { statements, statementGate, statementsBySize };
}

/**
 * Warm-up, then alternating rounds with the baseline run twice per round (the A/A pair). The order rotates so that
 * no side always runs first. Heap growth is taken over the rounds, divided by the API's requests alone though the
 * floor served some of them: an upper bound for the API.
 */
async function measureRounds(settings: Settings, traffic: Traffic) {
  let requests = settings.requests;
  for (let r = 0; r < settings.warmupRounds; r++) {
    const sizing = r === 0 && settings.roundSeconds !== undefined;
    const api = await traffic.run('api', sizing ? MIN_REQUESTS_PER_ROUND : requests);
    if (sizing) {
      const throughput = (api.latenciesMs.length / api.wallMs) * 1000;
      requests = Math.min(settings.requests, Math.max(MIN_REQUESTS_PER_ROUND, Math.round(throughput * settings.roundSeconds!)));
    }
    await traffic.run('baseline', requests);
  }
  const medians: Record<Side, number[]> = { api: [], baseline: [], 'baseline again': [] };
  const apiThroughputs: number[] = [];
  const order: Side[] = ['api', 'baseline', 'baseline again'];
  const heapBefore = await settledHeapBytes();
  for (let r = 0; r < settings.rounds; r++) {
    for (let i = 0; i < order.length; i++) {
      const side = order[(r + i) % order.length]!;
      const result = await traffic.run(side, requests);
      medians[side].push(median(result.latenciesMs));
      if (side === 'api') apiThroughputs.push((result.latenciesMs.length / result.wallMs) * 1000);
    }
  }
  const heap = { bytes: (await settledHeapBytes()) - heapBefore, requests: settings.rounds * requests };
  return {
    requestsPerRound: requests,
    apiMedianMs: median(medians.api),
    baselineMedianMs: median(medians.baseline),
    aaRatio: median(medians['baseline again']) / median(medians.baseline),
    apiThroughput: median(apiThroughputs),
    heap,
  };
}

/** The dedicated heap run: after its own warm-up, `heapRequests` API requests between forced GCs. */
async function measureHeapRun(settings: Settings, traffic: Traffic) {
  await traffic.run('api', settings.heapWarmupRequests);
  const before = await settledHeapBytes();
  await traffic.run('api', settings.heapRequests);
  return { bytes: (await settledHeapBytes()) - before, requests: settings.heapRequests };
}

/** p50 and p99 with requests sent at a fixed rate, whether or not earlier ones have been answered. */
async function measureLatency(settings: Settings, traffic: Traffic, apiThroughput: number) {
  const ratePerSecond = OFFERED_SHARE_OF_THROUGHPUT * apiThroughput;
  const requests = Math.max(settings.latencyMinSamples, Math.round(ratePerSecond * settings.latencySeconds));
  const { latenciesMs } = await traffic.run('api', requests, ratePerSecond);
  return { ratePerSecond, p50Ms: percentile(latenciesMs, 50), p99Ms: percentile(latenciesMs, 99), samples: latenciesMs.length };
}

export async function measureScenario(bench: Bench, scenario: Scenario, scale: string | null): Promise<Entry> {
  const { settings } = bench;
  const started = performance.now();
  const traffic = new Traffic(bench, scenario, await bench.authorization(scenario));
  const { statements, statementGate, statementsBySize } = await measureStatements(bench, traffic);
  const floor = scenario.baseline.kind === 'floor' ? scenario.baseline : undefined;
  const answer = floor?.sameAnswer ? await compareAnswers(bench, scenario, traffic.bodies(1)[0]!, traffic.apiHeaders) : undefined;
  const rounds = await measureRounds(settings, traffic);
  const heapGated = scenario.key === HEAP_RUN_SCENARIO;
  const heap = heapGated ? await measureHeapRun(settings, traffic) : rounds.heap;
  const latency = await measureLatency(settings, traffic, rounds.apiThroughput);

  // Judged as reported: two decimals are more than a noisy machine resolves.
  const ratio = round2(rounds.apiMedianMs / rounds.baselineMedianMs);
  const heapBytesPerRequest = Math.round(heap.bytes / heap.requests);
  const failures: string[] = [];
  if (statements > statementGate) failures.push(`${statements} statements > ${statementGate}`);
  for (const [size, count] of Object.entries(statementsBySize ?? {})) {
    if (count > statementGate) failures.push(`${count} statements at first: ${size} > ${statementGate}`);
  }
  if (scenario.sizes?.sameCount && new Set(Object.values(statementsBySize!)).size > 1) failures.push(`statements change with the page size (${JSON.stringify(statementsBySize)})`);
  if (ratio > scenario.maxRatio) failures.push(`ratio ${ratio} > ${scenario.maxRatio}`);
  if (heapGated && heapBytesPerRequest > HEAP_GATE_BYTES_PER_REQUEST) failures.push(`heap ${heapBytesPerRequest} B/request > ${HEAP_GATE_BYTES_PER_REQUEST}`);
  if (traffic.graphqlErrors > 0) failures.push(`${traffic.graphqlErrors} GraphQL errors`);
  if (traffic.httpErrors > 0) failures.push(`${traffic.httpErrors} HTTP errors`);
  if (answer && !answer.matches) failures.push('floor answers differently');

  return {
    id: scenario.id,
    name: scenario.name,
    driver: bench.driver,
    scale,
    baseline: floor ? 'floor' : 'anonymous',
    statements,
    statementGate,
    ...(statementsBySize ? { statementsBySize } : {}),
    ratio,
    ratioGate: scenario.maxRatio,
    noise: round3(Math.abs(rounds.aaRatio - 1)),
    apiMedianMs: round3(rounds.apiMedianMs),
    floorMedianMs: round3(rounds.baselineMedianMs),
    requestsPerRound: rounds.requestsPerRound,
    p50Ms: round3(latency.p50Ms),
    p99Ms: round3(latency.p99Ms),
    offeredRatePerSecond: Math.round(latency.ratePerSecond),
    latencySamples: latency.samples,
    heapBytesPerRequest,
    heapRequests: heap.requests,
    heapGated,
    graphqlErrors: traffic.graphqlErrors,
    httpErrors: traffic.httpErrors,
    floorAnswerMatches: answer ? answer.matches : null,
    ...(answer?.difference ? { floorAnswerDifference: answer.difference } : {}),
    pass: failures.length === 0,
    failures,
    seconds: round2((performance.now() - started) / 1000),
  };
}
