// The domains' benchmark entries (training, statistics, early reports, …): each domain measures what its issue names
// — a throughput, a read against its hand-written floor, statements per request — on the same running app and
// database as the six scenarios, after them. A domain keeps its entries in scripts/bench/<domain>.bench.ts and adds one
// line to `domainBenches`; `npm run bench -- --domains training,statistics` runs only those (`--domains none`: none).
import { performance } from 'node:perf_hooks';
import type { IssuerKeys } from '../../src/auth/keys.js';
import { signAccessToken, type AccessClaims } from '../../src/auth/tokens.js';
import { createViewerResolver } from '../../src/auth/authenticate.js';
import { ASSOCIATION_IDS } from '../../src/associations/associations.table.js';
import { createServiceAccount, SERVICE_ACCOUNT_SUBJECT } from '../../src/clients/clients.service.js';
import type { Database, Db } from '../../src/db/client.js';
import { countStatements } from '../../src/db/instrumentation.js';
import { contextFor, type Bench } from './measure.js';
import { median } from './load.js';
import type { Driver } from './databases.js';
import { bench as selfRegulationBench } from './self-regulation.bench.js';
import { bench as statisticsBench } from './statistics.bench.js';
import { bench as earlyReportsBench } from './early-reports.bench.js';

/** Who a request is made as: a person's token (role, organization, association, subject) or a service account's. */
export interface As {
  role: 'regulator' | 'association' | 'firm' | 'listed_company';
  /** Credit code of the firm or listed company. */
  org?: string;
  association?: 'SZSA' | 'SZLCA';
  sub?: string;
  /** A service account of the role (and association) holding these scopes, registered once per run. */
  scopes?: string[];
}

export interface DomainBenchContext {
  driver: Driver;
  quick: boolean;
  /** The bench database: the app's migrations and demo data, after the six scenarios (and their scaling). */
  db: Db;
  database: Database;
  /** A GraphQL request over HTTP to the running app; the parsed body. */
  graphql(query: string, variables: Record<string, unknown>, as?: As): Promise<any>;
  /** Any request over HTTP to the running app (a route such as /training/view-events). */
  post(path: string, body: string, headers: Record<string, string>, as?: As): Promise<{ status: number; body: any }>;
  /** The same operation in process (Apollo's pipeline, no HTTP): what `statements` can count. */
  execute(query: string, variables: Record<string, unknown>, as?: As): Promise<any>;
  /** SQL statements the app ran during `fn` (in process: `execute` or a service call, not HTTP). */
  statements(fn: () => Promise<unknown>): Promise<number>;
  /**
   * `api` against `floor` in alternating rounds of `reps` calls each (after one warm-up round); medians of the
   * per-call times and their ratio. Defaults: 9 rounds (7 with --quick) of 20 calls.
   */
  compare(api: () => Promise<unknown>, floor: () => Promise<unknown>, opts?: { rounds?: number; reps?: number }): Promise<{ apiMs: number; floorMs: number; ratio: number }>;
  /** p50 and p99 of `samples` sequential calls of `fn`, in ms. */
  latency(fn: () => Promise<unknown>, samples?: number): Promise<{ p50Ms: number; p99Ms: number }>;
}

export interface DomainGate {
  name: string;
  pass: boolean;
  /** The measured figure against its gate, in words ("6,120 events/s ≥ 5,000"). */
  detail: string;
}

export interface DomainBenchResult {
  domain: string;
  name: string;
  driver: Driver;
  figures: Record<string, number>;
  gates: DomainGate[];
  seconds: number;
}

export interface DomainBench {
  domain: string;
  run(ctx: DomainBenchContext): Promise<Omit<DomainBenchResult, 'domain' | 'driver' | 'seconds'>[]>;
}

/** One line per domain with benchmark entries. */
export const domainBenches: DomainBench[] = [selfRegulationBench, statisticsBench, earlyReportsBench];

