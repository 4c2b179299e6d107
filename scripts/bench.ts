// npm run bench [-- --quick --driver pglite|postgres --scenario 1,3 --domains training,… --rounds 9 --requests 200 --concurrency 4 --tracing --in-process]
// The six performance scenarios (scripts/bench-scenarios.ts) on PGlite and on PostgreSQL (DATABASE_URL's server, or a
// local one when it answers), each driver on a fresh database prepared like the app's, then scenarios 2, 3 and 5 again
// on that database scaled up. On PostgreSQL the API runs as `npm start` runs it (compiled, NODE_ENV=production) and the
// floor is the honest floor (scripts/bench/floor-server.mjs), each in a process of its own, and scenarios 1 and 3 are
// measured at 4 and at 8 connections (issue 25). PGlite cannot be opened by two processes: there, and with
// --in-process (or --tracing), the API and the in-process floors run in this process as before. Prints a table and writes bench/results/latest.json (and a dated copy). A measurement:
// the exit code is 0 whether or not the gates are met; the last line says which. The domains' entries
// (scripts/bench/domains.ts) run after the scenarios on the same app and database (`--domains none` skips them).
// --tracing: the API runs with tracing on (every trace recorded, spans batched and handed to an exporter that drops
// them: the cost inside the process, not a collector's), to measure the cost of tracing; its results are written as
// bench/results/latest-tracing.json (and a dated copy), beside the untraced ones, never over them.
import { cpus, totalmem } from 'node:os';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { loadOrCreateIssuerKeys } from '../src/auth/keys.js';
import { createTokenVerifier, signAccessToken } from '../src/auth/tokens.js';
import { schema } from '../src/graphql/schema.js';
import { createLogger } from '../src/logger.js';
import { createApp } from '../src/server/app.js';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { samplerFor, startTracing, type Tracing } from '../src/tracing.js';
import { benchScenarios, scaleBenchDatabase, scaledBenchScenarios, type Floor, type Scenario } from './bench-scenarios.js';
import { findPostgresServer, openBenchDatabase, type Driver } from './bench/databases.js';
import { startFloorServer } from './bench/floor.js';
import { startApiProcess, startFloorProcess } from './bench/processes.js';
import { runDomainBenches, selectDomainBenches, type DomainBench, type DomainBenchResult } from './bench/domains.js';
import { startLoadGenerator, type LoadGenerator } from './bench/load.js';
import { checkGcExposed, measureScenario, measurementOrder, type Bench, type Entry, type Settings } from './bench/measure.js';
import { gitRevision, printTable, writeResults } from './bench/report.js';

const MIN_ROUNDS = 7;
const DRIVERS: readonly Driver[] = ['pglite', 'postgres'];
/** The scenarios measured again on the scaled database. */
const SCALED_IDS = [2, 3, 5];

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    driver: { type: 'string' },
    scenario: { type: 'string' },
    domains: { type: 'string' },
    rounds: { type: 'string' },
    requests: { type: 'string' },
    concurrency: { type: 'string' },
    tracing: { type: 'boolean', default: false },
    'in-process': { type: 'boolean', default: false },
  },
});

/** Exports nothing: the batch processor does all its work, the spans then go nowhere (--tracing). */
const droppingExporter: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: async () => undefined,
};

/** Tracing as production runs it with an endpoint (parent-based, always on; a batch processor), for --tracing. */
function benchTracing(): Tracing | undefined {
  if (!args.tracing) return undefined;
  return startTracing({ serviceName: 'member-graph-bench', sampler: samplerFor('parentbased_always_on', 1), exporter: droppingExporter, spanProcessor: new BatchSpanProcessor(droppingExporter) });
}

