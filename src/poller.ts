// A background worker's loop: run a round now and then, one at a time, until stopped. The webhook and export workers
// share it; each brings its round (how much it did) and when to go again.

export interface Poller {
  /** Runs a round after any round in progress; resolves with what that round did. */
  runOnce(): Promise<number>;
  /** True once stop() was called: a long round checks it to end early. */
  readonly stopping: boolean;
  /** No further round starts; resolves when the one in progress (if any) has ended. */
  stop(): Promise<void>;
}

/**
 * Starts polling at once: `round` runs, then again after `nextDelayMs(what it did)`. A round that throws is reported to
 * `onError` and the loop goes on.
 */
export function startPoller(round: () => Promise<number>, options: { nextDelayMs: (done: number) => number; onError: (error: unknown) => void }): Poller {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<number> | undefined;

  function runOnce(): Promise<number> {
    const run = (current ?? Promise.resolve(0)).catch(() => 0).then(() => round());
    current = run;
    return run;
  }

  function schedule(delayMs: number) {
    if (stopped) return;
    timer = setTimeout(async () => {
      let done = 0;
      try {
        done = await runOnce();
      } catch (error) {
        options.onError(error);
      }
      schedule(options.nextDelayMs(done));
    }, delayMs);
  }

  schedule(0);
  return {
    runOnce,
    get stopping() {
      return stopped;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current?.catch(() => {});
    },
  };
}
