// The benchmark's load generator, a child process of scripts/bench.ts (like autocannon): the servers measured keep the
// parent's event loop and heap to themselves. Jobs arrive over IPC; each answers with per-request latencies.
import { Agent, request } from 'node:http';
import type { LoadJob, LoadResult } from './load.js';

type Outcome = 'ok' | 'graphql-error' | 'http-error';

/** One keep-alive agent per target and connection count, kept across jobs: rounds reuse warm connections. */
const agents = new Map<string, Agent>();
function agentFor(url: URL, connections: number): Agent {
  const key = `${url.host}/${connections}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxSockets: connections });
    agents.set(key, agent);
  }
  return agent;
}

// Only a top-level GraphQL error object puts this key in a body: inside strings its quotes would be escaped, and none
// of the benchmark's queries selects a field named `errors`. Searching the bytes costs little next to parsing them.
const ERRORS_KEY = Buffer.from('"errors":');

function send(url: URL, agent: Agent, headers: Record<string, string>, body: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode !== 200) resolve('http-error');
          else resolve(Buffer.concat(chunks).indexOf(ERRORS_KEY) >= 0 ? 'graphql-error' : 'ok');
        });
        res.on('error', () => resolve('http-error'));
      },
    );
    req.on('error', () => resolve('http-error'));
    req.end(body);
  });
}

async function run(job: LoadJob): Promise<LoadResult> {
  const url = new URL(job.url);
  const agent = agentFor(url, job.connections);
  const bodies = job.bodies.map((b) => Buffer.from(b));
  const latenciesMs: number[] = [];
  const result: LoadResult = { id: job.id, latenciesMs, graphqlErrors: 0, httpErrors: 0, wallMs: 0 };
  const count = (outcome: Outcome) => {
    if (outcome === 'graphql-error') result.graphqlErrors += 1;
    if (outcome === 'http-error') result.httpErrors += 1;
  };
  const started = performance.now();
  if (job.ratePerSecond === undefined) {
    // Closed loop: `connections` requests in flight, each sent when the previous one on its connection answered.
    let next = 0;
    await Promise.all(
      Array.from({ length: job.connections }, async () => {
        while (next < job.requests) {
          const body = bodies[next++ % bodies.length]!;
          const t0 = performance.now();
          count(await send(url, agent, job.headers, body));
          latenciesMs.push(performance.now() - t0);
        }
      }),
    );
  } else {
    // Open loop: request i is due at i / rate whatever happened before it, and its latency runs from that moment, so
    // time spent queued behind a slow answer is counted (no coordinated omission).
    const intervalMs = 1000 / job.ratePerSecond;
    const inFlight: Promise<void>[] = [];
    let sent = 0;
    await new Promise<void>((done) => {
      const tick = () => {
        const now = performance.now();
        while (sent < job.requests && started + sent * intervalMs <= now) {
          const due = started + sent * intervalMs;
          const body = bodies[sent++ % bodies.length]!;
          inFlight.push(send(url, agent, job.headers, body).then((outcome) => {
            count(outcome);
            latenciesMs.push(performance.now() - due);
          }));
        }
        if (sent < job.requests) setTimeout(tick, Math.max(0, started + sent * intervalMs - performance.now()));
        else done();
      };
      tick();
    });
    await Promise.all(inFlight);
  }
  result.wallMs = performance.now() - started;
  return result;
}

process.on('message', (job: LoadJob) => {
  run(job).then((result) => process.send!(result));
});
// The parent went away (finished or failed): nothing left to measure.
process.on('disconnect', () => process.exit(0));