function positiveInteger(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${value}`);
  return n;
}

/**
 * A round has `--requests` requests; by default at most 200, fewer (down to 8) where the API would take longer than
 * 2 s to serve them. --quick keeps the method (≥ 7 rounds, both drivers, the scaled runs) with at most 80 requests per
 * round and 0.2 s, a shorter warm-up before the heap run (of 20,000 requests, as in the full run) and shorter fixed-rate
 * runs, to finish within 3 minutes.
 */
function settingsFromArgs(): Settings {
  const quick = args.quick!;
  return {
    rounds: positiveInteger('rounds', args.rounds, quick ? 7 : 9, MIN_ROUNDS),
    requests: positiveInteger('requests', args.requests, quick ? 80 : 200),
    roundSeconds: args.requests === undefined ? (quick ? 0.2 : 2) : undefined,
    concurrency: positiveInteger('concurrency', args.concurrency, 4),
    warmupRounds: quick ? 1 : 2,
    heapRequests: 20_000,
    heapWarmupRequests: quick ? 5_000 : 10_000,
    latencySeconds: quick ? 1 : 5,
    latencyMinSamples: quick ? 10 : 100,
  };
}

function selectedDrivers(): Driver[] {
  if (args.driver === undefined) return [...DRIVERS];
  if (!DRIVERS.includes(args.driver as Driver)) throw new Error(`--driver must be one of ${DRIVERS.join(', ')}, got ${args.driver}`);
  return [args.driver as Driver];
}

function selectedIds(): Set<number> {
  const ids = new Set((args.scenario ?? '1,2,3,4,5,6').split(',').map(Number));
  for (const id of ids) if (!Number.isInteger(id) || id < 1 || id > 6) throw new Error(`--scenario takes ids 1–6, comma-separated, got ${args.scenario}`);
  return ids;
}

/** Databases still to remove, and server processes still to stop, when the run is interrupted. */
const disposers = new Set<() => Promise<void>>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: removing the benchmark's databases`);
    void Promise.allSettled([...disposers].map((dispose) => dispose())).finally(() => process.exit(130));
  });
}

interface DriverRun {
  driver: Driver;
  entries: Entry[];
  domains: DomainBenchResult[];
  setupSeconds: number;
  scale?: { label: string; counts: Record<string, number>; seconds: number };
  seconds: number;
}

const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

const answerNote = (e: Entry) =>
  e.floorAnswerMatches === null ? '' : `, answer ${e.floorAnswerCompared === 'bytes' ? 'byte-identical' : 'deep-equal'}: ${e.floorAnswerMatches ? 'yes' : 'NO'}`;

function progress(e: Entry): void {
  const sizes = e.statementsBySize ? ` ${JSON.stringify(e.statementsBySize)}` : '';
  console.log(
    `  #${e.id} ${e.name}: ${e.statements} statements${sizes} (≤${e.statementGate}), ratio ${e.ratio}× (≤${e.ratioGate}×, noise ±${e.noise}), ` +
      `api ${e.apiMedianMs} vs ${e.baseline} ${e.floorMedianMs} ms (${e.connections} connections, ${e.servers}${answerNote(e)}), p50 ${e.p50Ms} p99 ${e.p99Ms} ms at ${e.offeredRatePerSecond}/s, ` +
      `heap ${e.heapBytesPerRequest ?? '—'} B/req over ${e.heapRequests}, errors ${e.graphqlErrors + e.httpErrors}, ${e.seconds} s — ${e.pass ? 'ok' : `MISSED: ${e.failures.join('; ')}`}`,
  );
}

/**
 * The app over HTTP on loopback and the in-process floor server beside it, on one driver's fresh database. The app
 * counts statements and takes the heap run in every mode; it is the API measured when `inProcess`.
 */
