// The in-process signal of live updates (beside the outbox, its durable counterpart): a service that changed something a stream may follow says so here, after its
// transaction returned, and every live hub of the process (src/live/live.hub.ts) hears it at once. Changes made by other
// processes reach the hubs through their poller instead (no LISTEN/NOTIFY: PgBouncer in transaction mode drops it).

/** What a stream follows: the object's type, as its global ID names it. */
export type LiveTopic = 'Suggestion' | 'EarlyReport' | 'RatingCycle' | 'TrainingSession';

export type LiveListener = (topic: LiveTopic, ids: readonly number[]) => void;

const listeners = new Set<LiveListener>();

/**
 * Says that these objects changed (a status moved, a cycle was published, views were ingested). Called after the
 * change's transaction returned; inside a caller's transaction the signal may come before the commit, and the stream
 * then finds nothing new until the poller or its periodic re-check sees the committed row. Never throws.
 */
export function signalLiveChange(topic: LiveTopic, ids: readonly number[]): void {
  if (ids.length === 0 || listeners.size === 0) return;
  for (const listener of listeners) {
    try {
      listener(topic, ids);
    } catch {
      // A listener's failure is its own; the change already happened.
    }
  }
}

/** Listens to every signal of the process; returns the function that stops listening. */
export function onLiveChange(listener: LiveListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
