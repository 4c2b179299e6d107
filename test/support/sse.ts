// A client of /graphql/stream for tests: opens one subscription (the graphql-sse distinct connections mode) over real
// HTTP and reads its Server-Sent Events one at a time.
import type { TestApp } from './harness.js';

export interface SseMessage {
  event: string;
  data: any;
}

export interface Stream {
  status: number;
  headers: Headers;
  /** The body when the answer is not an event stream (a refusal). */
  text?: string;
  /** The next event (`next` or `complete`), or null when the stream ended without one. Comments (pings) are skipped. */
  next(): Promise<SseMessage | null>;
  /** Every remaining event until the server ends the stream. */
  rest(): Promise<SseMessage[]>;
  close(): void;
}

export async function openStream(
  t: Pick<TestApp, 'url'>,
  query: string,
  variables: Record<string, unknown> = {},
  options: { token?: string; headers?: Record<string, string>; method?: 'GET' | 'POST' } = {},
): Promise<Stream> {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const method = options.method ?? 'POST';
  let url = `${t.url}/graphql/stream`;
  let body: string | undefined;
  if (method === 'POST') {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify({ query, variables });
  } else {
    url += `?${new URLSearchParams({ query, variables: JSON.stringify(variables) })}`;
  }
  const res = await fetch(url, { method, headers, body, signal: controller.signal });
  if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, next: async () => null, rest: async () => [], close: () => controller.abort() };
  }
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = false;
  const next = async (): Promise<SseMessage | null> => {
    for (;;) {
      const boundary = buffer.indexOf('\n\n');
      if (boundary !== -1) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':') || line === '') continue;
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
        if (data.length === 0 && event === 'message') continue;
        const text = data.join('\n');
        return { event, data: text === '' ? null : JSON.parse(text) };
      }
      if (ended) return null;
      let chunk;
      try {
        chunk = await reader.read();
      } catch {
        ended = true;
        continue;
      }
      if (chunk.done) ended = true;
      else buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
  return {
    status: res.status,
    headers: res.headers,
    next,
    async rest() {
      const all: SseMessage[] = [];
      for (let m = await next(); m; m = await next()) all.push(m);
      return all;
    },
    close: () => controller.abort(),
  };
}

/** Reads events until one that `accept`s (skipping others), failing when the stream ends first. */
export async function nextMatching(stream: Stream, accept: (m: SseMessage) => boolean): Promise<SseMessage> {
  for (;;) {
    const m = await stream.next();
    if (!m) throw new Error('the stream ended before the expected event');
    if (accept(m)) return m;
  }
}
