// Measures one scenario on one driver: SQL statements in-process, the API's answer against the floor's, then the API
// against its baseline over HTTP in alternating rounds, latency at a fixed offered rate, and heap growth. The API and
// the floor answer from processes of their own (PostgreSQL, issue 25) or from this one (PGlite, --in-process); the
// statements are counted, and scenario 1's heap run taken, in this process's app either way.
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
import { getOperationAST, parse } from 'graphql';
import { planJsonAnswer, type JsonAnswerPlan } from '../../src/graphql/json-answer.js';
import { schema } from '../../src/graphql/schema.js';
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
  /** The API measured: its own process, run as `npm start` runs it, or this process's app (`inProcess`). */
  apiUrl: string;
  /** This process's app over HTTP (the same as apiUrl when `inProcess`): the heap run, the domains' entries. */
  inProcessApiUrl: string;
  /** The API and the floor answer from this process (PGlite, --in-process), not from processes of their own. */
  inProcess: boolean;
  /** The floor server's address; each scenario's floor answers at /<key>. */
  floorUrl: string;
  /** --concurrency (4): entries at other connection counts carry theirs in their names. */
  defaultConcurrency: number;
  /** The Authorization header of the scenario's token. */
  authorization(scenario: Scenario): Promise<string | undefined>;
}

