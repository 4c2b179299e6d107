// A minimal Redis client (RESP2 over node:net or node:tls): one connection, pipelined commands, reconnect on demand.
// No Redis package is installed; the rate limiter needs only EVAL, AUTH and SELECT.
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

export class RedisReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisReplyError';
  }
}

type Reply = string | number | null | Reply[] | RedisReplyError;

interface Pending {
  resolve(value: Reply): void;
  reject(error: Error): void;
}

const INCOMPLETE = Symbol('incomplete');

/** Parses one reply at `offset`; INCOMPLETE when the buffer does not hold all of it yet. */
function parseReply(buf: Buffer, offset: number): [Reply, number] | typeof INCOMPLETE {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd < 0) return INCOMPLETE;
  const type = String.fromCharCode(buf[offset]!);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return [line, next];
    case '-':
      return [new RedisReplyError(line), next];
    case ':':
      return [Number(line), next];
    case '$': {
      const length = Number(line);
      if (length < 0) return [null, next];
      if (buf.length < next + length + 2) return INCOMPLETE;
      return [buf.toString('utf8', next, next + length), next + length + 2];
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return [null, next];
      const items: Reply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const parsed = parseReply(buf, at);
        if (parsed === INCOMPLETE) return INCOMPLETE;
        items.push(parsed[0]);
        at = parsed[1];
      }
      return [items, at];
    }
    default:
      throw new Error(`Unexpected Redis reply type ${JSON.stringify(type)}`);
  }
}

function encodeCommand(args: readonly string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(''), 'utf8');
}

export class RespClient {
  private socket: Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private readonly url: URL;
  private closed = false;

  constructor(url: string, private readonly timeoutMs = 1000) {
    this.url = new URL(url);
  }

  /** Sends one command; rejects on a Redis error reply, a broken connection or a timeout. */
  command(args: readonly string[]): Promise<Reply> {
    if (this.closed) return Promise.reject(new Error('Redis client is closed'));
    const socket = this.socket ?? this.open();
    return this.send(socket, args);
  }

  close() {
    this.closed = true;
    if (this.socket) this.fail(this.socket, new Error('Redis client is closed'));
  }

  private send(socket: Socket, args: readonly string[]): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Replies are matched by order: after a timeout the connection cannot be trusted.
        this.fail(socket, new Error('Redis command timed out'));
      }, this.timeoutMs);
      timer.unref();
      this.pending.push({
        resolve: (value) => {
          clearTimeout(timer);
          if (value instanceof RedisReplyError) reject(value);
          else resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      socket.write(encodeCommand(args));
    });
  }

  private open(): Socket {
    const port = Number(this.url.port || 6379);
    const host = this.url.hostname || '127.0.0.1';
    const socket = this.url.protocol === 'rediss:' ? connectTls({ host, port, servername: host }) : connectTcp({ host, port });
    socket.setNoDelay(true);
    socket.unref();
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (error) => this.fail(socket, error));
    socket.on('close', () => this.fail(socket, new Error('Redis connection closed')));
    // AUTH and SELECT go first on the new connection; their failures surface on the commands behind them.
    const password = decodeURIComponent(this.url.password);
    const username = decodeURIComponent(this.url.username);
    if (password) void this.send(socket, username ? ['AUTH', username, password] : ['AUTH', password]).catch(() => socket.destroy());
    const db = this.url.pathname.replace(/^\//, '');
    if (db) void this.send(socket, ['SELECT', db]).catch(() => socket.destroy());
    return socket;
  }

  private onData(socket: Socket, chunk: Buffer) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let offset = 0;
    try {
      for (;;) {
        if (offset >= this.buffer.length) break;
        const parsed = parseReply(this.buffer, offset);
        if (parsed === INCOMPLETE) break;
        offset = parsed[1];
        this.pending.shift()?.resolve(parsed[0]);
      }
    } catch (error) {
      this.fail(socket, error as Error);
      return;
    }
    this.buffer = this.buffer.subarray(offset);
  }

  private fail(socket: Socket, error: Error) {
    if (this.socket !== socket) return;
    this.socket = undefined;
    socket.destroy();
    for (const p of this.pending.splice(0)) p.reject(error);
  }
}