async function startBench(driver: Driver, settings: Settings, load: LoadGenerator, inProcess: boolean, postgresServerUrl?: string) {
  const logger = createLogger('silent');
  const tracing = benchTracing();
  const { config, database, dispose } = await openBenchDatabase(driver, logger, postgresServerUrl, tracing);
  disposers.add(dispose);
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
    await dispose();
    disposers.delete(dispose);
  };
  try {
    const keys = await loadOrCreateIssuerKeys(config.DATA_DIR);
    const issuer = { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE };
    const verifier = createTokenVerifier({ ...issuer, keys });
    if (tracing) stops.push(() => tracing.shutdown(5000));
    const app = await createApp({ config, logger, database, schema, verifier, issuerKeys: keys, tracing });
    stops.push(() => app.shutdown().then(() => undefined));
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    const floors = new Map<string, Floor>();
    const floorServer = await startFloorServer(database.db, floors, config.HTTP_KEEP_ALIVE_TIMEOUT_MS);
    stops.push(floorServer.close);
    const inProcessApiUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`;
    const bench: Bench = {
      driver,
      settings,
      config,
      logger,
      database,
      app,
      verifier,
      load,
      apiUrl: inProcessApiUrl,
      inProcessApiUrl,
      inProcess,
      floorUrl: floorServer.url,
      defaultConcurrency: settings.concurrency,
      authorization: async (s) =>
        s.token && `Bearer ${await signAccessToken(keys, issuer, { sub: `bench:${s.token}`, role: s.token, org: s.firmCreditCode }, 6 * 3600)}`,
    };
    /** A server process to stop before the database goes (and on an interrupt). */
    const addProcess = (child: { stop(): Promise<void> }) => {
      stops.push(child.stop);
      disposers.add(child.stop);
    };
    return { bench, floors, stop, keys, addProcess };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The connection counts a scenario is measured at: the default, and on PostgreSQL its extra ones (issue 25). */
function connectionCounts(driver: Driver, scenario: Scenario, settings: Settings): number[] {
  const more = driver === 'postgres' ? (scenario.moreConnections ?? []).filter((n) => n !== settings.concurrency) : [];
  return [settings.concurrency, ...more];
}

/** API and floor in processes of their own (PostgreSQL), unless --in-process or --tracing (whose exporter lives here). */
function runsInProcess(driver: Driver): boolean {
  return driver === 'pglite' || args['in-process']! || args.tracing!;
}

async function runDriver(driver: Driver, ids: Set<number>, domainBenches: DomainBench[], settings: Settings, load: LoadGenerator, postgresServerUrl?: string): Promise<DriverRun> {
  const started = performance.now();
  const inProcess = runsInProcess(driver);
  const { bench, floors, stop, keys, addProcess } = await startBench(driver, settings, load, inProcess, postgresServerUrl);
  const db = bench.database.db;
  const measureAll = async (scenarios: Scenario[], scale: string | null) => {
    const entries = new Map<Scenario, Entry[]>();
    for (const scenario of measurementOrder(scenarios)) {
      if (scenario.baseline.kind === 'floor') floors.set(scenario.key, scenario.baseline);
      // The default count last: scenario 1's heap run, at the default count, stays the last thing measured.
      const counts = connectionCounts(driver, scenario, settings);
      const measured: Entry[] = [];
      for (const connections of [...counts.slice(1), counts[0]!]) {
        const entry = await measureScenario({ ...bench, settings: { ...settings, concurrency: connections } }, scenario, scale);
        progress(entry);
        measured.push(entry);
      }
      entries.set(scenario, measured.sort((a, b) => counts.indexOf(a.connections) - counts.indexOf(b.connections)));
    }
    return scenarios.flatMap((s) => entries.get(s)!);
  };
  try {
    const scenarios = (await benchScenarios(db)).filter((s) => ids.has(s.id));
    const setupSeconds = seconds(started);
    console.log(`${driver}: fresh database ready in ${setupSeconds} s`);
    if (!inProcess) {
      const starting = performance.now();
      // The seeded (and, for scenario 5, enlarged) database is ready: the API and the floor start on it.
      const connections = Math.max(...scenarios.flatMap((s) => connectionCounts(driver, s, settings)));
      const firmCreditCode = scenarios.find((s) => s.id === 4)?.firmCreditCode;
      const api = await startApiProcess(bench.config);
      addProcess(api);
      const floor = await startFloorProcess({ databaseUrl: bench.config.DATABASE_URL!, connections, keepAliveTimeoutMs: bench.config.HTTP_KEEP_ALIVE_TIMEOUT_MS, firmCreditCode });
      addProcess(floor);
      bench.apiUrl = `${api.url}/graphql`;
      bench.floorUrl = floor.url;
      console.log(
        `${driver}: the API (npm start, NODE_ENV=production) at ${api.url} and the floor (node floor-server.mjs, a pool of ${connections}) at ${floor.url}, ` +
          `each in its own process, ready in ${seconds(starting)} s`,
      );
    }
    const entries = await measureAll(scenarios, null);
    // The domains' entries keep to this process's app and their own in-process floors (their method is unchanged).
    const domains = async () => (domainBenches.length > 0 ? runDomainBenches({ ...bench, apiUrl: bench.inProcessApiUrl }, keys, domainBenches, args.quick!) : []);
    if (!SCALED_IDS.some((id) => ids.has(id))) return { driver, entries, domains: await domains(), setupSeconds, seconds: seconds(started) };

    const scaling = performance.now();
    const scale = await scaleBenchDatabase(db);
    const scaleSeconds = seconds(scaling);
    console.log(`${driver}: scaled to ${scale.label} in ${scaleSeconds} s`);
    const scaled = (await scaledBenchScenarios(db, scale)).filter((s) => ids.has(s.id));
    entries.push(...(await measureAll(scaled, scale.label)));
    return { driver, entries, domains: await domains(), setupSeconds, scale: { ...scale, seconds: scaleSeconds }, seconds: seconds(started) };
  } finally {
    await stop();
  }
}

async function main() {
  const started = performance.now();
  checkGcExposed();
  const settings = settingsFromArgs();
  const ids = selectedIds();
  const domainBenches = selectDomainBenches(args.domains);
  const drivers = selectedDrivers();
  const skipped: { driver: Driver; reason: string }[] = [];
  let postgresServerUrl: string | undefined;
  if (drivers.includes('postgres')) {
    const server = await findPostgresServer();
    postgresServerUrl = server.url;
    if (!server.url) {
      if (args.driver === 'postgres') throw new Error(`--driver postgres: ${server.reason}`);
      drivers.splice(drivers.indexOf('postgres'), 1);
      skipped.push({ driver: 'postgres', reason: server.reason! });
      console.log(`postgres: skipped, ${server.reason}`);
    }
  }
  console.log(
    `${settings.rounds} rounds × ${settings.requests} requests per side, ${settings.concurrency} connections (scenarios 1 and 3 on PostgreSQL also 8), ` +
      `heap run ${settings.heapRequests.toLocaleString('en')} requests after ${settings.heapWarmupRequests.toLocaleString('en')}, fixed-rate runs of ${settings.latencySeconds} s${args.quick ? ' (--quick)' : ''}${args.tracing ? ', tracing on (--tracing)' : ''}`,
  );

  const load = startLoadGenerator();
  const runs: DriverRun[] = [];
  try {
    for (const driver of drivers) runs.push(await runDriver(driver, ids, domainBenches, settings, load, postgresServerUrl));
  } finally {
    load.close();
  }

  const entries = runs.flatMap((r) => r.entries);
  const domains = runs.flatMap((r) => r.domains);
  printTable(entries, settings);
  const gatesMissed = [
    ...entries.filter((e) => !e.pass).map((e) => `#${e.id} ${e.name} on ${e.driver}: ${e.failures.join('; ')}`),
    ...domains.flatMap((d) => d.gates.filter((g) => !g.pass).map((g) => `[${d.domain}] ${d.name} on ${d.driver}: ${g.name} (${g.detail})`)),
    ...skipped.map((s) => `${s.driver} not measured: ${s.reason}`),
  ];
  const { commit, dirty } = gitRevision();
  const cpu = cpus();
  const paths = writeResults({
    node: process.version,
    commit,
    dirty,
    at: new Date().toISOString(),
    quick: args.quick!,
    tracing: args.tracing!,
    machine: { cpus: cpu.length, model: cpu[0]?.model ?? 'unknown', totalMemoryBytes: totalmem() },
    settings,
    drivers: [
      ...runs.map((r) => ({ driver: r.driver, setupSeconds: r.setupSeconds, seconds: r.seconds, ...(r.scale ? { scale: r.scale } : {}) })),
      ...skipped.map((s) => ({ driver: s.driver, skipped: s.reason })),
    ],
    elapsedSeconds: seconds(started),
    allGatesMet: gatesMissed.length === 0,
    gatesMissed,
    scenarios: entries,
    domains,
  });
  console.log(`\nwrote ${paths.join(' and ')} (${seconds(started)} s)`);
  console.log(gatesMissed.length === 0 ? 'all gates met' : `gates missed: ${gatesMissed.join(' | ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
