// The floor's HTTP server: bare node:http on the same driver, one statement and JSON.stringify per request. It takes the
// API's request body as it is (reading only the variables), so both sides receive the same bytes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../../src/db/client.js';
import type { Floor } from '../bench-scenarios.js';

export async function startFloorServer(db: Db, floors: ReadonlyMap<string, Floor>, keepAliveTimeoutMs: number): Promise<{ url: string; close(): void }> {
  const failing = new Set<string>();
  const server: Server = createServer({ keepAliveTimeout: keepAliveTimeoutMs }, async (req, res) => {
    try {
      const floor = floors.get((req.url ?? '/').slice(1));
      if (!floor) throw new Error(`no floor at ${req.url}`);
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const { variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables?: Record<string, unknown> };
      const body = JSON.stringify(await floor.answer(db, variables ?? {}));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } catch (error) {
      // The load generator counts the 500s; the first one's message says why.
      if (!failing.has(req.url ?? '')) console.error(`  !! floor ${req.url}: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200)}`);
      failing.add(req.url ?? '');
      res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}
