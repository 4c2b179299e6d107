// One live hub per app (per process in production): who follows which object, the one poller that reads the changes
// other processes made, the in-process signal for changes made here, and the per-object sharing of costly reads (a
// training session's reach). Streams (src/live/live.schema.ts) register here; the hub only tells them "this object may
// have changed" — each stream then reads the object again as its viewer sees it.
import type { DbOrTx } from '../db/client.js';
import type { Logger } from '../logger.js';
import { currentLiveCursors, readLiveChanges, type LiveCursors } from './live.changes.js';
import { onLiveChange, type LiveTopic } from '../outbox/outbox.signal.js';

export interface LiveHubOptions {
  /** LIVE_POLL_INTERVAL_MS: how often the poller reads other processes' changes while anyone follows anything. */
  pollIntervalMs: number;
  /** LIVE_REACH_MIN_INTERVAL_MS: a training session's notifications (and its shared reach) at most once per this. */
  reachMinIntervalMs: number;
  logger?: Logger;
}

type Follower = () => void;

/** The statistics of a hub, for tests and metrics: polls run, followers now. */
export interface LiveHubStats {
  polls: number;
  followers: number;
  pollerRunning: boolean;
}

export class LiveHub {
  private readonly followers = new Map<string, Set<Follower>>();
  private followerCount = 0;
  private cursors: LiveCursors | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private stopped = false;
  private readonly stopListening: () => void;
  /** Throttled topics (TrainingSession): when each object was last notified, and the trailing notification pending. */
  private readonly lastNotified = new Map<string, number>();
  private readonly trailing = new Map<string, NodeJS.Timeout>();
  private readonly sharedReads = new Map<string, { at: number; value: Promise<unknown> }>();
  readonly stats: LiveHubStats = { polls: 0, followers: 0, pollerRunning: false };

  constructor(private readonly db: DbOrTx, private readonly options: LiveHubOptions) {
    this.stopListening = onLiveChange((topic, ids) => {
      for (const id of ids) this.notify(topic, id);
    });
  }

  /** Follows an object: `onChange` is called (without arguments) when it may have changed. Returns the unfollow. */
  follow(topic: LiveTopic, id: number, onChange: Follower): () => void {
    if (this.stopped) throw new Error('the live hub is stopped');
    const key = `${topic}:${id}`;
    let set = this.followers.get(key);
    if (!set) this.followers.set(key, (set = new Set()));
    set.add(onChange);
    this.followerCount += 1;
    this.stats.followers = this.followerCount;
    this.startPoller();
    let followed = true;
    return () => {
      if (!followed) return;
      followed = false;
      set.delete(onChange);
      if (set.size === 0) {
        this.followers.delete(key);
        clearTimeout(this.trailing.get(key));
        this.trailing.delete(key);
        this.lastNotified.delete(key);
        this.sharedReads.delete(key);
      }
      this.followerCount -= 1;
      this.stats.followers = this.followerCount;
      if (this.followerCount === 0) this.stopPoller();
    };
  }

  /**
   * A read shared by every stream of one object for `minIntervalMs` (a training session's reach): computed once per
   * interval however many streams ask; concurrent askers share the one computation. Only while the object is followed.
   */
  shared<T>(topic: LiveTopic, id: number, minIntervalMs: number, compute: () => Promise<T>): Promise<T> {
    const key = `${topic}:${id}`;
    const now = Date.now();
    const known = this.sharedReads.get(key);
    if (known && now - known.at < minIntervalMs) return known.value as Promise<T>;
    const value = compute();
    if (this.followers.has(key)) {
      this.sharedReads.set(key, { at: now, value });
      // A failed read is not shared: the next asker tries again.
      value.catch(() => {
        if (this.sharedReads.get(key)?.value === value) this.sharedReads.delete(key);
      });
    }
    return value;
  }

  /** Tells the followers of an object that it may have changed; a training session's at most once per reach interval (the last change is never lost). */
  notify(topic: LiveTopic, id: number): void {
    const key = `${topic}:${id}`;
    if (!this.followers.has(key)) return;
    if (topic !== 'TrainingSession' || this.options.reachMinIntervalMs <= 0) {
      this.deliver(key);
      return;
    }
    if (this.trailing.has(key)) return;
    const wait = (this.lastNotified.get(key) ?? 0) + this.options.reachMinIntervalMs - Date.now();
    if (wait <= 0) {
      this.lastNotified.set(key, Date.now());
      this.deliver(key);
      return;
    }
    const timer = setTimeout(() => {
      this.trailing.delete(key);
      this.lastNotified.set(key, Date.now());
      this.deliver(key);
    }, wait);
    timer.unref();
    this.trailing.set(key, timer);
  }

  private deliver(key: string): void {
    for (const onChange of [...(this.followers.get(key) ?? [])]) onChange();
  }

  /** Stops the poller and every timer; streams are ended by their own route before this (src/server/routes/stream.route.ts). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopListening();
    this.stopPoller();
    for (const timer of this.trailing.values()) clearTimeout(timer);
    this.trailing.clear();
    await this.polling?.catch(() => {});
  }

  private startPoller(): void {
    if (this.timer || this.stopped) return;
    this.stats.pollerRunning = true;
    const tick = () => {
      if (!this.polling) this.polling = this.poll().finally(() => (this.polling = null));
    };
    this.timer = setInterval(tick, this.options.pollIntervalMs);
    this.timer.unref();
    // The cursors at once, so a change another process makes right after the first stream started is not skipped.
    tick();
  }

  private stopPoller(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stats.pollerRunning = false;
    // The next start reads the current cursors again: what happened while nobody followed is nobody's news.
    this.cursors = null;
  }

  /** One poll now, as the timer runs it (tests count its statements); nothing while nobody follows anything. */
  async pollNow(): Promise<void> {
    if (!this.timer) return;
    await this.polling;
    await (this.polling = this.poll().finally(() => (this.polling = null)));
  }

  /** One poll: one statement (the cursors are read once, when the poller starts). A failure waits for the next interval. */
  private async poll(): Promise<void> {
    try {
      if (!this.cursors) {
        const cursors = await currentLiveCursors(this.db);
        if (this.timer) this.cursors = cursors;
        return;
      }
      const { changes, cursors } = await readLiveChanges(this.db, this.cursors);
      this.stats.polls += 1;
      // Stopped (nobody follows any more) while the statement ran: its cursors are stale.
      if (!this.timer) return;
      this.cursors = cursors;
      for (const change of changes) this.notify(change.topic, change.id);
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'live updates: polling for changes failed; retrying at the next interval');
    }
  }
}
