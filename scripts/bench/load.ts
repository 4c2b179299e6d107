// The parent's side of the load generator (scripts/bench/load-generator.ts), and the statistics of its latencies.
import { fork, type ChildProcess } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LoadJob {
  id: number;
  url: string;
  headers: Record<string, string>;
  /** Request bodies, sent in turn (one for a query, one per request for a mutation's idempotency keys). */
  bodies: string[];
  requests: number;
  connections: number;
  /** Open loop at this rate; absent: closed loop, `connections` requests in flight. */
  ratePerSecond?: number;
}

export interface LoadResult {
  id: number;
  latenciesMs: number[];
  /** HTTP 200 answers carrying GraphQL errors. */
  graphqlErrors: number;
  /** Other statuses and failed connections. */
  httpErrors: number;
  wallMs: number;
}

export interface LoadGenerator {
  run(job: Omit<LoadJob, 'id'>): Promise<LoadResult>;
  close(): void;
}

export function startLoadGenerator(): LoadGenerator {
  // The default execArgv carries tsx's loader (and --expose-gc, harmless there) into the child. The sibling has this
  // module's extension: load-generator.ts under tsx, load-generator.js when compiled.
  const child: ChildProcess = fork(fileURLToPath(new URL(`./load-generator${extname(import.meta.url)}`, import.meta.url)));
  const waiting = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  child.on('message', (result: LoadResult) => {
    waiting.get(result.id)?.resolve(result);
    waiting.delete(result.id);
  });
  child.on('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`the load generator exited (code ${code})`));
    waiting.clear();
  });
  return {
    run(job) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ ...job, id });
      });
    },
    close: () => child.disconnect(),
  };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
