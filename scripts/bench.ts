// npm run bench [-- --rounds 7 --requests 200 --concurrency 4 --scenario 1,2]: the API against a hand-written floor.
// Each scenario runs the API and a node:http baseline (same driver, minimal SQL, JSON.stringify) in one process,
// alternating rounds (scenario 6 compares a token against the same query sent anonymously); it prints the ratio of medians with the baseline-vs-baseline noise band, statement counts,
// p50/p99, heap growth per request and GraphQL error counts, and writes bench/results/<date>-<driver>.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateIssuerKeys } from '../src/auth/keys.js';
import { createTokenVerifier, signAccessToken } from '../src/auth/tokens.js';
import { prepareDatabase } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { countStatements, type Db } from '../src/db/client.js';
import { schema } from '../src/graphql/schema.js';
import { createLogger } from '../src/logger.js';
import { findOrganizationByCreditCode } from '../src/members/members.service.js';
import { createApp } from '../src/server/app.js';
import { benchScenarios, type Scenario } from './bench-scenarios.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    requests: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '4' },
    scenario: { type: 'string' },
  },
});
const ROUNDS = Number(args.rounds);
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** Runs `REQUESTS` requests with `CONCURRENCY` in flight; returns per-request latencies (ms) and error count. */
async function round(send: () => Promise<{ errors: number }>) {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) {
        const t0 = performance.now();
        errors += (await send()).errors;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, errors };
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text };
}

function baselineServer(db: Db, scenarios: Scenario[]) {
  return createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const scenario = scenarios.find((s) => req.url === `/${s.id}`)!;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { n } = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { n?: number };
    const body = JSON.stringify(await scenario.baseline(db, n ?? 0));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}

async function organizationIdOf(db: Db, creditCode: string): Promise<number> {
  const org = await findOrganizationByCreditCode(db, creditCode);
  return org!.id;
}

async function main() {
  // The cost estimator runs as in production, with a budget large enough never to throttle the benchmark.
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_POINTS: '100000000',
    WEBHOOK_WORKER: 'false',
    DATA_DIR: process.env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'mg-bench-')),
  });
  const logger = createLogger('silent');
  const database = await prepareDatabase(config, logger);
  const keys = await loadOrCreateIssuerKeys(config.DATA_DIR);
  const verifier = createTokenVerifier({ issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, keys });
  const app = await createApp({ config, logger, database, schema, verifier, issuerKeys: keys });
  await new Promise<void>((r) => app.server.listen(0, '127.0.0.1', r));
  const apiUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`;
  const issuer = { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE };
  const tokens = {
    regulator: await signAccessToken(keys, issuer, { sub: 'bench', role: 'regulator' }, 3600),
    association: await signAccessToken(keys, issuer, { sub: 'bench', role: 'association' }, 3600),
  };

  const wanted = args.scenario?.split(',');
  const scenarios = (await benchScenarios(database.db)).filter((s) => !wanted || wanted.includes(s.id));
  const baseline = baselineServer(database.db, scenarios);
  await new Promise<void>((r) => baseline.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}`;
  const results: Record<string, unknown>[] = [];

  console.log(`driver ${database.driver}, ${ROUNDS} rounds × ${REQUESTS} requests, concurrency ${CONCURRENCY}`);
  for (const scenario of scenarios) {
    const token =
      scenario.token === 'firm'
        ? await signAccessToken(keys, issuer, { sub: 'bench-firm', role: 'firm', org: scenario.firmCreditCode }, 3600)
        : scenario.token
          ? tokens[scenario.token]
          : undefined;
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    let sequence = 0;
    const api = () =>
      postJson(apiUrl, { query: scenario.query, variables: scenario.variablesFor?.(sequence++) ?? scenario.variables }, headers).then((r) => ({
        errors: r.status !== 200 || r.text.includes('"errors"') ? 1 : 0,
      }));
    const floor = scenario.versusAnonymous
      ? () => postJson(apiUrl, { query: scenario.query, variables: scenario.variables }).then(() => ({ errors: 0 }))
      : () => postJson(`${baseUrl}/${scenario.id}`, { n: sequence++ }).then(() => ({ errors: 0 }));
    // Statement counts, in-process and deterministic.
    const role = scenario.token === 'regulator' ? 'REGULATOR' : scenario.token === 'association' ? 'ASSOCIATION' : scenario.token === 'firm' ? 'FIRM' : 'ANONYMOUS';
    const firmId = scenario.token === 'firm' ? await organizationIdOf(database.db, scenario.firmCreditCode!) : null;
    const viewer = { role, subject: role === 'ANONYMOUS' ? 'anonymous' : 'bench', organizationId: firmId } as const;
    const { count } = await countStatements(() =>
      app.apollo.executeOperation({ query: scenario.query, variables: scenario.variablesFor?.(-1) ?? scenario.variables }, { contextValue: { viewer, db: database.db, locale: 'zh', logger, requestId: 'bench' } }),
    );
    for (let i = 0; i < 2; i++) await round(api), await round(floor); // warm-up
    const heapBefore = (globalThis.gc?.(), process.memoryUsage().heapUsed);
    const apiMedians: number[] = [];
    const floorMedians: number[] = [];
    const floorMedians2: number[] = [];
    const apiLatencies: number[] = [];
    let errors = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const a = await round(api);
      const b = await round(floor);
      const c = await round(floor);
      apiMedians.push(median(a.latencies));
      floorMedians.push(median(b.latencies));
      floorMedians2.push(median(c.latencies));
      apiLatencies.push(...a.latencies);
      errors += a.errors;
    }
    const heapGrowthPerRequest = (process.memoryUsage().heapUsed - heapBefore) / (ROUNDS * REQUESTS * 3);
    const ratio = median(apiMedians) / median(floorMedians);
    const noise = median(floorMedians2) / median(floorMedians);
    const result = {
      id: scenario.id,
      name: scenario.name,
      statements: count,
      statementGate: scenario.maxStatements,
      ratio: Number(ratio.toFixed(2)),
      ratioGate: scenario.maxRatio,
      noise: Number(noise.toFixed(2)),
      apiMedianMs: Number(median(apiMedians).toFixed(3)),
      floorMedianMs: Number(median(floorMedians).toFixed(3)),
      p50Ms: Number(percentile(apiLatencies, 50).toFixed(3)),
      p99Ms: Number(percentile(apiLatencies, 99).toFixed(3)),
      heapGrowthBytesPerRequest: Math.round(heapGrowthPerRequest),
      graphqlErrors: errors,
    };
    results.push(result);
    const verdict = count <= scenario.maxStatements && ratio <= scenario.maxRatio && errors === 0 ? 'ok' : 'OVER';
    console.log(
      `#${scenario.id} ${scenario.name}: ${count} statements (gate ≤${scenario.maxStatements}), ratio ${result.ratio}× (gate ≤${scenario.maxRatio}×, noise ${result.noise}×), ` +
        `api ${result.apiMedianMs} ms vs floor ${result.floorMedianMs} ms, p50 ${result.p50Ms} p99 ${result.p99Ms} ms, heap ${result.heapGrowthBytesPerRequest} B/req, errors ${errors} — ${verdict}`,
    );
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {}
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/${new Date().toISOString().slice(0, 10)}-${database.driver}.json`;
  writeFileSync(
    file,
    JSON.stringify({ at: new Date().toISOString(), commit, node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, driver: database.driver, rounds: ROUNDS, requests: REQUESTS, concurrency: CONCURRENCY, results }, null, 2),
  );
  console.log(`wrote ${file}`);
  baseline.close();
  await app.shutdown();
  await database.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