export function selectDomainBenches(arg: string | undefined): DomainBench[] {
  if (arg === undefined) return domainBenches;
  if (arg === 'none') return [];
  const names = arg.split(',');
  const unknown = names.filter((n) => !domainBenches.some((b) => b.domain === n));
  if (unknown.length > 0) throw new Error(`--domains takes ${domainBenches.map((b) => b.domain).join(', ') || '(none yet)'} or none, got ${unknown.join(', ')}`);
  return domainBenches.filter((b) => names.includes(b.domain));
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function contextOf(bench: Bench, keys: IssuerKeys, quick: boolean): DomainBenchContext {
  const issuer = { issuer: bench.config.AUTH_ISSUER, audience: bench.config.AUTH_AUDIENCE };
  const base = bench.apiUrl.replace(/\/graphql$/, '');
  const accounts = new Map<string, Promise<AccessClaims>>();
  const claimsOf = async (as: As): Promise<AccessClaims> => {
    if (!as.scopes) return { sub: as.sub ?? `bench:${as.role}`, role: as.role, org: as.org, assoc: as.association };
    const key = JSON.stringify([as.role, as.association ?? 'SZSA', [...as.scopes].sort()]);
    if (!accounts.has(key)) {
      accounts.set(
        key,
        (async () => {
          const associationId = ASSOCIATION_IDS[as.association ?? 'SZSA'];
          const staff = { role: 'ASSOCIATION' as const, subject: 'bench:staff', organizationId: null, associationId };
          const { serviceAccount } = await createServiceAccount(bench.database.db, staff, { name: `bench ${key}`, role: as.role, scopes: as.scopes });
          return { sub: `${SERVICE_ACCOUNT_SUBJECT}${serviceAccount.clientId}`, role: as.role, scope: as.scopes!.join(' ') };
        })(),
      );
    }
    return accounts.get(key)!;
  };
  // One token per principal for the run (valid 6 h), as a real client reuses its token: signing (client side) and
  // verifying (server side, then cached) a fresh one per request would time jose, not the API.
  const tokens = new Map<string, Promise<string>>();
  const authorization = async (as?: As) => {
    if (!as) return undefined;
    const key = JSON.stringify([as.role, as.org ?? null, as.association ?? null, as.sub ?? null, as.scopes ? [...as.scopes].sort() : null]);
    if (!tokens.has(key)) tokens.set(key, (async () => `Bearer ${await signAccessToken(keys, issuer, await claimsOf(as), 6 * 3600)}`)());
    return tokens.get(key)!;
  };
  const resolveViewer = createViewerResolver(bench.verifier, bench.database.db);
  const call = async (path: string, body: string, headers: Record<string, string>, as?: As) => {
    const auth = await authorization(as);
    const res = await fetch(`${base}${path}`, { method: 'POST', body, headers: { ...headers, ...(auth ? { authorization: auth } : {}) } });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: the text as it came
    }
    return { status: res.status, body: parsed as any };
  };
  return {
    driver: bench.driver,
    quick,
    db: bench.database.db,
    database: bench.database,
    async graphql(query, variables, as) {
      return (await call('/graphql', JSON.stringify({ query, variables }), { 'content-type': 'application/json' }, as)).body;
    },
    post: call,
    async execute(query, variables, as) {
      const viewer = await resolveViewer(await authorization(as));
      const result = await bench.app.apollo.executeOperation({ query, variables }, { contextValue: contextFor(bench, viewer) });
      return result.body.kind === 'single' ? result.body.singleResult : null;
    },
    async statements(fn) {
      return (await countStatements(fn)).count;
    },
    async compare(api, floor, opts = {}) {
      const rounds = opts.rounds ?? (quick ? 7 : 9);
      const reps = opts.reps ?? 20;
      const timeRound = async (fn: () => Promise<unknown>) => {
        const started = performance.now();
        for (let i = 0; i < reps; i++) await fn();
        return (performance.now() - started) / reps;
      };
      await timeRound(api);
      await timeRound(floor);
      const apiTimes: number[] = [];
      const floorTimes: number[] = [];
      for (let r = 0; r < rounds; r++) {
        // Alternate which side goes first, so neither always runs on a warmer cache.
        if (r % 2 === 0) {
          apiTimes.push(await timeRound(api));
          floorTimes.push(await timeRound(floor));
        } else {
          floorTimes.push(await timeRound(floor));
          apiTimes.push(await timeRound(api));
        }
      }
      const apiMs = median(apiTimes);
      const floorMs = median(floorTimes);
      return { apiMs: Math.round(apiMs * 1000) / 1000, floorMs: Math.round(floorMs * 1000) / 1000, ratio: round2(apiMs / floorMs) };
    },
    async latency(fn, samples = quick ? 200 : 1000) {
      const times: number[] = [];
      for (let i = 0; i < samples; i++) {
        const started = performance.now();
        await fn();
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const at = (q: number) => round2(times[Math.min(times.length - 1, Math.floor(q * times.length))]!);
      return { p50Ms: at(0.5), p99Ms: at(0.99) };
    },
  };
}

/** Runs the selected domains' entries on one driver's running bench; prints each as it finishes. */
export async function runDomainBenches(bench: Bench, keys: IssuerKeys, benches: DomainBench[], quick: boolean): Promise<DomainBenchResult[]> {
  const ctx = contextOf(bench, keys, quick);
  const results: DomainBenchResult[] = [];
  for (const domain of benches) {
    const started = performance.now();
    const entries = await domain.run(ctx);
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    for (const entry of entries) {
      const result = { domain: domain.domain, driver: bench.driver, seconds, ...entry };
      results.push(result);
      const figures = Object.entries(entry.figures).map(([k, v]) => `${k} ${v}`).join(', ');
      const missed = entry.gates.filter((g) => !g.pass);
      console.log(`  [${domain.domain}] ${entry.name}: ${figures} — ${missed.length === 0 ? 'ok' : `MISSED: ${missed.map((g) => `${g.name} (${g.detail})`).join('; ')}`}`);
    }
  }
  return results;
}
import { bench as trainingBench } from './training.bench.js';
domainBenches.push(trainingBench);
