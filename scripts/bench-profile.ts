// npm run bench:profile -- --scenario 3 [--driver postgres|pglite --requests 800]
// Where one benchmark scenario's time goes: the API alone, then the floor alone, each under the same closed-loop load
// (4 connections) from the benchmark's load generator, with the V8 profiler running only during that load. Prints the
// CPU per request of this process (user + system) on each side and the API's heaviest packages and functions by self
// time, and writes both profiles to bench/profiles/ (open them in Chrome DevTools or VS Code). A tool for finding a
// cost, not a measurement: the ratios come from `npm run bench`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateIssuerKeys } from '../src/auth/keys.js';
import { createTokenVerifier, signAccessToken } from '../src/auth/tokens.js';
import { schema } from '../src/graphql/schema.js';
import { createLogger } from '../src/logger.js';
import { fromProjectRoot } from '../src/project-root.js';
import { createApp } from '../src/server/app.js';
import { benchScenarios, type Floor } from './bench-scenarios.js';
import { findPostgresServer, openBenchDatabase, type Driver } from './bench/databases.js';
import { startFloorServer } from './bench/floor.js';
import { startLoadGenerator } from './bench/load.js';

const { values: args } = parseArgs({
  options: { driver: { type: 'string', default: 'postgres' }, scenario: { type: 'string', default: '1' }, requests: { type: 'string', default: '2000' } },
});
const driver = args.driver as Driver;
if (driver !== 'pglite' && driver !== 'postgres') throw new Error(`--driver must be pglite or postgres, got ${driver}`);
const requests = Number(args.requests);
if (!Number.isInteger(requests) || requests < 10) throw new Error(`--requests must be an integer ≥ 10, got ${args.requests}`);
const OUT_DIR = fromProjectRoot('bench', 'profiles');

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time by package (node_modules name, or the file under src/) and by function, as shares of all samples. */
function heaviest(profile: Profile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const owner = (url: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes('/src/') ? `src/${url.split('/src/')[1]}` : url || '(native)');
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const { callFrame } = byId.get(id)!;
    const where = owner(callFrame.url);
    total += dt;
    packages.set(where, (packages.get(where) ?? 0) + dt);
    const fn = `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + dt);
  });
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `  ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`)
      .join('\n');
  return `by package (self time):\n${list(packages)}\nby function (self time):\n${list(functions)}`;
}

async function main() {
  const logger = createLogger('silent');
  const server = driver === 'postgres' ? await findPostgresServer() : {};
  if (driver === 'postgres' && !server.url) throw new Error(`--driver postgres: ${server.reason}`);
  const { config, database, dispose } = await openBenchDatabase(driver, logger, server.url);
  const load = startLoadGenerator();
  const session = new Session();
  try {
    const keys = await loadOrCreateIssuerKeys(config.DATA_DIR);
    const issuer = { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE };
    const app = await createApp({ config, logger, database, schema, verifier: createTokenVerifier({ ...issuer, keys }), issuerKeys: keys });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    const scenario = (await benchScenarios(database.db)).find((s) => s.key === args.scenario);
    if (!scenario) throw new Error(`--scenario: no scenario ${args.scenario} (1, 2, 3, 4, 5, 6a, 6b)`);
    const floors = new Map<string, Floor>();
    if (scenario.baseline.kind === 'floor') floors.set(scenario.key, scenario.baseline);
    const floor = await startFloorServer(database.db, floors, config.HTTP_KEEP_ALIVE_TIMEOUT_MS);
    const token = scenario.token && (await signAccessToken(keys, issuer, { sub: `bench:${scenario.token}`, role: scenario.token, org: scenario.firmCreditCode }, 3600));
    const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    let batch = 0;
    // Mutations need a fresh idempotency key per request, in the warm-up as in the profiled run.
    const bodies = (count: number) => {
      batch += 1;
      return scenario.variablesFor
        ? Array.from({ length: count }, (_, i) => JSON.stringify({ query: scenario.query, variables: scenario.variablesFor!(batch * 10_000_000 + i) }))
        : [JSON.stringify({ query: scenario.query, variables: scenario.variables })];
    };
    const sides = [['api', `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`]];
    if (scenario.baseline.kind === 'floor') sides.push(['floor', `${floor.url}/${scenario.key}`]);
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    mkdirSync(OUT_DIR, { recursive: true });
    console.log(`#${scenario.key} ${scenario.name} on ${driver}, ${requests} requests per side, 4 connections`);
    for (const [side, url] of sides) {
      const warmup = Math.min(requests, 2000);
      await load.run({ url: url!, headers, bodies: bodies(warmup), requests: warmup, connections: 4 });
      const measured = bodies(requests);
      await session.post('Profiler.start');
      const cpu = process.cpuUsage();
      const result = await load.run({ url: url!, headers, bodies: measured, requests, connections: 4 });
      const used = process.cpuUsage(cpu);
      const { profile } = await session.post('Profiler.stop');
      const file = join(OUT_DIR, `${driver}-${scenario.key}-${side}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      const errors = result.graphqlErrors + result.httpErrors;
      console.log(
        `\n${side}: ${((used.user + used.system) / requests).toFixed(0)} µs CPU and ${((result.wallMs * 1000) / requests).toFixed(0)} µs wall per request` +
          `${errors ? `, ${errors} errors` : ''} (profiler on); ${file}`,
      );
      if (side === 'api') console.log(heaviest(profile as Profile, 20));
    }
    floor.close();
    await app.shutdown();
  } finally {
    session.disconnect();
    load.close();
    await dispose();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
