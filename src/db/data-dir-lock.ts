// One writer per embedded database: a lock file in DATA_DIR, taken before PGlite opens its files and released when the
// database closes (or the process exits). PGlite itself has no inter-process lock: two processes on one directory would
// both write the same files and corrupt them.
//
// Taking it: the holder's record ({pid, startedAt, host, nonce}) is written to a private temporary file, which is then
// hard-linked to the lock's name. link(2) is atomic and fails with EEXIST when the name exists, so exactly one process
// wins, and whoever reads the lock reads a complete record (never a half-written file).
// A stale lock (its pid is not alive on this host, or that pid now belongs to a process started after the lock was
// written, i.e. a reused pid, or the file holds no record because the machine crashed before it reached the disk) is taken over under a short-lived takeover guard (itself an O_EXCL file): inside it the
// lock is read again and removed only if it is still the very record judged stale, so two processes taking over the
// same stale lock cannot both win, and a live holder's fresh lock is never removed.
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

export const LOCK_FILE = 'pglite.lock';
const GUARD_FILE = 'pglite.lock.takeover';

interface LockRecord {
  pid: number;
  /** When the holding process started (ms since the epoch). */
  startedAt: number;
  host: string;
  nonce: string;
}

/** Another live process holds the embedded database; `message` is one line naming the directory. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: { pid: number; startedAt: number } | null,
  ) {
    super(
      `the embedded database in ${dataDir} is in use by another process` +
        (holder ? ` (pid ${holder.pid}, started ${new Date(holder.startedAt).toISOString()})` : '') +
        `: stop it first, use another DATA_DIR, or go through the running server`,
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock if it is still this process's; idempotent. */
  release(): void;
}

/** Lock files this process holds (absolute paths): a second open of the same directory in one process is refused too. */
const held = new Map<string, string>();
let exitHookInstalled = false;

function processStartedAt(): number {
  return Math.round(Date.now() - process.uptime() * 1000);
}

/** The record a lock file holds; null when there is no file; UNREADABLE when it is there but holds no record. */
const UNREADABLE = 'unreadable';
function readRecord(path: string): LockRecord | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockRecord>;
    if (typeof parsed.pid === 'number' && typeof parsed.nonce === 'string') {
      return { pid: parsed.pid, startedAt: Number(parsed.startedAt) || 0, host: String(parsed.host ?? ''), nonce: parsed.nonce };
    }
  } catch {
    // not JSON
  }
  return { pid: -1, startedAt: 0, host: '', nonce: `${UNREADABLE}:${text.length}` };
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Linux: when `pid` started (ms since the epoch), from /proc; null where that cannot be read. */
function startTimeOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]); // field 22 (starttime) counted from field 3
    const bootTime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(bootTime)) return null;
    return bootTime * 1000 + (ticks / 100) * 1000; // USER_HZ is 100 on every Linux ABI Node supports
  } catch {
    return null;
  }
}

/**
 * True when the record's holder is certainly gone. A lock that holds no record (empty or garbled: the machine crashed
 * before the record reached the disk) is stale, since a live holder's lock is complete from the moment it exists
 * (link-then-read). Another host's lock is never judged stale.
 */
function isStale(record: LockRecord): boolean {
  if (record.nonce.startsWith(UNREADABLE)) return true;
  if (record.host !== hostname()) return false;
  // Our own pid: held by this process (a second open here is refused too), or a pid reused after a crash (containers).
  if (record.pid === process.pid) return ![...held.values()].includes(record.nonce);
  if (!pidAlive(record.pid)) return true;
  // Alive, but a process started well after the lock was written is not its writer: the pid was reused after a crash.
  const started = startTimeOf(record.pid);
  return started !== null && record.startedAt > 0 && started > record.startedAt + 10_000;
}

function tryLink(source: string, target: string): boolean {
  try {
    linkSync(source, target);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Removes the stale lock `seen` under the takeover guard, only if the lock still holds exactly that record. */
function takeOverStale(lockPath: string, guardPath: string, seen: LockRecord): void {
  let fd: number;
  try {
    fd = openSync(guardPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process is taking over right now (it holds the guard for microseconds): wait a moment. If it died in
    // that instant its guard is stale too, and goes.
    const guard = readRecord(guardPath);
    if (guard && (guard.nonce.startsWith(UNREADABLE) || (guard.host === hostname() && !pidAlive(guard.pid)))) removeQuietly(guardPath);
    else sleepSync(10);
    return;
  }
  try {
    writeFileSync(fd, JSON.stringify({ pid: process.pid, startedAt: processStartedAt(), host: hostname(), nonce: 'guard' }));
    const now = readRecord(lockPath);
    if (now && now.nonce === seen.nonce && now.pid === seen.pid) unlinkSync(lockPath);
  } finally {
    closeSync(fd);
    removeQuietly(guardPath);
  }
}

/**
 * Takes the lock of the embedded database in `dataDir` (created if absent), or throws DataDirLockedError when a live
 * process holds it. A stale lock left by a crash is taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const lockPath = join(dir, LOCK_FILE);
  const guardPath = join(dir, GUARD_FILE);
  const record: LockRecord = { pid: process.pid, startedAt: processStartedAt(), host: hostname(), nonce: randomBytes(12).toString('hex') };
  const temporary = join(dir, `${LOCK_FILE}.${process.pid}.${record.nonce}`);
  writeFileSync(temporary, `${JSON.stringify(record)}\n`, { flag: 'wx' });
  try {
    for (let attempt = 0; ; attempt++) {
      if (tryLink(temporary, lockPath)) break;
      const holder = readRecord(lockPath);
      if (holder === null && attempt < 100) continue; // released between our link and our read: try again
      if (holder === null || !isStale(holder) || attempt >= 100) {
        throw new DataDirLockedError(dir, holder && holder.pid > 0 ? { pid: holder.pid, startedAt: holder.startedAt } : null);
      }
      takeOverStale(lockPath, guardPath, holder);
    }
  } finally {
    removeQuietly(temporary);
  }
  held.set(lockPath, record.nonce);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // process.exit (the shutdown deadline, a failed start) skips close(): the lock goes with the process anyway.
    process.on('exit', () => {
      for (const [path, nonce] of held) releaseIfOurs(path, nonce);
    });
  }
  return {
    path: lockPath,
    release() {
      if (held.get(lockPath) !== record.nonce) return;
      held.delete(lockPath);
      releaseIfOurs(lockPath, record.nonce);
    },
  };
}

function releaseIfOurs(path: string, nonce: string): void {
  const now = readRecord(path);
  if (now?.nonce === nonce) removeQuietly(path);
}