export interface Entry {
  id: number;
  name: string;
  driver: Driver;
  /** null at the demo's size; the sizes reached when scaled. */
  scale: string | null;
  /** Connections (requests in flight) of the load, the same for both sides. */
  connections: number;
  /** 'processes': the API (as `npm start` runs it) and the floor each in a process of its own; 'in-process': both in the bench's. */
  servers: 'processes' | 'in-process';
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
  /**
   * Heap growth after a forced GC over `heapRequests` API requests, divided by them. Null where the API measured runs
   * in its own process and this is not the heap run (taken on the in-process app): its heap is out of reach.
   */
  heapBytesPerRequest: number | null;
  heapRequests: number;
  /** Whether the heap gate applies: to the dedicated long run only; over a few rounds GC noise dominates. */
  heapGated: boolean;
  /** API answers with GraphQL errors (HTTP 200 with `errors`), over HTTP and in-process. */
  graphqlErrors: number;
  /** Non-200 answers and failed requests, on either side. */
  httpErrors: number;
  /**
   * The API's `data` is the floor's: byte for byte (`floorAnswerCompared` 'bytes': the floor's JSON text of `data`
   * against the API's `data` re-serialized) or deep-equal ('deep-equal', the in-process floors); null where the floor
   * answers something else by design.
   */
  floorAnswerMatches: boolean | null;
  floorAnswerCompared: 'bytes' | 'deep-equal' | null;
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
/** Each query's one-statement plan (src/graphql/json-answer.ts), or null: the HTTP path answers a known query with it. */
const plans = new Map<string, JsonAnswerPlan | null>();
function planOf(query: string): JsonAnswerPlan | null {
  let plan = plans.get(query);
  if (plan === undefined) {
    const document = parse(query);
    const operation = getOperationAST(document);
    plans.set(query, (plan = operation ? planJsonAnswer(schema, document, operation) : null));
  }
  return plan;
}

/**
 * The statements of one request as the HTTP path runs it for a repeated (known) query: its one statement when the
 * query has a plan that takes these variables, as src/server/known-query.ts does, and Apollo's execution otherwise.
 */
async function countRequest(bench: Bench, scenario: Scenario, variables: Variables, authorization: string | undefined) {
  const plan = planOf(scenario.query);
  const { count, result } = await countStatements(async () => {
    const viewer = await createViewerResolver(bench.verifier, bench.database.db)(authorization);
    const text = await plan?.run({ viewer, db: bench.database.db }, variables);
    if (text !== undefined) return { oneStatement: true as const };
    return bench.app.apollo.executeOperation({ query: scenario.query, variables }, { contextValue: contextFor(bench, viewer) });
  });
  if ('oneStatement' in result) return { count, errors: 0, oneStatement: true };
  const errors = result.body.kind === 'single' ? (result.body.singleResult.errors ?? []) : [];
  if (errors.length > 0) console.error(`  !! #${scenario.key} in-process: GraphQL errors ${JSON.stringify(errors).slice(0, 300)}`);
  return { count, errors: errors.length, oneStatement: false };
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

async function postText(url: string, body: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return res.text();
}

/** Where two texts first differ, with a little of each around it. */
function firstTextDifference(api: string, floor: string): string | undefined {
  if (api === floor) return undefined;
  let i = 0;
  while (i < api.length && i < floor.length && api[i] === floor[i]) i++;
  const around = (text: string) => JSON.stringify(text.slice(Math.max(0, i - 40), i + 80));
  return `at character ${i} of data: API …${around(api)} ≠ floor …${around(floor)}`;
}

/**
 * The honest floor writes the JSON text its statement built: its `data` must be byte for byte the API's `data` as
 * JSON.stringify prints it. The API's `data` is taken out of its body and re-serialized, so that what may stand beside
 * it (extensions) does not count; the floor's is cut out of its text as it came, never parsed.
 */
async function compareAnswerBytes(bench: Bench, scenario: Scenario, body: string, headers: Record<string, string>) {
  const [apiText, floorText] = await Promise.all([postText(bench.apiUrl, body, headers), postText(`${bench.floorUrl}/${scenario.key}`, body, {})]);
  const api = JSON.parse(apiText) as { data?: unknown; errors?: unknown };
  const prefix = '{"data":';
  let difference: string | undefined;
  if (api.errors) difference = `the API answered errors: ${JSON.stringify(api.errors).slice(0, 200)}`;
  else if (!floorText.startsWith(prefix) || !floorText.endsWith('}')) difference = `the floor answered ${JSON.stringify(floorText.slice(0, 200))}`;
  else difference = firstTextDifference(JSON.stringify(api.data), floorText.slice(prefix.length, -1));
  if (difference) console.error(`  !! #${scenario.key} ${scenario.name} on ${bench.driver}: the floor's answer differs from the API's — ${difference}`);
  return { matches: difference === undefined, difference, compared: 'bytes' as const };
}

/** A floor that answers something else than the API is no floor: compare once, over HTTP, before timing anything. */
async function compareAnswers(bench: Bench, scenario: Scenario, body: string, headers: Record<string, string>) {
  if (!bench.inProcess) return compareAnswerBytes(bench, scenario, body, headers);
  const [api, floor] = await Promise.all([postJson(bench.apiUrl, body, headers), postJson(`${bench.floorUrl}/${scenario.key}`, body, {})]);
  const difference = api.errors ? `the API answered errors: ${JSON.stringify(api.errors).slice(0, 200)}` : firstDifference(api.data, floor.data, 'data');
  if (difference) console.error(`  !! #${scenario.key} ${scenario.name} on ${bench.driver}: the floor's answer differs from the API's — ${difference}`);
  return { matches: difference === undefined, difference, compared: 'deep-equal' as const };
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

  /**
   * 'api' with the scenario's token; the baseline is the floor, or the API without a token (scenario 6). 'heap': the
   * API's requests on this process's app, whose heap the heap run can read.
   */
  async run(side: Side | 'heap', requests: number, ratePerSecond?: number): Promise<LoadResult> {
    const { bench, scenario } = this;
    const floor = scenario.baseline.kind === 'floor';
    const target =
      side === 'api' ? { url: bench.apiUrl, headers: this.apiHeaders }
      : side === 'heap' ? { url: bench.inProcessApiUrl, headers: this.apiHeaders }
      : { url: floor ? `${bench.floorUrl}/${scenario.key}` : bench.apiUrl, headers: {} };
    const result = await bench.load.run({ ...target, bodies: this.bodies(requests), requests, connections: bench.settings.concurrency, ratePerSecond });
    // Every answer of the API counts, the baseline's too when it is the API without a token.
    if (side === 'api' || side === 'heap' || !floor) this.graphqlErrors += result.graphqlErrors;
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
async function measureRounds(bench: Bench, traffic: Traffic) {
  const { settings } = bench;
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
  // The heap of an API in its own process is out of reach; this process's is then only the harness's.
  const heapBefore = bench.inProcess ? await settledHeapBytes() : 0;
  for (let r = 0; r < settings.rounds; r++) {
    for (let i = 0; i < order.length; i++) {
      const side = order[(r + i) % order.length]!;
      const result = await traffic.run(side, requests);
      medians[side].push(median(result.latenciesMs));
      if (side === 'api') apiThroughputs.push((result.latenciesMs.length / result.wallMs) * 1000);
    }
  }
  const heap = bench.inProcess ? { bytes: (await settledHeapBytes()) - heapBefore, requests: settings.rounds * requests } : null;
  return {
    requestsPerRound: requests,
    apiMedianMs: median(medians.api),
    baselineMedianMs: median(medians.baseline),
    aaRatio: median(medians['baseline again']) / median(medians.baseline),
    apiThroughput: median(apiThroughputs),
    heap,
  };
}

/**
 * The dedicated heap run: after its own warm-up, `heapRequests` API requests between forced GCs, on this process's app
 * (the same code as the API's process, whose heap this process cannot force-collect or read).
 */
async function measureHeapRun(settings: Settings, traffic: Traffic) {
  await traffic.run('heap', settings.heapWarmupRequests);
  const before = await settledHeapBytes();
  await traffic.run('heap', settings.heapRequests);
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
  const rounds = await measureRounds(bench, traffic);
  // Once per driver: at the default connection count (the other counts measure the same code).
  const heapGated = scenario.key === HEAP_RUN_SCENARIO && settings.concurrency === bench.defaultConcurrency;
  const heap = heapGated ? await measureHeapRun(settings, traffic) : rounds.heap;
  const ratioGate = (bench.driver === 'postgres' ? scenario.maxRatioOnPostgres : undefined) ?? scenario.maxRatio;
  const latency = await measureLatency(settings, traffic, rounds.apiThroughput);

  // Judged as reported: two decimals are more than a noisy machine resolves.
  const ratio = round2(rounds.apiMedianMs / rounds.baselineMedianMs);
  const heapBytesPerRequest = heap ? Math.round(heap.bytes / heap.requests) : null;
  const failures: string[] = [];
  if (statements > statementGate) failures.push(`${statements} statements > ${statementGate}`);
  for (const [size, count] of Object.entries(statementsBySize ?? {})) {
    if (count > statementGate) failures.push(`${count} statements at first: ${size} > ${statementGate}`);
  }
  if (scenario.sizes?.sameCount && new Set(Object.values(statementsBySize!)).size > 1) failures.push(`statements change with the page size (${JSON.stringify(statementsBySize)})`);
  if (ratio > ratioGate) failures.push(`ratio ${ratio} > ${ratioGate}`);
  if (heapGated && heapBytesPerRequest! > HEAP_GATE_BYTES_PER_REQUEST) failures.push(`heap ${heapBytesPerRequest} B/request > ${HEAP_GATE_BYTES_PER_REQUEST}`);
  if (traffic.graphqlErrors > 0) failures.push(`${traffic.graphqlErrors} GraphQL errors`);
  if (traffic.httpErrors > 0) failures.push(`${traffic.httpErrors} HTTP errors`);
  if (answer && !answer.matches) failures.push('floor answers differently');

  return {
    id: scenario.id,
    // The default connection count keeps the scenario's name (and its history); others say theirs.
    name: settings.concurrency === bench.defaultConcurrency ? scenario.name : `${scenario.name} · ${settings.concurrency} connections`,
    driver: bench.driver,
    scale,
    connections: settings.concurrency,
    servers: bench.inProcess ? 'in-process' : 'processes',
    baseline: floor ? 'floor' : 'anonymous',
    statements,
    statementGate,
    ...(statementsBySize ? { statementsBySize } : {}),
    ratio,
    ratioGate,
    noise: round3(Math.abs(rounds.aaRatio - 1)),
    apiMedianMs: round3(rounds.apiMedianMs),
    floorMedianMs: round3(rounds.baselineMedianMs),
    requestsPerRound: rounds.requestsPerRound,
    p50Ms: round3(latency.p50Ms),
    p99Ms: round3(latency.p99Ms),
    offeredRatePerSecond: Math.round(latency.ratePerSecond),
    latencySamples: latency.samples,
    heapBytesPerRequest,
    heapRequests: heap?.requests ?? 0,
    heapGated,
    graphqlErrors: traffic.graphqlErrors,
    httpErrors: traffic.httpErrors,
    floorAnswerMatches: answer ? answer.matches : null,
    floorAnswerCompared: answer ? answer.compared : null,
    ...(answer?.difference ? { floorAnswerDifference: answer.difference } : {}),
    pass: failures.length === 0,
    failures,
    seconds: round2((performance.now() - started) / 1000),
  };
}
